import { z } from 'zod';
import { Money } from '../money/currency.ts';
import { type MarketCode, marketOf } from '../money/markets.ts';

/**
 * Parcel value from which the carrier must obtain a signature, per market, in the market's minor units:
 * about 1,000 of the currency where that is a meaningful sum, its equivalent where it is not (yen, won).
 */
export const SIGNATURE_THRESHOLDS: Readonly<Record<MarketCode, number>> = {
  FR: 100_000,
  DE: 100_000,
  IT: 100_000,
  ES: 100_000,
  GB: 100_000,
  CH: 100_000,
  US: 100_000,
  JP: 150_000,
  KR: 1_500_000,
  SG: 150_000,
};

/** Categories that always travel against a signature, whatever their value. */
export const SIGNATURE_CATEGORIES: readonly string[] = ['watches', 'fine-jewellery'];

/** Why a parcel needs a signature: its value reached the market's threshold, or what it holds. */
export const SignatureReason = z.enum(['value', 'category']);
export type SignatureReason = z.infer<typeof SignatureReason>;

/**
 * The signature rule as a shopper sees it before and after paying. `threshold` is always given, so a
 * storefront can say why a parcel under it needs none. `pickupAlternative` says the order could be
 * collected in a boutique instead, where the shopper signs at the counter.
 */
export const SignatureNotice = z
  .strictObject({
    required: z.boolean(),
    reasons: z.array(SignatureReason),
    threshold: Money.describe('Parcels worth this or more are handed over only against a signature'),
    categories: z.array(z.string()).describe('Categories in the parcel that always need a signature'),
    message: z
      .string()
      .describe('What to tell the shopper, in English; storefronts may localise from reasons'),
    pickupAlternative: z
      .boolean()
      .describe('A signed-for parcel may instead be collected in a boutique (choose a pickupLocationId)'),
  })
  .meta({ id: 'SignatureNotice' });
export type SignatureNotice = z.infer<typeof SignatureNotice>;

/** One parcel as the rule sees it: its value in the market's currency and its lines' categories. */
export interface SignatureInput {
  readonly market: MarketCode;
  /** The parcel's value in the market's minor units (what the shopper paid for its lines, tax included). */
  readonly value: number;
  readonly categories: readonly string[];
}

/** Overrides of the house defaults, e.g. from configuration. */
export interface SignaturePolicy {
  readonly thresholds?: Partial<Record<MarketCode, number>>;
  readonly categories?: readonly string[];
}

/**
 * Whether a parcel needs a signature on delivery: its value at or above the market's threshold, or any
 * line in a signature category. Pure; checkout and tracking call it with the same policy so the promise
 * made before payment is the one the carrier is given.
 */
export function signatureNotice(input: SignatureInput, policy: SignaturePolicy = {}): SignatureNotice {
  const { currency } = marketOf(input.market);
  const threshold = policy.thresholds?.[input.market] ?? SIGNATURE_THRESHOLDS[input.market];
  const listed = policy.categories ?? SIGNATURE_CATEGORIES;
  const categories = [...new Set(input.categories.filter((c) => listed.includes(c)))].sort();
  const reasons: SignatureReason[] = [];
  if (input.value >= threshold) reasons.push('value');
  if (categories.length > 0) reasons.push('category');
  const required = reasons.length > 0;
  return {
    required,
    reasons,
    threshold: { amount: threshold, currency },
    categories,
    message: required
      ? 'A signature is required on delivery. Someone must be present to sign, or collect the order in a boutique instead.'
      : 'No signature is required on delivery.',
    pickupAlternative: required,
  };
}

/** The rule over several parcels of one order: required when any parcel requires it. */
export function orderSignatureNotice(
  parcels: readonly SignatureInput[],
  policy: SignaturePolicy = {},
): SignatureNotice | undefined {
  const notices = parcels.map((p) => signatureNotice(p, policy));
  const first = notices[0];
  if (!first) return undefined;
  const required = notices.find((n) => n.required);
  if (!required) return first;
  return {
    ...required,
    reasons: [...new Set(notices.flatMap((n) => n.reasons))].sort() as SignatureReason[],
    categories: [...new Set(notices.flatMap((n) => n.categories))].sort(),
  };
}

/**
 * The notice for an order handed over in a boutique: the shopper signs at the counter, so a boutique is
 * never offered instead.
 */
export function atTheCounter(notice: SignatureNotice): SignatureNotice {
  return {
    ...notice,
    message: notice.required
      ? 'A signature is required when the order is collected in the boutique.'
      : 'No signature is required when the order is collected.',
    pickupAlternative: false,
  };
}
