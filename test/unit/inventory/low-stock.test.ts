import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LOW_STOCK_THRESHOLD,
  lowStockCrossing,
  lowStockCrossings,
  lowStockThreshold,
  type PoolChange,
  type PoolImage,
  RecentIds,
} from '../../../lib/inventory/low-stock.ts';

const pool = (available: number, extra: Partial<PoolImage> = {}): PoolImage => ({
  sku: 'AUR-RING-52',
  locationId: 'paris-saint-honore',
  available,
  ...extra,
});
const change = (eventId: string, before: number | undefined, after: number | undefined): PoolChange => ({
  eventId,
  ...(before !== undefined ? { before: pool(before) } : {}),
  ...(after !== undefined ? { after: pool(after) } : {}),
});

describe('lowStockCrossing', () => {
  it('counts a fall from the threshold to below it, with the default threshold of 2', () => {
    expect(DEFAULT_LOW_STOCK_THRESHOLD).toBe(2);
    expect(lowStockCrossing(change('e1', 2, 1))).toEqual({
      eventId: 'e1',
      sku: 'AUR-RING-52',
      locationId: 'paris-saint-honore',
      threshold: 2,
      before: 2,
      available: 1,
      depleted: false,
    });
  });

  it('marks a fall to zero as depleted, even when it jumps past the threshold', () => {
    expect(lowStockCrossing(change('e1', 9, 0))).toMatchObject({ before: 9, available: 0, depleted: true });
  });

  it.each([
    ['a sale while already low', 1, 0],
    ['a restock', 0, 5],
    ['a sale that stays above the threshold', 5, 2],
    ['a change that leaves the remainder as it was', 1, 1],
  ])('ignores %s', (_label, before, after) => {
    expect(lowStockCrossing(change('e1', before, after))).toBeUndefined();
  });

  it('ignores a pool created low and a pool removed: nothing crossed', () => {
    expect(lowStockCrossing(change('e1', undefined, 0))).toBeUndefined();
    expect(lowStockCrossing(change('e2', 5, undefined))).toBeUndefined();
  });

  it('holds a pool to its own lowStockThreshold, and both sides to the threshold after the change', () => {
    const own = { eventId: 'e1', before: pool(6), after: pool(4, { lowStockThreshold: 5 }) };
    expect(lowStockCrossing(own)).toMatchObject({ threshold: 5, available: 4 });
    // Raising the threshold over a remainder that did not move is not a crossing.
    const raised = { eventId: 'e2', before: pool(4), after: pool(4, { lowStockThreshold: 5 }) };
    expect(lowStockCrossing(raised)).toBeUndefined();
  });

  it('takes a threshold of zero as "never warn"', () => {
    const change0 = { eventId: 'e1', before: pool(1), after: pool(0, { lowStockThreshold: 0 }) };
    expect(lowStockCrossing(change0)).toBeUndefined();
  });

  it('falls back to the default when the threshold is not a whole non-negative number', () => {
    for (const bad of [-1, 1.5, '3', null, Number.NaN]) {
      expect(lowStockThreshold(pool(1, { lowStockThreshold: bad }))).toBe(DEFAULT_LOW_STOCK_THRESHOLD);
    }
    expect(lowStockThreshold(pool(1), 7)).toBe(7);
  });
});

describe('lowStockCrossings', () => {
  it('counts each stream record once, however often the batch repeats it', () => {
    const batch = [change('e1', 3, 1), change('e1', 3, 1), change('e2', 2, 0)];
    expect(lowStockCrossings(batch).map((c) => c.eventId)).toEqual(['e1', 'e2']);
  });

  it('remembers the records of earlier batches it is given a memory of', () => {
    const seen = new RecentIds(100);
    expect(lowStockCrossings([change('e1', 3, 1)], { seen })).toHaveLength(1);
    // The same batch redelivered after a retry, plus a new record.
    expect(lowStockCrossings([change('e1', 3, 1), change('e2', 2, 1)], { seen })).toEqual([
      expect.objectContaining({ eventId: 'e2' }),
    ]);
  });

  it('uses the given default threshold', () => {
    expect(lowStockCrossings([change('e1', 10, 9)], { defaultThreshold: 10 })).toHaveLength(1);
  });

  it('counts exactly the downward crossings of any sequence of pool states', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(6), { minLength: 2, maxLength: 30 }), fc.nat(4), (states, threshold) => {
        const changes = states.slice(1).map((after, i) => change(`e${i}`, states[i] as number, after));
        const expected = changes.filter(
          (c) => (c.before?.available ?? 0) >= threshold && (c.after?.available ?? 0) < threshold,
        ).length;
        // Every change delivered twice: still counted once.
        const crossings = lowStockCrossings([...changes, ...changes], { defaultThreshold: threshold });
        expect(crossings).toHaveLength(expected);
      }),
    );
  });
});

describe('RecentIds', () => {
  it('forgets the oldest ids beyond its capacity', () => {
    const ids = new RecentIds(2);
    ids.add('a');
    ids.add('b');
    ids.add('a'); // seen again: now the newest
    ids.add('c');
    expect([ids.has('a'), ids.has('b'), ids.has('c')]).toEqual([true, false, true]);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RecentIds(0)).toThrow(RangeError);
  });
});
