import { z } from 'zod';

/** ISO 4217 minor-unit exponents of the currencies Vitrine prices in. */
export const CURRENCY_EXPONENT = {
  EUR: 2,
  GBP: 2,
  USD: 2,
  CHF: 2,
  JPY: 0,
  KRW: 0,
  SGD: 2,
  HKD: 2,
  AUD: 2,
  CNY: 2,
  CAD: 2,
  KWD: 3,
} as const;

export const CurrencyCode = z.enum(Object.keys(CURRENCY_EXPONENT) as [keyof typeof CURRENCY_EXPONENT]);
export type CurrencyCode = z.infer<typeof CurrencyCode>;

/** An amount in integer minor units of its currency (cents for EUR, yen for JPY, fils for KWD). */
export const Money = z.strictObject({
  amount: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  currency: CurrencyCode,
});
export type Money = z.infer<typeof Money>;

export function exponentOf(currency: CurrencyCode): number {
  return CURRENCY_EXPONENT[currency];
}

/** Converts whole major units (e.g. 1,000 euros) to minor units. */
export function majorToMinor(major: number, currency: CurrencyCode): number {
  return Math.round(major * 10 ** exponentOf(currency));
}

/** Formats for display, e.g. `€2,450.00` or `¥368,000`; presentation only, never for arithmetic. */
export function formatMoney({ amount, currency }: Money, locale = 'en'): string {
  const exponent = exponentOf(currency);
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  }).format(amount / 10 ** exponent);
}
