import { MARKETS, type MarketCode } from '../money/markets.ts';
import { UnsupportedDestinationError } from './errors.ts';
import type { Destination, TaxTreatment } from './schemas.ts';
import {
  CA_IMPORT_TAX,
  COUNTRY_TAX,
  type CountryTax,
  DUTY_RATES,
  EU_VAT_AREA,
  isCaProvince,
  isTaxCountry,
  isUsState,
  type TaxCountry,
  US_STATE_SALES_TAX,
} from './tax-rates.ts';

type Union = 'EU' | 'CH' | 'GB' | 'US' | 'JP' | 'KR' | 'SG';

interface MarketReach {
  /** The customs union the market's price list is set in. */
  readonly union: Union;
  /** Countries that share the market's own tax area, so a delivery there is domestic. */
  readonly taxArea: readonly string[];
  /** Destinations outside `union` the market ships to duties paid. */
  readonly dutiesPaidTo: readonly string[];
}

const EU_MARKET_CROSS_BORDER = ['CH', 'LI', 'GB'] as const;

/**
 * Where each market ships. EU markets deliver across the EU VAT area and duties paid to Switzerland,
 * Liechtenstein and the UK; the US market delivers to all states and DC and duties paid to Canada; the
 * other markets deliver at home only (a house serves their neighbours from those neighbours' own
 * markets).
 */
const MARKET_REACH: Readonly<Record<MarketCode, MarketReach>> = {
  FR: { union: 'EU', taxArea: ['FR', 'MC'], dutiesPaidTo: EU_MARKET_CROSS_BORDER },
  DE: { union: 'EU', taxArea: ['DE'], dutiesPaidTo: EU_MARKET_CROSS_BORDER },
  IT: { union: 'EU', taxArea: ['IT'], dutiesPaidTo: EU_MARKET_CROSS_BORDER },
  ES: { union: 'EU', taxArea: ['ES'], dutiesPaidTo: EU_MARKET_CROSS_BORDER },
  GB: { union: 'GB', taxArea: ['GB'], dutiesPaidTo: [] },
  CH: { union: 'CH', taxArea: ['CH', 'LI'], dutiesPaidTo: [] },
  US: { union: 'US', taxArea: ['US'], dutiesPaidTo: ['CA'] },
  JP: { union: 'JP', taxArea: ['JP'], dutiesPaidTo: [] },
  KR: { union: 'KR', taxArea: ['KR'], dutiesPaidTo: [] },
  SG: { union: 'SG', taxArea: ['SG'], dutiesPaidTo: [] },
};

const UNION_MEMBERS: Readonly<Record<Union, readonly string[]>> = {
  EU: EU_VAT_AREA,
  CH: ['CH', 'LI'],
  GB: ['GB'],
  US: ['US'],
  JP: ['JP'],
  KR: ['KR'],
  SG: ['SG'],
};

function unsupported(market: MarketCode, destination: Destination, why: string): never {
  throw new UnsupportedDestinationError(
    `The ${market} market does not deliver to ${describe(destination)}: ${why}`,
    {
      market,
      country: destination.country,
      ...(destination.region ? { region: destination.region } : {}),
    },
  );
}

function describe({ country, region }: Destination): string {
  return region ? `${country}-${region}` : country;
}

/** The tax a destination levies on imports or local sales: country tax, or a Canadian province's. */
function destinationTax(market: MarketCode, destination: Destination): CountryTax & { jurisdiction: string } {
  const { country, region } = destination;
  if (country === 'CA') {
    if (!region || !isCaProvince(region)) unsupported(market, destination, 'a Canadian province is required');
    return { ...CA_IMPORT_TAX[region], jurisdiction: `CA-${region}` };
  }
  if (!isTaxCountry(country)) unsupported(market, destination, 'no tax table for this country');
  return { ...COUNTRY_TAX[country], jurisdiction: country };
}

/**
 * The VAT or consumption tax the market's list prices include, the rate removed when goods are exported.
 * US list prices are before tax, so nothing is removed.
 */
export function listPriceTaxRate(market: MarketCode): number {
  if (!MARKETS[market].taxInclusive) return 0;
  return COUNTRY_TAX[market as TaxCountry].rate;
}

/**
 * Works out how an order from `market` to `destination` is taxed, or throws when the market does not
 * deliver there.
 *
 * - Same tax area (FR → FR or MC, CH → LI, US → any state): domestic. Inclusive markets extract the tax
 *   from the listed price; the US adds the destination state's base rate (origin is irrelevant:
 *   remote sellers collect at the destination).
 * - Same customs union, another EU VAT area (FR market → DE): the shopper pays the listed price and its
 *   VAT content is recomputed at the destination's rate. Distance sales above the EU-wide €10,000
 *   threshold (every luxury house) are taxed where the goods arrive and declared through the One-Stop
 *   Shop; houses keep one euro price list rather than re-price per rate, absorbing the difference in margin.
 * - Outside the customs union (EU market → CH, GB; US market → CA): delivered duty paid. See `priceCart`.
 *
 * @throws UnsupportedDestinationError when the market does not ship there, or a US state / Canadian
 *   province is missing or unknown
 */
export function taxTreatmentFor(market: MarketCode, destination: Destination): TaxTreatment {
  const reach = MARKET_REACH[market];
  const { country, region } = destination;

  if (country === 'US') {
    if (market !== 'US') unsupported(market, destination, 'US orders are served by the US market');
    if (!region || !isUsState(region)) unsupported(market, destination, 'a US state (or DC) is required');
    const state = US_STATE_SALES_TAX[region];
    return {
      kind: 'domestic',
      zone: 'domestic',
      jurisdiction: `US-${region}`,
      taxName: 'sales tax',
      rate: state.rate,
      shippingRate: state.shippingTaxable ? state.rate : 0,
      originRate: 0,
      dutyRate: 0,
    };
  }
  if (region !== undefined && country !== 'CA') {
    unsupported(market, destination, 'a region is only meaningful for US and Canadian addresses');
  }

  /** The destination's tax applied to goods and shipping alike. */
  const atDestination = (
    kind: TaxTreatment['kind'],
    zone: TaxTreatment['zone'],
    origin: { originRate: number; dutyRate: number } = { originRate: 0, dutyRate: 0 },
  ): TaxTreatment => {
    const tax = destinationTax(market, destination);
    return {
      kind,
      zone,
      jurisdiction: tax.jurisdiction,
      taxName: tax.name,
      rate: tax.rate,
      shippingRate: tax.rate,
      ...origin,
    };
  };

  if (reach.taxArea.includes(country)) return atDestination('domestic', 'domestic');
  // Only the EU union has several tax areas, so this is the OSS case.
  if (UNION_MEMBERS[reach.union].includes(country)) return atDestination('eu_oss', 'regional');
  if (reach.dutiesPaidTo.includes(country)) {
    return atDestination('duties_paid', 'international', {
      originRate: listPriceTaxRate(market),
      dutyRate: DUTY_RATES[country as keyof typeof DUTY_RATES],
    });
  }

  return unsupported(market, destination, 'not a destination of this market');
}
