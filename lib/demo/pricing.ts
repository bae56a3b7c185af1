import type { ProductInput } from '../contracts/catalog.ts';
import { type CurrencyCode, majorToMinor } from '../money/currency.ts';
import { MARKET_CODES, MARKETS, type MarketCode } from '../money/markets.ts';

/**
 * Each market's price-list coefficient against the euro list, in that market's currency per euro.
 *
 * These are list-setting ratios of the kind a house reviews once or twice a year, not exchange rates: the
 * US coefficient is lower than FX would give because US prices exclude sales tax while EU prices include
 * VAT, and the Asian lists carry the duties and positioning premium those markets usually see.
 */
export const PRICE_LIST_RATIOS: Readonly<Record<MarketCode, number>> = {
  FR: 1,
  DE: 1,
  IT: 1,
  ES: 1,
  GB: 0.88,
  CH: 0.97,
  US: 1.08,
  JP: 172,
  KR: 1640,
  SG: 1.58,
};

/** The rounding step, in major units, for a price of `major` in `currency`. */
function stepFor(major: number, currency: CurrencyCode): number {
  if (currency === 'JPY') return 1_000;
  if (currency === 'KRW') return 10_000;
  if (major < 500) return 5;
  if (major < 5_000) return 50;
  return 100;
}

/**
 * Rounds a major-unit amount to a price point a luxury house would print: multiples of 5 below 500,
 * of 50 below 5,000 and of 100 above, and whole thousands of yen or ten-thousands of won. Never zero.
 */
export function roundToPricePoint(major: number, currency: CurrencyCode): number {
  const step = stepFor(major, currency);
  return Math.max(step, Math.round(major / step) * step);
}

/**
 * The product's price in every market, in minor units of the market's currency, from its euro list price.
 * The euro list price is rounded first so that the eurozone markets show the house's own price point.
 */
export function priceList(baseEur: number): ProductInput['prices'] {
  const eur = roundToPricePoint(baseEur, 'EUR');
  return MARKET_CODES.map((market) => {
    const { currency } = MARKETS[market];
    const major = currency === 'EUR' ? eur : roundToPricePoint(eur * PRICE_LIST_RATIOS[market], currency);
    return { market, currency, amount: majorToMinor(major, currency) };
  });
}
