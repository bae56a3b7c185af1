import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import { productToItem, skuItems } from '../../adapters/dynamo/dynamo-product-repository.ts';
import { ledgerItem, locationItem, poolItem } from '../../adapters/dynamo/dynamo-stock-store.ts';
import { outboxItem } from '../../adapters/dynamo/outbox.ts';
import type { LocationDirectory } from '../../commerce/ports.ts';
import { type Product, ProductUpserted } from '../../contracts/catalog.ts';
import { DEMO_EPOCH, generateDemoData } from '../../demo/demo-data.ts';
import type { ZoneRegions } from '../../demo/locations.ts';
import { CreateDropRequest } from '../../drops/drop.ts';
import type { DropStore } from '../../drops/ports.ts';
import { createDrop, DropStockUnavailableError, dropIdFor } from '../../drops/use-cases.ts';
import { ledgerEntry, noDelta } from '../../inventory/stock.ts';
import type { StockStore } from '../../inventory/stock-store.ts';
import { type Clock, domainEvent } from '../../platform/domain-event.ts';

/** BatchWriteItem takes at most 25 puts. */
const BATCH = 25;
const SEED_WRITERS = 16;
const SEED_MARKER = { pk: 'SEED#demo', sk: 'SEED' };

async function batchPut(
  client: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Record<string, unknown>[],
) {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += BATCH) batches.push(items.slice(i, i + BATCH));
  // A few writers at a time: DynamoDB Local serializes writes anyway, and hundreds of requests in
  // flight only queue in the SDK's socket pool.
  let next = 0;
  const writer = async () => {
    while (next < batches.length) {
      const batch = batches[next++] as Record<string, unknown>[];
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
    }
  };
  await Promise.all(Array.from({ length: SEED_WRITERS }, writer));
}

/**
 * Loads the deterministic demo catalog into the catalog table: taxonomy, products with their SKU pointers
 * and each product's ProductUpserted outbox item, so the search index fills the way staff edits fill it (table stream,
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
    items.push(productToItem(product), ...skuItems(product).map((item) => ({ ...item })), {
      ...outboxItem(event, deps.region, now),
    });
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

const STOCK_SEED_MARKER = { pk: 'SEED#demo-stock', sk: 'SEED' };

/**
 * Loads the demo locations and one stock pool per SKU and location into the inventory table, with
 * nothing reserved, allocated or fenced yet, and each pool's opening `receipt` on its ledger. Pass the
 * same `products` (and `zones`) as {@link seedDemoData} so the stock matches the catalog. Guarded by
 * its own marker, written last, so an interrupted seed runs again and a seeded table (which may hold
 * reservations by now) is never reset.
 * Answers how many pools it wrote (0 when the table was already seeded).
 */
export async function seedDemoStock(
  deps: { client: DynamoDBDocumentClient; tableName: string; clock: Clock },
  options: { products?: number | undefined; zones?: ZoneRegions | undefined } = {},
): Promise<number> {
  const { client, tableName } = deps;
  const marker = await client.send(new GetCommand({ TableName: tableName, Key: STOCK_SEED_MARKER }));
  if (marker.Item) return 0;
  const demo = generateDemoData({
    ...(options.products ? { products: options.products } : {}),
    ...(options.zones ? { zones: options.zones } : {}),
  });
  const locations = new Map(demo.locations.map((location) => [location.locationId, location]));
  const pools = demo.stock.map(({ sku, locationId, onHand }) => {
    const location = locations.get(locationId);
    if (!location) throw new Error(`Demo stock names an unknown location ${locationId}`);
    return poolItem({
      sku,
      locationId,
      zone: location.zone,
      locationType: location.type,
      onHand,
      reserved: 0,
      allocated: 0,
      available: onHand,
      fences: {},
    });
  });
  // Each pool opens its ledger with the receipt of its stock, so replaying the ledger rebuilds it. The
  // entry's id and time are fixed, so an interrupted seed that runs again rewrites the same entry.
  const receipts = demo.stock.map(({ sku, locationId, onHand }) =>
    ledgerItem(
      ledgerEntry(
        { sku, locationId },
        'receipt',
        { ...noDelta(), onHand, available: onHand },
        { actor: { kind: 'system', id: 'demo-seed' }, reason: 'opening stock', now: new Date(DEMO_EPOCH) },
        `receipt:demo-seed:${sku}@${locationId}`,
      ),
    ),
  );
  await batchPut(client, tableName, [...demo.locations.map(locationItem), ...pools, ...receipts]);
  await client.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...STOCK_SEED_MARKER,
        seededAt: deps.clock.now().toISOString(),
        locations: demo.locations.length,
        pools: pools.length,
      },
    }),
  );
  return pools.length;
}

/** The operation the demo drop is created under: its id derives from it, so a restart finds it. */
const DEMO_DROP_OPERATION = { scope: 'demo-seed', key: 'upcoming-drop' };

/**
 * Creates the demo's one upcoming drop through the same use case as staff (fence, shards): a first-come
 * release of the dearest piece stocked in a warehouse of this zone (half its units, at most 25), opening a quarter of an hour
 * after start (platinum clients five minutes after start, gold ten), for two hours, one per client. Seed
 * the stock first, with the same `products` and `zones`. Answers the drop id, or undefined when no pool
 * qualifies or its units are taken; a drop seeded before is left as it is.
 */
export async function seedDemoDrop(
  deps: { drops: DropStore; stock: StockStore; locations: LocationDirectory; clock: Clock },
  options: { zone: string; products?: number | undefined; zones?: ZoneRegions | undefined },
): Promise<string | undefined> {
  const dropId = dropIdFor(DEMO_DROP_OPERATION);
  if (await deps.drops.get(dropId)) return dropId;
  const demo = generateDemoData({
    ...(options.products ? { products: options.products } : {}),
    ...(options.zones ? { zones: options.zones } : {}),
  });
  const warehouses = new Set(
    demo.locations
      .filter((location) => location.type === 'warehouse' && location.zone === options.zone)
      .map((location) => location.locationId),
  );
  const price = new Map(
    demo.products.flatMap(({ input }) => {
      const top = Math.max(0, ...input.prices.filter((p) => p.currency === 'EUR').map((p) => p.amount));
      return input.variants.map((variant) => [variant.sku, top] as const);
    }),
  );
  // The dearest piece in stock: tests and demos of checkout pick the least expensive ones, so the
  // fence never takes their units.
  const [pool] = demo.stock
    .filter((level) => warehouses.has(level.locationId) && level.onHand >= 2)
    .sort(
      (a, b) =>
        (price.get(b.sku) ?? 0) - (price.get(a.sku) ?? 0) || b.onHand - a.onHand || (a.sku < b.sku ? -1 : 1),
    );
  if (!pool) return undefined;
  const now = deps.clock.now().getTime();
  const at = (minutes: number) => new Date(now + minutes * 60_000).toISOString();
  const units = Math.min(25, Math.floor(pool.onHand / 2));
  const request = CreateDropRequest.parse({
    name: 'The Midnight Release',
    items: [{ sku: pool.sku, locationId: pool.locationId, units }],
    window: { opensAt: at(15), closesAt: at(135) },
    channels: ['web', 'app'],
    earlyAccess: [
      { tier: 'platinum', opensAt: at(5) },
      { tier: 'gold', opensAt: at(10) },
    ],
    perCustomerLimit: 1,
    mode: 'first_come',
    // What the shards serve, so that entries are answered at once (direct admission).
    expectedArrivalsPerSecond: 400 * Math.min(units, 5),
  });
  try {
    const drop = await createDrop(deps, { request, staffId: 'demo-seed', operation: DEMO_DROP_OPERATION });
    return drop.dropId;
  } catch (error) {
    if (error instanceof DropStockUnavailableError) return undefined;
    throw error;
  }
}
