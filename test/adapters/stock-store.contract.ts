import { beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.ts';
import {
  OutOfStockError,
  ReservationConflictError,
  StockCommittedError,
} from '../../lib/inventory/errors.ts';
import {
  poolViolations,
  type Reservation,
  type ReservationLine,
  type StockPool,
} from '../../lib/inventory/stock.ts';
import type { ReserveRequest, StockStore } from '../../lib/inventory/stock-store.ts';

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

      it('rejects more than 99 pools, empty reservations and bad quantities before writing', async () => {
        const many = Array.from({ length: 100 }, (_, i) => ({
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
      expectConserved(pools);
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
}
