/**
 * The OpenSearch requests of the search index, as pure functions from domain values to request bodies
 * and from response bodies back to domain values, so every one of them is unit-tested without a cluster.
 */
import type { SearchDocument, SearchFacets, SearchQuery, SearchResult } from '../../contracts/search.ts';
import { MARKET_CODES, MARKETS, type MarketCode } from '../../money/markets.ts';
import { priceRanges } from '../../search/price-ranges.ts';
import type { IndexOutcome } from '../../search/search-index.ts';
import { FIELD_BOOSTS, FUZZY, MAX_QUERY_WORDS, STOP_WORDS } from '../../search/text-analysis.ts';

/** Bumped whenever the template changes; a new version needs a new index and a reindex. */
export const TEMPLATE_VERSION = 1;
/** Most values a facet lists. */
export const FACET_SIZE = 100;
/** Deepest page the API allows (page 500 of 50), which OpenSearch refuses beyond 10,000 by default. */
export const MAX_RESULT_WINDOW = 500 * 50;

/** Analyzer of every text field: what the local index's `analyze` reproduces in TypeScript. */
const TEXT_ANALYZER = 'vitrine_text';

export interface IndexTemplateOptions {
  /** @default 1 */
  readonly shards?: number;
  /** @default 1 */
  readonly replicas?: number;
}

/** The concrete index behind `alias` when ensureIndex creates it; later reindexes count up. */
export function firstIndexName(alias: string): string {
  return `${alias}-000001`;
}

/** The index template's name: one template per alias. */
export function templateName(alias: string): string {
  return `${alias}-template`;
}

const text = (keyword = false) => ({
  type: 'text',
  analyzer: TEXT_ANALYZER,
  ...(keyword ? { fields: { keyword: { type: 'keyword', ignore_above: 256 } } } : {}),
});

/**
 * The composable index template for every index behind `alias`. The mapping is strict (a field the
 * template does not know is a bug, not a new field); facet fields are keywords, or keyword subfields of
 * text; prices are one `long` per market in minor units, so range filters, range aggregations and sorts
 * run on integers in the market's own currency.
 */
export function indexTemplate(alias: string, options: IndexTemplateOptions = {}) {
  return {
    index_patterns: [`${alias}-*`],
    priority: 200,
    version: TEMPLATE_VERSION,
    _meta: { description: 'Vitrine catalog search' },
    template: {
      settings: {
        index: {
          number_of_shards: options.shards ?? 1,
          number_of_replicas: options.replicas ?? 1,
          max_result_window: MAX_RESULT_WINDOW,
        },
        analysis: {
          filter: {
            vitrine_stop: { type: 'stop', stopwords: [...STOP_WORDS] },
            vitrine_possessive: { type: 'stemmer', language: 'possessive_english' },
            vitrine_stem: { type: 'stemmer', language: 'minimal_english' },
          },
          analyzer: {
            [TEXT_ANALYZER]: {
              type: 'custom',
              tokenizer: 'standard',
              filter: ['vitrine_possessive', 'lowercase', 'asciifolding', 'vitrine_stop', 'vitrine_stem'],
            },
          },
        },
      },
      mappings: {
        dynamic: 'strict',
        properties: {
          productId: { type: 'keyword' },
          name: text(true),
          maisonId: { type: 'keyword' },
          maisonName: text(true),
          categoryId: { type: 'keyword' },
          categoryName: text(true),
          collectionId: { type: 'keyword' },
          collectionName: text(true),
          description: text(),
          story: text(),
          materials: text(true),
          tags: text(true),
          prices: {
            properties: Object.fromEntries(MARKET_CODES.map((market) => [market, { type: 'long' }])),
          },
          inStockMarkets: { type: 'keyword' },
          active: { type: 'boolean' },
          createdAt: { type: 'date', format: 'epoch_millis' },
          version: { type: 'long' },
        },
      },
    },
  };
}

/**
 * `_bulk` lines writing each document under its product id with external versioning: OpenSearch keeps a
 * write only when its version is greater than the stored one, so a stale or replayed stream record can
 * never overwrite a newer product. Inactive products are written too, as tombstones that hold the version.
 */
export function bulkIndexBody(
  index: string,
  documents: readonly SearchDocument[],
): Array<Record<string, unknown>> {
  return documents.flatMap((doc) => [
    { index: { _index: index, _id: doc.productId, version: doc.version, version_type: 'external' } },
    doc,
  ]);
}

/** The part of a `_bulk` response the outcome is read from. */
export interface BulkResponseBody {
  readonly errors: boolean;
  readonly items: ReadonlyArray<
    Partial<Record<'index' | 'create' | 'update' | 'delete', BulkResponseItem | undefined>>
  >;
}

export interface BulkResponseItem {
  readonly _id?: string | null;
  readonly status: number;
  readonly error?: { readonly type?: string; readonly reason?: string | null } | null;
}

/** Bulk items OpenSearch refused for another reason than an older version. */
export class BulkIndexError extends Error {
  constructor(
    readonly failures: ReadonlyArray<{ id: string; status: number; type: string; reason: string }>,
  ) {
    super(
      `OpenSearch refused ${failures.length} document(s): ` +
        failures
          .slice(0, 3)
          .map((f) => `${f.id} ${f.status} ${f.type}`)
          .join('; '),
    );
    this.name = 'BulkIndexError';
  }
}

/**
 * Counts a `_bulk` response: 409 version conflicts are documents the index already held in the same or a
 * newer version (stale, by design); any other refused item fails the call, so the stream batch is retried.
 * A retry is safe: what was written the first time comes back as 409.
 */
export function bulkOutcome(body: BulkResponseBody): IndexOutcome {
  let indexed = 0;
  let stale = 0;
  const failures: Array<{ id: string; status: number; type: string; reason: string }> = [];
  for (const item of body.items) {
    const result = item.index ?? item.create ?? item.update ?? item.delete;
    if (!result) continue;
    if (result.status >= 200 && result.status < 300) indexed++;
    else if (result.status === 409) stale++;
    else {
      failures.push({
        id: result._id ?? '?',
        status: result.status,
        type: result.error?.type ?? 'unknown',
        reason: result.error?.reason ?? '',
      });
    }
  }
  if (failures.length > 0) throw new BulkIndexError(failures);
  return { indexed, stale };
}

/** The multi_match field list with boosts, e.g. `name^4`. */
export const SEARCH_FIELDS: readonly string[] = Object.entries(FIELD_BOOSTS).map(([field, boost]) =>
  boost === 1 ? field : `${field}^${boost}`,
);

const priceField = (market: MarketCode) => `prices.${market}`;

type Clause = Record<string, unknown>;
type FacetFilter = 'maison' | 'category' | 'collection' | 'material' | 'price' | 'inStock';

/**
 * One required clause per query word, so every word must match but each may match in any field (a
 * maison name and a material in one query). Each word is typo-tolerant; the last one may also be a
 * prefix of the word the shopper is still typing. Words that analyze to nothing (stop words) match all.
 */
function wordClause(word: string, last: boolean): Clause {
  const fuzzy = {
    multi_match: {
      query: word,
      fields: SEARCH_FIELDS,
      type: 'best_fields',
      tie_breaker: 0.3,
      fuzziness: 'AUTO',
      prefix_length: FUZZY.prefixLength,
      max_expansions: FUZZY.maxExpansions,
      zero_terms_query: 'all',
    },
  };
  if (!last || word.length < FUZZY.minPrefixLength) return fuzzy;
  return {
    bool: {
      should: [
        fuzzy,
        {
          multi_match: {
            query: word,
            fields: SEARCH_FIELDS,
            type: 'phrase_prefix',
            max_expansions: FUZZY.maxExpansions,
            boost: FUZZY.expansionBoost,
          },
        },
      ],
      minimum_should_match: 1,
    },
  };
}

/** The facet filters of a query, each on its own so a facet can be counted without its own filter. */
function facetFilters(query: SearchQuery): Partial<Record<FacetFilter, Clause>> {
  const filters: Partial<Record<FacetFilter, Clause>> = {};
  if (query.maison) filters.maison = { terms: { maisonId: query.maison } };
  if (query.category) filters.category = { terms: { categoryId: query.category } };
  if (query.collection) filters.collection = { terms: { collectionId: query.collection } };
  if (query.material) filters.material = { terms: { 'materials.keyword': query.material } };
  if (query.priceMin !== undefined || query.priceMax !== undefined) {
    filters.price = {
      range: {
        [priceField(query.market)]: {
          ...(query.priceMin !== undefined ? { gte: query.priceMin } : {}),
          ...(query.priceMax !== undefined ? { lte: query.priceMax } : {}),
        },
      },
    };
  }
  if (query.inStock !== undefined) {
    const inMarket = { term: { inStockMarkets: query.market } };
    filters.inStock = query.inStock ? inMarket : { bool: { must_not: [inMarket] } };
  }
  return filters;
}

function sortClauses(query: SearchQuery, hasText: boolean): Clause[] {
  const newest = [{ createdAt: { order: 'desc' } }, { productId: { order: 'asc' } }];
  switch (query.sort) {
    case 'price_asc':
      return [{ [priceField(query.market)]: { order: 'asc' } }, ...newest];
    case 'price_desc':
      return [{ [priceField(query.market)]: { order: 'desc' } }, ...newest];
    case 'newest':
      return newest;
    default:
      return hasText ? [{ _score: { order: 'desc' } }, ...newest] : newest;
  }
}

/**
 * The `_search` body of a query. Facet filters go to `post_filter`, so hits honour them while the
 * aggregations, each wrapped in a filter of every facet filter but its own, count disjunctively: picking
 * one maison still shows how many pieces the other maisons have. The market is a hard filter: a
 * product without a price there does not exist in that market.
 */
export function searchRequestBody(query: SearchQuery): Record<string, unknown> {
  const market = query.market;
  const words = query.q.trim().split(/\s+/).filter(Boolean).slice(0, MAX_QUERY_WORDS);
  const hasText = words.length > 0;
  const filters = facetFilters(query);
  const allBut = (except?: FacetFilter): Clause => ({
    bool: {
      filter: Object.entries(filters)
        .filter(([name]) => name !== except)
        .map(([, clause]) => clause),
    },
  });
  // Ties at the size cut go to the smaller key, as the local index breaks them too.
  const byCount = [{ _count: 'desc' }, { _key: 'asc' }];
  const labelled = (idField: string, labelField: string) => ({
    terms: { field: idField, size: FACET_SIZE, order: byCount },
    aggs: { label: { terms: { field: labelField, size: 1 } } },
  });
  const page = query.page;
  const limit = query.limit;

  return {
    from: (page - 1) * limit,
    size: limit,
    track_total_hits: true,
    ...(hasText ? { track_scores: true } : {}),
    _source: [
      'productId',
      'name',
      'maisonId',
      'maisonName',
      'categoryId',
      'categoryName',
      'collectionId',
      'collectionName',
      priceField(market),
      'inStockMarkets',
    ],
    query: {
      bool: {
        must: words.map((word, i) => wordClause(word, i === words.length - 1)),
        ...(words.length > 1
          ? { should: [{ match_phrase: { name: { query: query.q.trim(), slop: 1, boost: 2 } } }] }
          : {}),
        filter: [{ term: { active: true } }, { exists: { field: priceField(market) } }],
      },
    },
    ...(Object.keys(filters).length > 0 ? { post_filter: allBut() } : {}),
    aggs: {
      maison: { filter: allBut('maison'), aggs: { values: labelled('maisonId', 'maisonName.keyword') } },
      category: {
        filter: allBut('category'),
        aggs: { values: labelled('categoryId', 'categoryName.keyword') },
      },
      collection: {
        filter: allBut('collection'),
        aggs: { values: labelled('collectionId', 'collectionName.keyword') },
      },
      material: {
        filter: allBut('material'),
        aggs: { values: { terms: { field: 'materials.keyword', size: FACET_SIZE, order: byCount } } },
      },
      priceRange: {
        filter: allBut('price'),
        aggs: {
          ranges: {
            range: {
              field: priceField(market),
              ranges: priceRanges(MARKETS[market].currency).map(({ key, from, to }) =>
                to === null ? { key, from } : { key, from, to },
              ),
            },
          },
        },
      },
      inStock: {
        filter: allBut('inStock'),
        aggs: { inMarket: { filter: { term: { inStockMarkets: market } } } },
      },
    },
    sort: sortClauses(query, hasText),
  };
}

/** What the index stores per product, as far as a hit reads it. */
interface HitSource {
  readonly productId: string;
  readonly name: string;
  readonly maisonId: string;
  readonly maisonName: string;
  readonly categoryId: string;
  readonly categoryName: string;
  readonly collectionId: string;
  readonly collectionName: string;
  readonly prices: Partial<Record<MarketCode, number>>;
  readonly inStockMarkets: readonly MarketCode[];
}

interface TermsBucket {
  readonly key: string;
  readonly doc_count: number;
  readonly label?: { readonly buckets: ReadonlyArray<{ readonly key: string }> };
}

interface FilteredTerms {
  readonly doc_count: number;
  readonly values: { readonly buckets: readonly TermsBucket[] };
}

/** The part of a `_search` response, for a body from searchRequestBody, the result is read from. */
export interface SearchResponseBody {
  readonly hits: {
    readonly total?: number | { readonly value: number };
    readonly hits: ReadonlyArray<{ readonly _score?: number | null; readonly _source: HitSource }>;
  };
  readonly aggregations: {
    readonly maison: FilteredTerms;
    readonly category: FilteredTerms;
    readonly collection: FilteredTerms;
    readonly material: FilteredTerms;
    readonly priceRange: {
      readonly ranges: {
        readonly buckets: ReadonlyArray<{ readonly key: string; readonly doc_count: number }>;
      };
    };
    readonly inStock: { readonly doc_count: number; readonly inMarket: { readonly doc_count: number } };
  };
}

const LABEL_ORDER = new Intl.Collator('en');

function facetValues(agg: FilteredTerms, labelled: boolean): SearchFacets['maison'] {
  return agg.values.buckets
    .filter((b) => b.doc_count > 0)
    .map((b) => ({
      value: b.key,
      label: labelled ? (b.label?.buckets[0]?.key ?? b.key) : b.key,
      count: b.doc_count,
    }))
    .sort(
      (a, b) => b.count - a.count || LABEL_ORDER.compare(a.label, b.label) || (a.value < b.value ? -1 : 1),
    );
}

/** Maps a `_search` response to the search result of `query`. */
export function toSearchResult(query: SearchQuery, body: SearchResponseBody): SearchResult {
  const market = query.market;
  const currency = MARKETS[market].currency;
  const total = body.hits.total;
  const aggs = body.aggregations;
  const rangeCounts = new Map(aggs.priceRange.ranges.buckets.map((b) => [b.key, b.doc_count]));
  const inMarket = aggs.inStock.inMarket.doc_count;
  return {
    market,
    total: typeof total === 'number' ? total : (total?.value ?? 0),
    page: query.page,
    limit: query.limit,
    hits: body.hits.hits.map(({ _score, _source: s }) => ({
      productId: s.productId,
      name: s.name,
      maison: { id: s.maisonId, name: s.maisonName },
      category: { id: s.categoryId, name: s.categoryName },
      collection: { id: s.collectionId, name: s.collectionName },
      price: { amount: s.prices[market] ?? 0, currency },
      inStock: s.inStockMarkets.includes(market),
      score: _score ?? 0,
    })),
    facets: {
      maison: facetValues(aggs.maison, true),
      category: facetValues(aggs.category, true),
      collection: facetValues(aggs.collection, true),
      material: facetValues(aggs.material, false),
      priceRange: priceRanges(currency).map((range) => ({
        ...range,
        count: rangeCounts.get(range.key) ?? 0,
      })),
      inStock: [
        { value: true, count: inMarket },
        { value: false, count: aggs.inStock.doc_count - inMarket },
      ],
    },
  };
}
