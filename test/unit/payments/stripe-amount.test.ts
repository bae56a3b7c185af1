import { describe, expect, it } from 'vitest';
import { PaymentAmountError } from '../../../lib/payments/errors.ts';
import {
  fromStripeAmount,
  STRIPE_MAX_AMOUNT,
  stripeAmountIn,
  toStripeAmount,
} from '../../../lib/payments/stripe-amount.ts';

describe('toStripeAmount', () => {
  it('passes two-decimal minor units unchanged with a lower-case currency', () => {
    expect(toStripeAmount({ amount: 245_050, currency: 'EUR' })).toEqual({
      amount: 245_050,
      currency: 'eur',
    });
  });

  it('passes zero-decimal JPY and KRW unchanged (never multiplied by 100)', () => {
    expect(toStripeAmount({ amount: 368_000, currency: 'JPY' })).toEqual({
      amount: 368_000,
      currency: 'jpy',
    });
    expect(toStripeAmount({ amount: 4_900_000, currency: 'KRW' })).toEqual({
      amount: 4_900_000,
      currency: 'krw',
    });
  });

  it('accepts a three-decimal KWD amount ending in 0 and refuses any other', () => {
    expect(toStripeAmount({ amount: 12_340, currency: 'KWD' })).toEqual({ amount: 12_340, currency: 'kwd' });
    try {
      toStripeAmount({ amount: 12_345, currency: 'KWD' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PaymentAmountError);
      expect((error as PaymentAmountError).details).toMatchObject({ roundedDown: 12_340 });
    }
  });

  it("refuses zero and amounts above Stripe's eight-digit maximum", () => {
    expect(() => toStripeAmount({ amount: 0, currency: 'EUR' })).toThrow(PaymentAmountError);
    expect(toStripeAmount({ amount: STRIPE_MAX_AMOUNT, currency: 'USD' }).amount).toBe(STRIPE_MAX_AMOUNT);
    expect(() => toStripeAmount({ amount: STRIPE_MAX_AMOUNT + 1, currency: 'USD' })).toThrow(
      PaymentAmountError,
    );
  });
});

describe('fromStripeAmount', () => {
  it('reads a lower-case Stripe currency back to Money', () => {
    expect(fromStripeAmount(368_000, 'jpy')).toEqual({ amount: 368_000, currency: 'JPY' });
  });

  it('refuses a currency the platform does not price in', () => {
    expect(() => fromStripeAmount(100, 'bhd')).toThrow(PaymentAmountError);
  });
});

describe('stripeAmountIn', () => {
  it("converts a capture or refund amount in the intent's currency", () => {
    expect(stripeAmountIn({ amount: 1_000, currency: 'EUR' }, 'eur')).toBe(1_000);
  });

  it('refuses an amount in another currency', () => {
    expect(() => stripeAmountIn({ amount: 1_000, currency: 'JPY' }, 'eur')).toThrow(PaymentAmountError);
  });
});
