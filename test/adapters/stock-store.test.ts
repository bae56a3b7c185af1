import { randomBytes } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { createDocumentClient } from '../../lib/adapters/dynamo/document-client.ts';
import {
  DynamoStockStore,
  HOLD_SHARDS,
  holdShard,
  ledgerItem,
  poolItem,
} from '../../lib/adapters/dynamo/dynamo-stock-store.ts';
import { generateDemoData } from '../../lib/demo/demo-data.ts';
import { OutOfStockError, StockContentionError } from '../../lib/inventory/errors.ts';
import { InMemoryStockStore } from '../../lib/inventory/in-memory-stock-store.ts';
import { type LedgerEntry, StockPool } from '../../lib/inventory/stock.ts';
import { TABLES } from '../../lib/platform/tables.ts';
import { createTableInput, LOCAL_CREDENTIALS } from '../../lib/runtime/local/dynamo-local.ts';
import { seedDemoStock } from '../../lib/runtime/local/seed.ts';
import { FixedClock } from '../support/fakes.ts';
import {
  describeStockStoreContract,
  expectConserved,
  expectLedgerReplays,
  NOW,
  reserveRequest,
} from './stock-store.contract.ts';

describeStockStoreContract('in memory', async () => new InMemoryStockStore());

/** Only the inventory table: creating the full set for each of the many contract cases is what costs. */
async function inventoryTable() {
  const config = { endpoint: inject('dynamoEndpoint'), region: 'eu-west-1', credentials: LOCAL_CREDENTIALS };
  const tableName = `t${randomBytes(4).toString('hex')}-inventory`;
  const client = new DynamoDBClient(config);
  await client.send(new CreateTableCommand(createTableInput(TABLES.inventory, tableName)));
  client.destroy();
  return { doc: createDocumentClient(config), tableName };
}

describeStockStoreContract('DynamoDB', async () => {
  const { doc, tableName } = await inventoryTable();
  return new DynamoStockStore({ client: doc, tableName });
});

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

/** A document client whose transactions fail with `failures` in turn, then succeed. */
function scriptedClient(failures: unknown[]) {
  const sent: string[] = [];
  const client = {
    send: async (command: { constructor: { name: string } }) => {
      sent.push(command.constructor.name);
      const failure = failures.shift();
      if (failure) throw failure;
      return {};
    },
  };
  return { client: client as never, sent };
}

describe('DynamoStockStore', () => {
  const line = { sku: 'RING-1', locationId: 'roissy-warehouse', quantity: 2 };

  it('stores pools in the shape poolItem builds', async () => {
    const t = await inventoryTable();
    const tableName = t.tableName;
    const store = new DynamoStockStore({ client: t.doc, tableName });
    const pool = await store.setOnHand('RING-1', 'roissy-warehouse', 'eu', 4, { locationType: 'warehouse' });
    const { Item } = await t.doc.send(
      new GetCommand({ TableName: tableName, Key: { pk: 'POOL#RING-1', sk: 'LOC#roissy-warehouse' } }),
    );
    expect(Item).toEqual(poolItem(pool));
    expect(StockPool.parse(Item)).toEqual(pool);
    // The DynamoDB Streams client reads an empty map back as a value of no type, which the local
    // stream consumers cannot decode, so no empty map is ever stored.
    expect(Item).not.toHaveProperty('fences');
  });

  it('lists a reservation in the sweeper index only while held, and sets TTL only once released', async () => {
    const t = await inventoryTable();
    const tableName = t.tableName;
    const store = new DynamoStockStore({ client: t.doc, tableName });
    await store.setOnHand('RING-1', 'roissy-warehouse', 'eu', 10);
    const raw = async (id: string) =>
      (
        await t.doc.send(
          new GetCommand({ TableName: tableName, Key: { pk: `RESERVATION#${id}`, sk: 'RESERVATION' } }),
        )
      ).Item;

    await store.reserve(reserveRequest('r-1', [line]));
    expect(await raw('r-1')).toMatchObject({
      status: 'held',
      gsi1pk: `HOLD#${holdShard('r-1')}`,
      gsi1sk: '2026-03-01T10:15:00.000Z#r-1',
    });
    expect(await raw('r-1')).not.toHaveProperty('expiresAt');

    await store.allocate('r-1', NOW);
    const allocated = await raw('r-1');
    expect(allocated).toMatchObject({ status: 'allocated' });
    for (const key of ['gsi1pk', 'gsi1sk', 'expiresAt']) expect(allocated).not.toHaveProperty(key);

    await store.release('r-1', 'order-cancelled', NOW);
    const released = await raw('r-1');
    expect(released).toMatchObject({
      status: 'released',
      releaseReason: 'order-cancelled',
      expiresAt: NOW.getTime() / 1000 + 30 * 24 * 3600,
    });
    expect(released).not.toHaveProperty('gsi1pk');

    // A late payment takes the stock again; the reservation must then outlive the TTL.
    await store.allocate('r-1', NOW);
    const retaken = await raw('r-1');
    expect(retaken).toMatchObject({ status: 'allocated' });
    for (const key of ['expiresAt', 'releaseReason', 'gsi1pk']) expect(retaken).not.toHaveProperty(key);

    const { Items = [] } = await t.doc.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': `HOLD#${holdShard('r-1')}` },
      }),
    );
    expect(Items).toEqual([]);
  });

  it('writes one ledger item per pool movement, keyed by pool and time, never with a TTL', async () => {
    const t = await inventoryTable();
    const store = new DynamoStockStore({ client: t.doc, tableName: t.tableName });
    await store.setOnHand('RING-1', 'roissy-warehouse', 'eu', 4);
    await store.setFence({
      sku: 'RING-1',
      locationId: 'roissy-warehouse',
      key: 'clienteling',
      units: 1,
      overflow: true,
      actor: { kind: 'staff', id: 'staff-1' },
      reason: 'vip allocation',
      now: NOW,
    });
    await store.reserve(reserveRequest('r-1', [{ ...line, fence: { key: 'clienteling', units: 1 } }]));
    await store.allocate('r-1', NOW);
    await store.release('r-1', 'order-cancelled', NOW);
    await store.dispatchTransfer({
      transferId: 'trf_1',
      sku: 'RING-1',
      fromLocationId: 'roissy-warehouse',
      toLocationId: 'paris-saint-honore',
      quantity: 1,
      actor: { kind: 'staff', id: 'staff-1' },
      reason: 'restock',
      now: NOW,
    });
    const { Items = [] } = await t.doc.send(
      new QueryCommand({
        TableName: t.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'LEDGER#RING-1#roissy-warehouse' },
      }),
    );
    expect(Items.map((i) => i.type).sort()).toEqual(
      ['adjustment', 'allocation', 'fence', 'release', 'reservation', 'transfer_out'].sort(),
    );
    for (const item of Items) {
      expect(item.sk).toBe(`${item.at}#${item.entryId}`);
      const { pk: _pk, sk: _sk, ...entry } = item;
      expect(item).toEqual(ledgerItem(entry as LedgerEntry));
      for (const key of ['expiresAt', 'gsi1pk', 'gsi1sk']) expect(item).not.toHaveProperty(key);
      if (['adjustment', 'transfer_out'].includes(item.type)) expect(item.delta).not.toHaveProperty('fences');
    }
    expect(Items.find((i) => i.type === 'reservation')?.entryId).toMatch(/^reservation:r-1:[0-9a-f]{16}$/);
    const { Item: transfer } = await t.doc.send(
      new GetCommand({ TableName: t.tableName, Key: { pk: 'TRANSFER#trf_1', sk: 'TRANSFER' } }),
    );
    expect(transfer).toMatchObject({ status: 'in_transit', quantity: 1 });
    expect(transfer).not.toHaveProperty('expiresAt');
  });

  it('fences pools that have no fence map yet, and refuses fenced sales from them until then', async () => {
    const t = await inventoryTable();
    const store = new DynamoStockStore({ client: t.doc, tableName: t.tableName });
    const legacy = (sku: string) => ({
      pk: `POOL#${sku}`,
      sk: 'LOC#roissy-warehouse',
      sku,
      locationId: 'roissy-warehouse',
      zone: 'eu',
      onHand: 5,
      reserved: 0,
      allocated: 0,
      available: 5,
    });
    const raw = async (sku: string) =>
      (
        await t.doc.send(
          new GetCommand({ TableName: t.tableName, Key: { pk: `POOL#${sku}`, sk: 'LOC#roissy-warehouse' } }),
        )
      ).Item;
    for (const sku of ['OLD-1', 'OLD-2', 'OLD-3'])
      await t.doc.send(new PutCommand({ TableName: t.tableName, Item: legacy(sku) }));

    const fenced = {
      sku: 'OLD-1',
      locationId: 'roissy-warehouse',
      quantity: 1,
      fence: { key: 'web', units: 1 },
    };
    await expect(store.reserve(reserveRequest('r-old', [fenced]))).rejects.toBeInstanceOf(OutOfStockError);
    expect(await store.pools(['OLD-1'])).toEqual([expect.objectContaining({ available: 5, fences: {} })]);

    const movement = { actor: { kind: 'staff' as const, id: 'staff-1' }, reason: 'web allocation', now: NOW };
    expect(
      await store.setFence({
        sku: 'OLD-1',
        locationId: 'roissy-warehouse',
        key: 'web',
        units: 2,
        overflow: false,
        ...movement,
      }),
    ).toMatchObject({ available: 3, fences: { web: { units: 2, overflow: false } } });
    await store.reserve(reserveRequest('r-old', [fenced]));
    expect(await raw('OLD-1')).toMatchObject({ available: 3, reserved: 1, fences: { web: { units: 1 } } });

    // Pools without fences stay without the map; readers see `{}`.
    await store.adjust({
      sku: 'OLD-2',
      locationId: 'roissy-warehouse',
      zone: 'eu',
      type: 'receipt',
      by: 1,
      ...movement,
    });
    expect(await raw('OLD-2')).toMatchObject({ onHand: 6, available: 6 });
    expect(await raw('OLD-2')).not.toHaveProperty('fences');
    expect(await store.pools(['OLD-2'])).toEqual([expect.objectContaining({ onHand: 6, fences: {} })]);
    // Plain sales and releases work on them as before.
    await store.reserve(
      reserveRequest('r-old-3', [{ sku: 'OLD-3', locationId: 'roissy-warehouse', quantity: 2 }]),
    );
    await store.release('r-old-3', 'cancelled', NOW);
    expect(await raw('OLD-3')).toMatchObject({ available: 5, reserved: 0 });
    expect(await raw('OLD-3')).not.toHaveProperty('fences');
  });

  it('spreads held reservations over every sweeper shard', () => {
    const counts = new Array(HOLD_SHARDS).fill(0);
    for (let i = 0; i < 2_000; i++) counts[holdShard(`checkout:${i}`)]++;
    expect(Math.min(...counts)).toBeGreaterThan(120);
    expect(holdShard('checkout:42')).toBe(holdShard('checkout:42'));
  });

  it('retries a transaction cancelled by contention with full-jitter backoff, and counts it', async () => {
    const { client, sent } = scriptedClient([
      cancelled('None', 'TransactionConflict'),
      cancelled('TransactionConflict', 'ConditionalCheckFailed'),
    ]);
    const waits: number[] = [];
    const store = new DynamoStockStore({
      client,
      tableName: 'inventory',
      backoff: { baseMs: 10, capMs: 400 },
      random: () => 0.5,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const reservation = await store.reserve(reserveRequest('r-1', [line]));
    expect(reservation.status).toBe('held');
    expect(sent).toEqual(['TransactWriteCommand', 'TransactWriteCommand', 'TransactWriteCommand']);
    expect(waits).toEqual([5, 10]);
    expect(store.stats).toEqual({ attempts: 3, conflictRetries: 2, conditionFailures: 0 });
  });

  it('gives up on contention after maxAttempts with a retryable 409', async () => {
    const { client } = scriptedClient(Array.from({ length: 10 }, () => cancelled('TransactionConflict')));
    const store = new DynamoStockStore({
      client,
      tableName: 'inventory',
      maxAttempts: 4,
      sleep: async () => undefined,
    });
    const error = await store.reserve(reserveRequest('r-1', [line])).catch((e) => e);
    expect(error).toBeInstanceOf(StockContentionError);
    expect(error).toMatchObject({ code: 'STOCK_CONTENDED', status: 409 });
    expect(store.stats).toEqual({ attempts: 4, conflictRetries: 3, conditionFailures: 0 });
  });

  it('raises throttling and validation cancellations untouched', async () => {
    for (const failure of [cancelled('None', 'ThrottlingError'), cancelled('ValidationError')]) {
      const { client } = scriptedClient([failure]);
      const store = new DynamoStockStore({ client, tableName: 'inventory' });
      await expect(store.reserve(reserveRequest('r-1', [line]))).rejects.toBe(failure);
      expect(store.stats.conflictRetries).toBe(0);
    }
  });
});

describe('seedDemoStock', () => {
  it('writes every demo location and pool once, matching the demo data', async () => {
    const t = await inventoryTable();
    const tableName = t.tableName;
    const deps = { client: t.doc, tableName, clock: new FixedClock() };
    const demo = generateDemoData({ products: 12 });

    expect(await seedDemoStock(deps, { products: 12 })).toBe(demo.stock.length);
    expect(await seedDemoStock(deps, { products: 12 })).toBe(0);

    const { Items = [] } = await t.doc.send(new ScanCommand({ TableName: tableName }));
    const locations = Items.filter((i) => String(i.pk).startsWith('LOCATION#'));
    expect(locations).toHaveLength(demo.locations.length);
    expect(locations.find((l) => l.locationId === 'tokyo-ginza')).toMatchObject({
      sk: 'LOCATION',
      type: 'boutique',
      zone: 'apac',
      pickupCapable: true,
    });

    const store = new DynamoStockStore({ client: t.doc, tableName });
    const pools = await store.pools(demo.stock.map((s) => s.sku));
    expect(pools).toHaveLength(demo.stock.length);
    expectConserved(pools);
    const first = demo.stock[0]!;
    const location = demo.locations.find((l) => l.locationId === first.locationId)!;
    expect(pools.find((p) => p.sku === first.sku && p.locationId === first.locationId)).toEqual({
      sku: first.sku,
      locationId: first.locationId,
      zone: location.zone,
      locationType: location.type,
      onHand: first.onHand,
      reserved: 0,
      allocated: 0,
      available: first.onHand,
      fences: {},
    });
    // Each pool opens its ledger with its receipt, so the ledger replays to the seeded pool.
    await expectLedgerReplays(store, pools.slice(0, 20));
    expect((await store.ledger(first.sku, first.locationId)).entries).toEqual([
      expect.objectContaining({
        type: 'receipt',
        delta: { onHand: first.onHand, available: first.onHand, reserved: 0, allocated: 0, fences: {} },
        actor: { kind: 'system', id: 'demo-seed' },
      }),
    ]);
  });
});
