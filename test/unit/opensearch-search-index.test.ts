import { describe, expect, it } from 'vitest';
import { BulkIndexError, type BulkResponseBody } from '../../lib/adapters/opensearch/opensearch-requests.ts';
import {
  type OpenSearchClient,
  OpenSearchIndex,
} from '../../lib/adapters/opensearch/opensearch-search-index.ts';
import { CATALOG, searchQuery } from '../support/search-fixtures.ts';

/** A client that records calls and answers from canned responses. */
function fakeClient(
  options: { bulk?: BulkResponseBody[]; aliasExists?: boolean; createError?: unknown } = {},
) {
  const calls: Array<{ method: string; params: Record<string, unknown> }> = [];
  const bulkResponses = [...(options.bulk ?? [])];
  const client: OpenSearchClient = {
    async bulk(params) {
      calls.push({ method: 'bulk', params });
      return { body: bulkResponses.shift() };
    },
    async search(params) {
      calls.push({ method: 'search', params });
      return { body: emptySearchResponse };
    },
    indices: {
      async putIndexTemplate(params) {
        calls.push({ method: 'putIndexTemplate', params });
        return {};
      },
      async existsAlias(params) {
        calls.push({ method: 'existsAlias', params });
        return { body: options.aliasExists ?? false };
      },
      async create(params) {
        calls.push({ method: 'create', params });
        if (options.createError) throw options.createError;
        return {};
      },
    },
  };
  return { client, calls };
}

const emptyTerms = { doc_count: 0, values: { buckets: [] } };
const emptySearchResponse = {
  hits: { total: { value: 0 }, hits: [] },
  aggregations: {
    maison: emptyTerms,
    category: emptyTerms,
    collection: emptyTerms,
    material: emptyTerms,
    priceRange: { ranges: { buckets: [] } },
    inStock: { doc_count: 0, inMarket: { doc_count: 0 } },
  },
};

const statuses = (...codes: number[]): BulkResponseBody => ({
  errors: codes.some((c) => c >= 300),
  items: codes.map((status, i) => ({
    index: {
      _id: `p${i}`,
      status,
      ...(status === 409 ? { error: { type: 'version_conflict_engine_exception', reason: 'conflict' } } : {}),
    },
  })),
});

describe('OpenSearchIndex', () => {
  describe('index', () => {
    it('counts version conflicts in the bulk response as stale', async () => {
      const { client, calls } = fakeClient({ bulk: [statuses(201, 409, 200, 409)] });
      const index = new OpenSearchIndex(client, 'vitrine-products');

      const outcome = await index.index(CATALOG.slice(0, 4));

      expect(outcome).toEqual({ indexed: 2, stale: 2 });
      expect(calls).toHaveLength(1);
      expect(calls[0]!.params.body).toHaveLength(8);
      expect(calls[0]!.params).not.toHaveProperty('refresh');
    });

    it('splits large batches into several bulk requests and adds up their outcomes', async () => {
      const { client, calls } = fakeClient({ bulk: [statuses(201, 201), statuses(409, 201), statuses(201)] });
      const index = new OpenSearchIndex(client, 'vitrine-products', { bulkSize: 2, refresh: 'wait_for' });

      const outcome = await index.index(CATALOG.slice(0, 5));

      expect(outcome).toEqual({ indexed: 4, stale: 1 });
      expect(calls.map((c) => (c.params.body as unknown[]).length)).toEqual([4, 4, 2]);
      expect(calls.every((c) => c.params.refresh === 'wait_for')).toBe(true);
    });

    it('fails the batch when OpenSearch refuses a document for another reason', async () => {
      const { client } = fakeClient({ bulk: [statuses(201, 429)] });
      const index = new OpenSearchIndex(client, 'vitrine-products');

      await expect(index.index(CATALOG.slice(0, 2))).rejects.toBeInstanceOf(BulkIndexError);
    });

    it('sends nothing for an empty batch', async () => {
      const { client, calls } = fakeClient();

      expect(await new OpenSearchIndex(client, 'vitrine-products').index([])).toEqual({
        indexed: 0,
        stale: 0,
      });
      expect(calls).toEqual([]);
    });
  });

  describe('ensureIndex', () => {
    it('puts the template and creates the first index behind the alias', async () => {
      const { client, calls } = fakeClient({ aliasExists: false });

      await new OpenSearchIndex(client, 'vitrine-products').ensureIndex();

      expect(calls.map((c) => c.method)).toEqual(['putIndexTemplate', 'existsAlias', 'create']);
      expect(calls[0]!.params.name).toBe('vitrine-products-template');
      expect(calls[2]!.params).toEqual({
        index: 'vitrine-products-000001',
        body: { aliases: { 'vitrine-products': { is_write_index: true } } },
      });
    });

    it('leaves an existing alias alone', async () => {
      const { client, calls } = fakeClient({ aliasExists: true });

      await new OpenSearchIndex(client, 'vitrine-products').ensureIndex();

      expect(calls.map((c) => c.method)).toEqual(['putIndexTemplate', 'existsAlias']);
    });

    it('accepts losing the race to create the index', async () => {
      const raced = { meta: { body: { error: { type: 'resource_already_exists_exception' } } } };
      const { client } = fakeClient({ createError: raced });

      await expect(new OpenSearchIndex(client, 'vitrine-products').ensureIndex()).resolves.toBeUndefined();
    });

    it('rethrows any other failure', async () => {
      const denied = { meta: { body: { error: { type: 'security_exception' } } } };
      const { client } = fakeClient({ createError: denied });

      await expect(new OpenSearchIndex(client, 'vitrine-products').ensureIndex()).rejects.toBe(denied);
    });
  });

  it('searches through the alias and maps the response', async () => {
    const { client, calls } = fakeClient();

    const result = await new OpenSearchIndex(client, 'vitrine-products').search(
      searchQuery({ market: 'FR' }),
    );

    expect(calls[0]!.params.index).toBe('vitrine-products');
    expect(result).toMatchObject({ market: 'FR', total: 0, hits: [] });
  });

  it('refuses an alias OpenSearch would reject', () => {
    const { client } = fakeClient();

    expect(() => new OpenSearchIndex(client, 'Vitrine Products')).toThrow(/must be lower-case/);
  });
});
