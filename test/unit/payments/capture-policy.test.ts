import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MARKET_CODES, MARKETS } from '../../../lib/money/markets.ts';
import {
  CapturePolicy,
  captureMethodFor,
  capturePolicyFor,
  DEFAULT_MANUAL_CAPTURE_THRESHOLDS,
} from '../../../lib/payments/capture-policy.ts';
import { PaymentAmountError } from '../../../lib/payments/errors.ts';

describe('captureMethodFor', () => {
  const fr = capturePolicyFor('FR');

  it('captures automatically below the market threshold at normal risk', () => {
    expect(captureMethodFor(fr, 'normal', { amount: 999_999, currency: 'EUR' })).toBe('automatic');
  });

  it('holds for manual capture at and above the threshold', () => {
    expect(captureMethodFor(fr, 'normal', { amount: 1_000_000, currency: 'EUR' })).toBe('manual');
    expect(captureMethodFor(fr, 'normal', { amount: 4_500_000, currency: 'EUR' })).toBe('manual');
  });

  it('holds for manual capture whenever the order is under review, however small', () => {
    expect(captureMethodFor(fr, 'review', { amount: 5_000, currency: 'EUR' })).toBe('manual');
  });

  it("judges each market in its own currency's minor units", () => {
    const jp = capturePolicyFor('JP');
    expect(captureMethodFor(jp, 'normal', { amount: 1_499_999, currency: 'JPY' })).toBe('automatic');
    expect(captureMethodFor(jp, 'normal', { amount: 1_500_000, currency: 'JPY' })).toBe('manual');
  });

  it('refuses an amount in another currency than the market threshold rather than convert it', () => {
    expect(() => captureMethodFor(fr, 'normal', { amount: 100, currency: 'USD' })).toThrow(
      PaymentAmountError,
    );
  });

  it('is monotonic: a larger amount or a review never turns manual capture back to automatic', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...MARKET_CODES),
        fc.nat({ max: 100_000_000 }),
        fc.nat({ max: 100_000_000 }),
        (market, a, b) => {
          const policy = capturePolicyFor(market);
          const currency = MARKETS[market].currency;
          const [low, high] = a <= b ? [a, b] : [b, a];
          if (captureMethodFor(policy, 'normal', { amount: low, currency }) === 'manual') {
            expect(captureMethodFor(policy, 'normal', { amount: high, currency })).toBe('manual');
          }
          expect(captureMethodFor(policy, 'review', { amount: low, currency })).toBe('manual');
        },
      ),
    );
  });
});

describe('capturePolicyFor', () => {
  it("defaults every market's threshold in that market's currency", () => {
    for (const market of MARKET_CODES) {
      expect(DEFAULT_MANUAL_CAPTURE_THRESHOLDS[market].currency).toBe(MARKETS[market].currency);
      expect(capturePolicyFor(market).manualCaptureFrom).toEqual(DEFAULT_MANUAL_CAPTURE_THRESHOLDS[market]);
    }
  });

  it('takes a maison override for a market', () => {
    expect(
      capturePolicyFor('GB', { GB: { amount: 500_000, currency: 'GBP' } }).manualCaptureFrom.amount,
    ).toBe(500_000);
  });

  it('rejects a threshold in the wrong currency for its market', () => {
    expect(() => capturePolicyFor('GB', { GB: { amount: 500_000, currency: 'EUR' } })).toThrow();
    expect(
      CapturePolicy.safeParse({ market: 'US', manualCaptureFrom: { amount: 1, currency: 'USD' } }).success,
    ).toBe(true);
  });
});
