import type { Product } from '../contracts/catalog.ts';
import type { SearchDocument } from '../contracts/search.ts';

/** Builds the search document of a catalog product; the catalog item's version is the document version. */
export function toSearchDocument(product: Product): SearchDocument {
  return {
    productId: product.productId,
    name: product.name,
    maisonId: product.maison.id,
    maisonName: product.maison.name,
    categoryId: product.category.id,
    categoryName: product.category.name,
    collectionId: product.collection.id,
    collectionName: product.collection.name,
    description: product.description,
    story: [product.story.craftsmanship, product.story.provenance, product.story.heritage].join('\n'),
    materials: product.story.materials,
    tags: product.tags,
    prices: Object.fromEntries(product.prices.map((p) => [p.market, p.amount])),
    inStockMarkets: product.inStockMarkets,
    active: product.status === 'active',
    createdAt: Date.parse(product.createdAt),
    version: product.version,
  };
}
