import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CURRENCY_EXPONENT } from '../../../lib/money/currency.ts';
import { MARKET_CODES, MARKETS, type MarketCode } from '../../../lib/money/markets.ts';
import { priceCart } from '../../../lib/pricing/price-cart.ts';
import { RATE_SCALE, taxContentOf } from '../../../lib/pricing/rounding.ts';
import {
  CartTotals,
  type Destination,
  MAX_CART_LINES,
  MAX_LINE_QUANTITY,
  MAX_UNIT_PRICE,
  type PriceCartInput,
  type PriceLineInput,
} from '../../../lib/pricing/schemas.ts';
import { shippingMethodsFor } from '../../../lib/pricing/shipping.ts';
import { CA_IMPORT_TAX, EU_VAT_AREA, US_STATE_SALES_TAX } from '../../../lib/pricing/tax-rates.ts';

const countries = (codes: readonly string[]): Destination[] => codes.map((country) => ({ country }));
const EU_MARKET_DESTINATIONS = countries([...EU_VAT_AREA, 'CH', 'LI', 'GB']);

/** Every destination each market serves, so generated carts exercise domestic, OSS and duties-paid paths. */
const DESTINATIONS: Record<MarketCode, Destination[]> = {
  FR: EU_MARKET_DESTINATIONS,
  DE: EU_MARKET_DESTINATIONS,
  IT: EU_MARKET_DESTINATIONS,
  ES: EU_MARKET_DESTINATIONS,
  GB: countries(['GB']),
  CH: countries(['CH', 'LI']),
  US: [
    ...Object.keys(US_STATE_SALES_TAX).map((region) => ({ country: 'US', region })),
    ...Object.keys(CA_IMPORT_TAX).map((region) => ({ country: 'CA', region })),
  ],
  JP: countries(['JP']),
  KR: countries(['KR']),
  SG: countries(['SG']),
};

const unitPrice = fc.oneof(
  fc.integer({ min: 1, max: 100_000 }),
  fc.bigInt({ min: 1n, max: BigInt(MAX_UNIT_PRICE) }).map(Number),
);

const lines = (maxLength: number) =>
  fc.uniqueArray(
    fc.record({
      sku: fc.integer({ min: 0, max: 999_999 }).map((n) => `SKU-${n}`),
      quantity: fc.integer({ min: 1, max: MAX_LINE_QUANTITY }),
      unitPrice,
    }),
    { minLength: 1, maxLength, selector: (line) => line.sku },
  );

const listTotal = (line: PriceLineInput) => line.unitPrice * line.quantity;
const listSubtotal = (input: PriceCartInput) => input.lines.reduce((sum, line) => sum + listTotal(line), 0);

/** A valid cart for `markets`, with a shipping method picked among those offered for it. */
const cartFor = (markets: readonly MarketCode[], maxLines = 6) =>
  fc
    .constantFrom(...markets)
    .chain((market) =>
      fc.record({
        market: fc.constant(market),
        destination: fc.constantFrom(...DESTINATIONS[market]),
        lines: lines(maxLines),
        pick: fc.nat(),
      }),
    )
    .map(({ market, destination, lines, pick }): PriceCartInput => {
      const input = { market, destination, lines, shippingMethod: 'standard' as const };
      const offered = shippingMethodsFor(market, destination, listSubtotal(input));
      return { ...input, shippingMethod: offered[pick % offered.length]!.method };
    });

const anyCart = cartFor(MARKET_CODES);

function numericLeaves(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.flatMap(numericLeaves);
  if (value && typeof value === 'object') return Object.values(value).flatMap(numericLeaves);
  return [];
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

describe('priceCart properties', () => {
  it('reports a total that is exactly the sum of its parts', () => {
    fc.assert(
      fc.property(anyCart, (input) => {
        const t = priceCart(input);
        expect(t.subtotal).toBe(sum(t.lines.map((l) => l.lineTotal)));
        expect(t.total).toBe(
          t.subtotal + t.shipping.amount + t.duties.amount + (t.taxIncluded ? 0 : t.tax.total),
        );
        // Each part is its net plus its tax (included) or its net alone (tax added at the end).
        for (const part of [...t.lines.map((l) => ({ amount: l.lineTotal, ...l })), t.shipping, t.duties]) {
          expect(part.amount).toBe(t.taxIncluded ? part.net + part.tax : part.net);
        }
        const nets = sum([...t.lines.map((l) => l.net), t.shipping.net, t.duties.net]);
        expect(t.total).toBe(nets + t.tax.total);
      }),
      { numRuns: 500 },
    );
  });

  it('reports a tax total equal to the line, shipping and duty taxes, and to its breakdown', () => {
    fc.assert(
      fc.property(anyCart, (input) => {
        const t = priceCart(input);
        expect(t.tax.total).toBe(sum(t.lines.map((l) => l.tax)) + t.shipping.tax + t.duties.tax);
        expect(sum(t.tax.breakdown.map((b) => b.tax))).toBe(t.tax.total);
        expect(sum(t.tax.breakdown.map((b) => b.taxable))).toBe(
          sum([...t.lines.map((l) => l.net), t.shipping.net, t.duties.net]),
        );
        expect(t.tax.included).toBe(t.taxIncluded);
        expect(new Set(t.tax.breakdown.map((b) => b.rate)).size).toBe(t.tax.breakdown.length);
      }),
      { numRuns: 500 },
    );
  });

  it('produces only non-negative safe integers, and results that satisfy CartTotals', () => {
    fc.assert(
      fc.property(anyCart, (input) => {
        const t = priceCart(input);
        expect(() => CartTotals.parse(t)).not.toThrow();
        for (const n of numericLeaves(t)) {
          expect(Number.isSafeInteger(n)).toBe(true);
          expect(n).toBeGreaterThanOrEqual(0);
        }
        expect(t.currency).toBe(MARKETS[input.market].currency);
      }),
      { numRuns: 500 },
    );
  });

  it('never changes the gross a shopper saw in a tax-inclusive market, except by duties-paid re-pricing', () => {
    fc.assert(
      fc.property(cartFor(MARKET_CODES.filter((m) => MARKETS[m].taxInclusive)), (input) => {
        const t = priceCart(input);
        const shippingQuoted = shippingMethodsFor(input.market, input.destination, listSubtotal(input)).find(
          (o) => o.method === input.shippingMethod,
        )!.amount;
        expect(t.shipping.amount).toBe(shippingQuoted);
        if (t.treatment.kind !== 'duties_paid') {
          expect(t.lines.map((l) => l.lineTotal)).toEqual(input.lines.map(listTotal));
          expect(t.total).toBe(listSubtotal(input) + shippingQuoted);
          expect(t.duties.amount).toBe(0);
        } else {
          // The documented adjustment: origin VAT out, destination tax in, duty shown on its own.
          input.lines.forEach((line, i) => {
            const net = listTotal(line) - taxContentOf(listTotal(line), t.treatment.originRate);
            expect(t.lines[i]).toMatchObject({ net, lineTotal: net + (t.lines[i]?.tax ?? Number.NaN) });
          });
        }
      }),
      { numRuns: 500 },
    );
  });

  it('adds US sales tax on top of an unchanged list subtotal', () => {
    fc.assert(
      fc.property(cartFor(['US']), (input) => {
        const t = priceCart(input);
        expect(t.taxIncluded).toBe(false);
        expect(t.subtotal).toBe(listSubtotal(input));
      }),
      { numRuns: 300 },
    );
  });

  it('rounds every line tax to within half a minor unit of the exact tax', () => {
    fc.assert(
      fc.property(anyCart, (input) => {
        const t = priceCart(input);
        const scale = BigInt(RATE_SCALE);
        for (const line of t.lines) {
          const r = BigInt(line.taxRate);
          // Extracted from a gross (gross = net + tax): |tax − gross·r/(scale + r)| ≤ ½ is exactly
          // |2(tax·scale − net·r)| ≤ scale + r. Added to a net: |tax − net·r/scale| ≤ ½ is ≤ scale.
          const extracted = t.taxIncluded && t.treatment.kind !== 'duties_paid';
          const error = 2n * (BigInt(line.tax) * scale - BigInt(line.net) * r);
          const bound = extracted ? scale + r : scale;
          expect(error >= -bound && error <= bound).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never produces fractional yen or won', () => {
    fc.assert(
      fc.property(cartFor(['JP', 'KR'], 10), (input) => {
        const t = priceCart(input);
        expect(CURRENCY_EXPONENT[t.currency]).toBe(0);
        for (const n of numericLeaves(t)) expect(Number.isInteger(n)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('stays exact for the largest cart the caps allow', () => {
    const biggest = Array.from({ length: MAX_CART_LINES }, (_, i) => ({
      sku: `SKU-${i}`,
      quantity: MAX_LINE_QUANTITY,
      unitPrice: MAX_UNIT_PRICE - i,
    }));
    for (const [market, destination] of [
      ['FR', { country: 'FR' }],
      ['FR', { country: 'GB' }],
      ['US', { country: 'US', region: 'TN' }],
      ['US', { country: 'CA', region: 'NS' }],
      ['JP', { country: 'JP' }],
    ] as const) {
      const t = priceCart({ market, destination, shippingMethod: 'express', lines: biggest });
      expect(numericLeaves(t).every(Number.isSafeInteger)).toBe(true);
      expect(t.total).toBe(
        t.subtotal + t.shipping.amount + t.duties.amount + (t.taxIncluded ? 0 : t.tax.total),
      );
    }
  });
});
