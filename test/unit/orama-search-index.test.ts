import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OramaSearchIndex } from '../../lib/adapters/orama/orama-search-index.ts';
import type { SearchDocument, SearchQuery } from '../../lib/contracts/search.ts';
import { MARKETS, type MarketCode } from '../../lib/money/markets.ts';
import { priceRanges } from '../../lib/search/price-ranges.ts';
import { syntheticCatalog } from '../bench/search-bench.ts';
import { expectedBrowse, product, searchQuery } from '../support/search-fixtures.ts';

const MARKETS_UNDER_TEST: MarketCode[] = ['FR', 'GB', 'US', 'JP', 'KR'];

/** Random browse queries over the values a catalog actually has (plus one it does not). */
function arbitraryBrowse(docs: readonly SearchDocument[]): fc.Arbitrary<SearchQuery> {
  const values = (pick: (d: SearchDocument) => string[]) => [...new Set(docs.flatMap(pick)), 'none-such'];
  const subset = (pool: string[]) =>
    fc.option(fc.uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: 3 }), { nil: undefined });
  return fc
    .record({
      market: fc.constantFrom(...MARKETS_UNDER_TEST),
      maison: subset(values((d) => [d.maisonId])),
      category: subset(values((d) => [d.categoryId])),
      collection: subset(values((d) => [d.collectionId])),
      material: subset(values((d) => d.materials)),
      range: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
      inStock: fc.option(fc.boolean(), { nil: undefined }),
      sort: fc.constantFrom(
        'relevance' as const,
        'price_asc' as const,
        'price_desc' as const,
        'newest' as const,
      ),
      page: fc.integer({ min: 1, max: 4 }),
      limit: fc.integer({ min: 1, max: 30 }),
    })
    .map(({ range, ...input }) => {
      const query = searchQuery(
        Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as SearchQuery,
      );
      if (range !== undefined) {
        const bucket = priceRanges(MARKETS[query.market].currency)[range]!;
        query.priceMin = bucket.from;
        if (bucket.to !== null) query.priceMax = bucket.to - 1;
      }
      return query;
    });
}

async function expectMatchesReference(
  index: OramaSearchIndex,
  docs: readonly SearchDocument[],
  query: SearchQuery,
) {
  const actual = await index.search(query);
  const expected = expectedBrowse(docs, query);
  const offset = (query.page - 1) * query.limit;
  expect(actual.total).toBe(expected.total);
  expect(actual.hits.map((h) => h.productId)).toEqual(expected.ids.slice(offset, offset + query.limit));
  expect(actual.facets).toEqual(expected.facets);
}

describe('OramaSearchIndex', () => {
  it('filters, counts facets and sorts like an exhaustive reference on a larger catalog', async () => {
    const docs = syntheticCatalog(3000, 7);
    const index = await OramaSearchIndex.create(docs);

    await fc.assert(
      fc.asyncProperty(arbitraryBrowse(docs), (query) => expectMatchesReference(index, docs, query)),
      { numRuns: 150 },
    );
  });

  it('stays exact after enough updates to compact itself', async () => {
    const original = syntheticCatalog(1500, 11);
    const index = await OramaSearchIndex.create(original);
    // Two rounds of updates leave 3,000 dead slots, past the compaction threshold; every third product
    // is deactivated on the way and every fifth reactivated.
    let latest = original;
    for (const round of [2, 3]) {
      latest = latest.map((doc, i) => ({
        ...doc,
        version: round,
        name: `${doc.name} r${round}`,
        prices: { ...doc.prices, FR: (doc.prices.FR ?? 1000) + round },
        active: round === 2 ? i % 3 !== 0 : i % 5 === 0 || doc.active,
      }));
      expect(await index.index(latest)).toEqual({ indexed: latest.length, stale: 0 });
    }
    expect(await index.index(original)).toEqual({ indexed: 0, stale: original.length });

    await fc.assert(
      fc.asyncProperty(arbitraryBrowse(latest), (query) => expectMatchesReference(index, latest, query)),
      { numRuns: 60 },
    );
    const renamed = await index.search(searchQuery({ market: 'FR', q: 'r3' }));
    expect(renamed.total).toBeGreaterThan(0);
    expect(renamed.hits.every((h) => h.name.endsWith('r3'))).toBe(true);
  });

  it('finds a product by any word of its own text, typo or not', async () => {
    const docs = syntheticCatalog(2000, 3).filter((d) => d.active && d.prices.FR !== undefined);
    const index = await OramaSearchIndex.create(docs);

    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...docs), fc.boolean(), async (doc, withTypo) => {
        const word = doc.name.split(' ').find((w) => w.length >= 6) ?? doc.collectionName;
        // Swap two inner letters: one edit under the AUTO fuzziness of a word of six or more letters.
        const typed =
          withTypo && word.length >= 6
            ? word.slice(0, 1) + word.slice(2, 3) + word.slice(1, 2) + word.slice(3)
            : word;
        const query = searchQuery({ market: 'FR', q: `${typed} ${doc.maisonName}`, limit: 50 });
        const all = [];
        for (let page = 1; ; page++) {
          const result = await index.search({ ...query, page });
          all.push(...result.hits.map((h) => h.productId));
          if (result.hits.length < query.limit) break;
        }
        expect(all).toContain(doc.productId);
      }),
      { numRuns: 60 },
    );
  });

  it('pages a large result without gaps or duplicates under every sort', async () => {
    const docs = syntheticCatalog(1200, 5);
    const index = await OramaSearchIndex.create(docs);

    for (const sort of ['relevance', 'price_asc', 'price_desc', 'newest'] as const) {
      const query = searchQuery({ market: 'FR', q: 'gold', sort, limit: 50 });
      const first = await index.search(query);
      const seen: string[] = [];
      for (let page = 1; page <= Math.ceil(first.total / 50); page++) {
        seen.push(...(await index.search({ ...query, page })).hits.map((h) => h.productId));
      }
      expect(new Set(seen).size).toBe(first.total);
      expect(seen).toHaveLength(first.total);
    }
  });
});

describe('OramaSearchIndex typo tolerance and completion', () => {
  /** A pouch renamed, with no other text that the queries below could match. */
  const piece = (productId: string, name: string): SearchDocument => ({
    ...product('voyage-mini-pouch'),
    productId,
    name,
    description: '',
    story: '',
    tags: [],
  });
  const ids = async (index: OramaSearchIndex, q: string) =>
    (await index.search(searchQuery({ market: 'FR', q }))).hits.map((h) => h.productId);

  it('ranks the word as typed above a correction of it', async () => {
    const index = await OramaSearchIndex.create([
      piece('gild-cuff', 'Gild Cuff'),
      piece('gold-cuff', 'Gold Cuff'),
    ]);

    expect(await ids(index, 'gold')).toEqual(['gold-cuff', 'gild-cuff']);
  });

  it('never assumes a typo in the first letter', async () => {
    const index = await OramaSearchIndex.create([piece('gold-cuff', 'Gold Cuff')]);

    expect(await ids(index, 'bold')).toEqual([]);
  });

  it('finds a short word with two letters swapped, as one edit', async () => {
    const index = await OramaSearchIndex.create([piece('silk-square', 'Silk Square')]);

    expect(await ids(index, 'slik')).toEqual(['silk-square']);
  });

  it('completes only the word being typed', async () => {
    const index = await OramaSearchIndex.create([piece('golden-signet', 'Golden Signet')]);

    expect(await ids(index, 'signet go')).toEqual(['golden-signet']);
    expect(await ids(index, 'go signet')).toEqual([]);
    expect(await ids(index, 'gold signet')).toEqual([]);
  });
});
