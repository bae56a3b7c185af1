import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import { productToItem } from '../../adapters/dynamo/dynamo-product-repository.ts';
import { outboxItem } from '../../adapters/dynamo/outbox.ts';
import { type Product, ProductUpserted } from '../../contracts/catalog.ts';
import { generateDemoData } from '../../demo/demo-data.ts';
import { type Clock, domainEvent } from '../../platform/domain-event.ts';

/** BatchWriteItem takes at most 25 puts. */
const BATCH = 25;
const SEED_MARKER = { pk: 'SEED#demo', sk: 'SEED' };

async function batchPut(
  client: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Record<string, unknown>[],
) {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += BATCH) batches.push(items.slice(i, i + BATCH));
  await Promise.all(
    batches.map(async (batch) => {
      let pending: Record<string, unknown>[] = batch;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 10) throw new Error('DynamoDB Local kept returning unprocessed items while seeding');
        const out = await client.send(
          new BatchWriteCommand({
            RequestItems: { [tableName]: pending.map((Item) => ({ PutRequest: { Item } })) },
          }),
        );
        pending = (out.UnprocessedItems?.[tableName] ?? []).map(
          (r) => r.PutRequest?.Item as Record<string, unknown>,
        );
        if (pending.length) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      }
    }),
  );
}

/**
 * Loads the deterministic demo catalog into the catalog table: taxonomy, products and each product's
 * ProductUpserted outbox item, so the search index fills the way staff edits fill it (table stream,
 * indexer, index) and the bus sees the events. Batched, because one transaction per product makes
 * start-up several times slower on DynamoDB Local; a marker written last makes an interrupted seed
 * run again (every write is a plain put of the same item, so re-running is harmless).
 * Answers how many products it wrote (0 when the table was already seeded).
 */
export async function seedDemoData(
  deps: { client: DynamoDBDocumentClient; tableName: string; region: string; clock: Clock },
  options: { products?: number | undefined } = {},
): Promise<number> {
  const { client, tableName } = deps;
  const marker = await client.send(new GetCommand({ TableName: tableName, Key: SEED_MARKER }));
  if (marker.Item) return 0;
  const demo = generateDemoData(options.products ? { products: options.products } : {});
  const now = deps.clock.now();
  const at = now.toISOString();
  const taxonomy = (kind: string, id: string, value: object) => ({
    pk: `${kind}#${id}`,
    sk: kind,
    gsi1pk: 'TAXONOMY',
    gsi1sk: `${kind}#${id}`,
    ...value,
    updatedAt: at,
  });
  const names = {
    maison: new Map(demo.maisons.map((m) => [m.maisonId, m.input.name])),
    collection: new Map(demo.collections.map((c) => [c.collectionId, c.input.name])),
    category: new Map(demo.categories.map((c) => [c.categoryId, c.input.name])),
  };
  const items: Record<string, unknown>[] = [
    ...demo.maisons.map(({ maisonId, input }) => taxonomy('MAISON', maisonId, { ...input, maisonId })),
    ...demo.collections.map(({ collectionId, input }) =>
      taxonomy('COLLECTION', collectionId, { ...input, collectionId }),
    ),
    ...demo.categories.map(({ categoryId, input }) =>
      taxonomy('CATEGORY', categoryId, { ...input, categoryId }),
    ),
  ];
  for (const { productId, input, inStockMarkets, createdAt } of demo.products) {
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
      { eventId: `product:${productId}:v1`, correlationId: 'demo-seed', occurredAt: now },
    );
    items.push(productToItem(product), { ...outboxItem(event, deps.region, now) });
  }
  await batchPut(client, tableName, items);
  await client.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...SEED_MARKER, seededAt: at, products: demo.products.length },
    }),
  );
  return demo.products.length;
}
