import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../lib/adapters/dynamo/document-client.ts';
import { DynamoDropStore } from '../../lib/adapters/dynamo/dynamo-drop-store.ts';
import { DynamoStockStore } from '../../lib/adapters/dynamo/dynamo-stock-store.ts';
import { HomeRegionDropStore } from '../../lib/adapters/dynamo/home-region-drop-store.ts';
import { HomeRegionStockStore } from '../../lib/adapters/dynamo/home-region-stock-store.ts';
import { demoLocations } from '../../lib/demo/locations.ts';
import type { DropStore } from '../../lib/drops/ports.ts';
import { createDrop, DropCache, type DropDeps, enterDrop } from '../../lib/drops/use-cases.ts';
import { NotFoundError, ValidationError } from '../../lib/errors.ts';
import { OutOfStockError } from '../../lib/inventory/errors.ts';
import { homeRegionLookup, homeRegionOf, routeToHomeRegion } from '../../lib/inventory/home-region.ts';
import { InMemoryStockStore } from '../../lib/inventory/in-memory-stock-store.ts';
import { Reservation, type StockPool, type Transfer } from '../../lib/inventory/stock.ts';
import type { Movement, StockStore } from '../../lib/inventory/stock-store.ts';
import {
  createTables,
  type DynamoLocal,
  LOCAL_CREDENTIALS,
  startDynamoLocal,
} from '../../lib/runtime/local/dynamo-local.ts';
import { StaticLocations } from '../support/commerce-fakes.ts';
import { TEST_ZONES, testTables, useOwnDynamoLocal } from '../support/dynamo.ts';
import { FixedClock } from '../support/fakes.ts';
import { LOCAL_DATABASE_REGION, LwwReplicator } from '../support/lww-replicator.ts';
import { reserveRequest } from './stock-store.contract.ts';

// A load test: a DynamoDB Local of its own, so earlier files' work neither slows it nor skews its figures.
useOwnDynamoLocal();

const WEST = 'eu-west-1';
const CENTRAL = 'eu-central-1';
const UNITS = 25;
const ORDERS = 200;
const CONCURRENCY = 50;

const lookup = homeRegionLookup([
  { locationId: 'roissy-warehouse', region: WEST },
  { locationId: 'dublin-grafton', region: WEST },
  { locationId: 'munich-maximilian', region: CENTRAL },
]);

/** Runs `count` tasks with at most `concurrency` in flight and answers how many fulfilled. */
async function runLimited(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<unknown>,
): Promise<{ fulfilled: number; errors: unknown[] }> {
  let next = 0;
  let fulfilled = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < count) {
      const index = next++;
      try {
        await task(index);
        fulfilled++;
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { fulfilled, errors };
}

describe('home region routing', () => {
  it('takes a pool home region from its location', () => {
    expect(homeRegionOf({ region: CENTRAL })).toBe(CENTRAL);
    expect(lookup('RING-1', 'munich-maximilian')).toBe(CENTRAL);
    expect(() => lookup('RING-1', 'nowhere')).toThrow(ValidationError);
  });

  it('refuses to fall back to a replica when the home region has no store', () => {
    expect(() => routeToHomeRegion('us-east-1', { [WEST]: 1 })).toThrow(/us-east-1/);
  });

  it('sends writes only to the home region and reads locally', async () => {
    const west = new InMemoryStockStore();
    const central = new InMemoryStockStore();
    const store = new HomeRegionStockStore({
      localRegion: CENTRAL,
      stores: { [WEST]: west, [CENTRAL]: central },
      homeRegionOf: lookup,
    });
    await store.setOnHand('RING-1', 'roissy-warehouse', 'eu', 3);
    await store.reserve(
      reserveRequest('r-1', [{ sku: 'RING-1', locationId: 'roissy-warehouse', quantity: 1 }]),
    );
    // The local replica has not seen the pool (nothing replicates here), so the local read is empty.
    expect(await store.pools(['RING-1'])).toEqual([]);
    expect((await west.pools(['RING-1']))[0]).toMatchObject({ reserved: 1, available: 2 });
    // Found in the home region while the local replica lags, then released there.
    expect(await store.release('r-1', 'cancelled', new Date())).toBe(true);
    expect(store.stats.writesByRegion).toEqual({ [WEST]: 3 });
  });

  it('sends adjustments, fences and fulfilments to the pool home region, and reads its ledger there', async () => {
    const west = new InMemoryStockStore();
    const central = new InMemoryStockStore();
    const store = new HomeRegionStockStore({
      localRegion: CENTRAL,
      stores: { [WEST]: west, [CENTRAL]: central },
      homeRegionOf: lookup,
    });
    const movement = { actor: { kind: 'staff' as const, id: 'staff-1' }, reason: 'receipt', now: new Date() };
    await store.adjust({
      sku: 'RING-1',
      locationId: 'roissy-warehouse',
      zone: 'eu',
      type: 'receipt',
      by: 4,
      ...movement,
    });
    await store.setFence({
      sku: 'RING-1',
      locationId: 'roissy-warehouse',
      key: 'clienteling',
      units: 1,
      overflow: true,
      ...movement,
    });
    await store.reserve(
      reserveRequest('r-1', [{ sku: 'RING-1', locationId: 'roissy-warehouse', quantity: 2 }]),
    );
    await store.allocate('r-1', new Date());
    expect((await store.fulfil('r-1', { ...movement, reason: 'shipped' })).status).toBe('fulfilled');
    expect((await west.pools(['RING-1']))[0]).toMatchObject({ onHand: 2, available: 1, allocated: 0 });
    expect(await central.pools(['RING-1'])).toEqual([]);
    // The ledger is read where it is written, even though the local replica has nothing yet.
    const ledger = await store.ledger('RING-1', 'roissy-warehouse');
    expect(ledger.entries.map((e) => e.type)).toEqual(
      expect.arrayContaining(['receipt', 'fence', 'reservation', 'allocation', 'shipment']),
    );
    expect(store.stats.writesByRegion).toEqual({ [WEST]: 5 });
  });

  it('dispatches a transfer at the source home region and receives it at the destination one', async () => {
    const received: string[] = [];
    /** Receives in its region whatever transfer it is asked to: replication is not simulated here. */
    class Destination extends InMemoryStockStore {
      override async receiveTransfer(transferId: string, movement: Movement): Promise<Transfer> {
        received.push(transferId);
        const transfer = await west.getTransfer(transferId);
        return { ...transfer!, status: 'received', receivedAt: movement.now.toISOString() };
      }
    }
    const west = new InMemoryStockStore();
    const central = new Destination();
    const store = new HomeRegionStockStore({
      localRegion: CENTRAL,
      stores: { [WEST]: west, [CENTRAL]: central },
      homeRegionOf: lookup,
    });
    const movement = { actor: { kind: 'staff' as const, id: 'staff-1' }, reason: 'restock', now: new Date() };
    await store.setOnHand('RING-1', 'roissy-warehouse', 'eu', 3);
    await store.dispatchTransfer({
      transferId: 'trf_1',
      sku: 'RING-1',
      fromLocationId: 'roissy-warehouse',
      toLocationId: 'munich-maximilian',
      quantity: 2,
      ...movement,
    });
    expect((await west.pools(['RING-1']))[0]).toMatchObject({ onHand: 1, available: 1 });
    // Found in the source region while the local replica lags, and received at the destination's.
    expect(await store.getTransfer('trf_1')).toMatchObject({ status: 'in_transit' });
    expect(await store.receiveTransfer('trf_1', movement)).toMatchObject({ status: 'received' });
    expect(received).toEqual(['trf_1']);
    expect(store.stats.writesByRegion).toEqual({ [WEST]: 2, [CENTRAL]: 1 });
    await expect(store.receiveTransfer('trf_nope', movement)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('rejects a reservation whose pools have different home regions, naming them', async () => {
    const store = new HomeRegionStockStore({
      localRegion: WEST,
      stores: { [WEST]: new InMemoryStockStore(), [CENTRAL]: new InMemoryStockStore() },
      homeRegionOf: lookup,
    });
    const reserving = store.reserve(
      reserveRequest('r-2', [
        { sku: 'RING-1', locationId: 'roissy-warehouse', quantity: 1 },
        { sku: 'RING-1', locationId: 'munich-maximilian', quantity: 1 },
      ]),
    );
    await expect(reserving).rejects.toThrow(ValidationError);
    await expect(reserving).rejects.toThrow(/RING-1@munich-maximilian \(eu-central-1\)/);
    expect(store.stats.writesByRegion).toEqual({});
  });
});

describe('stock and drops over a last-writer-wins global table (two DynamoDB Local instances)', () => {
  let second: DynamoLocal;
  let replicator: LwwReplicator;
  let tableName: string;
  const stores = {} as Record<string, DynamoStockStore>;
  const docs = {} as Record<string, ReturnType<typeof createDocumentClient>>;

  beforeAll(async () => {
    const [t, started] = await Promise.all([testTables(), startDynamoLocal()]);
    second = started;
    await createTables(second.client, t.prefix, TEST_ZONES);
    tableName = t.names.inventory.global as string;
    docs[WEST] = t.doc;
    docs[CENTRAL] = createDocumentClient({
      endpoint: second.endpoint,
      region: LOCAL_DATABASE_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    for (const region of [WEST, CENTRAL]) {
      stores[region] = new DynamoStockStore({
        client: docs[region] as ReturnType<typeof createDocumentClient>,
        tableName,
      });
    }
    replicator = new LwwReplicator({
      tableName,
      sides: [
        { region: WEST, endpoint: t.endpoint, client: t.client },
        { region: CENTRAL, endpoint: second.endpoint, client: second.client },
      ],
    });
    await replicator.start();
  });

  afterAll(async () => {
    await replicator?.stop();
    await second?.stop();
  });

  const poolOn = async (region: string, sku: string): Promise<StockPool | undefined> =>
    (await (stores[region] as StockStore).pools([sku])).find((p) => p.locationId === 'roissy-warehouse');

  const heldOn = async (region: string, prefix: string): Promise<number> => {
    const { Items = [] } = await (docs[region] as ReturnType<typeof createDocumentClient>).send(
      new ScanCommand({
        TableName: tableName,
        ConsistentRead: true,
        FilterExpression: 'begins_with(pk, :prefix)',
        ExpressionAttributeValues: { ':prefix': `RESERVATION#${prefix}` },
      }),
    );
    return Items.map((item) => Reservation.parse(item)).filter((r) => r.status === 'held').length;
  };

  const line = (sku: string) => [{ sku, locationId: 'roissy-warehouse', quantity: 1 }];

  it('oversells when both regions take conditional decrements (negative control)', async () => {
    const sku = 'RING-NAIVE';
    await (stores[WEST] as StockStore).setOnHand(sku, 'roissy-warehouse', 'eu', UNITS);
    await replicator.settle();
    expect(await poolOn(CENTRAL, sku)).toMatchObject({ available: UNITS });

    const { fulfilled, errors } = await runLimited(ORDERS, CONCURRENCY, (i) =>
      (stores[i % 2 === 0 ? WEST : CENTRAL] as StockStore).reserve(reserveRequest(`naive-${i}`, line(sku))),
    );
    await replicator.settle();
    const [west, central] = await Promise.all([poolOn(WEST, sku), poolOn(CENTRAL, sku)]);
    const held = await heldOn(WEST, 'naive-');
    console.info(
      `[R13 negative control] ${fulfilled}/${ORDERS} reservations succeeded for ${UNITS} units: ` +
        `oversold ${fulfilled - UNITS}; held reservations after settling ${held}; ` +
        `pool on ${WEST} ${JSON.stringify(west)}, on ${CENTRAL} ${JSON.stringify(central)}; ` +
        `copies ${JSON.stringify(replicator.stats.copiesTo)}, lost writes ${replicator.stats.lostWrites}`,
    );

    expect(errors.every((e) => e instanceof OutOfStockError)).toBe(true);
    expect(fulfilled).toBeGreaterThan(UNITS);
    // Last writer wins: the replicas agree, and the counters no longer account for every sale.
    expect(central).toEqual(west);
    expect(held).toBe(await heldOn(CENTRAL, 'naive-'));
    expect(held).toBeGreaterThan(west?.reserved ?? 0);
  });

  it('sells exactly the stock when every write goes to the home region', async () => {
    const sku = 'RING-HOME';
    const routers = Object.fromEntries(
      [WEST, CENTRAL].map((region) => [
        region,
        new HomeRegionStockStore({ localRegion: region, stores, homeRegionOf: lookup }),
      ]),
    ) as Record<string, HomeRegionStockStore>;
    // Seeded from the other region on purpose: the write still lands at home.
    await (routers[CENTRAL] as HomeRegionStockStore).setOnHand(sku, 'roissy-warehouse', 'eu', UNITS);
    await replicator.settle();

    const { fulfilled, errors } = await runLimited(ORDERS, CONCURRENCY, (i) =>
      (routers[i % 2 === 0 ? WEST : CENTRAL] as HomeRegionStockStore).reserve(
        reserveRequest(`home-${i}`, line(sku)),
      ),
    );
    await replicator.settle();
    const [west, central] = await Promise.all([poolOn(WEST, sku), poolOn(CENTRAL, sku)]);
    const held = await heldOn(CENTRAL, 'home-');
    console.info(
      `[R13 home region] ${fulfilled}/${ORDERS} reservations succeeded for ${UNITS} units: ` +
        `oversold ${Math.max(0, held - UNITS)}; pool on ${CENTRAL} ${JSON.stringify(central)}; ` +
        `writes by region from ${WEST} ${JSON.stringify(routers[WEST]?.stats.writesByRegion)}, ` +
        `from ${CENTRAL} ${JSON.stringify(routers[CENTRAL]?.stats.writesByRegion)}`,
    );

    expect(errors.every((e) => e instanceof OutOfStockError)).toBe(true);
    expect(fulfilled).toBe(UNITS);
    for (const pool of [west, central]) {
      expect(pool).toMatchObject({ onHand: UNITS, available: 0, reserved: UNITS, allocated: 0 });
    }
    expect(held).toBe(UNITS);
    expect(await heldOn(WEST, 'home-')).toBe(UNITS);
    expect(routers[CENTRAL]?.stats.writesByRegion).toEqual({ [WEST]: ORDERS / 2 + 1 });
    expect(routers[WEST]?.stats.writesByRegion).toEqual({ [WEST]: ORDERS / 2 });
  });

  describe('a first-come drop entered through both regions', () => {
    const DROP_UNITS = 20;
    const ENTRANTS = 150;
    const clock = new FixedClock(new Date('2026-03-01T10:00:00.000Z'));
    // The drop's location is homed in WEST, as `lookup` says.
    const locations = new StaticLocations(
      demoLocations().map((l) => (l.locationId === 'roissy-warehouse' ? { ...l, region: WEST } : l)),
    );
    const regionalDrops = () =>
      Object.fromEntries(
        [WEST, CENTRAL].map((region) => [
          region,
          new DynamoDropStore({
            client: docs[region] as ReturnType<typeof createDocumentClient>,
            tableName,
            region,
          }),
        ]),
      ) as Record<string, DynamoDropStore>;
    /** One container's dependencies in a region, with its own drop cache as a Lambda would hold. */
    const depsIn = (region: string, drops: DropStore): DropDeps => ({
      drops,
      stock: new HomeRegionStockStore({ localRegion: region, stores, homeRegionOf: lookup }),
      locations,
      clock,
      dropCache: new DropCache(drops, clock),
    });

    /** Creates the drop in `from` (its writes go wherever that store sends them) and lets it replicate. */
    const openDrop = async (sku: string, from: DropDeps): Promise<string> => {
      await (stores[WEST] as StockStore).setOnHand(sku, 'roissy-warehouse', 'eu', DROP_UNITS);
      const drop = await createDrop(from, {
        request: {
          name: 'Comète',
          items: [{ sku, locationId: 'roissy-warehouse', units: DROP_UNITS }],
          window: { opensAt: '2026-03-01T09:00:00.000Z', closesAt: '2026-03-01T11:00:00.000Z' },
          channels: ['web'],
          earlyAccess: [],
          perCustomerLimit: 1,
          mode: 'first_come',
          expectedArrivalsPerSecond: 100,
          payWithinMinutes: 30,
        },
        staffId: 'staff-1',
        operation: { scope: 'staff-1', key: sku },
      });
      expect(drop.items[0]?.shards).toBe(1);
      expect(drop.admission).toBe('direct');
      await replicator.settle();
      return drop.dropId;
    };

    /** Half the entrants through each region's API, concurrently; answers how many were told `won`. */
    const enterFromBoth = async (dropId: string, sku: string, deps: Record<string, DropDeps>) => {
      let told = 0;
      const { errors } = await runLimited(ENTRANTS, CONCURRENCY, async (i) => {
        const sub = `${sku}-shopper-${i}`;
        const answer = await enterDrop(deps[i % 2 === 0 ? WEST : CENTRAL] as DropDeps, {
          dropId,
          sub,
          tier: 'standard',
          zone: 'eu',
          request: { sku, quantity: 1, channel: 'web' },
          operation: { scope: sub, key: 'entry' },
        });
        if (answer.status === 'won') told++;
      });
      await replicator.settle();
      return { told, errors };
    };

    /** Won entries and the shard's units left, as a replica holds them once replication settled. */
    const tallyOn = async (region: string, dropId: string, sku: string) => {
      const doc = docs[region] as ReturnType<typeof createDocumentClient>;
      let won = 0;
      let start: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(
          new ScanCommand({
            TableName: tableName,
            ConsistentRead: true,
            FilterExpression: 'begins_with(pk, :entries)',
            ExpressionAttributeValues: { ':entries': `DROPENTRY#${dropId}#` },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        won += (page.Items ?? []).filter((item) => item.status === 'won').length;
        start = page.LastEvaluatedKey;
      } while (start);
      const replica = regionalDrops()[region] as DynamoDropStore;
      const drop = await replica.get(dropId);
      const [left] = drop ? await replica.shardBalances(drop, sku) : [];
      return { won, left };
    };

    it('oversells when each region claims on its own replica (negative control)', async () => {
      const sku = 'DROP-NAIVE';
      const naive = regionalDrops();
      const deps = Object.fromEntries(
        [WEST, CENTRAL].map((region) => [region, depsIn(region, naive[region] as DropStore)]),
      );
      const dropId = await openDrop(sku, deps[WEST] as DropDeps);
      expect(await (naive[CENTRAL] as DynamoDropStore).get(dropId)).toBeDefined();

      const { told, errors } = await enterFromBoth(dropId, sku, deps);
      const [west, central] = await Promise.all([tallyOn(WEST, dropId, sku), tallyOn(CENTRAL, dropId, sku)]);
      console.info(
        `[R13 drops, negative control] ${ENTRANTS} entrants for ${DROP_UNITS} units: ${told} told won, ` +
          `${west.won} won entries (oversold ${west.won - DROP_UNITS}); shard left on ${WEST} ${west.left}, ` +
          `on ${CENTRAL} ${central.left}; errors ${errors.length}; ` +
          `copies ${JSON.stringify(replicator.stats.copiesTo)}, lost writes ${replicator.stats.lostWrites}`,
      );

      expect(errors).toEqual([]);
      expect(west.won).toBe(told);
      expect(central).toEqual(west);
      expect(west.won).toBeGreaterThan(DROP_UNITS);
    });

    it('sells exactly the units when every drop write goes to the home region', async () => {
      const sku = 'DROP-HOME';
      const regional = regionalDrops();
      const routers = Object.fromEntries(
        [WEST, CENTRAL].map((region) => [
          region,
          new HomeRegionDropStore({ localRegion: region, stores: regional, homeRegionOf: lookup }),
        ]),
      ) as Record<string, HomeRegionDropStore>;
      const deps = Object.fromEntries(
        [WEST, CENTRAL].map((region) => [region, depsIn(region, routers[region] as DropStore)]),
      );
      // Created from the other region on purpose: the drop still lands at home.
      const dropId = await openDrop(sku, deps[CENTRAL] as DropDeps);

      const { told, errors } = await enterFromBoth(dropId, sku, deps);
      const [west, central] = await Promise.all([tallyOn(WEST, dropId, sku), tallyOn(CENTRAL, dropId, sku)]);
      console.info(
        `[R13 drops, home region] ${ENTRANTS} entrants for ${DROP_UNITS} units: ${told} told won, ` +
          `${west.won} won entries (oversold ${Math.max(0, west.won - DROP_UNITS)}); shard left ${west.left}; ` +
          `errors ${errors.length}; writes by region from ${WEST} ` +
          `${JSON.stringify(routers[WEST]?.stats.writesByRegion)}, from ${CENTRAL} ` +
          `${JSON.stringify(routers[CENTRAL]?.stats.writesByRegion)}`,
      );

      expect(errors).toEqual([]);
      expect(told).toBe(DROP_UNITS);
      expect(west).toEqual({ won: DROP_UNITS, left: 0 });
      expect(central).toEqual(west);
      for (const router of Object.values(routers)) {
        expect(Object.keys(router.stats.writesByRegion)).toEqual([WEST]);
      }
    });
  });
});
