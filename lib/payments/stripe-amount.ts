import { CurrencyCode, exponentOf, type Money } from '../money/currency.ts';
import { PaymentAmountError } from './errors.ts';

/**
 * The largest amount Stripe accepts on one charge: eight digits of minor units (999,999.99 in a
 * two-decimal currency). A piece priced above it needs another arrangement (bank transfer, split tender).
 */
export const STRIPE_MAX_AMOUNT = 99_999_999;

/** An amount as Stripe's API takes it: integer minor units and a lower-case ISO 4217 code. */
export interface StripeAmount {
  readonly amount: number;
  readonly currency: string;
}

/**
 * Converts Money to Stripe's units. Vitrine already keeps ISO 4217 minor units, which is what Stripe
 * expects for two-decimal (EUR: cents) and zero-decimal (JPY, KRW: whole units) currencies, so the
 * number passes unchanged. Three-decimal currencies (KWD) are the exception: Stripe requires the
 * least-significant digit to be 0 for its payment partners, so 12.345 KWD cannot be charged and we
 * refuse it here rather than let Stripe reject it (or silently round it) later.
 */
export function toStripeAmount(money: Money): StripeAmount {
  const { amount, currency } = money;
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    throw new PaymentAmountError(
      `A payment amount must be a positive integer of minor units, got ${amount}`,
      {
        amount,
        currency,
      },
    );
  }
  if (amount > STRIPE_MAX_AMOUNT) {
    throw new PaymentAmountError(`${currency} ${amount} exceeds Stripe's per-charge maximum`, {
      amount,
      currency,
      maximum: STRIPE_MAX_AMOUNT,
    });
  }
  if (exponentOf(currency) === 3 && amount % 10 !== 0) {
    throw new PaymentAmountError(
      `${currency} amounts sent to Stripe must end in 0 (three-decimal currency); round ${amount} to a multiple of 10`,
      { amount, currency, roundedDown: amount - (amount % 10) },
    );
  }
  return { amount, currency: currency.toLowerCase() };
}

/**
 * Reads an amount Stripe returned (lower-case currency) as Money. Throws for a currency Vitrine does not
 * price in, which would mean the intent is not ours or was edited outside the platform.
 */
export function fromStripeAmount(amount: number, currency: string): Money {
  const code = CurrencyCode.safeParse(currency.toUpperCase());
  if (!code.success) {
    throw new PaymentAmountError(`Stripe returned an amount in an unsupported currency: ${currency}`, {
      currency,
    });
  }
  if (!Number.isSafeInteger(amount) || amount < 0) {
    throw new PaymentAmountError(`Stripe returned an invalid amount: ${amount}`, { amount, currency });
  }
  return { amount, currency: code.data };
}

/** Checks that an amount (a capture or a refund) is in the intent's currency, and returns its Stripe units. */
export function stripeAmountIn(money: Money, expectedCurrency: string): number {
  if (money.currency.toLowerCase() !== expectedCurrency.toLowerCase()) {
    throw new PaymentAmountError(
      `The amount is in ${money.currency} but the payment is in ${expectedCurrency.toUpperCase()}`,
      { currency: money.currency, expected: expectedCurrency.toUpperCase() },
    );
  }
  return toStripeAmount(money).amount;
}
