import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import type { MarketCode } from '../../../lib/money/markets.ts';
import { ShippingMethodUnavailableError, UnsupportedDestinationError } from '../../../lib/pricing/errors.ts';
import { priceCart } from '../../../lib/pricing/price-cart.ts';
import {
  CartTotals,
  type Destination,
  MAX_LINE_QUANTITY,
  type PriceLineInput,
  type ShippingMethodId,
} from '../../../lib/pricing/schemas.ts';

function price(
  market: MarketCode,
  destination: Destination,
  shippingMethod: ShippingMethodId,
  lines: PriceLineInput[],
): CartTotals {
  // Every result must satisfy its own contract, so each example checks the schema too.
  return CartTotals.parse(priceCart({ market, destination, shippingMethod, lines }));
}

const one = (unitPrice: number, sku = 'BAG-0001'): PriceLineInput[] => [{ sku, quantity: 1, unitPrice }];

describe('priceCart in tax-inclusive markets', () => {
  it('extracts French VAT at 20% from a Paris order without changing the price', () => {
    // €2,450.00 includes VAT: 245000 × 20 / 120 = 40833.33 → 40833.
    const totals = price('FR', { country: 'FR' }, 'standard', one(245_000));

    expect(totals.lines[0]).toMatchObject({ lineTotal: 245_000, net: 204_167, tax: 40_833, taxRate: 20_000 });
    expect(totals.shipping).toMatchObject({ method: 'standard', amount: 0, tax: 0 });
    expect(totals.tax).toEqual({
      total: 40_833,
      included: true,
      breakdown: [{ jurisdiction: 'FR', label: 'FR VAT 20%', rate: 20_000, taxable: 204_167, tax: 40_833 }],
    });
    expect(totals).toMatchObject({ currency: 'EUR', taxIncluded: true, subtotal: 245_000, total: 245_000 });
    expect(totals.treatment.kind).toBe('domestic');
  });

  it('charges standard shipping below the threshold and extracts its VAT separately', () => {
    // €250 line: 25000 / 6 = 4166.67 → 4167; €15 shipping: 1500 / 6 = 250.
    const totals = price('FR', { country: 'FR' }, 'standard', one(25_000));

    expect(totals.lines[0]?.tax).toBe(4_167);
    expect(totals.shipping).toEqual({
      method: 'standard',
      amount: 1_500,
      net: 1_250,
      tax: 250,
      taxRate: 20_000,
    });
    expect(totals.tax.total).toBe(4_417);
    expect(totals.total).toBe(26_500);
  });

  it('keeps the French price for a delivery to Germany and recomputes the VAT at 19% (OSS)', () => {
    // 245000 × 19 / 119 = 39117.65 → 39118.
    const totals = price('FR', { country: 'DE' }, 'standard', one(245_000));

    expect(totals.treatment).toMatchObject({
      kind: 'eu_oss',
      zone: 'regional',
      jurisdiction: 'DE',
      rate: 19_000,
    });
    expect(totals.lines[0]).toMatchObject({ lineTotal: 245_000, net: 205_882, tax: 39_118 });
    expect(totals.tax.breakdown[0]?.label).toBe('DE VAT 19%');
    expect(totals.total).toBe(245_000);
  });

  it('recomputes at 25.5% for Finland and at the French rate for Monaco from the German market', () => {
    expect(price('FR', { country: 'FI' }, 'standard', one(100_000)).lines[0]?.tax).toBe(20_319); // 100000 × 25.5 / 125.5
    const monaco = price('DE', { country: 'MC' }, 'express', one(120_000));
    expect(monaco.treatment).toMatchObject({ kind: 'eu_oss', rate: 20_000 });
    expect(monaco.lines[0]?.tax).toBe(20_000);
  });

  it('treats Monaco as domestic for the French market', () => {
    expect(price('FR', { country: 'MC' }, 'standard', one(120_000)).treatment).toMatchObject({
      kind: 'domestic',
      zone: 'domestic',
    });
  });

  it('prices a London order with white-glove delivery at 20% VAT in pounds', () => {
    // 2 × £1,150 = £2,300: 230000 / 6 = 38333.33 → 38333; white glove £125: 12500 / 6 = 2083.33 → 2083.
    const totals = price('GB', { country: 'GB' }, 'white_glove', [
      { sku: 'WATCH-01', quantity: 2, unitPrice: 115_000 },
    ]);

    expect(totals.currency).toBe('GBP');
    expect(totals.lines[0]).toMatchObject({ lineTotal: 230_000, tax: 38_333 });
    expect(totals.shipping).toMatchObject({ method: 'white_glove', amount: 12_500, tax: 2_083 });
    expect(totals.tax.total).toBe(40_416);
    expect(totals.total).toBe(242_500);
  });

  it('extracts Swiss VAT at 8.1% for a Geneva order in francs', () => {
    // 238000 × 8.1 / 108.1 = 17833.49 → 17833.
    const totals = price('CH', { country: 'CH' }, 'express', one(238_000));
    expect(totals.lines[0]?.tax).toBe(17_833);
    expect(totals.total).toBe(238_000);
    expect(price('CH', { country: 'LI' }, 'standard', one(238_000)).treatment.kind).toBe('domestic');
  });

  it('extracts 10% consumption tax in whole yen', () => {
    // ¥368,000: 368000 / 11 = 33454.55 → 33455.
    const totals = price('JP', { country: 'JP' }, 'standard', one(368_000));
    expect(totals).toMatchObject({ currency: 'JPY', subtotal: 368_000, total: 368_000 });
    expect(totals.lines[0]).toMatchObject({ net: 334_545, tax: 33_455 });
    expect(totals.tax.breakdown[0]?.label).toBe('JP consumption tax 10%');
  });

  it('charges ¥1,500 shipping under ¥50,000 with its consumption tax rounded to the yen', () => {
    // ¥33,000 → ¥3,000 tax exactly; shipping 1500 / 11 = 136.36 → 136.
    const totals = price('JP', { country: 'JP' }, 'standard', one(33_000));
    expect(totals.shipping).toMatchObject({ amount: 1_500, net: 1_364, tax: 136 });
    expect(totals.tax.total).toBe(3_136);
    expect(totals.total).toBe(34_500);
  });

  it('extracts Korean VAT at 10% in whole won', () => {
    // ₩4,100,000: 4100000 / 11 = 372727.27 → 372727.
    const totals = price('KR', { country: 'KR' }, 'express', one(4_100_000));
    expect(totals).toMatchObject({ currency: 'KRW', total: 4_100_000 });
    expect(totals.lines[0]?.tax).toBe(372_727);
    expect(totals.shipping.amount).toBe(0);
  });

  it('extracts Singapore GST at 9%', () => {
    // S$3,870: 387000 × 9 / 109 = 31954.13 → 31954.
    const totals = price('SG', { country: 'SG' }, 'standard', one(387_000));
    expect(totals.lines[0]?.tax).toBe(31_954);
    expect(totals.tax.breakdown[0]?.label).toBe('SG GST 9%');
  });
});

describe('priceCart in the US', () => {
  it('adds New York State sales tax at 4% on goods and on shipping', () => {
    // $250 + $15 shipping; NY taxes delivery charges: 1000 + 60.
    const totals = price('US', { country: 'US', region: 'NY' }, 'standard', one(25_000));

    expect(totals).toMatchObject({ currency: 'USD', taxIncluded: false, subtotal: 25_000 });
    expect(totals.lines[0]).toMatchObject({ lineTotal: 25_000, net: 25_000, tax: 1_000, taxRate: 4_000 });
    expect(totals.shipping).toEqual({
      method: 'standard',
      amount: 1_500,
      net: 1_500,
      tax: 60,
      taxRate: 4_000,
    });
    expect(totals.tax).toMatchObject({ total: 1_060, included: false });
    expect(totals.total).toBe(27_560);
  });

  it("adds California's 7.25% rounding a half cent up, and leaves shipping untaxed", () => {
    // $2,650 × 7.25% = 19212.5 → 19213 (half up).
    expect(price('US', { country: 'US', region: 'CA' }, 'standard', one(265_000)).tax.total).toBe(19_213);

    // $250 × 7.25% = 1812.5 → 1813; shipping $15 untaxed in California.
    const totals = price('US', { country: 'US', region: 'CA' }, 'standard', one(25_000));
    expect(totals.shipping).toMatchObject({ amount: 1_500, tax: 0, taxRate: 0 });
    expect(totals.tax.total).toBe(1_813);
    expect(totals.total).toBe(28_313);
    expect(totals.tax.breakdown).toEqual([
      { jurisdiction: 'US-CA', label: 'US-CA sales tax 7.25%', rate: 7_250, taxable: 25_000, tax: 1_813 },
      { jurisdiction: 'US-CA', label: 'US-CA sales tax 0%', rate: 0, taxable: 1_500, tax: 0 },
    ]);
  });

  it("adds Minnesota's 6.875% exactly, which basis points could not express", () => {
    // 265000 × 6.875% = 18218.75 → 18219.
    expect(price('US', { country: 'US', region: 'MN' }, 'express', one(265_000)).lines[0]?.tax).toBe(18_219);
  });

  it('adds nothing in a state with no sales tax', () => {
    const totals = price('US', { country: 'US', region: 'OR' }, 'standard', one(265_000));
    expect(totals.tax.total).toBe(0);
    expect(totals.total).toBe(265_000);
  });

  it('taxes each line separately and reports their exact sum', () => {
    // 3 × $19.99 = 59.97 → 239.88 → 240; $0.37 → 1.48 → 1; per-line rounding, summed.
    const totals = price('US', { country: 'US', region: 'NY' }, 'express', [
      { sku: 'CARD-001', quantity: 3, unitPrice: 1_999 },
      { sku: 'PIN-0001', quantity: 1, unitPrice: 37 },
    ]);
    expect(totals.lines.map((l) => l.tax)).toEqual([240, 1]);
    expect(totals.tax.total).toBe(240 + 1 + totals.shipping.tax);
  });
});

describe('priceCart for delivered-duty-paid orders', () => {
  it('removes French VAT, adds Swiss import VAT and duty for a Geneva delivery from the French market', () => {
    // €1,200 incl. 20% → net 100000; CH VAT 8.1% → 8100; duty 1% → 1000 with 81 VAT on it.
    // Express €60 (under the €5,000 threshold), 8.1% inside: 6000 × 8.1 / 108.1 = 449.58 → 450.
    const totals = price('FR', { country: 'CH' }, 'express', one(120_000));

    expect(totals.treatment).toMatchObject({
      kind: 'duties_paid',
      zone: 'international',
      originRate: 20_000,
      rate: 8_100,
      dutyRate: 1_000,
    });
    expect(totals.lines[0]).toMatchObject({
      unitPrice: 120_000,
      lineTotal: 108_100,
      net: 100_000,
      tax: 8_100,
    });
    expect(totals.duties).toMatchObject({ amount: 1_081, net: 1_000, tax: 81, rate: 1_000 });
    expect(totals.duties.note).toContain('FR VAT (20%) removed on export');
    expect(totals.shipping).toMatchObject({ amount: 6_000, net: 5_550, tax: 450 });
    expect(totals.tax.total).toBe(8_100 + 450 + 81);
    expect(totals.total).toBe(108_100 + 6_000 + 1_081);
  });

  it('swaps French VAT for UK VAT and adds duty for a London delivery from the French market', () => {
    // net 100000 + 20% UK VAT = 120000; duty 4% = 4000 + 800 VAT; standard free from €1,000.
    const totals = price('FR', { country: 'GB' }, 'standard', one(120_000));
    expect(totals.lines[0]).toMatchObject({ lineTotal: 120_000, tax: 20_000 });
    expect(totals.duties).toMatchObject({ amount: 4_800, tax: 800 });
    expect(totals.shipping.amount).toBe(0);
    expect(totals.total).toBe(124_800);
  });

  it('adds Ontario HST and duty on top for a Toronto delivery from the US market', () => {
    // $2,650 net (US prices exclude tax). HST 13% → 34450; duty 8% → 21200 + 2756 HST;
    // express $60 + 780 HST.
    const totals = price('US', { country: 'CA', region: 'ON' }, 'express', one(265_000));
    expect(totals.taxIncluded).toBe(false);
    expect(totals.lines[0]).toMatchObject({ lineTotal: 265_000, net: 265_000, tax: 34_450 });
    expect(totals.duties).toMatchObject({ amount: 21_200, net: 21_200, tax: 2_756 });
    expect(totals.shipping).toMatchObject({ amount: 6_000, tax: 780 });
    expect(totals.tax.total).toBe(34_450 + 780 + 2_756);
    expect(totals.total).toBe(265_000 + 6_000 + 21_200 + 37_986);
    expect(totals.tax.breakdown[0]?.label).toBe('CA-ON HST 13%');
  });

  it('charges GST only for a province without HST', () => {
    expect(price('US', { country: 'CA', region: 'AB' }, 'standard', one(100_000)).lines[0]?.tax).toBe(5_000);
  });
});

describe('priceCart with click and collect', () => {
  it("charges no shipping and the boutique's country's VAT", () => {
    // French price collected at the Milan boutique: 245000 × 22 / 122 = 44180.33 → 44180.
    const totals = price('FR', { country: 'IT' }, 'pickup', one(245_000));
    expect(totals.shipping).toEqual({ method: 'pickup', amount: 0, net: 0, tax: 0, taxRate: 22_000 });
    expect(totals.lines[0]?.tax).toBe(44_180);
    expect(totals.total).toBe(245_000);
  });

  it("charges the boutique's state's sales tax in the US", () => {
    const totals = price('US', { country: 'US', region: 'IL' }, 'pickup', one(100_000));
    expect(totals.tax.total).toBe(6_250);
    expect(totals.total).toBe(106_250);
  });

  it('is not offered across a customs border', () => {
    expect(() => price('FR', { country: 'CH' }, 'pickup', one(100_000))).toThrow(
      ShippingMethodUnavailableError,
    );
  });
});

describe('priceCart rejections', () => {
  it.each<[MarketCode, Destination, string]>([
    ['FR', { country: 'US', region: 'NY' }, 'US orders belong to the US market'],
    ['FR', { country: 'JP' }, 'not a destination of the French market'],
    ['GB', { country: 'FR' }, 'the UK market ships at home only'],
    ['US', { country: 'US' }, 'a US state is required'],
    ['US', { country: 'US', region: 'PR' }, 'territories are not in the state table'],
    ['US', { country: 'CA' }, 'a Canadian province is required'],
    ['US', { country: 'MX' }, 'not a destination of the US market'],
    ['FR', { country: 'ES', region: 'CN' }, 'regions are only read for the US and Canada'],
  ])('rejects %s → %o with UNSUPPORTED_DESTINATION (%s)', (market, destination) => {
    const attempt = () => price(market, destination, 'standard', one(100_000));
    expect(attempt).toThrow(UnsupportedDestinationError);
    expect(attempt).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_DESTINATION', status: 422 }));
  });

  it('rejects white glove where the house runs no courier, with SHIPPING_METHOD_UNAVAILABLE', () => {
    for (const [market, destination] of [
      ['KR', { country: 'KR' }],
      ['US', { country: 'US', region: 'TX' }],
      ['FR', { country: 'DE' }],
    ] as const) {
      expect(() => price(market, destination, 'white_glove', one(100_000))).toThrow(
        expect.objectContaining({ code: 'SHIPPING_METHOD_UNAVAILABLE', status: 422 }),
      );
    }
  });

  it('rejects quantities above the per-line cap, zero quantities, fractional prices and split lines', () => {
    const base = { market: 'FR', destination: { country: 'FR' }, shippingMethod: 'standard' } as const;
    const bad: PriceLineInput[][] = [
      [{ sku: 'BAG-0001', quantity: MAX_LINE_QUANTITY + 1, unitPrice: 100 }],
      [{ sku: 'BAG-0001', quantity: 0, unitPrice: 100 }],
      [{ sku: 'BAG-0001', quantity: 1, unitPrice: 100.5 }],
      [{ sku: 'BAG-0001', quantity: 1, unitPrice: -100 }],
      [
        { sku: 'BAG-0001', quantity: 3, unitPrice: 100 },
        { sku: 'BAG-0001', quantity: 3, unitPrice: 100 },
      ],
    ];
    for (const lines of bad) expect(() => priceCart({ ...base, lines })).toThrow(ZodError);
    expect(() => priceCart({ ...base, lines: [] })).toThrow(ZodError);
  });
});
