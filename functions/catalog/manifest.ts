import {
  getProductRoute,
  listMaisonsRoute,
  listProductsRoute,
  searchRoute,
  upsertCategoryRoute,
  upsertCollectionRoute,
  upsertMaisonRoute,
  upsertProductRoute,
} from '#lib/contracts/routes/catalog.ts';
import { defineService } from '#lib/platform/manifest.ts';

export const catalogService = defineService({
  name: 'catalog',
  functions: {
    listProducts: {
      entry: 'functions/catalog/list-products.ts',
      description: 'Storefront product listing in one market',
      routes: [listProductsRoute],
      tables: { catalog: 'read' },
    },
    getProduct: {
      entry: 'functions/catalog/get-product.ts',
      description: 'Storefront product page in one market',
      routes: [getProductRoute],
      tables: { catalog: 'read' },
    },
    searchProducts: {
      entry: 'functions/catalog/search-products.ts',
      description: 'Full-text catalog search with facets',
      routes: [searchRoute],
      search: 'read',
    },
    upsertProduct: {
      entry: 'functions/catalog/upsert-product.ts',
      description: 'Staff create or replace a product; writes the product and its outbox event atomically',
      routes: [upsertProductRoute],
      tables: { catalog: 'write' },
    },
    taxonomy: {
      entry: 'functions/catalog/taxonomy.ts',
      description: 'Maisons, collections and categories: staff upserts and the public listing',
      routes: [upsertMaisonRoute, upsertCollectionRoute, upsertCategoryRoute, listMaisonsRoute],
      tables: { catalog: 'write' },
    },
    searchIndexer: {
      entry: 'functions/catalog/search-indexer.ts',
      description: 'Bulk-indexes changed products from the catalog stream, with external versioning',
      timeoutSeconds: 60,
      streams: [
        {
          table: 'catalog',
          batchSize: 100,
          filter: {
            eventName: ['INSERT', 'MODIFY'],
            dynamodb: { Keys: { pk: { S: [{ prefix: 'PRODUCT#' }] } } },
          },
        },
      ],
      search: 'write',
    },
  },
});
