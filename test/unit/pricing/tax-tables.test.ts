import { describe, expect, it } from 'vitest';
import { MARKET_CODES, MARKETS } from '../../../lib/money/markets.ts';
import { RATE_SCALE } from '../../../lib/pricing/rounding.ts';
import {
  CA_IMPORT_TAX,
  COUNTRY_TAX,
  DUTY_RATES,
  EU_VAT_AREA,
  isTaxCountry,
  US_STATE_SALES_TAX,
} from '../../../lib/pricing/tax-rates.ts';

const US_STATES_AND_DC = (
  'AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND ' +
  'OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY'
).split(' ');

const validRate = (rate: number) => Number.isInteger(rate) && rate >= 0 && rate < RATE_SCALE;

describe('tax tables', () => {
  it('cover all 50 states and DC with integer rates, and no others', () => {
    expect(Object.keys(US_STATE_SALES_TAX).sort()).toEqual([...US_STATES_AND_DC].sort());
    expect(Object.values(US_STATE_SALES_TAX).every((s) => validRate(s.rate))).toBe(true);
  });

  it('charge nothing in the five states without a state sales tax', () => {
    const none = Object.entries(US_STATE_SALES_TAX)
      .filter(([, s]) => s.rate === 0)
      .map(([state]) => state);
    expect(none.sort()).toEqual(['AK', 'DE', 'MT', 'NH', 'OR']);
  });

  it('hold the standard rates of the markets Vitrine prices in', () => {
    expect(COUNTRY_TAX.FR.rate).toBe(20_000);
    expect(COUNTRY_TAX.DE.rate).toBe(19_000);
    expect(COUNTRY_TAX.MC.rate).toBe(COUNTRY_TAX.FR.rate);
    expect(COUNTRY_TAX.GB.rate).toBe(20_000);
    expect(COUNTRY_TAX.CH.rate).toBe(8_100);
    expect(COUNTRY_TAX.JP).toEqual({ rate: 10_000, name: 'consumption tax' });
    expect(COUNTRY_TAX.KR.rate).toBe(10_000);
    expect(COUNTRY_TAX.SG).toEqual({ rate: 9_000, name: 'GST' });
    expect(US_STATE_SALES_TAX.NY.rate).toBe(4_000);
    expect(US_STATE_SALES_TAX.CA.rate).toBe(7_250);
  });

  it('have a rate for every EU destination, every tax-inclusive market and every duty destination', () => {
    for (const country of EU_VAT_AREA) expect(isTaxCountry(country)).toBe(true);
    for (const market of MARKET_CODES.filter((m) => MARKETS[m].taxInclusive)) {
      expect(isTaxCountry(market)).toBe(true);
    }
    for (const country of Object.keys(DUTY_RATES)) {
      expect(isTaxCountry(country) || country === 'CA').toBe(true);
    }
    expect(Object.values(COUNTRY_TAX).every((t) => validRate(t.rate))).toBe(true);
    expect(Object.values(CA_IMPORT_TAX).every((t) => validRate(t.rate))).toBe(true);
    expect(Object.values(DUTY_RATES).every(validRate)).toBe(true);
  });
});
