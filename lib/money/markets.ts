import { z } from 'zod';
import type { CurrencyCode } from './currency.ts';

interface MarketDefinition {
  readonly currency: CurrencyCode;
  /** Whether published prices include indirect tax (VAT, consumption tax) or have sales tax added at checkout. */
  readonly taxInclusive: boolean;
  readonly locale: string;
}

/**
 * The markets a maison sells in. A market is a country with its own price list; prices are set per market
 * and never converted on the fly.
 */
export const MARKETS = {
  FR: { currency: 'EUR', taxInclusive: true, locale: 'fr-FR' },
  DE: { currency: 'EUR', taxInclusive: true, locale: 'de-DE' },
  IT: { currency: 'EUR', taxInclusive: true, locale: 'it-IT' },
  ES: { currency: 'EUR', taxInclusive: true, locale: 'es-ES' },
  GB: { currency: 'GBP', taxInclusive: true, locale: 'en-GB' },
  CH: { currency: 'CHF', taxInclusive: true, locale: 'de-CH' },
  US: { currency: 'USD', taxInclusive: false, locale: 'en-US' },
  JP: { currency: 'JPY', taxInclusive: true, locale: 'ja-JP' },
  KR: { currency: 'KRW', taxInclusive: true, locale: 'ko-KR' },
  SG: { currency: 'SGD', taxInclusive: true, locale: 'en-SG' },
} as const satisfies Record<string, MarketDefinition>;

export type MarketCode = keyof typeof MARKETS;
export const MarketCode = z.enum(Object.keys(MARKETS) as [MarketCode, ...MarketCode[]], {
  error: () => `market must be one of ${Object.keys(MARKETS).join(', ')}`,
});
export const MARKET_CODES = Object.keys(MARKETS) as MarketCode[];

export function marketOf(code: MarketCode): MarketDefinition & { code: MarketCode } {
  return { code, ...MARKETS[code] };
}
