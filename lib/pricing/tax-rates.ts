/**
 * Tax and duty tables. Rates are integers in milli-percent (see `RATE_SCALE`): 20,000 = 20%.
 *
 * Effective date assumed: every figure is the rate in force on **1 July 2025**, from public sources
 * (the European Commission's VAT rates list, HMRC, the Swiss FTA, the Japanese NTA, the Korean NTS,
 * IRAS, the CRA, and state revenue departments as compiled by the Tax Foundation). Rates change by
 * law on known dates; when one does, update the table and `TAX_TABLES_AS_OF` in the same change.
 */

/** The date the tables below describe, ISO 8601. */
export const TAX_TABLES_AS_OF = '2025-07-01';

/** What a receipt calls the tax. */
export type TaxName = 'VAT' | 'GST' | 'HST' | 'consumption tax' | 'sales tax';

/** An indirect tax levied across a whole country. */
export interface CountryTax {
  readonly rate: number;
  readonly name: TaxName;
}

/**
 * Standard rates of value-added and consumption taxes by destination country. Luxury goods are never
 * in a reduced band, so only standard rates appear.
 */
export const COUNTRY_TAX = {
  // European Union (standard rates).
  FR: { rate: 20_000, name: 'VAT' },
  DE: { rate: 19_000, name: 'VAT' },
  IT: { rate: 22_000, name: 'VAT' },
  ES: { rate: 21_000, name: 'VAT' }, // mainland and Balearics; the Canaries, Ceuta and Melilla are outside EU VAT
  NL: { rate: 21_000, name: 'VAT' },
  BE: { rate: 21_000, name: 'VAT' },
  AT: { rate: 20_000, name: 'VAT' },
  IE: { rate: 23_000, name: 'VAT' },
  PT: { rate: 23_000, name: 'VAT' }, // mainland; Madeira and the Azores have their own lower rates
  SE: { rate: 25_000, name: 'VAT' },
  DK: { rate: 25_000, name: 'VAT' },
  LU: { rate: 17_000, name: 'VAT' },
  FI: { rate: 25_500, name: 'VAT' }, // raised from 24% on 1 September 2024
  GR: { rate: 24_000, name: 'VAT' },
  PL: { rate: 23_000, name: 'VAT' },
  // Monaco is not in the EU but is inside French VAT and the EU customs territory: French rate.
  MC: { rate: 20_000, name: 'VAT' },
  // Outside the EU.
  GB: { rate: 20_000, name: 'VAT' },
  CH: { rate: 8_100, name: 'VAT' }, // since 1 January 2024
  LI: { rate: 8_100, name: 'VAT' }, // Liechtenstein applies Swiss VAT by treaty
  JP: { rate: 10_000, name: 'consumption tax' }, // 7.8% national + 2.2% local, quoted together
  KR: { rate: 10_000, name: 'VAT' },
  SG: { rate: 9_000, name: 'GST' }, // since 1 January 2024
} as const satisfies Record<string, CountryTax>;

/** A country with a country-wide indirect tax in `COUNTRY_TAX`. */
export type TaxCountry = keyof typeof COUNTRY_TAX;

/** Whether `country` has an entry in `COUNTRY_TAX`. */
export function isTaxCountry(country: string): country is TaxCountry {
  return Object.hasOwn(COUNTRY_TAX, country);
}

/** The countries of the EU VAT area that Vitrine ships to (Monaco included, see above). */
export const EU_VAT_AREA: readonly TaxCountry[] = [
  'FR',
  'DE',
  'IT',
  'ES',
  'NL',
  'BE',
  'AT',
  'IE',
  'PT',
  'SE',
  'DK',
  'LU',
  'FI',
  'GR',
  'PL',
  'MC',
];

/** A US state's sales tax as this module applies it. */
export interface StateSalesTax {
  /** State base rate in milli-percent. */
  readonly rate: number;
  /** Whether a separately stated delivery charge is taxed (see the simplification below). */
  readonly shippingTaxable: boolean;
}

/**
 * US state base sales-tax rates, the 50 states and DC.
 *
 * Simplifications, deliberate until a rate provider (address-level, with rooftop accuracy) is wired in:
 * - **Local and county add-ons are ignored.** Only the state base rate applies, so New York City's
 *   combined 8.875% is charged as New York State's 4%. Where a uniform statewide local levy is part of
 *   the published state rate (California 7.25%, Utah 6.10%, Virginia 5.30%) it is included.
 * - **Shipping taxability is one flag per state**, for a delivery charge stated separately on the
 *   invoice and made by common carrier; the real rules also depend on who delivers, whether delivery is
 *   optional, and whether the order mixes exempt and taxable goods. White-glove delivery follows the same
 *   flag.
 * - Alaska, Delaware, Montana, New Hampshire and Oregon levy no state sales tax: rate 0. (Alaskan
 *   boroughs may levy local tax, ignored as above.)
 * - Hawaii's general excise tax is shown at its 4% state rate, without the county surcharge.
 */
export const US_STATE_SALES_TAX = {
  AL: { rate: 4_000, shippingTaxable: false },
  AK: { rate: 0, shippingTaxable: false },
  AZ: { rate: 5_600, shippingTaxable: false },
  AR: { rate: 6_500, shippingTaxable: true },
  CA: { rate: 7_250, shippingTaxable: false },
  CO: { rate: 2_900, shippingTaxable: false },
  CT: { rate: 6_350, shippingTaxable: true },
  DE: { rate: 0, shippingTaxable: false },
  DC: { rate: 6_000, shippingTaxable: true },
  FL: { rate: 6_000, shippingTaxable: false },
  GA: { rate: 4_000, shippingTaxable: true },
  HI: { rate: 4_000, shippingTaxable: true },
  ID: { rate: 6_000, shippingTaxable: false },
  IL: { rate: 6_250, shippingTaxable: false },
  IN: { rate: 7_000, shippingTaxable: true },
  IA: { rate: 6_000, shippingTaxable: false },
  KS: { rate: 6_500, shippingTaxable: true },
  KY: { rate: 6_000, shippingTaxable: true },
  LA: { rate: 5_000, shippingTaxable: false }, // raised from 4.45% on 1 January 2025
  ME: { rate: 5_500, shippingTaxable: false },
  MD: { rate: 6_000, shippingTaxable: false },
  MA: { rate: 6_250, shippingTaxable: false },
  MI: { rate: 6_000, shippingTaxable: true },
  MN: { rate: 6_875, shippingTaxable: true },
  MS: { rate: 7_000, shippingTaxable: true },
  MO: { rate: 4_225, shippingTaxable: false },
  MT: { rate: 0, shippingTaxable: false },
  NE: { rate: 5_500, shippingTaxable: true },
  NV: { rate: 6_850, shippingTaxable: false },
  NH: { rate: 0, shippingTaxable: false },
  NJ: { rate: 6_625, shippingTaxable: true },
  NM: { rate: 4_875, shippingTaxable: true }, // gross receipts tax, lowered from 5% on 1 July 2024
  NY: { rate: 4_000, shippingTaxable: true },
  NC: { rate: 4_750, shippingTaxable: true },
  ND: { rate: 5_000, shippingTaxable: true },
  OH: { rate: 5_750, shippingTaxable: true },
  OK: { rate: 4_500, shippingTaxable: false },
  OR: { rate: 0, shippingTaxable: false },
  PA: { rate: 6_000, shippingTaxable: true },
  RI: { rate: 7_000, shippingTaxable: true },
  SC: { rate: 6_000, shippingTaxable: true },
  SD: { rate: 4_200, shippingTaxable: true },
  TN: { rate: 7_000, shippingTaxable: true },
  TX: { rate: 6_250, shippingTaxable: true },
  UT: { rate: 6_100, shippingTaxable: false },
  VT: { rate: 6_000, shippingTaxable: true },
  VA: { rate: 5_300, shippingTaxable: false },
  WA: { rate: 6_500, shippingTaxable: true },
  WV: { rate: 6_000, shippingTaxable: true },
  WI: { rate: 5_000, shippingTaxable: true },
  WY: { rate: 4_000, shippingTaxable: false },
} as const satisfies Record<string, StateSalesTax>;

/** A US state (or DC) postal code with an entry in `US_STATE_SALES_TAX`. */
export type UsState = keyof typeof US_STATE_SALES_TAX;

/** Whether `region` is a US state (or DC) in the sales-tax table. */
export function isUsState(region: string): region is UsState {
  return Object.hasOwn(US_STATE_SALES_TAX, region);
}

/**
 * Tax the Canada Border Services Agency collects on imports, by province of delivery: GST 5%, or the
 * harmonised sales tax where a province has one. Provincial sales taxes (BC, MB, SK, QC) are not
 * collected at the border and are left out.
 */
export const CA_IMPORT_TAX = {
  AB: { rate: 5_000, name: 'GST' },
  BC: { rate: 5_000, name: 'GST' },
  MB: { rate: 5_000, name: 'GST' },
  NB: { rate: 15_000, name: 'HST' },
  NL: { rate: 15_000, name: 'HST' },
  NS: { rate: 14_000, name: 'HST' }, // lowered from 15% on 1 April 2025
  NT: { rate: 5_000, name: 'GST' },
  NU: { rate: 5_000, name: 'GST' },
  ON: { rate: 13_000, name: 'HST' },
  PE: { rate: 15_000, name: 'HST' },
  QC: { rate: 5_000, name: 'GST' },
  SK: { rate: 5_000, name: 'GST' },
  YT: { rate: 5_000, name: 'GST' },
} as const satisfies Record<string, CountryTax>;

/** A Canadian province or territory code. */
export type CaProvince = keyof typeof CA_IMPORT_TAX;

/** Whether `region` is a Canadian province or territory in `CA_IMPORT_TAX`. */
export function isCaProvince(region: string): region is CaProvince {
  return Object.hasOwn(CA_IMPORT_TAX, region);
}

/**
 * Ad-valorem customs duty by destination, applied to the goods' net value on delivered-duty-paid
 * shipments.
 *
 * **Illustrative defaults, not tariff data.** Real duty depends on each item's HS code, its origin and
 * whether preferential origin can be proven (EU–UK TCA and EU–Swiss agreements give 0% on qualifying
 * goods; Switzerland charges by weight rather than value). These figures are blended
 * ad-valorem equivalents for a leather-goods and jewellery mix, so checkout shows a realistic line until
 * a customs-broker feed replaces them. Duty is charged on goods only, not on the shipping charge, and
 * de-minimis thresholds are ignored (no luxury order falls under them).
 */
export const DUTY_RATES = {
  CH: 1_000,
  LI: 1_000, // in the Swiss customs territory
  GB: 4_000,
  CA: 8_000,
} as const satisfies Record<string, number>;

/** A destination with an entry in `DUTY_RATES`. */
export type DutyCountry = keyof typeof DUTY_RATES;
