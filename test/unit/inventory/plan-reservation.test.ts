import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lib/errors.ts';
import { OutOfStockError } from '../../../lib/inventory/errors.ts';
import { planReservation } from '../../../lib/inventory/plan-reservation.ts';
import type { DemandLine, PoolLocationType, StockPool } from '../../../lib/inventory/stock.ts';

const pool = (
  sku: string,
  locationId: string,
  available: number,
  zone = 'eu',
  locationType?: PoolLocationType,
): StockPool => ({
  sku,
  locationId,
  zone,
  ...(locationType ? { locationType } : {}),
  onHand: available + 1,
  reserved: 1,
  allocated: 0,
  available,
});

const plannedOrThrown = (lines: DemandLine[], pools: StockPool[], zone = 'eu') => {
  try {
    return planReservation(lines, pools, { zone });
  } catch (error) {
    return error;
  }
};

describe('planReservation', () => {
  it('prefers a warehouse over a boutique even when the boutique holds more', () => {
    const pools = [
      pool('RING-1', 'paris-saint-honore', 9, 'eu', 'boutique'),
      pool('RING-1', 'venlo-warehouse', 2, 'eu', 'warehouse'),
      pool('RING-1', 'roissy-warehouse', 3, 'eu', 'warehouse'),
    ];
    expect(planReservation([{ sku: 'RING-1', quantity: 2 }], pools, { zone: 'eu' })).toEqual([
      { sku: 'RING-1', locationId: 'roissy-warehouse', quantity: 2 },
    ]);
    // Only the boutique can serve four.
    expect(planReservation([{ sku: 'RING-1', quantity: 4 }], pools, { zone: 'eu' })).toEqual([
      { sku: 'RING-1', locationId: 'paris-saint-honore', quantity: 4 },
    ]);
  });

  it('breaks ties on location id, so the same stock always gives the same plan', () => {
    const pools = [
      pool('RING-1', 'venlo-warehouse', 3, 'eu', 'warehouse'),
      pool('RING-1', 'roissy-warehouse', 3, 'eu', 'warehouse'),
    ];
    expect(planReservation([{ sku: 'RING-1', quantity: 1 }], pools, { zone: 'eu' })[0]?.locationId).toBe(
      'roissy-warehouse',
    );
    expect(
      planReservation([{ sku: 'RING-1', quantity: 1 }], [...pools].reverse(), { zone: 'eu' })[0]?.locationId,
    ).toBe('roissy-warehouse');
  });

  it('sums lines of one SKU and serves them from a single location', () => {
    const pools = [
      pool('BAG-1', 'roissy-warehouse', 2, 'eu', 'warehouse'),
      pool('BAG-1', 'milan-via-montenapoleone', 3, 'eu', 'boutique'),
    ];
    expect(
      planReservation(
        [
          { sku: 'BAG-1', quantity: 2 },
          { sku: 'BAG-1', quantity: 1 },
        ],
        pools,
        { zone: 'eu' },
      ),
    ).toEqual([{ sku: 'BAG-1', locationId: 'milan-via-montenapoleone', quantity: 3 }]);
  });

  it('serves shipped orders from the shopper zone only', () => {
    const pools = [pool('WATCH-1', 'tokyo-ginza', 5, 'apac', 'boutique')];
    const error = plannedOrThrown([{ sku: 'WATCH-1', quantity: 1 }], pools, 'eu');
    expect(error).toBeInstanceOf(OutOfStockError);
    expect((error as OutOfStockError).details).toEqual({ skus: ['WATCH-1'] });
  });

  it('takes everything from the pickup location when collecting in store', () => {
    const pools = [
      pool('RING-1', 'roissy-warehouse', 10, 'eu', 'warehouse'),
      pool('RING-1', 'paris-saint-honore', 1, 'eu', 'boutique'),
      pool('BAG-1', 'roissy-warehouse', 10, 'eu', 'warehouse'),
    ];
    const preference = { zone: 'eu', pickupLocationId: 'paris-saint-honore' };
    expect(planReservation([{ sku: 'RING-1', quantity: 1 }], pools, preference)).toEqual([
      { sku: 'RING-1', locationId: 'paris-saint-honore', quantity: 1 },
    ]);
    const error = (() => {
      try {
        return planReservation(
          [
            { sku: 'RING-1', quantity: 2 },
            { sku: 'BAG-1', quantity: 1 },
          ],
          pools,
          preference,
        );
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(OutOfStockError);
    expect((error as OutOfStockError).details.skus).toEqual(['BAG-1', 'RING-1']);
  });

  it('names every SKU it cannot serve, including SKUs without any pool', () => {
    const pools = [pool('RING-1', 'roissy-warehouse', 1), pool('BAG-1', 'roissy-warehouse', 5)];
    const error = plannedOrThrown(
      [
        { sku: 'RING-1', quantity: 2 },
        { sku: 'BAG-1', quantity: 5 },
        { sku: 'GHOST-1', quantity: 1 },
      ],
      pools,
    );
    expect(error).toBeInstanceOf(OutOfStockError);
    expect(error).toMatchObject({
      code: 'OUT_OF_STOCK',
      status: 409,
      details: { skus: ['GHOST-1', 'RING-1'] },
    });
  });

  it('rejects an empty cart and non-positive quantities', () => {
    expect(() => planReservation([], [], { zone: 'eu' })).toThrow(ValidationError);
    expect(() => planReservation([{ sku: 'RING-1', quantity: 0 }], [], { zone: 'eu' })).toThrow(
      ValidationError,
    );
  });

  describe('properties', () => {
    const SKUS = ['SKU-A', 'SKU-B', 'SKU-C', 'SKU-D', 'SKU-E'];
    const LOCATIONS = [
      { locationId: 'loc-a', zone: 'eu' },
      { locationId: 'loc-b', zone: 'eu' },
      { locationId: 'loc-c', zone: 'eu' },
      { locationId: 'loc-d', zone: 'us' },
      { locationId: 'loc-e', zone: 'us' },
    ];
    const ZONES = ['eu', 'us'];

    // A grid of SKUs by locations, most cells stocked, each location of one random type, so that a good
    // share of carts can be planned and the preference rules have choices to make.
    const poolsArb = fc
      .record({
        types: fc.tuple(
          ...LOCATIONS.map(() =>
            fc.constantFrom<PoolLocationType | undefined>('warehouse', 'boutique', undefined),
          ),
        ),
        cells: fc.tuple(
          ...SKUS.flatMap(() =>
            LOCATIONS.map(() =>
              fc.option(
                fc.record({
                  available: fc.nat({ max: 10 }),
                  reserved: fc.nat({ max: 3 }),
                  allocated: fc.nat({ max: 3 }),
                }),
                { freq: 3 },
              ),
            ),
          ),
        ),
      })
      .map(({ types, cells }) =>
        cells.flatMap((cell, i): StockPool[] => {
          const sku = SKUS[Math.floor(i / LOCATIONS.length)]!;
          const location = LOCATIONS[i % LOCATIONS.length]!;
          const locationType = types[i % LOCATIONS.length];
          if (!cell) return [];
          return [
            {
              sku,
              ...location,
              ...(locationType ? { locationType } : {}),
              ...cell,
              onHand: cell.available + cell.reserved + cell.allocated,
            },
          ];
        }),
      );
    const linesArb = fc.array(
      fc.record({ sku: fc.constantFrom(...SKUS), quantity: fc.integer({ min: 1, max: 4 }) }),
      { minLength: 1, maxLength: 6 },
    );
    const preferenceArb = fc.record({
      zone: fc.constantFrom(...ZONES),
      pickupLocationId: fc.option(fc.constantFrom(...LOCATIONS.map((l) => l.locationId)), {
        nil: undefined,
        freq: 3,
      }),
    });

    const demandOf = (lines: readonly DemandLine[]) => {
      const demand = new Map<string, number>();
      for (const l of lines) demand.set(l.sku, (demand.get(l.sku) ?? 0) + l.quantity);
      return demand;
    };

    /** SKUs no single eligible pool can serve in full: what the planner must name, computed naively. */
    const unservable = (
      lines: DemandLine[],
      pools: StockPool[],
      preference: { zone: string; pickupLocationId?: string | undefined },
    ) =>
      [...demandOf(lines)]
        .filter(
          ([sku, quantity]) =>
            !pools.some(
              (p) =>
                p.sku === sku &&
                p.available >= quantity &&
                (preference.pickupLocationId === undefined
                  ? p.zone === preference.zone
                  : p.locationId === preference.pickupLocationId),
            ),
        )
        .map(([sku]) => sku)
        .sort();

    it('plans exactly the summed demand within each pool, or names exactly the unservable SKUs', () => {
      const outcomes = { planned: 0, short: 0 };
      fc.assert(
        fc.property(linesArb, poolsArb, preferenceArb, (lines, pools, rawPreference) => {
          const preference =
            rawPreference.pickupLocationId === undefined
              ? { zone: rawPreference.zone }
              : { zone: rawPreference.zone, pickupLocationId: rawPreference.pickupLocationId };
          const expectedShort = unservable(lines, pools, preference);
          let plan: ReturnType<typeof planReservation>;
          try {
            plan = planReservation(lines, pools, preference);
          } catch (error) {
            expect(error).toBeInstanceOf(OutOfStockError);
            expect((error as OutOfStockError).details.skus).toEqual(expectedShort);
            expect(expectedShort.length).toBeGreaterThan(0);
            outcomes.short++;
            return;
          }
          expect(expectedShort).toEqual([]);
          outcomes.planned++;

          // Exactly the summed demand, one line per SKU.
          const demand = demandOf(lines);
          expect(plan).toHaveLength(demand.size);
          for (const line of plan) expect(line.quantity).toBe(demand.get(line.sku));

          // Never more than a pool has, and only from eligible pools.
          for (const line of plan) {
            const source = pools.find((p) => p.sku === line.sku && p.locationId === line.locationId);
            expect(source).toBeDefined();
            expect(line.quantity).toBeLessThanOrEqual(source!.available);
            if (preference.pickupLocationId) expect(line.locationId).toBe(preference.pickupLocationId);
            else expect(source!.zone).toBe(preference.zone);
          }
        }),
        { numRuns: 2_000 },
      );
      // Both answers must be common, or the property says little about one of them.
      expect(outcomes.planned).toBeGreaterThan(300);
      expect(outcomes.short).toBeGreaterThan(300);
    });

    it('never prefers a boutique when a warehouse of the zone can serve the line', () => {
      fc.assert(
        fc.property(linesArb, poolsArb, fc.constantFrom(...ZONES), (lines, pools, zone) => {
          let plan: ReturnType<typeof planReservation>;
          try {
            plan = planReservation(lines, pools, { zone });
          } catch {
            return;
          }
          for (const line of plan) {
            const chosen = pools.find((p) => p.sku === line.sku && p.locationId === line.locationId)!;
            const warehouseCould = pools.some(
              (p) =>
                p.sku === line.sku &&
                p.zone === zone &&
                p.locationType === 'warehouse' &&
                p.available >= line.quantity,
            );
            if (warehouseCould) expect(chosen.locationType).toBe('warehouse');
          }
        }),
        { numRuns: 1_000 },
      );
    });

    it('gives the same plan whatever order the pools are listed in', () => {
      fc.assert(
        fc.property(linesArb, poolsArb, fc.constantFrom(...ZONES), (lines, pools, zone) => {
          const plan = plannedOrThrown(lines, pools, zone);
          const reversed = plannedOrThrown(lines, [...pools].reverse(), zone);
          expect(reversed).toEqual(plan);
        }),
        { numRuns: 500 },
      );
    });
  });
});
