import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  admissionFor,
  DEFAULT_MAX_SHARDS,
  DEFAULT_PER_SHARD_WRITES_PER_SECOND,
  shardCapacity,
  shardCount,
  shardProbeOrder,
  splitUnits,
} from '../../../lib/drops/shards.ts';

describe('shardCount', () => {
  it.each([
    // [arrivals/s, units, shards]
    [0, 300, 1],
    [1, 300, 1],
    [400, 300, 1],
    [401, 300, 2],
    [800, 300, 2],
    [5_000, 300, 13],
    [50_000, 300, 100],
    [50_000, 7, 7],
    [10_000, 1, 1],
  ])('sizes %d arrivals a second over %d units into %d shards', (rate, units, shards) => {
    expect(shardCount(rate, units)).toBe(shards);
  });

  it('honours a custom per-shard rate and maximum', () => {
    expect(shardCount(1_000, 300, { perShardWritesPerSecond: 250 })).toBe(4);
    expect(shardCount(50_000, 300, { max: 20 })).toBe(20);
  });

  it('rejects rates, units and options that cannot size anything', () => {
    expect(() => shardCount(-1, 10)).toThrow(RangeError);
    expect(() => shardCount(Number.NaN, 10)).toThrow(RangeError);
    expect(() => shardCount(Number.POSITIVE_INFINITY, 10)).toThrow(RangeError);
    expect(() => shardCount(10, 0)).toThrow(RangeError);
    expect(() => shardCount(10, 1.5)).toThrow(RangeError);
    expect(() => shardCount(10, 10, { perShardWritesPerSecond: 0 })).toThrow(RangeError);
    expect(() => shardCount(10, 10, { max: 0 })).toThrow(RangeError);
  });

  it('keeps every shard within its planned rate unless capped by units or the maximum', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.integer({ min: 1, max: 10_000 }),
        (rate, units) => {
          const shards = shardCount(rate, units);
          expect(Number.isInteger(shards)).toBe(true);
          expect(shards).toBeGreaterThanOrEqual(1);
          expect(shards).toBeLessThanOrEqual(Math.min(units, DEFAULT_MAX_SHARDS));
          const capped = shards === units || shards === DEFAULT_MAX_SHARDS;
          if (!capped) expect(rate / shards).toBeLessThanOrEqual(DEFAULT_PER_SHARD_WRITES_PER_SECOND);
          // Minimal: one shard fewer would overload the others.
          if (shards > 1) expect(rate / (shards - 1)).toBeGreaterThan(DEFAULT_PER_SHARD_WRITES_PER_SECOND);
        },
      ),
    );
  });

  it('never shrinks when arrivals grow', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e5, noNaN: true }),
        fc.double({ min: 0, max: 1e5, noNaN: true }),
        fc.integer({ min: 1, max: 1_000 }),
        (a, b, units) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          expect(shardCount(low, units)).toBeLessThanOrEqual(shardCount(high, units));
        },
      ),
    );
  });
});

describe('splitUnits', () => {
  it('splits evenly and gives the remainder to the first shards', () => {
    expect(splitUnits(10, 3)).toEqual([4, 3, 3]);
    expect(splitUnits(300, 13)).toEqual([24, ...Array(12).fill(23)]);
    expect(splitUnits(310, 13)).toEqual([...Array(11).fill(24), 23, 23]);
    expect(splitUnits(5, 5)).toEqual([1, 1, 1, 1, 1]);
    expect(splitUnits(0, 2)).toEqual([0, 0]);
  });

  it('rejects a split into no shards or of fractional units', () => {
    expect(() => splitUnits(10, 0)).toThrow(RangeError);
    expect(() => splitUnits(-1, 2)).toThrow(RangeError);
    expect(() => splitUnits(2.5, 2)).toThrow(RangeError);
  });

  it('always adds up to the units, with parts at most one apart and never increasing', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 200 }), (units, shards) => {
        const parts = splitUnits(units, shards);
        expect(parts).toHaveLength(shards);
        expect(parts.reduce((sum, part) => sum + part, 0)).toBe(units);
        expect(Math.max(...parts) - Math.min(...parts)).toBeLessThanOrEqual(1);
        for (let i = 1; i < parts.length; i++) expect(parts[i]).toBeLessThanOrEqual(parts[i - 1] as number);
      }),
    );
  });

  it('leaves no shard empty for a sized item', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.integer({ min: 1, max: 10_000 }),
        (rate, units) => {
          expect(Math.min(...splitUnits(units, shardCount(rate, units)))).toBeGreaterThanOrEqual(1);
        },
      ),
    );
  });
});

describe('admissionFor', () => {
  const firstCome = (expectedArrivalsPerSecond: number, ...shards: number[]) => ({
    mode: 'first_come' as const,
    expectedArrivalsPerSecond,
    items: shards.map((count) => ({ shards: count })),
  });

  it('claims directly while the shards serve the expected arrivals', () => {
    expect(admissionFor(firstCome(400, 1))).toBe('direct');
    expect(admissionFor(firstCome(5_000, 13))).toBe('direct');
  });

  it('queues when the expected arrivals exceed what the smallest item serves', () => {
    expect(admissionFor(firstCome(401, 1))).toBe('queue');
    expect(admissionFor(firstCome(5_000, 13, 5))).toBe('queue');
    expect(admissionFor(firstCome(50_000, 100))).toBe('queue');
  });

  it('queues a small item under a burst, since its shards are capped by its units', () => {
    const units = 3;
    const rate = 10_000;
    expect(admissionFor(firstCome(rate, shardCount(rate, units)))).toBe('queue');
  });

  it('admits draw entries directly whatever the rate', () => {
    expect(admissionFor({ mode: 'draw', expectedArrivalsPerSecond: 1e6, items: [{ shards: 0 }] })).toBe(
      'direct',
    );
  });

  it('is direct exactly when the sized shards were not capped', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.integer({ min: 1, max: 5_000 }),
        (rate, units) => {
          const shards = shardCount(rate, units);
          const direct = rate <= shardCapacity(shards);
          expect(admissionFor(firstCome(rate, shards))).toBe(direct ? 'direct' : 'queue');
          if (shards < Math.min(units, DEFAULT_MAX_SHARDS)) expect(direct).toBe(true);
        },
      ),
    );
  });
});

describe('shardProbeOrder', () => {
  it('starts at a random shard and then tries every other once, in turn', () => {
    expect(shardProbeOrder(5, () => 0)).toEqual([0, 1, 2, 3, 4]);
    expect(shardProbeOrder(5, () => 0.5)).toEqual([2, 3, 4, 0, 1]);
    expect(shardProbeOrder(5, () => 0.999_999)).toEqual([4, 0, 1, 2, 3]);
    expect(shardProbeOrder(1)).toEqual([0]);
    expect(shardProbeOrder(3, () => 1)).toEqual([2, 0, 1]);
    expect(shardProbeOrder(3, () => Number.NaN)).toEqual([0, 1, 2]);
  });

  it('is a permutation of the shards', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, r) => {
          const order = shardProbeOrder(n, () => r);
          expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
        },
      ),
    );
  });
});
