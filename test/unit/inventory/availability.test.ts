import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  availableToPromise,
  type DescribedLocation,
  SkuAvailability,
  sellableUnits,
  takeUnits,
} from '../../../lib/inventory/availability.ts';
import { OutOfStockError } from '../../../lib/inventory/errors.ts';
import { planReservation } from '../../../lib/inventory/plan-reservation.ts';
import { type Channel, dropFenceKey, type StockFence, type StockPool } from '../../../lib/inventory/stock.ts';

const pool = (
  sku: string,
  locationId: string,
  available: number,
  fences: Record<string, StockFence> = {},
  zone = 'eu',
): StockPool => ({
  sku,
  locationId,
  zone,
  onHand: available + Object.values(fences).reduce((sum, f) => sum + f.units, 0),
  reserved: 0,
  allocated: 0,
  available,
  fences,
});

const DROP = dropFenceKey('drp_01HX');

describe('sellableUnits', () => {
  const fenced = pool('RING-1', 'roissy-warehouse', 5, {
    web: { units: 2, overflow: true },
    app: { units: 3, overflow: false },
    [DROP]: { units: 4, overflow: false },
  });

  it.each<[string, Channel, { fenced: number; shared: number }]>([
    ['a fence that overflows: the fence, then the shared remainder', 'web', { fenced: 2, shared: 5 }],
    ['a fence that does not overflow: the fence alone', 'app', { fenced: 3, shared: 0 }],
    ['no fence: the shared remainder alone', 'instagram', { fenced: 0, shared: 5 }],
  ])('gives a channel with %s', (_, channel, expected) => {
    expect(sellableUnits(fenced, { channel })).toMatchObject({
      key: channel,
      ...expected,
      total: expected.fenced + expected.shared,
    });
  });

  it("gives a drop its fence alone, whatever the channel's own allocation", () => {
    expect(sellableUnits(fenced, { channel: 'web', fence: { key: DROP } })).toEqual({
      key: DROP,
      fenced: 4,
      shared: 0,
      total: 4,
    });
    expect(sellableUnits(fenced, { channel: 'web', fence: { key: dropFenceKey('drp_other') } }).total).toBe(
      0,
    );
  });

  it('never reads an inherited property as a fence', () => {
    expect(
      sellableUnits(pool('RING-1', 'roissy-warehouse', 0), { channel: 'web', fence: { key: 'constructor' } }),
    ).toMatchObject({ fenced: 0, shared: 0 });
  });

  it('reserves from the fence first, and refuses more than the sale may take', () => {
    expect(takeUnits(fenced, { channel: 'web' }, 4)).toEqual({
      sku: 'RING-1',
      locationId: 'roissy-warehouse',
      quantity: 4,
      fence: { key: 'web', units: 2 },
    });
    expect(takeUnits(fenced, { channel: 'instagram' }, 2)).toEqual({
      sku: 'RING-1',
      locationId: 'roissy-warehouse',
      quantity: 2,
    });
    expect(takeUnits(fenced, { channel: 'app' }, 4)).toBeUndefined();
    expect(takeUnits(fenced, { channel: 'web' }, 0)).toBeUndefined();
  });
});

describe('availableToPromise', () => {
  const location = (
    name: string,
    type: 'warehouse' | 'boutique',
    region: string,
    extra: Partial<DescribedLocation> = {},
  ): DescribedLocation => ({
    name,
    city: name.split(' ')[0] ?? name,
    type,
    zone: 'eu',
    region,
    pickupCapable: type === 'boutique',
    ...extra,
  });
  const LOCATIONS = new Map<string, DescribedLocation>([
    ['roissy-warehouse', location('Roissy distribution centre', 'warehouse', 'eu-central-1')],
    ['paris-saint-honore', location('Paris Rue Saint-Honoré boutique', 'boutique', 'eu-central-1')],
    ['milan-via-montenapoleone', location('Milan Via Montenapoleone boutique', 'boutique', 'eu-central-1')],
    [
      'courchevel-1850',
      location('Courchevel seasonal boutique', 'boutique', 'eu-central-1', { pickupCapable: false }),
    ],
    ['london-new-bond-street', location('London New Bond Street boutique', 'boutique', 'eu-west-1')],
    ['tokyo-ginza', location('Tokyo Ginza boutique', 'boutique', 'ap-northeast-1', { zone: 'apac' })],
  ]);

  const pools = [
    pool('RING-1', 'roissy-warehouse', 6, {
      clienteling: { units: 2, overflow: false },
      [DROP]: { units: 5, overflow: false },
    }),
    pool('RING-1', 'paris-saint-honore', 1),
    pool('RING-1', 'milan-via-montenapoleone', 0, { clienteling: { units: 1, overflow: true } }),
    pool('RING-1', 'courchevel-1850', 2),
    pool('RING-1', 'london-new-bond-street', 4),
    pool('RING-1', 'tokyo-ginza', 9, {}, 'apac'),
  ];

  it("lists the zone's locations in the planner's order, with what the channel may take and where to collect", () => {
    const [ring] = availableToPromise(['RING-1'], pools, LOCATIONS, { zone: 'eu', channel: 'web' });
    expect(SkuAvailability.parse(ring)).toEqual(ring);
    expect(ring).toMatchObject({
      sku: 'RING-1',
      available: 13,
      pickupLocations: ['london-new-bond-street', 'paris-saint-honore'],
    });
    expect(ring?.locations).toEqual([
      {
        locationId: 'roissy-warehouse',
        name: 'Roissy distribution centre',
        type: 'warehouse',
        city: 'Roissy',
        available: 6,
        pickup: false,
      },
      expect.objectContaining({ locationId: 'london-new-bond-street', available: 4, pickup: true }),
      expect.objectContaining({ locationId: 'courchevel-1850', available: 2, pickup: false }),
      expect.objectContaining({ locationId: 'paris-saint-honore', available: 1, pickup: true }),
      expect.objectContaining({ locationId: 'milan-via-montenapoleone', available: 0, pickup: false }),
    ]);
    // One order stays in one home region: Roissy, Courchevel and Paris (eu-central-1), the best three.
    expect(ring?.maxPerOrder).toBe(9);
  });

  it("counts the channel's own allocation and never another's or a drop's", () => {
    const [ring] = availableToPromise(['RING-1'], pools, LOCATIONS, { zone: 'eu', channel: 'clienteling' });
    const at = (id: string) => ring?.locations.find((l) => l.locationId === id)?.available;
    expect(at('roissy-warehouse')).toBe(2);
    expect(at('milan-via-montenapoleone')).toBe(1);
    expect(ring?.pickupLocations).toEqual([
      'london-new-bond-street',
      'milan-via-montenapoleone',
      'paris-saint-honore',
    ]);
    expect(ring?.available).toBe(2 + 1 + 2 + 1 + 4);
  });

  it('answers zeros for a SKU without stock, once per SKU, in the order asked', () => {
    const answered = availableToPromise(['GHOST-1', 'RING-1', 'GHOST-1'], pools, LOCATIONS, {
      zone: 'apac',
      channel: 'web',
    });
    expect(answered.map((a) => a.sku)).toEqual(['GHOST-1', 'RING-1']);
    expect(answered[0]).toEqual({
      sku: 'GHOST-1',
      available: 0,
      maxPerOrder: 0,
      locations: [],
      pickupLocations: [],
    });
    expect(answered[1]).toMatchObject({ available: 9, maxPerOrder: 9, pickupLocations: ['tokyo-ginza'] });
  });

  it('still shows a pool whose location is not described yet, from what the pool records', () => {
    const [ring] = availableToPromise(['RING-1'], [pool('RING-1', 'pop-up-store', 3)], new Map(), {
      zone: 'eu',
      channel: 'web',
    });
    expect(ring?.locations).toEqual([
      { locationId: 'pop-up-store', name: 'pop-up-store', available: 3, pickup: false },
    ]);
  });

  it('promises per order exactly what the planner can reserve for a one-line cart', () => {
    const ids = ['loc-a', 'loc-b', 'loc-c', 'loc-d', 'loc-e'];
    const world = fc.record({
      regions: fc.tuple(...ids.map(() => fc.constantFrom('r1', 'r2'))),
      units: fc.tuple(...ids.map(() => fc.option(fc.nat({ max: 6 }), { nil: undefined }))),
      fences: fc.tuple(
        ...ids.map(() =>
          fc.option(fc.record({ units: fc.nat({ max: 3 }), overflow: fc.boolean() }), { nil: undefined }),
        ),
      ),
      channel: fc.constantFrom<Channel>('web', 'app'),
      maxLocations: fc.integer({ min: 1, max: 3 }),
    });
    fc.assert(
      fc.property(world, ({ regions, units, fences, channel, maxLocations }) => {
        const locations = new Map(ids.map((id, i) => [id, location(id, 'warehouse', regions[i] as string)]));
        const stocked = ids.flatMap((id, i) => {
          const n = units[i];
          const fence = fences[i];
          return n === undefined ? [] : [pool('RING-1', id, n, fence ? { web: fence } : {})];
        });
        const [ring] = availableToPromise(['RING-1'], stocked, locations, {
          zone: 'eu',
          channel,
          maxLocations,
        });
        expect(ring?.available).toBe(ring?.locations.reduce((sum, l) => sum + l.available, 0));
        expect(ring?.maxPerOrder).toBeLessThanOrEqual(ring?.available ?? 0);
        const plans = (quantity: number) => {
          try {
            planReservation([{ sku: 'RING-1', quantity }], stocked, {
              zone: 'eu',
              channel,
              locations,
              maxLocations,
            });
            return true;
          } catch (error) {
            expect(error).toBeInstanceOf(OutOfStockError);
            return false;
          }
        };
        const max = ring?.maxPerOrder ?? 0;
        if (max > 0) expect(plans(max)).toBe(true);
        expect(plans(max + 1)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
