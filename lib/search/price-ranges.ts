import { type CurrencyCode, majorToMinor } from '../money/currency.ts';

/**
 * Price-range facet boundaries in major units, per currency. Luxury price points differ by an order of
 * magnitude between EUR and JPY or KRW, so each currency has its own ladder rather than a converted one.
 */
const LADDERS: Record<CurrencyCode, readonly number[]> = {
  EUR: [1_000, 2_500, 5_000, 10_000, 25_000],
  GBP: [1_000, 2_500, 5_000, 10_000, 25_000],
  USD: [1_000, 2_500, 5_000, 10_000, 25_000],
  CHF: [1_000, 2_500, 5_000, 10_000, 25_000],
  SGD: [1_500, 3_500, 7_500, 15_000, 35_000],
  HKD: [8_000, 20_000, 40_000, 80_000, 200_000],
  AUD: [1_500, 3_500, 7_500, 15_000, 35_000],
  CAD: [1_500, 3_500, 7_500, 15_000, 35_000],
  CNY: [8_000, 20_000, 40_000, 80_000, 200_000],
  JPY: [150_000, 400_000, 800_000, 1_500_000, 4_000_000],
  KRW: [1_500_000, 3_500_000, 7_000_000, 14_000_000, 35_000_000],
  KWD: [300, 750, 1_500, 3_000, 7_500],
};

export interface PriceRange {
  readonly key: string;
  /** Inclusive lower bound in minor units. */
  readonly from: number;
  /** Exclusive upper bound in minor units; null for the open top range. */
  readonly to: number | null;
}

/** The facet ranges for a currency, in minor units, lowest first. */
export function priceRanges(currency: CurrencyCode): PriceRange[] {
  const bounds = [0, ...LADDERS[currency].map((major) => majorToMinor(major, currency))];
  return bounds.map((from, i) => {
    const to = bounds[i + 1] ?? null;
    return { key: to === null ? `${from}-` : `${from}-${to}`, from, to };
  });
}
