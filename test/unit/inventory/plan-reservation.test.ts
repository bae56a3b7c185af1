import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lib/errors.ts';
import type { StockLocation } from '../../../lib/inventory/availability.ts';
import { OutOfStockError } from '../../../lib/inventory/errors.ts';
import { planReservation, type ReservationPreference } from '../../../lib/inventory/plan-reservation.ts';
import {
  type Channel,
  type DemandLine,
  dropFenceKey,
  MAX_RESERVATION_POOLS,
  type PoolLocationType,
  type ReservationLine,
  type StockFence,
  type StockPool,
} from '../../../lib/inventory/stock.ts';

interface PoolOptions {
  readonly zone?: string;
  readonly type?: PoolLocationType;
  readonly fences?: Record<string, StockFence>;
}

/** A sound pool: one unit allocated, so `available` is not simply `onHand`. */
const pool = (sku: string, locationId: string, available: number, options: PoolOptions = {}): StockPool => {
  const fences = options.fences ?? {};
  const fenced = Object.values(fences).reduce((sum, f) => sum + f.units, 0);
  return {
    sku,
    locationId,
    zone: options.zone ?? 'eu',
    ...(options.type ? { locationType: options.type } : {}),
    onHand: available + fenced + 1,
    reserved: 0,
    allocated: 1,
    available,
    fences,
  };
};

const warehouse = (region: string, extra: Partial<StockLocation> = {}): StockLocation => ({
  zone: 'eu',
  region,
  type: 'warehouse',
  ...extra,
});
const boutique = (region: string, extra: Partial<StockLocation> = {}): StockLocation => ({
  zone: 'eu',
  region,
  type: 'boutique',
  pickupCapable: true,
  ...extra,
});

/** The demo's shape in miniature: two home regions in the EU zone, one in the US. */
const LOCATIONS = new Map<string, StockLocation>([
  ['roissy-warehouse', warehouse('eu-central-1')],
  ['venlo-warehouse', warehouse('eu-central-1')],
  ['paris-saint-honore', boutique('eu-central-1')],
  ['milan-via-montenapoleone', boutique('eu-central-1')],
  ['dublin-warehouse', warehouse('eu-west-1')],
  ['london-new-bond-street', boutique('eu-west-1')],
  ['courchevel-1850', boutique('eu-central-1', { pickupCapable: false, priority: 90 })],
  ['secaucus-warehouse', { zone: 'us', region: 'us-east-1', type: 'warehouse' }],
]);

const plan = (lines: DemandLine[], pools: StockPool[], preference: Partial<ReservationPreference> = {}) =>
  planReservation(lines, pools, { zone: 'eu', locations: LOCATIONS, ...preference });

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
};

const locationsOf = (lines: readonly ReservationLine[]) =>
  [...new Set(lines.map((l) => l.locationId))].sort();

describe('planReservation', () => {
  describe('click and collect', () => {
    it('takes everything from the pickup boutique, even when a warehouse holds more', () => {
      const pools = [
        pool('RING-1', 'roissy-warehouse', 10),
        pool('RING-1', 'paris-saint-honore', 1),
        pool('BAG-1', 'paris-saint-honore', 2),
      ];
      expect(
        plan(
          [
            { sku: 'RING-1', quantity: 1 },
            { sku: 'BAG-1', quantity: 2 },
          ],
          pools,
          { pickupLocationId: 'paris-saint-honore' },
        ),
      ).toEqual([
        { sku: 'BAG-1', locationId: 'paris-saint-honore', quantity: 2 },
        { sku: 'RING-1', locationId: 'paris-saint-honore', quantity: 1 },
      ]);
    });

    it('refuses, naming the SKUs, when the boutique lacks any of them', () => {
      const pools = [
        pool('RING-1', 'roissy-warehouse', 10),
        pool('RING-1', 'paris-saint-honore', 1),
        pool('BAG-1', 'roissy-warehouse', 10),
      ];
      const error = thrown(() =>
        plan(
          [
            { sku: 'RING-1', quantity: 2 },
            { sku: 'BAG-1', quantity: 1 },
          ],
          pools,
          { pickupLocationId: 'paris-saint-honore' },
        ),
      );
      expect(error).toBeInstanceOf(OutOfStockError);
      expect((error as OutOfStockError).details.skus).toEqual(['BAG-1', 'RING-1']);
    });
  });

  describe('home region', () => {
    it('keeps every pool of a reservation in one home region', () => {
      // Each SKU is only in one region: no single-region plan exists.
      const pools = [pool('RING-1', 'roissy-warehouse', 5), pool('BAG-1', 'dublin-warehouse', 5)];
      const error = thrown(() =>
        plan(
          [
            { sku: 'RING-1', quantity: 1 },
            { sku: 'BAG-1', quantity: 1 },
          ],
          pools,
        ),
      );
      expect(error).toBeInstanceOf(OutOfStockError);
      expect((error as OutOfStockError).details.skus).toHaveLength(1);
    });

    it('tries every region of the zone and keeps the one that serves the order best', () => {
      const pools = [
        // eu-central-1 needs two warehouses...
        pool('RING-1', 'roissy-warehouse', 5),
        pool('BAG-1', 'venlo-warehouse', 5),
        // ...eu-west-1 serves it all from one.
        pool('RING-1', 'dublin-warehouse', 1),
        pool('BAG-1', 'dublin-warehouse', 1),
      ];
      expect(
        plan(
          [
            { sku: 'RING-1', quantity: 1 },
            { sku: 'BAG-1', quantity: 1 },
          ],
          pools,
        ),
      ).toEqual([
        { sku: 'BAG-1', locationId: 'dublin-warehouse', quantity: 1 },
        { sku: 'RING-1', locationId: 'dublin-warehouse', quantity: 1 },
      ]);
    });

    it('serves shipped orders from the shopper zone only', () => {
      const pools = [pool('WATCH-1', 'secaucus-warehouse', 5, { zone: 'us' })];
      const error = thrown(() => plan([{ sku: 'WATCH-1', quantity: 1 }], pools));
      expect(error).toBeInstanceOf(OutOfStockError);
      expect((error as OutOfStockError).details).toEqual({ skus: ['WATCH-1'] });
      expect(plan([{ sku: 'WATCH-1', quantity: 1 }], pools, { zone: 'us' })).toHaveLength(1);
    });

    it('never combines a location the directory does not know with another', () => {
      // The pool says eu, but nothing says which region holds it.
      const pools = [pool('RING-1', 'pop-up-store', 5), pool('BAG-1', 'roissy-warehouse', 5)];
      expect(plan([{ sku: 'RING-1', quantity: 2 }], pools)).toEqual([
        { sku: 'RING-1', locationId: 'pop-up-store', quantity: 2 },
      ]);
      expect(
        thrown(() =>
          plan(
            [
              { sku: 'RING-1', quantity: 1 },
              { sku: 'BAG-1', quantity: 1 },
            ],
            pools,
          ),
        ),
      ).toBeInstanceOf(OutOfStockError);
    });
  });

  describe('locations', () => {
    it('prefers a warehouse over a boutique even when the boutique holds more', () => {
      const pools = [
        pool('RING-1', 'paris-saint-honore', 9),
        pool('RING-1', 'venlo-warehouse', 2),
        pool('RING-1', 'roissy-warehouse', 3),
      ];
      expect(plan([{ sku: 'RING-1', quantity: 2 }], pools)).toEqual([
        { sku: 'RING-1', locationId: 'roissy-warehouse', quantity: 2 },
      ]);
      // Only the boutique holds four in one place.
      expect(plan([{ sku: 'RING-1', quantity: 4 }], pools)).toEqual([
        { sku: 'RING-1', locationId: 'paris-saint-honore', quantity: 4 },
      ]);
    });

    it('ranks by priority, which a location may set, then by stock, then by id', () => {
      const pools = [
        pool('RING-1', 'courchevel-1850', 9),
        pool('RING-1', 'milan-via-montenapoleone', 3),
        pool('RING-1', 'paris-saint-honore', 4),
      ];
      // Courchevel sets 90, behind every boutique; of the two others, Paris holds more.
      expect(plan([{ sku: 'RING-1', quantity: 1 }], pools)[0]?.locationId).toBe('paris-saint-honore');
      const even = [pool('RING-1', 'venlo-warehouse', 3), pool('RING-1', 'roissy-warehouse', 3)];
      expect(plan([{ sku: 'RING-1', quantity: 1 }], even)[0]?.locationId).toBe('roissy-warehouse');
      expect(plan([{ sku: 'RING-1', quantity: 1 }], [...even].reverse())[0]?.locationId).toBe(
        'roissy-warehouse',
      );
    });

    it('ships the whole order from one location when one can, over better-ranked split shipments', () => {
      const pools = [
        pool('RING-1', 'roissy-warehouse', 5),
        pool('BAG-1', 'venlo-warehouse', 5),
        pool('RING-1', 'milan-via-montenapoleone', 1),
        pool('BAG-1', 'milan-via-montenapoleone', 1),
      ];
      expect(
        plan(
          [
            { sku: 'RING-1', quantity: 1 },
            { sku: 'BAG-1', quantity: 1 },
          ],
          pools,
        ),
      ).toEqual([
        { sku: 'BAG-1', locationId: 'milan-via-montenapoleone', quantity: 1 },
        { sku: 'RING-1', locationId: 'milan-via-montenapoleone', quantity: 1 },
      ]);
    });

    it('otherwise uses the fewest locations, at most maxLocations', () => {
      const pools = [
        pool('RING-1', 'roissy-warehouse', 5),
        pool('BAG-1', 'venlo-warehouse', 5),
        pool('BELT-1', 'paris-saint-honore', 5),
        pool('BELT-1', 'venlo-warehouse', 5),
      ];
      const order = [
        { sku: 'RING-1', quantity: 1 },
        { sku: 'BAG-1', quantity: 1 },
        { sku: 'BELT-1', quantity: 1 },
      ];
      const planned = plan(order, pools);
      expect(locationsOf(planned)).toEqual(['roissy-warehouse', 'venlo-warehouse']);
      expect(planned.find((l) => l.sku === 'BELT-1')?.locationId).toBe('venlo-warehouse');
      expect(locationsOf(plan(order, pools, { maxLocations: 2 }))).toHaveLength(2);
      const error = thrown(() => plan(order, pools, { maxLocations: 1 }));
      expect(error).toBeInstanceOf(OutOfStockError);
      expect((error as OutOfStockError).details.skus).toHaveLength(1);
    });

    it('splits a SKU across locations only when no chosen location holds all of it', () => {
      const split = [pool('RING-1', 'roissy-warehouse', 3), pool('RING-1', 'venlo-warehouse', 4)];
      expect(plan([{ sku: 'RING-1', quantity: 5 }], split)).toEqual([
        { sku: 'RING-1', locationId: 'roissy-warehouse', quantity: 1 },
        { sku: 'RING-1', locationId: 'venlo-warehouse', quantity: 4 },
      ]);
      expect(
        plan([{ sku: 'RING-1', quantity: 5 }], [...split, pool('RING-1', 'paris-saint-honore', 5)]),
      ).toEqual([{ sku: 'RING-1', locationId: 'paris-saint-honore', quantity: 5 }]);
      expect(thrown(() => plan([{ sku: 'RING-1', quantity: 8 }], split))).toBeInstanceOf(OutOfStockError);
    });

    it('sums lines of one SKU before planning', () => {
      const pools = [pool('BAG-1', 'roissy-warehouse', 2), pool('BAG-1', 'milan-via-montenapoleone', 3)];
      expect(
        plan(
          [
            { sku: 'BAG-1', quantity: 2 },
            { sku: 'BAG-1', quantity: 1 },
          ],
          pools,
        ),
      ).toEqual([{ sku: 'BAG-1', locationId: 'milan-via-montenapoleone', quantity: 3 }]);
    });

    it('plans zones with dozens of locations quickly, within maxLocations', () => {
      const many = new Map<string, StockLocation>();
      const pools: StockPool[] = [];
      for (let i = 0; i < 60; i++) {
        const id = `boutique-${String(i).padStart(2, '0')}`;
        many.set(id, boutique('eu-west-1'));
        pools.push(pool(`SKU-${i % 6}`, id, 1));
      }
      const started = performance.now();
      const planned = planReservation(
        [
          { sku: 'SKU-0', quantity: 2 },
          { sku: 'SKU-1', quantity: 1 },
        ],
        pools,
        { zone: 'eu', locations: many, maxLocations: 4 },
      );
      expect(performance.now() - started).toBeLessThan(500);
      expect(planned.reduce((sum, l) => sum + l.quantity, 0)).toBe(3);
      expect(locationsOf(planned).length).toBeLessThanOrEqual(4);
    });
  });

  describe('channels', () => {
    it('takes the channel fence first, then the shared remainder when the fence overflows', () => {
      const pools = [
        pool('RING-1', 'roissy-warehouse', 3, { fences: { web: { units: 2, overflow: true } } }),
      ];
      expect(plan([{ sku: 'RING-1', quantity: 4 }], pools)).toEqual([
        { sku: 'RING-1', locationId: 'roissy-warehouse', quantity: 4, fence: { key: 'web', units: 2 } },
      ]);
      expect(plan([{ sku: 'RING-1', quantity: 1 }], pools)).toEqual([
        { sku: 'RING-1', locationId: 'roissy-warehouse', quantity: 1, fence: { key: 'web', units: 1 } },
      ]);
    });

    it('keeps a channel whose fence does not overflow inside it', () => {
      const pools = [
        pool('RING-1', 'roissy-warehouse', 9, { fences: { app: { units: 2, overflow: false } } }),
      ];
      expect(plan([{ sku: 'RING-1', quantity: 2 }], pools, { channel: 'app' })).toEqual([
        { sku: 'RING-1', locationId: 'roissy-warehouse', quantity: 2, fence: { key: 'app', units: 2 } },
      ]);
      expect(thrown(() => plan([{ sku: 'RING-1', quantity: 3 }], pools, { channel: 'app' }))).toBeInstanceOf(
        OutOfStockError,
      );
      // The web has no fence here: it sells the shared remainder.
      expect(plan([{ sku: 'RING-1', quantity: 9 }], pools)).toEqual([
        { sku: 'RING-1', locationId: 'roissy-warehouse', quantity: 9 },
      ]);
    });

    it("never touches another channel's fence", () => {
      const pools = [
        pool('RING-1', 'roissy-warehouse', 0, {
          fences: {
            clienteling: { units: 4, overflow: true },
            [dropFenceKey('drp_1')]: { units: 3, overflow: false },
          },
        }),
      ];
      const error = thrown(() => plan([{ sku: 'RING-1', quantity: 1 }], pools));
      expect(error).toBeInstanceOf(OutOfStockError);
      expect(plan([{ sku: 'RING-1', quantity: 4 }], pools, { channel: 'clienteling' })).toEqual([
        {
          sku: 'RING-1',
          locationId: 'roissy-warehouse',
          quantity: 4,
          fence: { key: 'clienteling', units: 4 },
        },
      ]);
    });

    it('draws a drop from its fence alone, never from the shared remainder', () => {
      const key = dropFenceKey('drp_01HX');
      const pools = [
        pool('RING-1', 'roissy-warehouse', 50, { fences: { [key]: { units: 2, overflow: false } } }),
      ];
      expect(plan([{ sku: 'RING-1', quantity: 2 }], pools, { fence: { key } })).toEqual([
        { sku: 'RING-1', locationId: 'roissy-warehouse', quantity: 2, fence: { key, units: 2 } },
      ]);
      expect(thrown(() => plan([{ sku: 'RING-1', quantity: 3 }], pools, { fence: { key } }))).toBeInstanceOf(
        OutOfStockError,
      );
    });

    it('chooses locations by what the channel may take, not by what they hold', () => {
      const pools = [
        pool('RING-1', 'roissy-warehouse', 0, { fences: { instagram: { units: 5, overflow: false } } }),
        pool('RING-1', 'paris-saint-honore', 1),
      ];
      expect(plan([{ sku: 'RING-1', quantity: 1 }], pools)[0]?.locationId).toBe('paris-saint-honore');
      expect(plan([{ sku: 'RING-1', quantity: 1 }], pools, { channel: 'instagram' })[0]?.locationId).toBe(
        'roissy-warehouse',
      );
    });
  });

  it('names every SKU it cannot serve, including SKUs without any pool', () => {
    const pools = [pool('RING-1', 'roissy-warehouse', 1), pool('BAG-1', 'roissy-warehouse', 5)];
    const error = thrown(() =>
      plan(
        [
          { sku: 'RING-1', quantity: 2 },
          { sku: 'BAG-1', quantity: 5 },
          { sku: 'GHOST-1', quantity: 1 },
        ],
        pools,
      ),
    );
    expect(error).toBeInstanceOf(OutOfStockError);
    expect(error).toMatchObject({
      code: 'OUT_OF_STOCK',
      status: 409,
      details: { skus: ['GHOST-1', 'RING-1'] },
    });
  });

  it('rejects an empty cart, non-positive quantities and a bad maxLocations', () => {
    expect(() => plan([], [])).toThrow(ValidationError);
    expect(() => plan([{ sku: 'RING-1', quantity: 0 }], [])).toThrow(ValidationError);
    expect(() => plan([{ sku: 'RING-1', quantity: 1 }], [], { maxLocations: 0 })).toThrow(ValidationError);
    const tooMany = Array.from({ length: MAX_RESERVATION_POOLS + 1 }, (_, i) => ({
      sku: `SKU-${i}`,
      quantity: 1,
    }));
    expect(() => plan(tooMany, [])).toThrow(ValidationError);
  });

  describe('properties', () => {
    const SKUS = ['SKU-A', 'SKU-B', 'SKU-C', 'SKU-D'];
    const LOCATION_IDS = ['loc-a', 'loc-b', 'loc-c', 'loc-d', 'loc-e', 'loc-f'];
    const CHANNELS: Channel[] = ['web', 'app', 'boutique', 'instagram'];
    const DROP = dropFenceKey('drp_prop');
    const FENCE_KEYS = [...CHANNELS, DROP];

    const locationArb = fc.record({
      known: fc.nat({ max: 5 }).map((n) => n > 0),
      zone: fc.constantFrom('eu', 'eu', 'us'),
      region: fc.constantFrom('r1', 'r1', 'r2'),
      type: fc.constantFrom<PoolLocationType>('warehouse', 'boutique'),
      priority: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
    });
    const fencesArb = fc
      .subarray(FENCE_KEYS, { maxLength: 3 })
      .chain((keys) =>
        fc
          .tuple(...keys.map(() => fc.record({ units: fc.nat({ max: 4 }), overflow: fc.boolean() })))
          .map((fences) => Object.fromEntries(keys.map((key, i) => [key, fences[i] as StockFence]))),
      );
    const worldArb = fc.record({
      locations: fc.tuple(...LOCATION_IDS.map(() => locationArb)),
      cells: fc.tuple(
        ...SKUS.flatMap(() =>
          LOCATION_IDS.map(() =>
            fc.option(fc.record({ available: fc.nat({ max: 8 }), fences: fencesArb }), { freq: 3 }),
          ),
        ),
      ),
    });
    const lineArb = (maxQuantity: number) =>
      fc.record({ sku: fc.constantFrom(...SKUS), quantity: fc.integer({ min: 1, max: maxQuantity }) });
    // Small carts of a few pieces, and single lines large enough to need more than one location.
    const linesArb = fc
      .tuple(fc.nat({ max: 3 }), fc.array(lineArb(3), { minLength: 1, maxLength: 4 }), lineArb(12))
      .map(([kind, small, large]) => (kind === 0 ? [large] : small));
    const preferenceArb = fc.record({
      zone: fc.constantFrom('eu', 'eu', 'eu', 'us'),
      channel: fc.constantFrom(...CHANNELS),
      drop: fc.nat({ max: 4 }).map((n) => n === 0),
      pickupLocationId: fc.option(fc.constantFrom(...LOCATION_IDS), { nil: undefined, freq: 5 }),
      maxLocations: fc.integer({ min: 1, max: 3 }),
    });

    const scenarioArb = fc
      .record({ world: worldArb, lines: linesArb, pref: preferenceArb })
      .map(({ world, lines, pref }) => {
        const locations = new Map<string, StockLocation>();
        const pools: StockPool[] = [];
        LOCATION_IDS.forEach((id, i) => {
          const l = world.locations[i]!;
          if (l.known) {
            locations.set(id, {
              zone: l.zone,
              region: l.region,
              type: l.type,
              pickupCapable: l.type === 'boutique',
              ...(l.priority === undefined ? {} : { priority: l.priority }),
            });
          }
        });
        world.cells.forEach((cell, i) => {
          if (!cell) return;
          const sku = SKUS[Math.floor(i / LOCATION_IDS.length)]!;
          const locationId = LOCATION_IDS[i % LOCATION_IDS.length]!;
          const l = world.locations[i % LOCATION_IDS.length]!;
          pools.push({
            ...pool(sku, locationId, cell.available, { zone: l.zone, type: l.type, fences: cell.fences }),
          });
        });
        const preference: ReservationPreference = {
          zone: pref.zone,
          channel: pref.channel,
          locations,
          maxLocations: pref.maxLocations,
          ...(pref.drop ? { fence: { key: DROP } } : {}),
          ...(pref.pickupLocationId ? { pickupLocationId: pref.pickupLocationId } : {}),
        };
        return { lines, pools, preference };
      });

    /** The channel rule, written out again independently of the code under test. */
    const capacity = (p: StockPool, preference: ReservationPreference) => {
      const key = preference.fence?.key ?? preference.channel ?? 'web';
      const fence = p.fences[key];
      const shared = preference.fence ? 0 : !fence || fence.overflow ? p.available : 0;
      return { key, fenced: fence?.units ?? 0, shared };
    };
    const placeOfPool = (p: StockPool, preference: ReservationPreference) => {
      const known = preference.locations?.get(p.locationId);
      return { zone: known?.zone ?? p.zone, region: known?.region ?? `?${p.locationId}` };
    };
    const demandOf = (lines: readonly DemandLine[]) => {
      const demand = new Map<string, number>();
      for (const l of lines) demand.set(l.sku, (demand.get(l.sku) ?? 0) + l.quantity);
      return demand;
    };
    const subsets = <T>(items: readonly T[], max: number): T[][] => {
      const out: T[][] = [];
      for (let mask = 1; mask < 1 << items.length; mask++) {
        const subset = items.filter((_, i) => mask & (1 << i));
        if (subset.length <= max) out.push(subset);
      }
      return out;
    };

    /** By brute force: the fewest locations any valid plan needs (undefined: none exists), and the SKUs no plan can serve even alone. */
    const oracle = (lines: DemandLine[], pools: StockPool[], preference: ReservationPreference) => {
      const demand = demandOf(lines);
      const cap = (sku: string, locationId: string) => {
        const p = pools.find((x) => x.sku === sku && x.locationId === locationId);
        if (!p) return 0;
        const c = capacity(p, preference);
        return c.fenced + c.shared;
      };
      if (preference.pickupLocationId) {
        const short = [...demand]
          .filter(([sku, q]) => cap(sku, preference.pickupLocationId!) < q)
          .map(([s]) => s);
        return { fewest: short.length === 0 ? 1 : undefined, hopeless: short };
      }
      const regions = new Map<string, Set<string>>();
      for (const p of pools) {
        const place = placeOfPool(p, preference);
        if (place.zone !== preference.zone) continue;
        regions.set(place.region, (regions.get(place.region) ?? new Set()).add(p.locationId));
      }
      let fewest: number | undefined;
      const servable = new Set<string>();
      for (const locationIds of regions.values()) {
        for (const subset of subsets([...locationIds], preference.maxLocations ?? 3)) {
          const enough = [...demand].filter(([sku, q]) => subset.reduce((s, id) => s + cap(sku, id), 0) >= q);
          for (const [sku] of enough) servable.add(sku);
          if (enough.length === demand.size) fewest = Math.min(fewest ?? Infinity, subset.length);
        }
      }
      return { fewest, hopeless: [...demand.keys()].filter((sku) => !servable.has(sku)) };
    };

    it('plans exactly when some plan exists, with the fewest locations, or names what it cannot serve', () => {
      const outcomes = { planned: 0, short: 0, fenced: 0 };
      fc.assert(
        fc.property(scenarioArb, ({ lines, pools, preference }) => {
          const expected = oracle(lines, pools, preference);
          let planned: ReservationLine[];
          try {
            planned = planReservation(lines, pools, preference);
          } catch (error) {
            expect(error).toBeInstanceOf(OutOfStockError);
            expect(expected.fewest).toBeUndefined();
            const named = (error as OutOfStockError).details.skus;
            expect(named.length).toBeGreaterThan(0);
            for (const sku of named) expect(demandOf(lines).has(sku)).toBe(true);
            for (const sku of expected.hopeless) expect(named).toContain(sku);
            outcomes.short++;
            return;
          }
          expect(expected.fewest).toBeDefined();
          expect(locationsOf(planned)).toHaveLength(expected.fewest!);
          outcomes.planned++;
          if (planned.some((l) => l.fence)) outcomes.fenced++;
        }),
        { numRuns: 1_500 },
      );
      // Every kind of answer must be common, or the property says little about it.
      expect(outcomes.planned).toBeGreaterThan(250);
      expect(outcomes.short).toBeGreaterThan(250);
      expect(outcomes.fenced).toBeGreaterThan(50);
    });

    it('never plans more than the channel may take, never touches another fence, and covers the demand exactly', () => {
      fc.assert(
        fc.property(scenarioArb, ({ lines, pools, preference }) => {
          let planned: ReservationLine[];
          try {
            planned = planReservation(lines, pools, preference);
          } catch {
            return;
          }
          // One line per pool, quantities summing to the demand of each SKU.
          const pairs = planned.map((l) => `${l.sku}@${l.locationId}`);
          expect(new Set(pairs).size).toBe(pairs.length);
          const demand = demandOf(lines);
          expect(demandOf(planned)).toEqual(demand);

          const regions = new Set<string>();
          for (const line of planned) {
            const source = pools.find((p) => p.sku === line.sku && p.locationId === line.locationId)!;
            expect(source).toBeDefined();
            const c = capacity(source, preference);
            const fromFence = line.fence?.units ?? 0;
            // Fence first, only the selling channel's (or the drop's), within what each part holds.
            if (line.fence) expect(line.fence.key).toBe(c.key);
            expect(fromFence).toBe(Math.min(c.fenced, line.quantity));
            expect(line.quantity - fromFence).toBeLessThanOrEqual(c.shared);
            if (preference.fence) expect(line.quantity).toBe(fromFence);

            const place = placeOfPool(source, preference);
            if (preference.pickupLocationId) expect(line.locationId).toBe(preference.pickupLocationId);
            else expect(place.zone).toBe(preference.zone);
            regions.add(place.region);
          }
          if (!preference.pickupLocationId) {
            expect(regions.size).toBe(1);
            expect(locationsOf(planned).length).toBeLessThanOrEqual(preference.maxLocations ?? 3);
          }
        }),
        { numRuns: 1_500 },
      );
    });

    it('splits a SKU over the fewest pools, and only when no single location holds it all', () => {
      const splitArb = fc.record({
        units: fc.array(fc.nat({ max: 6 }), { minLength: 1, maxLength: 6 }),
        quantity: fc.integer({ min: 1, max: 16 }),
        maxLocations: fc.integer({ min: 1, max: 4 }),
      });
      let splits = 0;
      fc.assert(
        fc.property(splitArb, ({ units, quantity, maxLocations }) => {
          const locations = new Map(units.map((_, i) => [`loc-${i}`, warehouse('eu-west-1')]));
          const pools = units.map((n, i) => pool('RING-1', `loc-${i}`, n));
          const largest = [...units].sort((a, b) => b - a);
          let fewest = 0;
          for (let sum = 0; sum < quantity && fewest < largest.length; fewest++) sum += largest[fewest] ?? 0;
          const reachable = largest.slice(0, maxLocations).reduce((a, b) => a + b, 0) >= quantity;
          let planned: ReservationLine[];
          try {
            planned = planReservation([{ sku: 'RING-1', quantity }], pools, {
              zone: 'eu',
              locations,
              maxLocations,
            });
          } catch (error) {
            expect(error).toBeInstanceOf(OutOfStockError);
            expect(reachable).toBe(false);
            return;
          }
          expect(reachable).toBe(true);
          expect(planned).toHaveLength(fewest);
          if (planned.length > 1) splits++;
        }),
        { numRuns: 1_000 },
      );
      expect(splits).toBeGreaterThan(100);
    });

    it('gives the same plan whatever order the pools are listed in', () => {
      fc.assert(
        fc.property(scenarioArb, ({ lines, pools, preference }) => {
          const once = (list: StockPool[]) => {
            try {
              return planReservation(lines, list, preference);
            } catch (error) {
              return error;
            }
          };
          expect(once([...pools].reverse())).toEqual(once(pools));
        }),
        { numRuns: 500 },
      );
    });
  });
});
