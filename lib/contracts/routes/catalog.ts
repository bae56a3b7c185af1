import { z } from 'zod';
import { MarketCode } from '../../money/markets.ts';
import {
  Category,
  CategoryInput,
  Collection,
  CollectionInput,
  Maison,
  MaisonInput,
  Product,
  ProductInput,
  ProductView,
  Slug,
} from '../catalog.ts';
import { defineRoute, ErrorEnvelope, limitParam, page } from '../http.ts';
import { SearchQuery, SearchResult } from '../search.ts';

const ProductParams = z.strictObject({ productId: Slug });
const MarketQuery = z.strictObject({ market: MarketCode });

export const listProductsRoute = defineRoute({
  method: 'GET',
  path: '/v1/products',
  operationId: 'listProducts',
  summary: 'List the active products sold in a market, newest first',
  tags: ['Catalog'],
  auth: 'public',
  query: z.strictObject({
    market: MarketCode,
    limit: limitParam(100, 24),
    cursor: z.string().max(2048).optional(),
  }),
  responses: { 200: { description: 'A page of products priced in the market', schema: page(ProductView) } },
});

export const getProductRoute = defineRoute({
  method: 'GET',
  path: '/v1/products/{productId}',
  operationId: 'getProduct',
  summary: 'A product with its story, variants and its price in a market',
  tags: ['Catalog'],
  auth: 'public',
  params: ProductParams,
  query: MarketQuery,
  responses: {
    200: { description: 'The product as sold in the market', schema: ProductView },
    404: { description: 'No active product with that id is sold in the market', schema: ErrorEnvelope },
  },
});

export const searchRoute = defineRoute({
  method: 'GET',
  path: '/v1/search',
  operationId: 'searchProducts',
  summary: "Full-text search with facets, in one market's prices",
  description:
    'Searches name, maison, story and materials with typo tolerance. Facet filters take comma-separated values.',
  tags: ['Catalog'],
  auth: 'public',
  query: SearchQuery,
  responses: { 200: { description: 'Ranked hits and facet counts', schema: SearchResult } },
});

const IfMatch = 'Send `If-Match: "<version>"` to write only over that version (412 otherwise).';

export const upsertProductRoute = defineRoute({
  method: 'PUT',
  path: '/v1/admin/products/{productId}',
  operationId: 'upsertProduct',
  summary: 'Create or replace a product (staff)',
  description: `Idempotent: replaying the same body changes nothing and publishes no event. ${IfMatch}`,
  tags: ['Catalog admin'],
  auth: 'staff',
  params: ProductParams,
  body: ProductInput,
  responses: {
    200: { description: 'The product was replaced, or was already as sent', schema: Product },
    201: { description: 'The product was created', schema: Product },
    412: { description: 'The product changed since the version in If-Match', schema: ErrorEnvelope },
    422: { description: 'The maison, collection or category does not exist', schema: ErrorEnvelope },
  },
});

export const upsertMaisonRoute = defineRoute({
  method: 'PUT',
  path: '/v1/admin/maisons/{maisonId}',
  operationId: 'upsertMaison',
  summary: 'Create or replace a maison (staff)',
  tags: ['Catalog admin'],
  auth: 'staff',
  params: z.strictObject({ maisonId: Slug }),
  body: MaisonInput,
  responses: { 200: { description: 'The maison as stored', schema: Maison } },
});

export const upsertCollectionRoute = defineRoute({
  method: 'PUT',
  path: '/v1/admin/collections/{collectionId}',
  operationId: 'upsertCollection',
  summary: 'Create or replace a collection of a maison (staff)',
  tags: ['Catalog admin'],
  auth: 'staff',
  params: z.strictObject({ collectionId: Slug }),
  body: CollectionInput,
  responses: {
    200: { description: 'The collection as stored', schema: Collection },
    422: { description: 'The maison does not exist', schema: ErrorEnvelope },
  },
});

export const upsertCategoryRoute = defineRoute({
  method: 'PUT',
  path: '/v1/admin/categories/{categoryId}',
  operationId: 'upsertCategory',
  summary: 'Create or replace a category (staff)',
  tags: ['Catalog admin'],
  auth: 'staff',
  params: z.strictObject({ categoryId: Slug }),
  body: CategoryInput,
  responses: { 200: { description: 'The category as stored', schema: Category } },
});

export const listMaisonsRoute = defineRoute({
  method: 'GET',
  path: '/v1/maisons',
  operationId: 'listTaxonomy',
  summary: 'Maisons, collections and categories',
  tags: ['Catalog'],
  auth: 'public',
  responses: {
    200: {
      description: 'The whole taxonomy (it is small)',
      schema: z.strictObject({
        maisons: z.array(Maison),
        collections: z.array(Collection),
        categories: z.array(Category),
      }),
    },
  },
});
