import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.ts';
import {
  OutOfStockError,
  ReservationConflictError,
  StockCommittedError,
} from '../../lib/inventory/errors.ts';
import {
  dropFenceKey,
  type LedgerEntry,
  poolCounters,
  poolViolations,
  type Reservation,
  type ReservationLine,
  replayLedger,
  type StockActor,
  type StockPool,
} from '../../lib/inventory/stock.ts';
import type { Movement, ReserveRequest, StockStore } from '../../lib/inventory/stock-store.ts';

export const NOW = new Date('2026-03-01T10:00:00.000Z');
const MINUTE = 60_000;
export const owner = { zone: 'eu', checkoutId: 'chk-1' };

export function reserveRequest(
  reservationId: string,
  lines: ReservationLine[],
  overrides: Partial<ReserveRequest> = {},
): ReserveRequest {
  return {
    reservationId,
    lines,
    holdUntil: new Date(NOW.getTime() + 15 * MINUTE),
    owner,
    now: NOW,
    ...overrides,
  };
}

/** Fails with every pool that is not conserved or has a negative counter. */
export function expectConserved(pools: readonly StockPool[]) {
  const broken = pools.flatMap((pool) =>
    poolViolations(pool).map((v) => `${pool.sku}@${pool.locationId}: ${v}`),
  );
  expect(broken).toEqual([]);
}

/** Every entry of a pool's ledger, read a page of `limit` at a time. */
export async function wholeLedger(store: StockStore, sku: string, locationId: string, limit = 100) {
  const entries: LedgerEntry[] = [];
  let after: string | undefined;
  do {
    const page = await store.ledger(sku, locationId, { limit, ...(after ? { after } : {}) });
    entries.push(...page.entries);
    after = page.next;
  } while (after);
  return entries;
}

/**
 * Fails unless each pool is conserved and its ledger, replayed from nothing, rebuilds its counters: the
 * proof that no movement skipped the ledger or wrote a delta other than the one it applied.
 */
export async function expectLedgerReplays(store: StockStore, pools: readonly StockPool[]) {
  expectConserved(pools);
  for (const pool of pools) {
    const entries = await wholeLedger(store, pool.sku, pool.locationId);
    expect(replayLedger(entries), `${pool.sku}@${pool.locationId}`).toEqual(poolCounters(pool));
  }
}

const counters = (pool: StockPool | undefined) =>
  pool && {
    onHand: pool.onHand,
    available: pool.available,
    reserved: pool.reserved,
    allocated: pool.allocated,
  };

/** The behaviour every StockStore must have, whatever stores it. */
export function describeStockStoreContract(name: string, make: () => Promise<StockStore>) {
  describe(`StockStore contract: ${name}`, () => {
    let store: StockStore;
    const pool = async (sku: string, locationId: string) =>
      (await store.pools([sku])).find((p) => p.locationId === locationId);

    beforeEach(async () => {
      store = await make();
      await store.setOnHand('RING-1', 'roissy-warehouse', 'eu', 5, { locationType: 'warehouse' });
      await store.setOnHand('RING-1', 'paris-saint-honore', 'eu', 2, { locationType: 'boutique' });
      await store.setOnHand('BAG-1', 'roissy-warehouse', 'eu', 3, { locationType: 'warehouse' });
      await store.setOnHand('WATCH-1', 'tokyo-ginza', 'apac', 1);
    });

    describe('pools and on-hand counts', () => {
      it('lists every location of each SKU asked for, and nothing for unknown SKUs', async () => {
        const pools = await store.pools(['RING-1', 'WATCH-1', 'NOPE-1']);
        expect(pools.map((p) => `${p.sku}@${p.locationId}`).sort()).toEqual([
          'RING-1@paris-saint-honore',
          'RING-1@roissy-warehouse',
          'WATCH-1@tokyo-ginza',
        ]);
        expect(pools.find((p) => p.locationId === 'roissy-warehouse')).toEqual({
          sku: 'RING-1',
          locationId: 'roissy-warehouse',
          zone: 'eu',
          locationType: 'warehouse',
          onHand: 5,
          reserved: 0,
          allocated: 0,
          available: 5,
          fences: {},
        });
        expect(await store.pools([])).toEqual([]);
      });

      it('sets on hand around committed units, keeps the location type, and refuses to go below them', async () => {
        await store.reserve(
          reserveRequest('r-1', [{ sku: 'RING-1', locationId: 'roissy-warehouse', quantity: 2 }]),
        );
        await store.reserve(
          reserveRequest('r-2', [{ sku: 'RING-1', locationId: 'roissy-warehouse', quantity: 1 }]),
        );
        await store.allocate('r-2', NOW);

        const raised = await store.setOnHand('RING-1', 'roissy-warehouse', 'eu', 9);
        expect(raised).toMatchObject({
          onHand: 9,
          reserved: 2,
          allocated: 1,
          available: 6,
          locationType: 'warehouse',
        });
        expect(await store.setOnHand('RING-1', 'roissy-warehouse', 'eu', 3)).toMatchObject({ available: 0 });

        const refused = await store.setOnHand('RING-1', 'roissy-warehouse', 'eu', 2).catch((e) => e);
        expect(refused).toBeInstanceOf(StockCommittedError);
        expect(refused).toBeInstanceOf(ConflictError);
        expect(refused.status).toBe(409);
        expect(counters(await pool('RING-1', 'roissy-warehouse'))).toEqual({
          onHand: 3,
          available: 0,
          reserved: 2,
          allocated: 1,
        });
        await expect(store.setOnHand('RING-1', 'roissy-warehouse', 'eu', -1)).rejects.toBeInstanceOf(
          ValidationError,
        );
      });
    });

    describe('reserve', () => {
      it('holds the units of every line and answers the stored reservation', async () => {
        const reservation = await store.reserve(
          reserveRequest('r-1', [
            { sku: 'RING-1', locationId: 'roissy-warehouse', quantity: 2 },
            { sku: 'BAG-1', locationId: 'roissy-warehouse', quantity: 3 },
          ]),
        );
        expect(reservation).toEqual({
          reservationId: 'r-1',
          status: 'held',
          lines: [
            { sku: 'BAG-1', locationId: 'roissy-warehouse', quantity: 3 },
            { sku: 'RING-1', locationId: 'roissy-warehouse', quantity: 2 },
          ],
          holdUntil: '2026-03-01T10:15:00.000Z',
          owner,
          createdAt: NOW.toISOString(),
          updatedAt: NOW.toISOString(),
        } satisfies Reservation);
        expect(await store.get('r-1')).toEqual(reservation);
        expect(counters(await pool('RING-1', 'roissy-warehouse'))).toEqual({
          onHand: 5,
          available: 3,
          reserved: 2,
          allocated: 0,
        });
        expect(counters(await pool('BAG-1', 'roissy-warehouse'))).toMatchObject({
          available: 0,
          reserved: 3,
        });
      });

      it('sums lines that share a pool before checking stock (a bundle)', async () => {
        const line = { sku: 'BAG-1', locationId: 'roissy-warehouse', quantity: 2 };
        const short = await store.reserve(reserveRequest('bundle', [line, line])).catch((e) => e);
        expect(short).toBeInstanceOf(OutOfStockError);
        expect(short.details).toEqual({ skus: ['BAG-1'] });
        expect(await store.get('bundle')).toBeUndefined();

        const ok = await store.reserve(reserveRequest('bundle', [line, { ...line, quantity: 1 }]));
        expect(ok.lines).toEqual([{ ...line, quantity: 3 }]);
        expect(counters(await pool('BAG-1', 'roissy-warehouse'))).toMatchObject({
          available: 0,
          reserved: 3,
        });
      });

      it('takes nothing when any line is short, and names exactly the short SKUs', async () => {
        const error = await store
          .reserve(
            reserveRequest('r-short', [
              { sku: 'RING-1', locationId: 'roissy-warehouse', quantity: 1 },
              { sku: 'BAG-1', locationId: 'roissy-warehouse', quantity: 4 },
              { sku: 'WATCH-1', locationId: 'tokyo-ginza', quantity: 2 },
              { sku: 'GHOST-1', locationId: 'roissy-warehouse', quantity: 1 },
            ]),
          )
          .catch((e) => e);
        expect(error).toBeInstanceOf(OutOfStockError);
        expect(error).toMatchObject({ code: 'OUT_OF_STOCK', status: 409 });
        expect(error.details).toEqual({ skus: ['BAG-1', 'GHOST-1', 'WATCH-1'] });
        expect(await store.get('r-short')).toBeUndefined();
        const pools = await store.pools(['RING-1', 'BAG-1', 'WATCH-1']);
        expect(pools.every((p) => p.reserved === 0 && p.available === p.onHand)).toBe(true);
      });

      it('resumes a repeated reservation without taking stock twice, and refuses the id for other lines', async () => {
        const lines = [{ sku: 'RING-1', locationId: 'roissy-warehouse', quantity: 2 }];
        const first = await store.reserve(reserveRequest('r-1', lines));
        const again = await store.reserve(
          reserveRequest('r-1', lines, { now: new Date(NOW.getTime() + 5_000) }),
        );
        expect(again).toEqual(first);
        expect(counters(await pool('RING-1', 'roissy-warehouse'))).toMatchObject({
          available: 3,
          reserved: 2,
        });

        const other = await store
          .reserve(reserveRequest('r-1', [{ ...lines[0]!, quantity: 1 }]))
          .catch((e) => e);
        expect(other).toBeInstanceOf(ReservationConflictError);
        expect(other).not.toBeInstanceOf(OutOfStockError);
        await expect(
          store.reserve(reserveRequest('r-1', lines, { owner: { zone: 'eu', checkoutId: 'someone-else' } })),
        ).rejects.toBeInstanceOf(ReservationConflictError);
        expect(counters(await pool('RING-1', 'roissy-warehouse'))).toMatchObject({
          available: 3,
          reserved: 2,
        });
      });

      it('resumes a repeated reservation even when the stock has run out since', async () => {
        const lines = [{ sku: 'WATCH-1', locationId: 'tokyo-ginza', quantity: 1 }];
        const first = await store.reserve(reserveRequest('r-last', lines));
        expect(await store.reserve(reserveRequest('r-last', lines))).toEqual(first);
      });

      it('rejects more than 49 pools, empty reservations and bad quantities before writing', async () => {
        const many = Array.from({ length: 50 }, (_, i) => ({
          sku: `MANY-${i}`,
          locationId: 'roissy-warehouse',
          quantity: 1,
        }));
        await expect(store.reserve(reserveRequest('r-many', many))).rejects.toBeInstanceOf(ValidationError);
        await expect(store.reserve(reserveRequest('r-none', []))).rejects.toBeInstanceOf(ValidationError);
        await expect(
          store.reserve(
            reserveRequest('r-zero', [{ sku: 'RING-1', locationId: 'roissy-warehouse', quantity: 0 }]),
          ),
        ).rejects.toBeInstanceOf(ValidationError);
        await expect(
          store.reserve(
            reserveRequest('bad#id', [{ sku: 'RING-1', locationId: 'roissy-warehouse', quantity: 1 }]),
          ),
        ).rejects.toBeInstanceOf(ValidationError);
      });

      it('lets exactly as many concurrent reservations through as there are units', async () => {
        const results = await Promise.allSettled(
          Array.from({ length: 12 }, (_, i) =>
            store.reserve(
              reserveRequest(`race-${i}`, [{ sku: 'BAG-1', locationId: 'roissy-warehouse', quantity: 1 }]),
            ),
          ),
        );
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
        expect(won).toHaveLength(3);
        expect(lost.every((e) => e instanceof OutOfStockError)).toBe(true);
        expect(counters(await pool('BAG-1', 'roissy-warehouse'))).toEqual({
          onHand: 3,
          available: 0,
          reserved: 3,
          allocated: 0,
        });
      });
    });

    describe('allocate', () => {
      const lines = [
        { sku: 'RING-1', locationId: 'roissy-warehouse', quantity: 2 },
        { sku: 'BAG-1', locationId: 'roissy-warehouse', quantity: 1 },
      ];

      it('turns held units into allocated ones, once', async () => {
        await store.reserve(reserveRequest('r-1', lines));
        const later = new Date(NOW.getTime() + MINUTE);
        const allocated = await store.allocate('r-1', later);
        expect(allocated).toMatchObject({ status: 'allocated', updatedAt: later.toISOString() });
        expect(await store.get('r-1')).toEqual(allocated);
        expect(await store.allocate('r-1', new Date(NOW.getTime() + 2 * MINUTE))).toEqual(allocated);
        expect(counters(await pool('RING-1', 'roissy-warehouse'))).toEqual({
          onHand: 5,
          available: 3,
          reserved: 0,
          allocated: 2,
        });
      });

      it('allocates a hold whose time has passed if the sweeper has not released it yet', async () => {
        await store.reserve(reserveRequest('r-1', lines));
        const late = new Date(NOW.getTime() + 60 * MINUTE);
        expect(await store.allocate('r-1', late)).toMatchObject({ status: 'allocated' });
        expect(await store.expiredHolds(late, 10)).toEqual([]);
      });

      it('takes the units again for a released reservation when they are still available', async () => {
        await store.reserve(reserveRequest('r-1', lines));
        expect(await store.release('r-1', 'hold-expired', NOW)).toBe(true);
        const allocated = await store.allocate('r-1', NOW);
        expect(allocated.status).toBe('allocated');
        expect(allocated.releaseReason).toBeUndefined();
        expect(counters(await pool('RING-1', 'roissy-warehouse'))).toEqual({
          onHand: 5,
          available: 3,
          reserved: 0,
          allocated: 2,
        });
      });

      it('refuses a released reservation whose units were sold meanwhile, changing nothing', async () => {
        await store.reserve(reserveRequest('r-1', lines));
        await store.release('r-1', 'hold-expired', NOW);
        await store.reserve(
          reserveRequest('r-2', [{ sku: 'BAG-1', locationId: 'roissy-warehouse', quantity: 3 }]),
        );

        const error = await store.allocate('r-1', NOW).catch((e) => e);
        expect(error).toBeInstanceOf(OutOfStockError);
        expect(error.details).toEqual({ skus: ['BAG-1'] });
        expect(await store.get('r-1')).toMatchObject({ status: 'released', releaseReason: 'hold-expired' });
        expect(counters(await pool('RING-1', 'roissy-warehouse'))).toMatchObject({
          available: 5,
          allocated: 0,
        });
      });

      it('answers not found for an unknown reservation', async () => {
        await expect(store.allocate('nope', NOW)).rejects.toBeInstanceOf(NotFoundError);
        await expect(store.release('nope', 'x', NOW)).rejects.toBeInstanceOf(NotFoundError);
        expect(await store.get('nope')).toBeUndefined();
      });
    });

    describe('release', () => {
      const lines = [{ sku: 'RING-1', locationId: 'roissy-warehouse', quantity: 2 }];

      it('gives held units back exactly once', async () => {
        await store.reserve(reserveRequest('r-1', lines));
        expect(await store.release('r-1', 'payment-declined', NOW)).toBe(true);
        expect(await store.release('r-1', 'payment-declined', NOW)).toBe(false);
        expect(await store.get('r-1')).toMatchObject({
          status: 'released',
          releaseReason: 'payment-declined',
        });
        expect(counters(await pool('RING-1', 'roissy-warehouse'))).toEqual({
          onHand: 5,
          available: 5,
          reserved: 0,
          allocated: 0,
        });
      });

      it('gives allocated units back (an order cancelled before shipping)', async () => {
        await store.reserve(reserveRequest('r-1', lines));
        await store.allocate('r-1', NOW);
        expect(await store.release('r-1', 'order-cancelled', NOW)).toBe(true);
        expect(counters(await pool('RING-1', 'roissy-warehouse'))).toEqual({
          onHand: 5,
          available: 5,
          reserved: 0,
          allocated: 0,
        });
      });

      it('with ifExpired, releases only holds whose time has passed', async () => {
        await store.reserve(reserveRequest('r-1', lines));
        await store.reserve(reserveRequest('r-2', lines));
        await store.allocate('r-2', NOW);
        const due = new Date(NOW.getTime() + 15 * MINUTE);
        expect(await store.release('r-1', 'hold-expired', NOW, { ifExpired: true })).toBe(false);
        expect(await store.release('r-2', 'hold-expired', due, { ifExpired: true })).toBe(false);
        expect(await store.release('r-1', 'hold-expired', due, { ifExpired: true })).toBe(true);
        expect((await store.get('r-2'))?.status).toBe('allocated');
        expect(counters(await pool('RING-1', 'roissy-warehouse'))).toEqual({
          onHand: 5,
          available: 3,
          reserved: 0,
          allocated: 2,
        });
      });

      it('lets exactly one of concurrent releases give the units back', async () => {
        await store.reserve(reserveRequest('r-1', lines));
        const results = await Promise.all(
          Array.from({ length: 6 }, () => store.release('r-1', 'payment-declined', NOW)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(counters(await pool('RING-1', 'roissy-warehouse'))).toMatchObject({
          available: 5,
          reserved: 0,
        });
      });

      it('settles a release racing an allocation into one consistent outcome', async () => {
        await store.reserve(reserveRequest('r-1', lines));
        const [allocated, released] = await Promise.allSettled([
          store.allocate('r-1', NOW),
          store.release('r-1', 'hold-expired', NOW, { ifExpired: false }),
        ]);
        expect(allocated.status).toBe('fulfilled');
        expect(released.status).toBe('fulfilled');
        const final = await store.get('r-1');
        const ring = await pool('RING-1', 'roissy-warehouse');
        expectConserved([ring!]);
        if (final?.status === 'allocated') expect(ring).toMatchObject({ allocated: 2, reserved: 0 });
        else expect(ring).toMatchObject({ allocated: 0, reserved: 0, available: 5 });
      });
    });

    describe('expiredHolds', () => {
      it('lists held reservations due at the given time, earliest first, up to the limit', async () => {
        const line = [{ sku: 'RING-1', locationId: 'roissy-warehouse', quantity: 1 }];
        const at = (minutes: number) => new Date(NOW.getTime() + minutes * MINUTE);
        await store.reserve(reserveRequest('due-b', line, { holdUntil: at(10) }));
        await store.reserve(reserveRequest('due-a', line, { holdUntil: at(10) }));
        await store.reserve(reserveRequest('due-first', line, { holdUntil: at(5) }));
        await store.reserve(reserveRequest('not-due', line, { holdUntil: at(30) }));
        await store.reserve(reserveRequest('paid', line, { holdUntil: at(1) }));
        await store.allocate('paid', NOW);
        await store.reserve(
          reserveRequest('declined', [{ sku: 'RING-1', locationId: 'paris-saint-honore', quantity: 1 }], {
            holdUntil: at(1),
          }),
        );
        await store.release('declined', 'payment-declined', NOW);

        const ids = async (minutes: number, limit: number) =>
          (await store.expiredHolds(at(minutes), limit)).map((r) => r.reservationId);
        expect(await ids(4, 10)).toEqual([]);
        expect(await ids(10, 10)).toEqual(['due-first', 'due-a', 'due-b']);
        expect(await ids(10, 2)).toEqual(['due-first', 'due-a']);
        expect(await ids(60, 10)).toEqual(['due-first', 'due-a', 'due-b', 'not-due']);

        await store.release('due-a', 'hold-expired', at(10), { ifExpired: true });
        expect(await ids(10, 10)).toEqual(['due-first', 'due-b']);
        expect((await store.expiredHolds(at(10), 1))[0]).toMatchObject({
          status: 'held',
          holdUntil: at(5).toISOString(),
        });
      });
    });

    it('keeps every pool conserved through a mixed history', async () => {
      const line = (sku: string, locationId: string, quantity: number) => ({ sku, locationId, quantity });
      await store.reserve(
        reserveRequest('m-1', [line('RING-1', 'roissy-warehouse', 3), line('BAG-1', 'roissy-warehouse', 1)]),
      );
      await store.reserve(reserveRequest('m-2', [line('RING-1', 'paris-saint-honore', 1)]));
      await store.allocate('m-1', NOW);
      await store.release('m-2', 'hold-expired', NOW);
      await store.reserve(reserveRequest('m-3', [line('RING-1', 'paris-saint-honore', 1)]));
      await store.release('m-1', 'order-cancelled', NOW);
      await store.allocate('m-2', NOW);
      const pools = await store.pools(['RING-1', 'BAG-1', 'WATCH-1']);
      await expectLedgerReplays(store, pools);
      expect(
        pools.map((p) => `${p.sku}@${p.locationId}:${p.available}/${p.reserved}/${p.allocated}`).sort(),
      ).toEqual([
        'BAG-1@roissy-warehouse:3/0/0',
        'RING-1@paris-saint-honore:0/1/1',
        'RING-1@roissy-warehouse:5/0/0',
        'WATCH-1@tokyo-ginza:1/0/0',
      ]);
    });
  });
  describeStockMovementsContract(name, make);
}

const STAFF: StockActor = { kind: 'staff', id: 'staff-7' };
const WAREHOUSE = 'roissy-warehouse';
const BOUTIQUE = 'paris-saint-honore';
const at = (minutes: number) => new Date(NOW.getTime() + minutes * MINUTE);
let ticks = 0;
/**
 * A moment after every earlier tick, within the first minute: entries of one pool in one millisecond
 * have no defined order, so cases that check the order give each movement its own time.
 */
const tick = () => new Date(NOW.getTime() + ++ticks * 50);
const moved = (reason: string, minutes?: number, reference?: string): Movement => ({
  actor: STAFF,
  reason,
  now: minutes === undefined ? tick() : at(minutes),
  ...(reference ? { reference } : {}),
});
const held = (reservationId: string, lines: ReservationLine[], overrides: Partial<ReserveRequest> = {}) =>
  reserveRequest(reservationId, lines, { now: tick(), ...overrides });

/**
 * The movements every StockStore must support: adjustments, fences, fenced sales, transfers,
 * fulfilment and the ledger. One store serves the whole block (a fresh DynamoDB table per case is what
 * costs), so each case works on SKUs of its own.
 */
function describeStockMovementsContract(name: string, make: () => Promise<StockStore>) {
  describe(`StockStore movements contract: ${name}`, () => {
    let store: StockStore;
    let cases = 0;
    /** A SKU no other case of this block touches. */
    const freshSku = (label: string) => `MV${++cases}-${label}`;
    const poolOf = async (sku: string, locationId = WAREHOUSE) => {
      const found = (await store.pools([sku])).find((p) => p.locationId === locationId);
      if (!found) throw new Error(`no pool ${sku}@${locationId}`);
      return found;
    };
    const stocked = async (label: string, onHand: number, locationId = WAREHOUSE) => {
      const sku = freshSku(label);
      await store.adjust({
        sku,
        locationId,
        zone: 'eu',
        locationType: locationId === WAREHOUSE ? 'warehouse' : 'boutique',
        type: 'receipt',
        by: onHand,
        ...moved('opening stock'),
      });
      return sku;
    };
    const fence = (sku: string, key: string, units: number, overflow: boolean, minutes?: number) =>
      store.setFence({
        sku,
        locationId: WAREHOUSE,
        key,
        units,
        overflow,
        ...moved('channel allocation', minutes),
      });
    const replays = async (...skus: string[]) => expectLedgerReplays(store, await store.pools(skus));
    const types = async (sku: string, locationId = WAREHOUSE) =>
      (await wholeLedger(store, sku, locationId)).map((e) => e.type);

    beforeAll(async () => {
      store = await make();
    });

    describe('adjust', () => {
      it('creates a pool on its first receipt, then moves on hand and the remainder with a ledger entry each', async () => {
        const sku = freshSku('ADJ');
        const created = await store.adjust({
          sku,
          locationId: WAREHOUSE,
          zone: 'eu',
          locationType: 'warehouse',
          type: 'receipt',
          by: 6,
          ...moved('supplier delivery', 1, 'po-17'),
        });
        expect(created).toEqual({
          sku,
          locationId: WAREHOUSE,
          zone: 'eu',
          locationType: 'warehouse',
          onHand: 6,
          reserved: 0,
          allocated: 0,
          available: 6,
          fences: {},
        });
        await store.reserve(
          held(`${sku}-r`, [{ sku, locationId: WAREHOUSE, quantity: 2 }], { now: at(1.5) }),
        );
        const base = { sku, locationId: WAREHOUSE, zone: 'eu' };
        expect(
          await store.adjust({ ...base, type: 'adjustment', by: -1, ...moved('damaged', 2) }),
        ).toMatchObject({
          onHand: 5,
          available: 3,
          reserved: 2,
        });
        expect(
          await store.adjust({ ...base, type: 'adjustment', onHand: 9, ...moved('stock take', 3) }),
        ).toMatchObject({
          onHand: 9,
          available: 7,
          reserved: 2,
          locationType: 'warehouse',
        });
        expect(
          await store.adjust({ ...base, type: 'return', by: 1, ...moved('customer return', 4) }),
        ).toMatchObject({
          onHand: 10,
          available: 8,
        });

        const entries = await wholeLedger(store, sku, WAREHOUSE);
        expect(entries.map((e) => [e.type, e.delta.onHand, e.delta.available, e.delta.reserved])).toEqual([
          ['receipt', 6, 6, 0],
          ['reservation', 0, -2, 2],
          ['adjustment', -1, -1, 0],
          ['adjustment', 4, 4, 0],
          ['return', 1, 1, 0],
        ]);
        expect(entries[0]).toMatchObject({
          sku,
          locationId: WAREHOUSE,
          actor: STAFF,
          reason: 'supplier delivery',
          reference: 'po-17',
          at: at(1).toISOString(),
        });
        expect(entries[1]).toMatchObject({
          actor: { kind: 'checkout', id: owner.checkoutId },
          reference: `${sku}-r`,
        });
        expect(new Set(entries.map((e) => e.entryId)).size).toBe(entries.length);
        await replays(sku);
      });

      it('refuses to take the shared remainder below zero, leaving pool and ledger as they were', async () => {
        const sku = await stocked('ADJ', 5);
        await store.reserve(held(`${sku}-r`, [{ sku, locationId: WAREHOUSE, quantity: 2 }]));
        await fence(sku, 'web', 2, true);
        const base = { sku, locationId: WAREHOUSE, zone: 'eu' };
        const before = await wholeLedger(store, sku, WAREHOUSE);

        const refused = await store
          .adjust({ ...base, type: 'adjustment', by: -2, ...moved('shrinkage') })
          .catch((e) => e);
        expect(refused).toBeInstanceOf(StockCommittedError);
        expect(refused.status).toBe(409);
        await expect(
          store.adjust({ ...base, type: 'adjustment', onHand: 3, ...moved('stock take') }),
        ).rejects.toBeInstanceOf(StockCommittedError);
        await expect(store.setOnHand(sku, WAREHOUSE, 'eu', 3)).rejects.toBeInstanceOf(StockCommittedError);
        await expect(
          store.adjust({ ...freshPool(), type: 'adjustment', by: -1, ...moved('nothing there') }),
        ).rejects.toBeInstanceOf(StockCommittedError);
        expect(await wholeLedger(store, sku, WAREHOUSE)).toEqual(before);

        expect(
          await store.adjust({ ...base, type: 'adjustment', onHand: 4, ...moved('stock take') }),
        ).toMatchObject({
          onHand: 4,
          available: 0,
          reserved: 2,
          fences: { web: { units: 2, overflow: true } },
        });
        await replays(sku);
      });

      it('rejects neither or both of onHand and by, fractions, negative counts and bad keys', async () => {
        const sku = await stocked('ADJ', 1);
        const base = { sku, locationId: WAREHOUSE, zone: 'eu', type: 'adjustment' as const, ...moved('x') };
        for (const bad of [
          base,
          { ...base, onHand: 2, by: 1 },
          { ...base, by: 1.5 },
          { ...base, onHand: -1 },
          { ...base, sku: 'lower-case', by: 1 },
          { ...base, locationId: 'Not A Slug', by: 1 },
          { ...base, by: 1, reason: '' },
        ]) {
          await expect(store.adjust(bad), JSON.stringify(bad)).rejects.toBeInstanceOf(ValidationError);
        }
        expect(await types(sku)).toEqual(['receipt']);
      });

      it('records setOnHand as an adjustment by the system', async () => {
        const sku = freshSku('SET');
        await store.setOnHand(sku, WAREHOUSE, 'eu', 4);
        await store.setOnHand(sku, WAREHOUSE, 'eu', 1);
        const entries = await wholeLedger(store, sku, WAREHOUSE);
        // Both carry the wall-clock time, maybe the same millisecond, and those have no defined order.
        expect(entries.map((e) => [e.type, e.actor.kind, e.delta.onHand]).sort()).toEqual([
          ['adjustment', 'system', -3],
          ['adjustment', 'system', 4],
        ]);
        await replays(sku);
      });
    });

    describe('setFence', () => {
      it('creates, grows and shrinks a fence, moving the difference from and to the shared remainder', async () => {
        const sku = await stocked('FEN', 10);
        expect(await fence(sku, 'clienteling', 3, true)).toMatchObject({
          onHand: 10,
          available: 7,
          fences: { clienteling: { units: 3, overflow: true } },
        });
        await fence(sku, 'web', 2, false);
        expect(await fence(sku, 'clienteling', 5, false)).toMatchObject({
          available: 3,
          fences: { clienteling: { units: 5, overflow: false }, web: { units: 2, overflow: false } },
        });
        expect(await fence(sku, 'clienteling', 1, false)).toMatchObject({ available: 7 });
        expect(await fence(sku, 'web', 0, false)).toMatchObject({
          available: 9,
          fences: { clienteling: { units: 1, overflow: false }, web: { units: 0, overflow: false } },
        });
        const entries = await wholeLedger(store, sku, WAREHOUSE);
        expect(entries.slice(1).map((e) => [e.type, e.delta.available, e.delta.fences])).toEqual([
          ['fence', -3, { clienteling: 3 }],
          ['fence', -2, { web: 2 }],
          ['fence', -2, { clienteling: 2 }],
          ['fence', 4, { clienteling: -4 }],
          ['fence', 2, { web: -2 }],
        ]);
        await replays(sku);
      });

      it('refuses to grow a fence beyond the shared remainder', async () => {
        const sku = await stocked('FEN', 4);
        await store.reserve(held(`${sku}-r`, [{ sku, locationId: WAREHOUSE, quantity: 2 }]));
        const refused = await fence(sku, 'web', 3, true).catch((e) => e);
        expect(refused).toBeInstanceOf(StockCommittedError);
        await fence(sku, 'web', 1, true);
        await expect(fence(sku, 'web', 4, true)).rejects.toBeInstanceOf(StockCommittedError);
        expect(await poolOf(sku)).toMatchObject({ available: 1, reserved: 2, fences: { web: { units: 1 } } });
        await replays(sku);
      });

      it('refuses an unknown pool, a bad key and a bad size', async () => {
        const sku = await stocked('FEN', 4);
        await expect(fence(freshSku('NONE'), 'web', 1, true)).rejects.toBeInstanceOf(ValidationError);
        await expect(fence(sku, 'Web Shop', 1, true)).rejects.toBeInstanceOf(ValidationError);
        await expect(fence(sku, 'web', -1, true)).rejects.toBeInstanceOf(ValidationError);
        await expect(fence(sku, 'web', 1.5, true)).rejects.toBeInstanceOf(ValidationError);
        expect(await types(sku)).toEqual(['receipt']);
      });
    });

    describe('fenced sales', () => {
      it('never lets a web sale touch a clienteling fence', async () => {
        const sku = await stocked('WEB', 5);
        await fence(sku, 'clienteling', 4, false);
        const line = { sku, locationId: WAREHOUSE, quantity: 2 };
        await expect(store.reserve(held(`${sku}-a`, [line]))).rejects.toBeInstanceOf(OutOfStockError);
        await store.reserve(held(`${sku}-b`, [{ ...line, quantity: 1 }]));
        expect(await poolOf(sku)).toMatchObject({
          available: 0,
          reserved: 1,
          fences: { clienteling: { units: 4, overflow: false } },
        });
        await replays(sku);
      });

      it('draws a clienteling sale with overflow from the fence first, then the remainder', async () => {
        const sku = await stocked('CLI', 5);
        await fence(sku, 'clienteling', 2, true);
        const reservation = await store.reserve(
          held(`${sku}-r`, [
            { sku, locationId: WAREHOUSE, quantity: 3, fence: { key: 'clienteling', units: 2 } },
          ]),
        );
        expect(reservation.lines).toEqual([
          { sku, locationId: WAREHOUSE, quantity: 3, fence: { key: 'clienteling', units: 2 } },
        ]);
        expect(await poolOf(sku)).toMatchObject({
          onHand: 5,
          available: 2,
          reserved: 3,
          fences: { clienteling: { units: 0, overflow: true } },
        });
        const [, , reserved] = await wholeLedger(store, sku, WAREHOUSE);
        expect(reserved?.delta).toEqual({
          onHand: 0,
          available: -1,
          reserved: 3,
          allocated: 0,
          fences: { clienteling: -2 },
        });
        await replays(sku);
      });

      it('stops a clienteling sale without overflow at the fence', async () => {
        const sku = await stocked('CLI', 5);
        await fence(sku, 'clienteling', 2, false);
        const fenced = (quantity: number) => ({
          sku,
          locationId: WAREHOUSE,
          quantity,
          fence: { key: 'clienteling', units: quantity },
        });
        await expect(store.reserve(held(`${sku}-a`, [fenced(3)]))).rejects.toBeInstanceOf(OutOfStockError);
        await store.reserve(held(`${sku}-b`, [fenced(2)]));
        expect(await poolOf(sku)).toMatchObject({
          available: 3,
          reserved: 2,
          fences: { clienteling: { units: 0 } },
        });
        await expect(store.reserve(held(`${sku}-c`, [fenced(1)]))).rejects.toBeInstanceOf(OutOfStockError);
        await replays(sku);
      });

      it('sells a drop only from its fence, leaving the shared remainder alone', async () => {
        const sku = await stocked('DROP', 5);
        const key = dropFenceKey('drp_Spring-26');
        await fence(sku, key, 3, false);
        const entry = (i: number) =>
          store.reserve(
            held(`${sku}-${i}`, [{ sku, locationId: WAREHOUSE, quantity: 1, fence: { key, units: 1 } }], {
              owner: { zone: 'eu', checkoutId: `chk-${i}` },
              actor: { kind: 'drop', id: 'drp_Spring-26' },
            }),
          );
        const results = await Promise.allSettled([0, 1, 2, 3, 4].map(entry));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
        expect(results.every((r) => r.status === 'fulfilled' || r.reason instanceof OutOfStockError)).toBe(
          true,
        );
        expect(await poolOf(sku)).toMatchObject({
          available: 2,
          reserved: 3,
          fences: { [key]: { units: 0 } },
        });
        const reservations = (await wholeLedger(store, sku, WAREHOUSE)).filter(
          (e) => e.type === 'reservation',
        );
        expect(reservations.map((e) => e.actor)).toEqual(
          Array(3).fill({ kind: 'drop', id: 'drp_Spring-26' }),
        );
        await replays(sku);
      });

      it('gives each part back where it came from, and a late payment takes it from there again', async () => {
        const sku = await stocked('REL', 6);
        await fence(sku, 'clienteling', 3, true);
        const line = { sku, locationId: WAREHOUSE, quantity: 4, fence: { key: 'clienteling', units: 3 } };
        await store.reserve(held(`${sku}-r`, [line]));
        expect(await poolOf(sku)).toMatchObject({
          available: 2,
          reserved: 4,
          fences: { clienteling: { units: 0 } },
        });

        expect(await store.release(`${sku}-r`, 'hold_expired', at(20))).toBe(true);
        expect(await poolOf(sku)).toMatchObject({
          available: 3,
          reserved: 0,
          fences: { clienteling: { units: 3 } },
        });

        await store.allocate(`${sku}-r`, at(21));
        expect(await poolOf(sku)).toMatchObject({
          available: 2,
          allocated: 4,
          fences: { clienteling: { units: 0 } },
        });

        expect(await store.release(`${sku}-r`, 'order_cancelled', at(22))).toBe(true);
        expect(await poolOf(sku)).toMatchObject({
          available: 3,
          allocated: 0,
          fences: { clienteling: { units: 3 } },
        });

        // The fence shrank meanwhile: the released reservation's fenced units are no longer there.
        await fence(sku, 'clienteling', 2, true, 23);
        await expect(store.allocate(`${sku}-r`, at(24))).rejects.toBeInstanceOf(OutOfStockError);
        expect(await types(sku)).toEqual([
          'receipt',
          'fence',
          'reservation',
          'release',
          'allocation',
          'release',
          'fence',
        ]);
        await replays(sku);
      });

      it('refuses a fenced part larger than its line, and two fences for one pool', async () => {
        const sku = await stocked('BAD', 5);
        await expect(
          store.reserve(
            held(`${sku}-a`, [{ sku, locationId: WAREHOUSE, quantity: 1, fence: { key: 'web', units: 2 } }]),
          ),
        ).rejects.toBeInstanceOf(ValidationError);
        await expect(
          store.reserve(
            held(`${sku}-b`, [
              { sku, locationId: WAREHOUSE, quantity: 1, fence: { key: 'web', units: 1 } },
              { sku, locationId: WAREHOUSE, quantity: 1, fence: { key: 'app', units: 1 } },
            ]),
          ),
        ).rejects.toBeInstanceOf(ValidationError);
      });
    });

    describe('transfers', () => {
      it('dispatches off the source and receives onto the destination, creating its pool, once each', async () => {
        const sku = await stocked('TRF', 5);
        const request = {
          transferId: `trf_${sku.toLowerCase()}`,
          sku,
          fromLocationId: WAREHOUSE,
          toLocationId: BOUTIQUE,
          quantity: 2,
          ...moved('restock the boutique', 1),
        };
        const dispatched = await store.dispatchTransfer(request);
        expect(dispatched).toEqual({
          transferId: request.transferId,
          sku,
          fromLocationId: WAREHOUSE,
          toLocationId: BOUTIQUE,
          quantity: 2,
          status: 'in_transit',
          actor: STAFF,
          reason: 'restock the boutique',
          dispatchedAt: at(1).toISOString(),
        });
        expect(await store.getTransfer(request.transferId)).toEqual(dispatched);
        expect(await store.dispatchTransfer(request)).toEqual(dispatched);
        expect(await poolOf(sku)).toMatchObject({ onHand: 3, available: 3 });
        expect(await store.pools([sku])).toHaveLength(1);

        const received = await store.receiveTransfer(request.transferId, moved('arrived', 60));
        expect(received).toEqual({ ...dispatched, status: 'received', receivedAt: at(60).toISOString() });
        expect(await store.receiveTransfer(request.transferId, moved('arrived again', 61))).toEqual(received);
        expect(await poolOf(sku, BOUTIQUE)).toMatchObject({
          zone: 'eu',
          onHand: 2,
          available: 2,
          reserved: 0,
          allocated: 0,
          fences: {},
        });
        const out = await wholeLedger(store, sku, WAREHOUSE);
        const into = await wholeLedger(store, sku, BOUTIQUE);
        expect(out.map((e) => [e.type, e.delta.onHand, e.reference])).toEqual([
          ['receipt', 5, undefined],
          ['transfer_out', -2, request.transferId],
        ]);
        expect(into.map((e) => [e.type, e.delta.onHand, e.reference, e.reason])).toEqual([
          ['transfer_in', 2, request.transferId, 'arrived'],
        ]);
        await replays(sku);
      });

      it('receives onto an existing pool exactly once under concurrent receipts', async () => {
        const sku = await stocked('TRF', 5);
        await store.adjust({ sku, locationId: BOUTIQUE, zone: 'eu', type: 'receipt', by: 1, ...moved('x') });
        const transferId = `trf_${sku.toLowerCase()}`;
        await store.dispatchTransfer({
          transferId,
          sku,
          fromLocationId: WAREHOUSE,
          toLocationId: BOUTIQUE,
          quantity: 3,
          ...moved('restock'),
        });
        const results = await Promise.all(
          Array.from({ length: 4 }, () => store.receiveTransfer(transferId, moved('arrived', 5))),
        );
        expect(results.every((t) => t.status === 'received')).toBe(true);
        expect(await poolOf(sku, BOUTIQUE)).toMatchObject({ onHand: 4, available: 4 });
        expect(await types(sku, BOUTIQUE)).toEqual(['receipt', 'transfer_in']);
        await replays(sku);
      });

      it('refuses another transfer under a taken id, an uncovered dispatch, a loop and an unknown receipt', async () => {
        const sku = await stocked('TRF', 3);
        await fence(sku, 'web', 2, true);
        const request = {
          transferId: `trf_${sku.toLowerCase()}`,
          sku,
          fromLocationId: WAREHOUSE,
          toLocationId: BOUTIQUE,
          quantity: 1,
          ...moved('restock'),
        };
        await store.dispatchTransfer(request);
        await expect(store.dispatchTransfer({ ...request, quantity: 2 })).rejects.toBeInstanceOf(
          ReservationConflictError,
        );
        // Fenced units are not the shared remainder's to send away.
        await expect(
          store.dispatchTransfer({ ...request, transferId: `${request.transferId}-2` }),
        ).rejects.toBeInstanceOf(OutOfStockError);
        await expect(
          store.dispatchTransfer({
            ...request,
            transferId: `${request.transferId}-3`,
            toLocationId: WAREHOUSE,
          }),
        ).rejects.toBeInstanceOf(ValidationError);
        await expect(store.receiveTransfer('trf_nope', moved('x'))).rejects.toBeInstanceOf(NotFoundError);
        expect(await store.getTransfer('trf_nope')).toBeUndefined();
        expect(await poolOf(sku)).toMatchObject({ onHand: 2, available: 0 });
        await replays(sku);
      });
    });

    describe('fulfil', () => {
      const twoLocations = async (label: string) => {
        const sku = await stocked(label, 4);
        await store.adjust({ sku, locationId: BOUTIQUE, zone: 'eu', type: 'receipt', by: 3, ...moved('x') });
        const id = `${sku}-r`;
        await store.reserve(
          held(id, [
            { sku, locationId: WAREHOUSE, quantity: 2 },
            { sku, locationId: BOUTIQUE, quantity: 1 },
          ]),
        );
        return { sku, id };
      };

      it('ships an allocated reservation location by location, then marks it fulfilled', async () => {
        const { sku, id } = await twoLocations('FUL');
        await store.allocate(id, at(1));
        const first = await store.fulfil(id, moved('shipped', 2, 'shp-1'), [WAREHOUSE]);
        expect(first.status).toBe('allocated');
        expect(first.lines.find((l) => l.locationId === WAREHOUSE)?.fulfilledAt).toBe(at(2).toISOString());
        expect(first.lines.find((l) => l.locationId === BOUTIQUE)?.fulfilledAt).toBeUndefined();
        expect(await poolOf(sku)).toMatchObject({ onHand: 2, allocated: 0, available: 2 });
        expect(await store.fulfil(id, moved('shipped again', 3), [WAREHOUSE])).toEqual(first);
        expect(await poolOf(sku)).toMatchObject({ onHand: 2 });

        const done = await store.fulfil(id, moved('collected', 4));
        expect(done).toMatchObject({ status: 'fulfilled', updatedAt: at(4).toISOString() });
        expect(done.lines.every((l) => l.fulfilledAt !== undefined)).toBe(true);
        expect(await store.get(id)).toEqual(done);
        expect(await poolOf(sku, BOUTIQUE)).toMatchObject({ onHand: 2, allocated: 0, available: 2 });
        expect(await store.fulfil(id, moved('again', 5))).toEqual(done);
        expect(await store.allocate(id, at(6))).toEqual(done);
        expect(await store.release(id, 'order_cancelled', at(7))).toBe(false);
        expect(await store.expiredHolds(at(60), 100)).not.toContainEqual(
          expect.objectContaining({ reservationId: id }),
        );

        const shipments = (await wholeLedger(store, sku, WAREHOUSE)).filter((e) => e.type === 'shipment');
        expect(shipments).toEqual([
          expect.objectContaining({
            reason: 'shipped',
            reference: 'shp-1',
            delta: { onHand: -2, available: 0, reserved: 0, allocated: -2, fences: {} },
          }),
        ]);
        expect((await wholeLedger(store, sku, BOUTIQUE)).at(-1)).toMatchObject({
          type: 'shipment',
          reason: 'collected',
          reference: id,
        });
        await replays(sku);
      });

      it('refuses to fulfil a held or released reservation, an unknown one, or a location it does not use', async () => {
        const { sku, id } = await twoLocations('FUL');
        await expect(store.fulfil(id, moved('shipped'))).rejects.toBeInstanceOf(ReservationConflictError);
        await store.allocate(id, at(1));
        await expect(store.fulfil(id, moved('shipped'), ['tokyo-ginza'])).rejects.toBeInstanceOf(
          ValidationError,
        );
        await store.release(id, 'order_cancelled', at(2));
        await expect(store.fulfil(id, moved('shipped'))).rejects.toBeInstanceOf(ReservationConflictError);
        await expect(store.fulfil('nope', moved('shipped'))).rejects.toBeInstanceOf(NotFoundError);
        await replays(sku);
      });

      it('releases only the lines that have not left, and a late payment takes only those again', async () => {
        const { sku, id } = await twoLocations('FUL');
        await store.allocate(id, at(1));
        await store.fulfil(id, moved('shipped', 2), [WAREHOUSE]);
        expect(await store.release(id, 'order_cancelled', at(3))).toBe(true);
        expect(await poolOf(sku)).toMatchObject({ onHand: 2, available: 2, allocated: 0 });
        expect(await poolOf(sku, BOUTIQUE)).toMatchObject({ onHand: 3, available: 3, allocated: 0 });

        const again = await store.allocate(id, at(4));
        expect(again.status).toBe('allocated');
        expect(await poolOf(sku)).toMatchObject({ onHand: 2, available: 2, allocated: 0 });
        expect(await poolOf(sku, BOUTIQUE)).toMatchObject({ available: 2, allocated: 1 });
        expect((await store.fulfil(id, moved('collected', 5))).status).toBe('fulfilled');
        await replays(sku);
      });

      it('lands concurrent fulfilments of different locations, and exactly once each', async () => {
        const { sku, id } = await twoLocations('FUL');
        await store.allocate(id, at(1));
        await Promise.all([
          store.fulfil(id, moved('shipped', 2), [WAREHOUSE]),
          store.fulfil(id, moved('collected', 2), [BOUTIQUE]),
          store.fulfil(id, moved('shipped', 2), [WAREHOUSE]),
        ]);
        expect((await store.get(id))?.status).toBe('fulfilled');
        expect(await poolOf(sku)).toMatchObject({ onHand: 2, allocated: 0 });
        expect(await poolOf(sku, BOUTIQUE)).toMatchObject({ onHand: 2, allocated: 0 });
        await replays(sku);
      });
    });

    describe('ledger', () => {
      it('pages a pool ledger oldest first, with a cursor until the last page', async () => {
        const sku = await stocked('LED', 10);
        for (let i = 1; i <= 6; i++) {
          await store.adjust({
            sku,
            locationId: WAREHOUSE,
            zone: 'eu',
            type: 'receipt',
            by: i,
            ...moved(`delivery ${i}`, i),
          });
        }
        const first = await store.ledger(sku, WAREHOUSE, { limit: 3 });
        expect(first.entries.map((e) => e.reason)).toEqual(['opening stock', 'delivery 1', 'delivery 2']);
        expect(first.next).toEqual(expect.any(String));
        const second = await store.ledger(sku, WAREHOUSE, { limit: 3, after: first.next! });
        expect(second.entries.map((e) => e.reason)).toEqual(['delivery 3', 'delivery 4', 'delivery 5']);
        const last = await store.ledger(sku, WAREHOUSE, { limit: 3, after: second.next! });
        expect(last.entries.map((e) => e.reason)).toEqual(['delivery 6']);
        expect(last.next).toBeUndefined();
        expect((await store.ledger(sku, WAREHOUSE, { limit: 7 })).next).toBeUndefined();
        expect((await store.ledger(sku, WAREHOUSE)).entries).toHaveLength(7);
        expect(await store.ledger(freshSku('NONE'), WAREHOUSE)).toEqual({ entries: [] });
        await expect(store.ledger(sku, WAREHOUSE, { limit: 0 })).rejects.toBeInstanceOf(ValidationError);
        expect(await wholeLedger(store, sku, WAREHOUSE, 2)).toEqual(
          (await store.ledger(sku, WAREHOUSE)).entries,
        );
      });

      it('reserves 49 pools in one step with a ledger entry each, and refuses a 50th', async () => {
        const skus = await Promise.all(Array.from({ length: 50 }, () => stocked('WIDE', 1)));
        const lines = skus.map((sku) => ({ sku, locationId: WAREHOUSE, quantity: 1 }));
        await expect(store.reserve(held(`${skus[0]}-50`, lines))).rejects.toBeInstanceOf(ValidationError);
        const reservation = await store.reserve(held(`${skus[0]}-49`, lines.slice(0, 49)));
        expect(reservation.lines).toHaveLength(49);
        await store.release(reservation.reservationId, 'cancelled', at(1));
        const pools = await store.pools(skus);
        expect(pools.every((p) => p.available === 1)).toBe(true);
        await replays(...skus);
      });
    });
  });
}

/** A pool key nothing has stocked. */
function freshPool() {
  return {
    sku: `NONE-${Math.random().toString(36).slice(2, 10).toUpperCase()}`,
    locationId: WAREHOUSE,
    zone: 'eu',
  };
}
