import { MARKETS, type MarketCode } from '../money/markets.ts';
import { ShippingMethodUnavailableError } from './errors.ts';
import { type Destination, MinorUnits, type ShippingMethodId, type ShippingOption } from './schemas.ts';
import { taxTreatmentFor } from './tax-treatment.ts';

/** A shipping method's terms in one market and zone. Amounts in minor units of the market's currency. */
export interface MethodTerms {
  readonly price: number;
  /** Merchandise subtotal from which the method is free; `null`: never free. */
  readonly freeFrom: number | null;
  readonly days: readonly [min: number, max: number];
  /**
   * Where the method is offered, as `CC` or `CC-RR` (US state); absent: everywhere in the zone. White
   * glove needs the house's own couriers, who work from the boutiques' cities.
   */
  readonly serviceAreas?: readonly string[];
}

type Zone = 'domestic' | 'regional' | 'international';
type DeliveryMethod = Exclude<ShippingMethodId, 'pickup'>;
type ZoneTerms = Readonly<Partial<Record<DeliveryMethod, MethodTerms>>>;

// The euro markets share one schedule so that a bag costs the same to ship from any of them.
const euroSchedule = (whiteGloveAreas: readonly string[] | null): Partial<Record<Zone, ZoneTerms>> => ({
  domestic: {
    standard: { price: 1_500, freeFrom: 30_000, days: [2, 4] },
    express: { price: 3_000, freeFrom: 150_000, days: [1, 2] },
    ...(whiteGloveAreas
      ? { white_glove: { price: 15_000, freeFrom: 2_000_000, days: [1, 3], serviceAreas: whiteGloveAreas } }
      : {}),
  },
  regional: {
    standard: { price: 2_500, freeFrom: 50_000, days: [3, 6] },
    express: { price: 4_500, freeFrom: 250_000, days: [2, 3] },
  },
  international: {
    standard: { price: 4_000, freeFrom: 100_000, days: [4, 7] },
    express: { price: 6_000, freeFrom: 500_000, days: [2, 4] },
  },
});

/**
 * Shipping terms per market and zone (domestic: the market's tax area; regional: the rest of its customs
 * union; international: duties-paid destinations). Prices are set per market in its currency, like
 * product prices, and include tax where the market's prices do. White glove (a scheduled hand delivery
 * by the house's own courier, unpacked and presented in person) runs only in the cities with a flagship:
 * Paris, Munich, Milan, Madrid, London, Geneva, Tokyo and the US states of the US boutiques.
 */
export const SHIPPING_TERMS: Readonly<Record<MarketCode, Partial<Record<Zone, ZoneTerms>>>> = {
  FR: euroSchedule(['FR']),
  DE: euroSchedule(['DE']),
  IT: euroSchedule(['IT']),
  ES: euroSchedule(['ES']),
  GB: {
    domestic: {
      standard: { price: 1_200, freeFrom: 25_000, days: [2, 4] },
      express: { price: 2_500, freeFrom: 125_000, days: [1, 1] },
      white_glove: { price: 12_500, freeFrom: 1_750_000, days: [1, 3], serviceAreas: ['GB'] },
    },
  },
  CH: {
    domestic: {
      standard: { price: 1_500, freeFrom: 30_000, days: [1, 3] },
      express: { price: 3_000, freeFrom: 150_000, days: [1, 1] },
      white_glove: { price: 15_000, freeFrom: 2_000_000, days: [1, 2], serviceAreas: ['CH'] },
    },
  },
  US: {
    domestic: {
      standard: { price: 1_500, freeFrom: 30_000, days: [3, 5] },
      express: { price: 3_500, freeFrom: 150_000, days: [1, 2] },
      white_glove: {
        price: 20_000,
        freeFrom: 2_500_000,
        days: [1, 3],
        serviceAreas: ['US-NY', 'US-NJ', 'US-CT', 'US-CA', 'US-FL', 'US-IL'],
      },
    },
    international: {
      standard: { price: 3_000, freeFrom: 100_000, days: [5, 8] },
      express: { price: 6_000, freeFrom: 500_000, days: [2, 4] },
    },
  },
  JP: {
    // Yen have no minor unit: ¥1,500 is 1500.
    domestic: {
      standard: { price: 1_500, freeFrom: 50_000, days: [1, 3] },
      express: { price: 3_000, freeFrom: 250_000, days: [1, 1] },
      white_glove: { price: 30_000, freeFrom: 3_000_000, days: [1, 2], serviceAreas: ['JP'] },
    },
  },
  KR: {
    domestic: {
      standard: { price: 20_000, freeFrom: 500_000, days: [1, 3] },
      express: { price: 40_000, freeFrom: 2_500_000, days: [1, 1] },
    },
  },
  SG: {
    domestic: {
      standard: { price: 2_000, freeFrom: 50_000, days: [1, 3] },
      express: { price: 4_000, freeFrom: 200_000, days: [1, 1] },
    },
  },
};

/** Click and collect: no charge; the piece waits at the boutique within these business days. */
const PICKUP_TERMS: MethodTerms = { price: 0, freeFrom: null, days: [1, 3] };

const DELIVERY_METHODS: readonly DeliveryMethod[] = ['standard', 'express', 'white_glove'];

function serves(terms: MethodTerms, destination: Destination): boolean {
  if (!terms.serviceAreas) return true;
  const area = destination.region ? `${destination.country}-${destination.region}` : destination.country;
  return terms.serviceAreas.includes(destination.country) || terms.serviceAreas.includes(area);
}

function option(
  market: MarketCode,
  method: ShippingMethodId,
  terms: MethodTerms,
  subtotal: number,
): ShippingOption {
  const free = terms.freeFrom !== null && subtotal >= terms.freeFrom;
  return {
    method,
    amount: free ? 0 : terms.price,
    listPrice: terms.price,
    freeFrom: terms.freeFrom,
    currency: MARKETS[market].currency,
    estimatedBusinessDays: { min: terms.days[0], max: terms.days[1] },
  };
}

/**
 * The shipping methods available for a market and destination, each with the charge that applies to
 * `subtotal`.
 *
 * @param subtotal - merchandise subtotal at list prices (Σ unit price × quantity, as the shopper saw
 *   them) in minor units; free-shipping thresholds compare against it, so duties-paid re-pricing never
 *   moves an order across a threshold
 * @returns options in order standard, express, white glove, pickup; pickup is offered wherever the
 *   order is not cross-border (the boutique's address is then passed as the destination)
 * @throws UnsupportedDestinationError when the market does not deliver there
 */
export function shippingMethodsFor(
  market: MarketCode,
  destination: Destination,
  subtotal: number,
): ShippingOption[] {
  // A fractional or negative subtotal is a caller's bug; the ZodError maps to a 400 like any other.
  MinorUnits.parse(subtotal);
  const { zone } = taxTreatmentFor(market, destination);
  const zoneTerms = SHIPPING_TERMS[market][zone] ?? {};
  const options: ShippingOption[] = [];
  for (const method of DELIVERY_METHODS) {
    const terms = zoneTerms[method];
    if (terms && serves(terms, destination)) options.push(option(market, method, terms, subtotal));
  }
  // Goods collected at a boutique are sold there, so no customs: pickup stays inside the customs union.
  if (zone !== 'international') options.push(option(market, 'pickup', PICKUP_TERMS, subtotal));
  return options;
}

/**
 * The charge for one shipping method.
 *
 * @throws ShippingMethodUnavailableError when the method is unknown or not offered there
 * @throws UnsupportedDestinationError when the market does not deliver there
 */
export function quoteShipping(
  market: MarketCode,
  destination: Destination,
  method: string,
  subtotal: number,
): ShippingOption {
  const available = shippingMethodsFor(market, destination, subtotal);
  const found = available.find((o) => o.method === method);
  if (!found) {
    throw new ShippingMethodUnavailableError(
      `Shipping method "${method}" is not available for the ${market} market to ${destination.country}`,
      { method, market, country: destination.country, available: available.map((o) => o.method) },
    );
  }
  return found;
}
