import { z } from 'zod';
import { Sku } from '../contracts/catalog.ts';
import { CurrencyCode } from '../money/currency.ts';
import { MarketCode } from '../money/markets.ts';

/**
 * Most pieces of one SKU a line may hold. Luxury houses cap quantities to deter resellers; the cart
 * module enforces the same cap when lines are added.
 */
export const MAX_LINE_QUANTITY = 5;

/** Most distinct SKUs one cart may hold; with the quantity and price caps it keeps every total exact. */
export const MAX_CART_LINES = 50;

/** Highest unit price accepted, in minor units; the same cap as catalog prices (`MarketPrice`). */
export const MAX_UNIT_PRICE = 1e13;

/** An amount in integer minor units of the cart's currency. */
export const MinorUnits = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** A tax or duty rate in milli-percent (thousandths of a percent): 20000 = 20%, 6875 = 6.875%. */
export const RateMilliPercent = z.number().int().min(0).max(100_000);

/** Where the order goes: the shopper's address, or the boutique's for click and collect. */
export const Destination = z
  .strictObject({
    country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as FR'),
    region: z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be a two-letter state or province code such as NY')
      .optional()
      .describe(
        'US state or Canadian province (the part after the dash in ISO 3166-2); required for US and CA',
      ),
  })
  .meta({ id: 'Destination' });
export type Destination = z.infer<typeof Destination>;

/** How the order reaches the shopper. `pickup` is click and collect at a boutique. */
export const ShippingMethodId = z.enum(['standard', 'express', 'white_glove', 'pickup']);
export type ShippingMethodId = z.infer<typeof ShippingMethodId>;

/** One cart line as priced: the unit price comes from the market's price list. */
export const PriceLineInput = z.strictObject({
  sku: Sku,
  quantity: z.number().int().min(1).max(MAX_LINE_QUANTITY),
  unitPrice: z
    .number()
    .int()
    .positive()
    .max(MAX_UNIT_PRICE)
    .describe("Minor units from the market's price list, as the shopper saw it"),
});
export type PriceLineInput = z.infer<typeof PriceLineInput>;

/** Input of `priceCart`. */
export const PriceCartInput = z
  .strictObject({
    market: MarketCode,
    lines: z
      .array(PriceLineInput)
      .min(1)
      .max(MAX_CART_LINES)
      .refine((lines) => new Set(lines.map((l) => l.sku)).size === lines.length, {
        // One line per SKU, or the per-line quantity cap could be side-stepped by splitting a line.
        message: 'each SKU may appear on one line only',
      }),
    destination: Destination,
    shippingMethod: ShippingMethodId,
  })
  .meta({ id: 'PriceCartInput' });
export type PriceCartInput = z.infer<typeof PriceCartInput>;

/**
 * How tax is worked out for a market and destination:
 * - `domestic`: delivered inside the market's own tax area; the listed price includes its tax
 *   (or, in the US, sales tax is added at the destination state's rate);
 * - `eu_oss`: an EU-priced order delivered to another EU VAT area; the price is kept and its VAT
 *   content is recomputed at the destination's rate (One-Stop Shop);
 * - `duties_paid`: delivered outside the market's customs union, delivered duty paid (DDP).
 */
export const TaxTreatmentKind = z.enum(['domestic', 'eu_oss', 'duties_paid']);
export type TaxTreatmentKind = z.infer<typeof TaxTreatmentKind>;

/** The tax regime that applies to one market and destination. */
export const TaxTreatment = z
  .strictObject({
    kind: TaxTreatmentKind,
    zone: z
      .enum(['domestic', 'regional', 'international'])
      .describe('Shipping zone: own tax area, same customs union, or cross-border'),
    jurisdiction: z.string().describe('Who the tax is due to, e.g. "DE", "US-NY", "CA-ON"'),
    taxName: z.enum(['VAT', 'GST', 'HST', 'consumption tax', 'sales tax']),
    rate: RateMilliPercent.describe('Rate charged on goods'),
    shippingRate: RateMilliPercent.describe('Rate charged on the shipping charge'),
    originRate: RateMilliPercent.describe(
      'Rate included in list prices that is removed on export (DDP only)',
    ),
    dutyRate: RateMilliPercent.describe('Customs duty on the net value of goods (DDP only)'),
  })
  .meta({ id: 'TaxTreatment' });
export type TaxTreatment = z.infer<typeof TaxTreatment>;

const BusinessDays = z.strictObject({
  min: z.number().int().nonnegative(),
  max: z.number().int().nonnegative(),
});

/** A shipping method available for a market, destination and subtotal, with the price that applies. */
export const ShippingOption = z
  .strictObject({
    method: ShippingMethodId,
    amount: MinorUnits.describe('What the shopper pays: 0 once the subtotal reaches `freeFrom`'),
    listPrice: MinorUnits.describe('The charge below the free-shipping threshold'),
    freeFrom: MinorUnits.nullable().describe(
      'Merchandise subtotal from which the method is free; null: never',
    ),
    currency: CurrencyCode,
    estimatedBusinessDays: BusinessDays,
  })
  .meta({ id: 'ShippingOption' });
export type ShippingOption = z.infer<typeof ShippingOption>;

/** A priced cart line. */
export const PricedLine = z.strictObject({
  sku: Sku,
  quantity: z.number().int().positive(),
  unitPrice: MinorUnits.describe('As listed in the market'),
  lineTotal: MinorUnits.describe(
    'What the line costs: including tax when `taxIncluded`, before tax otherwise. Equals unitPrice × quantity except on duties-paid orders from tax-inclusive markets, where export removes the origin tax and the destination tax is added',
  ),
  net: MinorUnits.describe('The line before tax'),
  tax: MinorUnits.describe('Tax contained in (taxIncluded) or added to the line, rounded once per line'),
  taxRate: RateMilliPercent,
});
export type PricedLine = z.infer<typeof PricedLine>;

/** One rate's share of the cart's tax. */
export const TaxBreakdownEntry = z.strictObject({
  jurisdiction: z.string(),
  label: z.string().describe('e.g. "DE VAT 19%"'),
  rate: RateMilliPercent,
  taxable: MinorUnits.describe('Net amount taxed at this rate'),
  tax: MinorUnits,
});
export type TaxBreakdownEntry = z.infer<typeof TaxBreakdownEntry>;

/**
 * The priced cart. Every amount is integer minor units of `currency`, and the totals are exact sums:
 * - `subtotal` = Σ lines.lineTotal;
 * - `tax.total` = Σ lines.tax + shipping.tax + duties.tax = Σ tax.breakdown.tax;
 * - `total` = subtotal + shipping.amount + duties.amount, plus `tax.total` when tax is not included.
 */
export const CartTotals = z
  .strictObject({
    market: MarketCode,
    currency: CurrencyCode,
    destination: Destination,
    taxIncluded: z
      .boolean()
      .describe('Whether line totals, shipping and duties include tax (EU, UK, CH, JP, KR, SG)'),
    treatment: TaxTreatment,
    lines: z.array(PricedLine).min(1),
    subtotal: MinorUnits,
    shipping: z.strictObject({
      method: ShippingMethodId,
      amount: MinorUnits,
      net: MinorUnits,
      tax: MinorUnits,
      taxRate: RateMilliPercent,
    }),
    duties: z.strictObject({
      amount: MinorUnits.describe(
        'Customs duty, and when taxIncluded the import tax on it; 0 unless duties paid',
      ),
      net: MinorUnits.describe('The customs duty itself'),
      tax: MinorUnits.describe('Import tax charged on the duty'),
      rate: RateMilliPercent,
      note: z.string().nullable(),
    }),
    tax: z.strictObject({
      total: MinorUnits,
      included: z.boolean(),
      breakdown: z.array(TaxBreakdownEntry),
    }),
    total: MinorUnits,
  })
  .meta({ id: 'CartTotals' });
export type CartTotals = z.infer<typeof CartTotals>;
