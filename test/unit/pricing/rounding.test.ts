import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyRate,
  formatRate,
  RATE_SCALE,
  sumMinorUnits,
  taxContentOf,
} from '../../../lib/pricing/rounding.ts';

const S = BigInt(RATE_SCALE);

/**
 * Whether `result` is `numerator / denominator` rounded half up, checked by cross-multiplying in bigint
 * (no division, so the check cannot share a bug with the code under test).
 */
function isHalfUp(result: number, numerator: bigint, denominator: bigint): boolean {
  const twice = 2n * (BigInt(result) * denominator - numerator); // 2 × (result − exact) × denominator
  return twice > -denominator && twice <= denominator;
}

const amountUpTo1e13 = fc.bigInt({ min: 0n, max: 10n ** 13n }).map(Number);
const anySafeAmount = fc.bigInt({ min: 0n, max: BigInt(Number.MAX_SAFE_INTEGER) }).map(Number);
const rate = fc.integer({ min: 0, max: RATE_SCALE });

describe('taxContentOf', () => {
  it('rounds exact halves up', () => {
    expect(taxContentOf(15, 20_000)).toBe(3); // 2.5 → 3 (half-even would give 2)
    expect(taxContentOf(9, 20_000)).toBe(2); // 1.5 → 2
    expect(taxContentOf(14, 20_000)).toBe(2); // 2.33 → 2
    expect(taxContentOf(1, 20_000)).toBe(0);
    expect(taxContentOf(123_456, 0)).toBe(0);
  });

  it('is the exact half-up rounding of gross × rate / (100000 + rate) up to 1e13 minor units', () => {
    fc.assert(
      fc.property(amountUpTo1e13, rate, (gross, r) => {
        const tax = taxContentOf(gross, r);
        expect(Number.isSafeInteger(tax)).toBe(true);
        expect(isHalfUp(tax, BigInt(gross) * BigInt(r), S + BigInt(r))).toBe(true);
        expect(tax).toBeLessThanOrEqual(gross);
      }),
      { numRuns: 2_000 },
    );
  });

  it('stays exact across the whole safe-integer range', () => {
    fc.assert(
      fc.property(anySafeAmount, rate, (gross, r) => {
        expect(isHalfUp(taxContentOf(gross, r), BigInt(gross) * BigInt(r), S + BigInt(r))).toBe(true);
      }),
    );
  });

  it('rounds a half at the top of the price range without losing a digit', () => {
    // 9,999,999,999,999 × 20000 is past 2^53; the bigint path still sees the exact .5 and rounds it up.
    expect(taxContentOf(9_999_999_999_999, 20_000)).toBe(1_666_666_666_667); // 1666666666666.5
    expect(applyRate(Number.MAX_SAFE_INTEGER, 100_000)).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('applyRate', () => {
  it('rounds exact halves up', () => {
    expect(applyRate(265_000, 7_250)).toBe(19_213); // 19212.5
    expect(applyRate(25_000, 7_250)).toBe(1_813); // 1812.5
    expect(applyRate(265_000, 6_875)).toBe(18_219); // 18218.75
  });

  it('is the exact half-up rounding of amount × rate / 100000 up to 1e13 minor units', () => {
    fc.assert(
      fc.property(amountUpTo1e13, rate, (amount, r) => {
        const result = applyRate(amount, r);
        expect(Number.isSafeInteger(result)).toBe(true);
        expect(isHalfUp(result, BigInt(amount) * BigInt(r), S)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('refuses fractional, negative or unsafe amounts and rates outside 0–100%', () => {
    expect(() => applyRate(10.5, 1_000)).toThrow(RangeError);
    expect(() => applyRate(-1, 1_000)).toThrow(RangeError);
    expect(() => applyRate(Number.MAX_SAFE_INTEGER + 1, 1_000)).toThrow(RangeError);
    expect(() => applyRate(100, 19.5)).toThrow(RangeError);
    expect(() => taxContentOf(100, RATE_SCALE + 1)).toThrow(RangeError);
  });
});

describe('sumMinorUnits', () => {
  it('adds exactly and refuses to pass the safe-integer range', () => {
    expect(sumMinorUnits([1, 2, 3])).toBe(6);
    expect(() => sumMinorUnits([Number.MAX_SAFE_INTEGER, 1])).toThrow(RangeError);
  });
});

describe('formatRate', () => {
  it('prints milli-percent rates as short percentages', () => {
    expect([20_000, 8_100, 6_875, 25_500, 7_250, 0].map(formatRate)).toEqual([
      '20%',
      '8.1%',
      '6.875%',
      '25.5%',
      '7.25%',
      '0%',
    ]);
  });
});
