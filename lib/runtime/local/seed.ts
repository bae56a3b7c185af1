import type { ProductRepository, TaxonomyRepository } from '../../catalog/ports.ts';
import { type Product, ProductUpserted } from '../../contracts/catalog.ts';
import { generateDemoData } from '../../demo/demo-data.ts';
import { type Clock, domainEvent } from '../../platform/domain-event.ts';

const CONCURRENCY = 16;

async function inBatches<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += CONCURRENCY) {
    await Promise.all(items.slice(i, i + CONCURRENCY).map(work));
  }
}

/**
 * Loads the deterministic demo catalog into an empty catalog table, through the repositories, so
 * products reach the search index the way staff edits do: table stream, indexer, index.
 * Answers how many products it wrote (0 when the catalog already had products).
 */
export async function seedDemoData(
  deps: { products: ProductRepository; taxonomy: TaxonomyRepository; clock: Clock },
  options: { products?: number | undefined } = {},
): Promise<number> {
  if ((await deps.products.listNewest(1)).length > 0) return 0;
  const demo = generateDemoData(options.products ? { products: options.products } : {});
  const now = deps.clock.now().toISOString();
  await inBatches(demo.maisons, ({ maisonId, input }) =>
    deps.taxonomy.putMaison({ ...input, maisonId, updatedAt: now }),
  );
  await inBatches(demo.categories, ({ categoryId, input }) =>
    deps.taxonomy.putCategory({ ...input, categoryId, updatedAt: now }),
  );
  await inBatches(demo.collections, ({ collectionId, input }) =>
    deps.taxonomy.putCollection({ ...input, collectionId, updatedAt: now }),
  );
  const names = {
    maison: new Map(demo.maisons.map((m) => [m.maisonId, m.input.name])),
    collection: new Map(demo.collections.map((c) => [c.collectionId, c.input.name])),
    category: new Map(demo.categories.map((c) => [c.categoryId, c.input.name])),
  };
  await inBatches(demo.products, async ({ productId, input, inStockMarkets, createdAt }) => {
    const product: Product = {
      ...input,
      productId,
      maison: { id: input.maisonId, name: names.maison.get(input.maisonId) ?? input.maisonId },
      collection: {
        id: input.collectionId,
        name: names.collection.get(input.collectionId) ?? input.collectionId,
      },
      category: { id: input.categoryId, name: names.category.get(input.categoryId) ?? input.categoryId },
      inStockMarkets,
      createdAt,
      updatedAt: createdAt,
      version: 1,
    };
    const event = domainEvent(
      ProductUpserted,
      { productId, version: 1, status: product.status, skus: product.variants.map((v) => v.sku) },
      { eventId: `product:${productId}:v1`, correlationId: 'demo-seed', occurredAt: deps.clock.now() },
    );
    await deps.products.save(product, 0, [event]);
  });
  return demo.products.length;
}
