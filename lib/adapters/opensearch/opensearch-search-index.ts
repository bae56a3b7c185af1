import type { SearchDocument, SearchQuery, SearchResult } from '../../contracts/search.ts';
import type { IndexOutcome, SearchIndex } from '../../search/search-index.ts';
import {
  type BulkResponseBody,
  bulkIndexBody,
  bulkOutcome,
  firstIndexName,
  type IndexTemplateOptions,
  indexTemplate,
  type SearchResponseBody,
  searchRequestBody,
  templateName,
  toSearchResult,
} from './opensearch-requests.ts';

/**
 * The calls the adapter makes, as `@opensearch-project/opensearch`'s `Client` has them. Naming only these
 * lets a test hand in a ten-line fake instead of a client pointed at nothing.
 */
export interface OpenSearchClient {
  bulk(params: {
    body: Array<Record<string, unknown>>;
    refresh?: boolean | 'wait_for';
  }): Promise<{ body: unknown }>;
  search(params: { index: string; body: Record<string, unknown> }): Promise<{ body: unknown }>;
  readonly indices: {
    putIndexTemplate(params: { name: string; body: Record<string, unknown> }): Promise<unknown>;
    existsAlias(params: { name: string }): Promise<{ body: unknown }>;
    create(params: { index: string; body: Record<string, unknown> }): Promise<unknown>;
  };
}

export interface OpenSearchIndexOptions extends IndexTemplateOptions {
  /**
   * Refresh policy of bulk writes. Production leaves it off (the index refreshes every second); tests
   * use `wait_for` so a search right after `index()` sees the writes.
   * @default false
   */
  readonly refresh?: boolean | 'wait_for';
  /** Documents per `_bulk` request, which keeps a request to a few megabytes. @default 500 */
  readonly bulkSize?: number;
}

/**
 * SearchIndex on an OpenSearch domain. Reads and writes go through `alias`, so a mapping change can be
 * rolled out by building a new index behind it and moving the alias.
 */
export class OpenSearchIndex implements SearchIndex {
  readonly #options: OpenSearchIndexOptions;

  constructor(
    private readonly client: OpenSearchClient,
    readonly alias: string,
    options: OpenSearchIndexOptions = {},
  ) {
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(alias)) {
      throw new Error(`OpenSearch alias "${alias}" must be lower-case letters, digits, '.', '_' or '-'`);
    }
    this.#options = options;
  }

  /**
   * Puts the index template, then creates the first index behind the alias if there is none yet. Safe to
   * run on every deploy and from several places at once.
   */
  async ensureIndex(): Promise<void> {
    await this.client.indices.putIndexTemplate({
      name: templateName(this.alias),
      body: indexTemplate(this.alias, this.#options),
    });
    const exists = await this.client.indices.existsAlias({ name: this.alias });
    if (exists.body === true) return;
    try {
      await this.client.indices.create({
        index: firstIndexName(this.alias),
        body: { aliases: { [this.alias]: { is_write_index: true } } },
      });
    } catch (error) {
      // Another deploy or cold start created it between our check and our create.
      if (errorType(error) !== 'resource_already_exists_exception') throw error;
    }
  }

  async index(documents: readonly SearchDocument[]): Promise<IndexOutcome> {
    const size = this.#options.bulkSize ?? 500;
    let indexed = 0;
    let stale = 0;
    for (let start = 0; start < documents.length; start += size) {
      const response = await this.client.bulk({
        body: bulkIndexBody(this.alias, documents.slice(start, start + size)),
        ...(this.#options.refresh !== undefined ? { refresh: this.#options.refresh } : {}),
      });
      const outcome = bulkOutcome(response.body as BulkResponseBody);
      indexed += outcome.indexed;
      stale += outcome.stale;
    }
    return { indexed, stale };
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    const response = await this.client.search({ index: this.alias, body: searchRequestBody(query) });
    return toSearchResult(query, response.body as SearchResponseBody);
  }
}

/** The OpenSearch error type of a failed call (`ResponseError.meta.body.error.type`), if any. */
function errorType(error: unknown): string | undefined {
  const body = (error as { meta?: { body?: { error?: { type?: unknown } } } } | undefined)?.meta?.body;
  const type = body?.error?.type;
  return typeof type === 'string' ? type : undefined;
}
