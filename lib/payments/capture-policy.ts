import { z } from 'zod';
import { Money } from '../money/currency.ts';
import { MARKETS, MarketCode } from '../money/markets.ts';
import { PaymentAmountError } from './errors.ts';
import type { CaptureMethod } from './payment-intent.ts';

/**
 * The outcome of the platform's risk screening for one checkout (Radar's vocabulary: `normal`, and
 * `review` for what it would call elevated). A `block` decision never reaches payment: the checkout is
 * refused before an intent exists.
 */
export const RiskDecision = z.enum(['normal', 'review']);
export type RiskDecision = z.infer<typeof RiskDecision>;

/**
 * Default amounts from which a market's orders are authorized and captured later (manual capture),
 * in the market's own price-list currency, in minor units. Set near the price of a fine watch or a
 * high-jewelry piece: below it, stock is plentiful and chargeback exposure modest, so funds are taken at
 * once; above it, an associate or the fraud team confirms before capture. A maison may override them.
 */
export const DEFAULT_MANUAL_CAPTURE_THRESHOLDS: Readonly<Record<MarketCode, Money>> = {
  FR: { amount: 1_000_000, currency: 'EUR' }, // €10,000.00
  DE: { amount: 1_000_000, currency: 'EUR' },
  IT: { amount: 1_000_000, currency: 'EUR' },
  ES: { amount: 1_000_000, currency: 'EUR' },
  GB: { amount: 850_000, currency: 'GBP' }, // £8,500.00
  CH: { amount: 1_000_000, currency: 'CHF' }, // CHF 10,000.00
  US: { amount: 1_000_000, currency: 'USD' }, // $10,000.00 (before sales tax)
  JP: { amount: 1_500_000, currency: 'JPY' }, // ¥1,500,000
  KR: { amount: 15_000_000, currency: 'KRW' }, // ₩15,000,000
  SG: { amount: 1_500_000, currency: 'SGD' }, // S$15,000.00
};

/** One market's capture rule: amounts at or above `manualCaptureFrom` are held and captured later. */
export const CapturePolicy = z
  .strictObject({
    market: MarketCode,
    manualCaptureFrom: Money,
  })
  .refine((p) => p.manualCaptureFrom.currency === MARKETS[p.market].currency, {
    message: "the threshold must be in the market's currency",
    path: ['manualCaptureFrom', 'currency'],
  });
export type CapturePolicy = z.infer<typeof CapturePolicy>;

/** The capture policy of a market: the default threshold unless `overrides` names another. */
export function capturePolicyFor(
  market: MarketCode,
  overrides: Partial<Record<MarketCode, Money>> = {},
): CapturePolicy {
  return CapturePolicy.parse({
    market,
    manualCaptureFrom: overrides[market] ?? DEFAULT_MANUAL_CAPTURE_THRESHOLDS[market],
  });
}

/**
 * Chooses how an order's payment is captured: automatically below the market's threshold when the risk
 * screening found nothing, manually (authorize now, capture after a person or a rule confirms) at or
 * above the threshold or whenever the order is under review. Manual capture has a deadline: the hold
 * lapses after about 7 days (`captureBefore`).
 */
export function captureMethodFor(policy: CapturePolicy, risk: RiskDecision, amount: Money): CaptureMethod {
  if (amount.currency !== policy.manualCaptureFrom.currency) {
    // Prices are never converted on the fly, so a mismatch is a wiring bug, not something to convert.
    throw new PaymentAmountError(
      `A ${amount.currency} amount cannot be judged against the ${policy.market} threshold in ${policy.manualCaptureFrom.currency}`,
      { currency: amount.currency, expected: policy.manualCaptureFrom.currency },
    );
  }
  if (risk === 'review') return 'manual';
  return amount.amount >= policy.manualCaptureFrom.amount ? 'manual' : 'automatic';
}
