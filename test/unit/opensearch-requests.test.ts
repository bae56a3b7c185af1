import { describe, expect, it } from 'vitest';
import {
  BulkIndexError,
  type BulkResponseBody,
  bulkIndexBody,
  bulkOutcome,
  indexTemplate,
  MAX_RESULT_WINDOW,
  SEARCH_FIELDS,
  type SearchResponseBody,
  searchRequestBody,
  toSearchResult,
} from '../../lib/adapters/opensearch/opensearch-requests.ts';
import { SearchResult } from '../../lib/contracts/search.ts';
import { MARKET_CODES } from '../../lib/money/markets.ts';
import { priceRanges } from '../../lib/search/price-ranges.ts';
import { STOP_WORDS } from '../../lib/search/text-analysis.ts';
import { product, searchQuery } from '../support/search-fixtures.ts';

// Request bodies are plain JSON; this reads into them without a type per level.
// biome-ignore lint/suspicious/noExplicitAny: test-only access into nested request bodies
type Json = any;

describe('indexTemplate', () => {
  const template = indexTemplate('vitrine-products', { shards: 2, replicas: 0 });
  const { settings, mappings } = template.template;

  it('applies to every index behind the alias', () => {
    expect(template.index_patterns).toEqual(['vitrine-products-*']);
    expect(settings.index).toEqual({
      number_of_shards: 2,
      number_of_replicas: 0,
      max_result_window: MAX_RESULT_WINDOW,
    });
  });

  it('rejects fields it does not know', () => {
    expect(mappings.dynamic).toBe('strict');
  });

  it('maps one long price per market and keyword fields for facets', () => {
    const props: Json = mappings.properties;

    expect(Object.keys(props.prices.properties)).toEqual(MARKET_CODES);
    expect(Object.values(props.prices.properties)).toEqual(MARKET_CODES.map(() => ({ type: 'long' })));
    expect(props.maisonId).toEqual({ type: 'keyword' });
    expect(props.inStockMarkets).toEqual({ type: 'keyword' });
    expect(props.active).toEqual({ type: 'boolean' });
    expect(props.createdAt).toEqual({ type: 'date', format: 'epoch_millis' });
    expect(props.materials.fields.keyword.type).toBe('keyword');
    expect(props.maisonName.fields.keyword.type).toBe('keyword');
  });

  it('analyzes text with folding, the shared stop words and minimal English stemming', () => {
    const analysis: Json = settings.analysis;

    expect(mappings.properties.story).toEqual({ type: 'text', analyzer: 'vitrine_text' });
    expect(analysis.analyzer.vitrine_text.filter).toEqual([
      'vitrine_possessive',
      'lowercase',
      'asciifolding',
      'vitrine_stop',
      'vitrine_stem',
    ]);
    expect(analysis.filter.vitrine_stem).toEqual({ type: 'stemmer', language: 'minimal_english' });
    expect(analysis.filter.vitrine_stop.stopwords).toEqual([...STOP_WORDS]);
  });
});

describe('bulkIndexBody', () => {
  it('writes each document under its id with its version as an external version', () => {
    const ring = product('etoile-solitaire-ring');
    const archived = product('riviere-ruby-ring');

    const lines = bulkIndexBody('vitrine-products', [ring, archived]);

    expect(lines).toEqual([
      {
        index: {
          _index: 'vitrine-products',
          _id: 'etoile-solitaire-ring',
          version: 3,
          version_type: 'external',
        },
      },
      ring,
      {
        index: { _index: 'vitrine-products', _id: 'riviere-ruby-ring', version: 5, version_type: 'external' },
      },
      archived,
    ]);
  });
});

describe('bulkOutcome', () => {
  const item = (status: number, error?: { type: string; reason: string }) => ({
    index: { _index: 'vitrine-products-000001', _id: `p-${status}`, status, ...(error ? { error } : {}) },
  });

  it('counts written documents and 409 version conflicts as stale', () => {
    const body: BulkResponseBody = {
      errors: true,
      items: [
        item(201),
        item(200),
        item(409, { type: 'version_conflict_engine_exception', reason: 'current version [4] >= [3]' }),
      ],
    };

    expect(bulkOutcome(body)).toEqual({ indexed: 2, stale: 1 });
  });

  it('throws on any other refused item, naming it', () => {
    const body: BulkResponseBody = {
      errors: true,
      items: [
        item(201),
        item(400, { type: 'strict_dynamic_mapping_exception', reason: 'mapping set to strict' }),
      ],
    };

    expect(() => bulkOutcome(body)).toThrow(BulkIndexError);
    expect(() => bulkOutcome(body)).toThrow(/p-400 400 strict_dynamic_mapping_exception/);
  });
});

describe('searchRequestBody', () => {
  const query = searchQuery({
    market: 'JP',
    q: 'diamnod  ring',
    maison: ['maison-aubert', 'valmont'],
    inStock: true,
    priceMin: 100_000,
    sort: 'price_asc',
    page: 3,
    limit: 10,
  });
  const body: Json = searchRequestBody(query);

  it('pages with from and size and counts every match', () => {
    expect(body.from).toBe(20);
    expect(body.size).toBe(10);
    expect(body.track_total_hits).toBe(true);
  });

  it('requires every word, typo-tolerant, the last one also as a prefix', () => {
    const [first, last] = body.query.bool.must;

    expect(body.query.bool.must).toHaveLength(2);
    expect(first.multi_match).toMatchObject({
      query: 'diamnod',
      fields: SEARCH_FIELDS,
      type: 'best_fields',
      fuzziness: 'AUTO',
      prefix_length: 1,
      zero_terms_query: 'all',
    });
    expect(last.bool.should[0].multi_match).toMatchObject({ query: 'ring', fuzziness: 'AUTO' });
    expect(last.bool.should[1].multi_match).toMatchObject({ query: 'ring', type: 'phrase_prefix' });
    expect(SEARCH_FIELDS).toContain('name^4');
    expect(body.query.bool.should).toEqual([
      { match_phrase: { name: { query: 'diamnod  ring', slop: 1, boost: 2 } } },
    ]);
  });

  it('keeps only active products priced in the market', () => {
    expect(body.query.bool.filter).toEqual([{ term: { active: true } }, { exists: { field: 'prices.JP' } }]);
  });

  it('applies facet filters after aggregating, so facets can count without their own filter', () => {
    const maison = { terms: { maisonId: ['maison-aubert', 'valmont'] } };
    const price = { range: { 'prices.JP': { gte: 100_000 } } };
    const stock = { term: { inStockMarkets: 'JP' } };

    expect(body.post_filter).toEqual({ bool: { filter: [maison, price, stock] } });
    expect(body.aggs.maison.filter).toEqual({ bool: { filter: [price, stock] } });
    expect(body.aggs.category.filter).toEqual({ bool: { filter: [maison, price, stock] } });
    expect(body.aggs.priceRange.filter).toEqual({ bool: { filter: [maison, stock] } });
    expect(body.aggs.inStock.filter).toEqual({ bool: { filter: [maison, price] } });
  });

  it('labels terms facets and buckets prices in the market currency', () => {
    expect(body.aggs.maison.aggs.values).toEqual({
      terms: { field: 'maisonId', size: 100, order: [{ _count: 'desc' }, { _key: 'asc' }] },
      aggs: { label: { terms: { field: 'maisonName.keyword', size: 1 } } },
    });
    expect(body.aggs.material.aggs.values.terms.field).toBe('materials.keyword');
    expect(body.aggs.priceRange.aggs.ranges.range).toEqual({
      field: 'prices.JP',
      ranges: priceRanges('JPY').map(({ key, from, to }) =>
        to === null ? { key, from } : { key, from, to },
      ),
    });
    expect(body.aggs.inStock.aggs.inMarket).toEqual({ filter: { term: { inStockMarkets: 'JP' } } });
  });

  it('sorts by the market price, then newest, then id, keeping scores', () => {
    expect(body.sort).toEqual([
      { 'prices.JP': { order: 'asc' } },
      { createdAt: { order: 'desc' } },
      { productId: { order: 'asc' } },
    ]);
    expect(body.track_scores).toBe(true);
  });

  it('browses newest first without text, filters or scores', () => {
    const browse: Json = searchRequestBody(searchQuery({ market: 'FR' }));

    expect(browse.query.bool.must).toEqual([]);
    expect(browse.post_filter).toBeUndefined();
    expect(browse.track_scores).toBeUndefined();
    expect(browse.sort).toEqual([{ createdAt: { order: 'desc' } }, { productId: { order: 'asc' } }]);
    expect(browse.aggs.maison.filter).toEqual({ bool: { filter: [] } });
  });

  it('sorts text matches by score first', () => {
    const relevance: Json = searchRequestBody(searchQuery({ market: 'FR', q: 'silk' }));

    expect(relevance.sort[0]).toEqual({ _score: { order: 'desc' } });
    expect(relevance.query.bool.should).toBeUndefined();
  });

  it('filters out of stock with must_not', () => {
    const outOfStock: Json = searchRequestBody(searchQuery({ market: 'US', inStock: false }));

    expect(outOfStock.post_filter).toEqual({
      bool: { filter: [{ bool: { must_not: [{ term: { inStockMarkets: 'US' } }] } }] },
    });
  });
});

describe('toSearchResult', () => {
  const source = (id: string, maisonId: string, maisonName: string) => ({
    productId: id,
    name: `Piece ${id}`,
    maisonId,
    maisonName,
    categoryId: 'rings',
    categoryName: 'Rings',
    collectionId: 'aubert-etoile',
    collectionName: 'Étoile',
    prices: { JP: 690_000 },
    inStockMarkets: ['JP', 'FR'],
  });
  const terms = (buckets: Array<[string, number, string?]>) => ({
    doc_count: 9,
    values: {
      buckets: buckets.map(([key, doc_count, label]) => ({
        key,
        doc_count,
        ...(label ? { label: { buckets: [{ key: label, doc_count }] } } : {}),
      })),
    },
  });
  const response: SearchResponseBody = {
    hits: {
      total: { value: 42 },
      hits: [
        { _score: 7.5, _source: source('a', 'maison-aubert', 'Maison Aubert') as never },
        { _score: null, _source: source('b', 'valmont', 'Valmont Genève') as never },
      ],
    },
    aggregations: {
      maison: terms([
        ['valmont', 3, 'Valmont Genève'],
        ['maison-aubert', 5, 'Maison Aubert'],
        ['castellane', 3, 'Castellane'],
      ]),
      category: terms([['rings', 2, 'Rings']]),
      collection: terms([['aubert-etoile', 2, 'Étoile']]),
      material: terms([
        ['platinum', 1],
        ['diamond', 4],
      ]),
      priceRange: {
        ranges: {
          buckets: [
            { key: '0-150000', doc_count: 1 },
            { key: '400000-800000', doc_count: 6 },
          ],
        },
      },
      inStock: { doc_count: 11, inMarket: { doc_count: 4 } },
    },
  };
  const query = searchQuery({ market: 'JP', q: 'ring', page: 2, limit: 2 });
  const result = toSearchResult(query, response);

  it('maps hits with the market price in its currency, stock there and the score', () => {
    expect(SearchResult.parse(result)).toEqual(result);
    expect(result.total).toBe(42);
    expect(result.page).toBe(2);
    expect(result.hits[0]).toEqual({
      productId: 'a',
      name: 'Piece a',
      maison: { id: 'maison-aubert', name: 'Maison Aubert' },
      category: { id: 'rings', name: 'Rings' },
      collection: { id: 'aubert-etoile', name: 'Étoile' },
      price: { amount: 690_000, currency: 'JPY' },
      inStock: true,
      score: 7.5,
    });
    expect(result.hits[1]!.score).toBe(0);
  });

  it('labels facet values and orders them by count, then label', () => {
    expect(result.facets.maison).toEqual([
      { value: 'maison-aubert', label: 'Maison Aubert', count: 5 },
      { value: 'castellane', label: 'Castellane', count: 3 },
      { value: 'valmont', label: 'Valmont Genève', count: 3 },
    ]);
    expect(result.facets.material).toEqual([
      { value: 'diamond', label: 'diamond', count: 4 },
      { value: 'platinum', label: 'platinum', count: 1 },
    ]);
  });

  it('lists every price range of the currency and derives out-of-stock from the filter bucket', () => {
    expect(result.facets.priceRange.map((b) => [b.key, b.count])).toEqual([
      ['0-150000', 1],
      ['150000-400000', 0],
      ['400000-800000', 6],
      ['800000-1500000', 0],
      ['1500000-4000000', 0],
      ['4000000-', 0],
    ]);
    expect(result.facets.inStock).toEqual([
      { value: true, count: 4 },
      { value: false, count: 7 },
    ]);
  });

  it('reads a total given as a plain number', () => {
    const plain = toSearchResult(query, { ...response, hits: { ...response.hits, total: 3 } });

    expect(plain.total).toBe(3);
  });
});
