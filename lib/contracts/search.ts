import { z } from 'zod';
import { Money } from '../money/currency.ts';
import { MarketCode } from '../money/markets.ts';
import { Slug } from './catalog.ts';

const csv = <T extends z.ZodType<unknown, string>>(item: T, max: number) =>
  z
    .string()
    .max(1000)
    .transform((s) =>
      s
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item).max(max));

export const SearchSort = z.enum(['relevance', 'price_asc', 'price_desc', 'newest']);
export type SearchSort = z.infer<typeof SearchSort>;

/** Query string of `GET /v1/search`. Facet filters take comma-separated values (OR within a facet). */
export const SearchQuery = z
  .strictObject({
    q: z.string().trim().max(200).default(''),
    market: MarketCode,
    maison: csv(Slug, 20).optional(),
    category: csv(Slug, 20).optional(),
    collection: csv(Slug, 20).optional(),
    material: csv(z.string().min(1).max(80), 20).optional(),
    priceMin: z.coerce.number().int().nonnegative().optional().describe('Minor units of the market currency'),
    priceMax: z.coerce.number().int().nonnegative().optional().describe('Minor units of the market currency'),
    inStock: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional(),
    sort: SearchSort.default('relevance'),
    page: z.coerce.number().int().min(1).max(500).default(1),
    limit: z.coerce.number().int().min(1).max(50, { message: 'limit must be at most 50' }).default(20),
  })
  .refine((q) => q.priceMin === undefined || q.priceMax === undefined || q.priceMin <= q.priceMax, {
    message: 'priceMin must not exceed priceMax',
    path: ['priceMin'],
  });
export type SearchQuery = z.infer<typeof SearchQuery>;

/** What the search index holds for one product; built from the catalog item, never written by hand. */
export const SearchDocument = z.strictObject({
  productId: Slug,
  name: z.string(),
  maisonId: Slug,
  maisonName: z.string(),
  categoryId: Slug,
  categoryName: z.string(),
  collectionId: Slug,
  collectionName: z.string(),
  description: z.string(),
  story: z.string().describe('Craftsmanship, provenance and heritage, for full-text search'),
  materials: z.array(z.string()),
  tags: z.array(z.string()),
  prices: z.partialRecord(MarketCode, z.number().int().positive()),
  inStockMarkets: z.array(MarketCode),
  active: z.boolean().describe('Inactive products stay in the index as tombstones so versions keep ordering'),
  createdAt: z.number().int().describe('Epoch milliseconds'),
  version: z
    .number()
    .int()
    .positive()
    .describe('The catalog item version: the external version of the document'),
});
export type SearchDocument = z.infer<typeof SearchDocument>;

const FacetValue = z.strictObject({ value: z.string(), label: z.string(), count: z.number().int() });
const PriceBucket = z.strictObject({
  key: z.string(),
  from: z.number().int().describe('Inclusive, minor units'),
  to: z.number().int().nullable().describe('Exclusive, minor units; null for the open top bucket'),
  count: z.number().int(),
});

export const SearchHit = z.strictObject({
  productId: Slug,
  name: z.string(),
  maison: z.strictObject({ id: Slug, name: z.string() }),
  category: z.strictObject({ id: Slug, name: z.string() }),
  collection: z.strictObject({ id: Slug, name: z.string() }),
  price: Money,
  inStock: z.boolean(),
  score: z.number(),
});
export type SearchHit = z.infer<typeof SearchHit>;

export const SearchFacets = z.strictObject({
  maison: z.array(FacetValue),
  category: z.array(FacetValue),
  collection: z.array(FacetValue),
  material: z.array(FacetValue),
  priceRange: z.array(PriceBucket),
  inStock: z.array(z.strictObject({ value: z.boolean(), count: z.number().int() })),
});
export type SearchFacets = z.infer<typeof SearchFacets>;

export const SearchResult = z
  .strictObject({
    market: MarketCode,
    total: z.number().int(),
    page: z.number().int(),
    limit: z.number().int(),
    hits: z.array(SearchHit),
    facets: SearchFacets.describe(
      'Counts of the current query; each facet is counted without its own filter (disjunctive faceting)',
    ),
  })
  .meta({ id: 'SearchResult' });
export type SearchResult = z.infer<typeof SearchResult>;
