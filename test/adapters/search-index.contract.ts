import fc from 'fast-check';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type SearchDocument,
  type SearchQuery,
  SearchResult,
  type SearchResult as SearchResultType,
} from '../../lib/contracts/search.ts';
import type { MarketCode } from '../../lib/money/markets.ts';
import { priceRanges } from '../../lib/search/price-ranges.ts';
import type { SearchIndex } from '../../lib/search/search-index.ts';
import { ACTIVE, CATALOG, expectedBrowse, product, searchQuery } from '../support/search-fixtures.ts';

/** Builds an empty index; called once for the catalog suite and once per versioning test. */
export type SearchIndexFactory = () => Promise<SearchIndex>;

const ids = (result: SearchResultType) => result.hits.map((h) => h.productId);

/**
 * The behaviour every SearchIndex adapter owes the search route. Ranking is only asserted where the
 * contract fixes it (a name match above a story-only match); everything else is exact.
 */
export function describeSearchIndexContract(name: string, factory: SearchIndexFactory): void {
  describe(`SearchIndex contract: ${name}`, () => {
    describe('searching the catalog', () => {
      let index: SearchIndex;
      const search = async (query: Partial<SearchQuery> & Pick<SearchQuery, 'market'>) =>
        SearchResult.parse(await index.search(searchQuery(query)));
      const browse = async (query: Partial<SearchQuery> & Pick<SearchQuery, 'market'>) => {
        const actual = await search(query);
        return { actual, expected: expectedBrowse(CATALOG, searchQuery(query)) };
      };

      beforeAll(async () => {
        index = await factory();
        expect(await index.index(CATALOG)).toEqual({ indexed: CATALOG.length, stale: 0 });
      });

      describe('full text', () => {
        it('finds "diamond" when the shopper types "diamnod"', async () => {
          const result = await search({ market: 'FR', q: 'diamnod' });

          expect(ids(result)).toEqual(
            expect.arrayContaining([
              'riviere-diamond-necklace',
              'etoile-solitaire-ring',
              'etoile-pave-band',
              'riviere-sapphire-earrings',
            ]),
          );
          expect(ids(result)).not.toContain('voyage-mini-pouch');
        });

        it('ranks a match in the name above a match in the story only', async () => {
          const result = await search({ market: 'FR', q: 'tourbillon' });

          expect(ids(result)).toEqual(['astre-tourbillon-42', 'astre-moonphase-39']);
          expect(result.hits[0]!.score).toBeGreaterThan(result.hits[1]!.score);
        });

        it('requires every word, each in any field (a maison and a material)', async () => {
          const result = await search({ market: 'FR', q: 'castellane calfskin' });

          expect(ids(result)).toEqual(['voyage-trunk-bag-25']);
        });

        it('completes the word being typed', async () => {
          const result = await search({ market: 'FR', q: 'cashm' });

          expect(ids(result)).toEqual(['giardino-cashmere-stole']);
        });

        it('ignores case and accents, and matches singular against plural', async () => {
          const accents = await search({ market: 'FR', q: 'GENEVE' });
          const plural = await search({ market: 'FR', q: 'earring' });

          expect(new Set(ids(accents))).toEqual(
            new Set(['astre-tourbillon-42', 'astre-moonphase-39', 'heritage-1873-chronograph']),
          );
          expect(new Set(ids(plural))).toEqual(
            new Set(['riviere-sapphire-earrings', 'etoile-pearl-earrings']),
          );
        });

        it('never returns an inactive product', async () => {
          const result = await search({ market: 'FR', q: 'ruby' });

          expect(ids(result)).not.toContain('riviere-ruby-ring');
        });

        it('finds nothing for a word the catalog does not have', async () => {
          const result = await search({ market: 'FR', q: 'submarine' });

          expect(result.total).toBe(0);
          expect(result.hits).toEqual([]);
          expect(result.facets.maison).toEqual([]);
        });

        it('applies filters to a text query and counts its facets over the matches', async () => {
          const result = await search({ market: 'FR', q: 'gold', maison: ['castellane'] });

          expect(ids(result)).toEqual(['voyage-crocodile-tote']);
          expect(result.facets.maison).toEqual([
            { value: 'maison-aubert', label: 'Maison Aubert', count: 4 },
            { value: 'castellane', label: 'Castellane', count: 1 },
            { value: 'valmont', label: 'Valmont Genève', count: 1 },
          ]);
        });
      });

      describe('browsing without text', () => {
        it('lists every active product priced in the market, newest first, with its price there', async () => {
          const { actual, expected } = await browse({ market: 'JP', limit: 50 });

          expect(ids(actual)).toEqual(expected.ids);
          expect(actual.total).toBe(ACTIVE.filter((d) => d.prices.JP !== undefined).length);
          const pouch = actual.hits.find((h) => h.productId === 'voyage-mini-pouch')!;
          expect(pouch.price).toEqual({ amount: 230_000, currency: 'JPY' });
          expect(pouch.maison).toEqual({ id: 'castellane', name: 'Castellane' });
          expect(pouch.inStock).toBe(true);
        });

        it('leaves out products the market has no price for', async () => {
          const gb = await search({ market: 'GB', limit: 50 });
          const kr = await search({ market: 'KR', limit: 50 });

          expect(ids(gb)).not.toContain('riviere-diamond-necklace');
          expect(ids(gb)).not.toContain('voyage-crocodile-tote');
          expect(kr.total).toBe(0);
          expect(kr.facets.priceRange.every((b) => b.count === 0)).toBe(true);
        });
      });

      describe('facets', () => {
        it('counts each facet without its own filter, so other maisons stay visible', async () => {
          const unfiltered = await search({ market: 'FR' });
          const { actual, expected } = await browse({ market: 'FR', maison: ['castellane'] });

          expect(actual.total).toBe(3);
          expect(actual.facets.maison).toEqual(unfiltered.facets.maison);
          expect(actual.facets.category).toEqual([{ value: 'handbags', label: 'Handbags', count: 3 }]);
          expect(actual.facets).toEqual(expected.facets);
        });

        it('ORs values within a facet and ANDs across facets', async () => {
          const { actual, expected } = await browse({
            market: 'FR',
            maison: ['castellane', 'orsini'],
            category: ['handbags'],
          });

          expect(new Set(ids(actual))).toEqual(
            new Set([
              'voyage-trunk-bag-25',
              'voyage-crocodile-tote',
              'voyage-mini-pouch',
              'giardino-bamboo-bag',
            ]),
          );
          expect(actual.facets).toEqual(expected.facets);
        });

        it('labels values and orders them by count, then label', async () => {
          const result = await search({ market: 'FR' });

          expect(result.facets.maison).toEqual([
            { value: 'maison-aubert', label: 'Maison Aubert', count: 5 },
            { value: 'castellane', label: 'Castellane', count: 3 },
            { value: 'orsini', label: 'Orsini Firenze', count: 3 },
            { value: 'valmont', label: 'Valmont Genève', count: 3 },
          ]);
          expect(result.facets.collection[0]).toEqual({ value: 'aubert-etoile', label: 'Étoile', count: 3 });
        });

        it('filters and counts by collection and material', async () => {
          const byCollection = await browse({ market: 'FR', collection: ['valmont-astre'] });
          const byMaterial = await browse({ market: 'FR', material: ['diamond', 'sapphire'] });

          expect(new Set(ids(byCollection.actual))).toEqual(
            new Set(['astre-tourbillon-42', 'astre-moonphase-39']),
          );
          expect(byCollection.actual.facets).toEqual(byCollection.expected.facets);
          expect(ids(byMaterial.actual)).toEqual(byMaterial.expected.ids);
          expect(byMaterial.actual.facets.material).toContainEqual({
            value: 'diamond',
            label: 'diamond',
            count: 4,
          });
          expect(byMaterial.actual.facets).toEqual(byMaterial.expected.facets);
        });

        it('buckets prices in the market currency: yen ranges in Japan, euro ranges in France', async () => {
          const jp = await browse({ market: 'JP' });
          const fr = await browse({ market: 'FR' });

          expect(jp.actual.facets.priceRange.map((b) => b.key)).toEqual(priceRanges('JPY').map((r) => r.key));
          expect(fr.actual.facets.priceRange.map((b) => b.key)).toEqual(priceRanges('EUR').map((r) => r.key));
          // The silk scarf: 99,000 yen is in the lowest yen range, 620 euros in the lowest euro range.
          expect(jp.actual.facets.priceRange[0]).toMatchObject({ key: '0-150000', count: 1 });
          expect(fr.actual.facets.priceRange[0]).toMatchObject({ key: '0-100000', count: 1 });
          expect(jp.actual.facets.priceRange).toEqual(jp.expected.facets.priceRange);
          expect(fr.actual.facets.priceRange).toEqual(fr.expected.facets.priceRange);
        });

        it('filters on a price range in minor units of the market currency', async () => {
          const { actual, expected } = await browse({
            market: 'JP',
            priceMin: 1_000_000,
            priceMax: 5_000_000,
          });

          expect(ids(actual)).toEqual(expected.ids);
          expect(ids(actual)).toContain('etoile-solitaire-ring');
          expect(ids(actual)).not.toContain('astre-tourbillon-42');
          expect(actual.hits.every((h) => h.price.amount >= 1_000_000 && h.price.amount <= 5_000_000)).toBe(
            true,
          );
          // The price facet ignores its own filter: every range keeps its count.
          expect(actual.facets.priceRange).toEqual(expected.facets.priceRange);
        });

        it('filters on stock in the market and counts in and out of stock', async () => {
          const inStock = await browse({ market: 'FR', inStock: true });
          const outOfStock = await browse({ market: 'FR', inStock: false });

          expect(ids(inStock.actual)).toEqual(inStock.expected.ids);
          expect(inStock.actual.hits.every((h) => h.inStock)).toBe(true);
          expect(outOfStock.actual.hits.every((h) => !h.inStock)).toBe(true);
          expect(inStock.actual.facets.inStock).toEqual([
            { value: true, count: inStock.actual.total },
            { value: false, count: outOfStock.actual.total },
          ]);
          expect(inStock.actual.facets).toEqual(inStock.expected.facets);
        });
      });

      describe('sorting and pagination', () => {
        it.each(['price_asc', 'price_desc', 'newest'] as const)('sorts by %s', async (sort) => {
          const { actual, expected } = await browse({ market: 'US', sort, limit: 50 });

          expect(ids(actual)).toEqual(expected.ids);
        });

        it('sorts text matches by price in the market', async () => {
          const result = await search({ market: 'FR', q: 'gold', sort: 'price_asc' });
          const prices = result.hits.map((h) => h.price.amount);

          expect(prices).toEqual([...prices].sort((a, b) => a - b));
          expect(result.total).toBeGreaterThan(2);
        });

        it('pages through every result once, with a stable total', async () => {
          const all = expectedBrowse(CATALOG, searchQuery({ market: 'FR', sort: 'price_desc' }));
          const seen: string[] = [];
          for (let page = 1; page <= Math.ceil(all.total / 4) + 1; page++) {
            const result = await search({ market: 'FR', sort: 'price_desc', limit: 4, page });
            expect(result.total).toBe(all.total);
            expect(result.page).toBe(page);
            seen.push(...ids(result));
          }

          expect(seen).toEqual(all.ids);
        });

        it('pages through text matches without duplicates', async () => {
          const first = await search({ market: 'FR', q: 'gold', limit: 2 });
          const seen: string[] = [];
          for (let page = 1; page <= Math.ceil(first.total / 2); page++) {
            const result = await search({ market: 'FR', q: 'gold', limit: 2, page });
            expect(result.total).toBe(first.total);
            seen.push(...ids(result));
          }

          expect(new Set(seen).size).toBe(seen.length);
          expect(seen).toHaveLength(first.total);
        });

        it('matches an exhaustive reference on random filter combinations', async () => {
          const markets: MarketCode[] = ['FR', 'GB', 'US', 'JP', 'CH', 'IT'];
          const subset = <T>(values: readonly T[]) =>
            fc.option(fc.uniqueArray(fc.constantFrom(...values), { minLength: 1, maxLength: 3 }), {
              nil: undefined,
            });
          const arbitraryQuery = fc.record({
            market: fc.constantFrom(...markets),
            maison: subset(['maison-aubert', 'valmont', 'castellane', 'orsini', 'unknown-maison']),
            category: subset(['rings', 'earrings', 'watches', 'handbags', 'scarves', 'necklaces']),
            collection: subset(['aubert-etoile', 'aubert-riviere', 'valmont-astre', 'castellane-voyage']),
            material: subset(['diamond', 'calfskin', '18k rose gold', 'platinum', 'silk twill']),
            priceMin: fc.option(fc.constantFrom(0, 100_000, 420_000, 1_000_000), { nil: undefined }),
            priceMax: fc.option(fc.constantFrom(500_000, 2_000_000, 10_000_000), { nil: undefined }),
            inStock: fc.option(fc.boolean(), { nil: undefined }),
            sort: fc.constantFrom('relevance', 'price_asc', 'price_desc', 'newest'),
            page: fc.integer({ min: 1, max: 3 }),
            limit: fc.integer({ min: 1, max: 5 }),
          });

          await fc.assert(
            fc.asyncProperty(arbitraryQuery, async (input) => {
              const query = searchQuery(
                Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as SearchQuery,
              );
              const actual = SearchResult.parse(await index.search(query));
              const expected = expectedBrowse(CATALOG, query);
              const offset = (query.page - 1) * query.limit;
              expect(actual.total).toBe(expected.total);
              expect(ids(actual)).toEqual(expected.ids.slice(offset, offset + query.limit));
              expect(actual.facets).toEqual(expected.facets);
            }),
            { numRuns: 60 },
          );
        });
      });
    });

    describe('external versioning', () => {
      let index: SearchIndex;
      const pouch = product('voyage-mini-pouch');
      const version = (v: number, changes: Partial<SearchDocument> = {}): SearchDocument => ({
        ...pouch,
        name: `Voyage Mini Pouch v${v}`,
        version: v,
        ...changes,
      });
      const listed = async () => ids(SearchResult.parse(await index.search(searchQuery({ market: 'FR' }))));
      const nameInIndex = async () =>
        SearchResult.parse(await index.search(searchQuery({ market: 'FR' }))).hits.find(
          (h) => h.productId === pouch.productId,
        )?.name;

      beforeEach(async () => {
        index = await factory();
      });

      it('skips an older version and counts it as stale', async () => {
        await index.index([version(2)]);

        const outcome = await index.index([version(1)]);

        expect(outcome).toEqual({ indexed: 0, stale: 1 });
        expect(await nameInIndex()).toBe('Voyage Mini Pouch v2');
      });

      it('replaces a document with a newer version, once', async () => {
        await index.index([version(1)]);

        const outcome = await index.index([version(2)]);

        expect(outcome).toEqual({ indexed: 1, stale: 0 });
        expect(await listed()).toEqual([pouch.productId]);
        expect(await nameInIndex()).toBe('Voyage Mini Pouch v2');
      });

      it('counts the same version delivered twice as stale', async () => {
        await index.index([version(3)]);

        expect(await index.index([version(3, { name: 'Replayed' })])).toEqual({ indexed: 0, stale: 1 });
        expect(await nameInIndex()).toBe('Voyage Mini Pouch v3');
      });

      it('keeps versions in order within one batch', async () => {
        const outcome = await index.index([version(1), version(3), version(2)]);

        expect(outcome).toEqual({ indexed: 2, stale: 1 });
        expect(await nameInIndex()).toBe('Voyage Mini Pouch v3');
      });

      it('hides a deactivated product and keeps an older active version from bringing it back', async () => {
        await index.index([version(1)]);
        expect(await index.index([version(3, { active: false })])).toEqual({ indexed: 1, stale: 0 });
        expect(await listed()).toEqual([]);

        expect(await index.index([version(2)])).toEqual({ indexed: 0, stale: 1 });
        expect(await listed()).toEqual([]);

        expect(await index.index([version(4)])).toEqual({ indexed: 1, stale: 0 });
        expect(await nameInIndex()).toBe('Voyage Mini Pouch v4');
      });

      it('holds the version of a product first seen inactive', async () => {
        await index.index([version(5, { active: false })]);

        expect(await index.index([version(4)])).toEqual({ indexed: 0, stale: 1 });
        expect(await listed()).toEqual([]);
      });

      it('indexes nothing for an empty batch', async () => {
        expect(await index.index([])).toEqual({ indexed: 0, stale: 0 });
      });
    });
  });
}
