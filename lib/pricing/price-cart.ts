import { MARKETS } from '../money/markets.ts';
import { applyRate, formatRate, multiplyMinorUnits, sumMinorUnits, taxContentOf } from './rounding.ts';
import {
  type CartTotals,
  PriceCartInput,
  type PricedLine,
  type TaxBreakdownEntry,
  type TaxTreatment,
} from './schemas.ts';
import { quoteShipping } from './shipping.ts';
import { taxTreatmentFor } from './tax-treatment.ts';

/** An amount split into what the shopper pays for it, its net, and the tax in or on it. */
interface Charge {
  readonly amount: number;
  readonly net: number;
  readonly tax: number;
  readonly rate: number;
}

/** From a listed amount: inclusive markets extract the tax from it, the US adds tax on top of it. */
function fromListed(listed: number, rate: number, taxIncluded: boolean): Charge {
  if (!taxIncluded) return { amount: listed, net: listed, tax: applyRate(listed, rate), rate };
  const tax = taxContentOf(listed, rate);
  return { amount: listed, net: listed - tax, tax, rate };
}

/** From a net amount (duties-paid re-pricing): tax is computed on the net and shown as the market shows it. */
function fromNet(net: number, rate: number, taxIncluded: boolean): Charge {
  const tax = applyRate(net, rate);
  return { amount: taxIncluded ? net + tax : net, net, tax, rate };
}

interface LineCharge extends Charge {
  readonly duty: number;
}

function priceLine(listTotal: number, treatment: TaxTreatment, taxIncluded: boolean): LineCharge {
  if (treatment.kind !== 'duties_paid')
    return { ...fromListed(listTotal, treatment.rate, taxIncluded), duty: 0 };
  // Exports are zero-rated at origin: the VAT inside the list price is taken out before anything else.
  const net = listTotal - taxContentOf(listTotal, treatment.originRate);
  return { ...fromNet(net, treatment.rate, taxIncluded), duty: applyRate(net, treatment.dutyRate) };
}

function breakdown(treatment: TaxTreatment, charges: readonly Charge[]): TaxBreakdownEntry[] {
  const byRate = new Map<number, { taxable: number; tax: number }>();
  for (const charge of charges) {
    if (charge.net === 0 && charge.tax === 0) continue;
    const entry = byRate.get(charge.rate) ?? { taxable: 0, tax: 0 };
    byRate.set(charge.rate, {
      taxable: sumMinorUnits([entry.taxable, charge.net]),
      tax: sumMinorUnits([entry.tax, charge.tax]),
    });
  }
  return [...byRate.entries()]
    .sort(([a], [b]) => b - a)
    .map(([rate, { taxable, tax }]) => ({
      jurisdiction: treatment.jurisdiction,
      label: `${treatment.jurisdiction} ${treatment.taxName} ${formatRate(rate)}`,
      rate,
      taxable,
      tax,
    }));
}

function dutiesNote(market: string, treatment: TaxTreatment): string {
  const origin =
    treatment.originRate > 0 ? `; ${market} VAT (${formatRate(treatment.originRate)}) removed on export` : '';
  return (
    `Delivered duty paid to ${treatment.jurisdiction}: customs duty ${formatRate(treatment.dutyRate)} ` +
    `of the goods' net value (illustrative rate) and ${treatment.taxName} ${formatRate(treatment.rate)} ` +
    `on goods, duty and shipping, collected at checkout so nothing is due on delivery${origin}`
  );
}

/**
 * Prices a cart for checkout: line totals, tax, shipping, duties and the total, all in integer minor units
 * of the market's currency.
 *
 * Rules:
 * - **Tax-inclusive markets, domestic or EU One-Stop Shop** (FR → FR, FR → DE, GB, CH, JP, KR, SG):
 *   the shopper pays exactly the listed price and the shipping charge; the tax inside each line is
 *   `round(lineTotal × rate / (100000 + rate))` at the destination's rate.
 * - **US**: sales tax at the destination state's base rate is added per line, `round(net × rate / 100000)`,
 *   and on shipping where the state taxes delivery charges (see `US_STATE_SALES_TAX`).
 * - **Delivered duty paid** (outside the market's customs union: EU markets → CH, LI, GB; US → CA): each
 *   line's origin VAT is removed (`net = listed − round(listed × origin / (100000 + origin))`), the
 *   destination's import tax is charged on the net, customs duty is charged on the net per line and shown
 *   as the `duties` amount with the import tax on it. This is the one case where a line total differs from
 *   unit price × quantity. The shipping charge is never re-priced; its tax content is at the destination
 *   rate.
 * - **Click and collect** (`pickup`): the destination is the boutique, so its country's (or state's) tax
 *   applies; shipping is 0.
 *
 * Rounding: half up, once per line, once for shipping and once for the duty total and once for the tax
 * on it (see `rounding.ts`). Totals are exact sums of those rounded parts and are never rounded again, so
 * Σ line tax + shipping tax + duties tax = `tax.total` exactly. Rounding per line rather than per invoice
 * is allowed in every jurisdiction here except Japan's qualified-invoice rule, which rounds once per rate
 * per invoice: the invoice module must recompute the consumption tax from `tax.breakdown[].taxable` when
 * it issues a qualified invoice (the difference is at most ¥1 per line).
 *
 * @throws ZodError when the input is malformed (bad quantities, duplicate SKUs, fractional amounts)
 * @throws UnsupportedDestinationError (422) when the market does not deliver to the destination
 * @throws ShippingMethodUnavailableError (422) when the method is not offered there
 */
export function priceCart(input: PriceCartInput): CartTotals {
  const { market, lines, destination, shippingMethod } = PriceCartInput.parse(input);
  const { currency, taxInclusive } = MARKETS[market];
  const treatment = taxTreatmentFor(market, destination);

  const listTotals = lines.map((line) => multiplyMinorUnits(line.unitPrice, line.quantity));
  const listSubtotal = sumMinorUnits(listTotals);
  const shippingOption = quoteShipping(market, destination, shippingMethod, listSubtotal);

  const lineCharges = listTotals.map((listTotal) => priceLine(listTotal, treatment, taxInclusive));
  const pricedLines: PricedLine[] = lines.map((line, i) => {
    const charge = lineCharges[i]!;
    return {
      sku: line.sku,
      quantity: line.quantity,
      unitPrice: line.unitPrice,
      lineTotal: charge.amount,
      net: charge.net,
      tax: charge.tax,
      taxRate: charge.rate,
    };
  });

  const shipping = fromListed(shippingOption.amount, treatment.shippingRate, taxInclusive);
  const dutyNet = sumMinorUnits(lineCharges.map((c) => c.duty));
  const duties = fromNet(dutyNet, treatment.kind === 'duties_paid' ? treatment.rate : 0, taxInclusive);

  const subtotal = sumMinorUnits(pricedLines.map((l) => l.lineTotal));
  const taxTotal = sumMinorUnits([...lineCharges.map((c) => c.tax), shipping.tax, duties.tax]);
  const total = sumMinorUnits([subtotal, shipping.amount, duties.amount, taxInclusive ? 0 : taxTotal]);

  return {
    market,
    currency,
    destination,
    taxIncluded: taxInclusive,
    treatment,
    lines: pricedLines,
    subtotal,
    shipping: {
      method: shippingOption.method,
      amount: shipping.amount,
      net: shipping.net,
      tax: shipping.tax,
      taxRate: shipping.rate,
    },
    duties: {
      amount: duties.amount,
      net: duties.net,
      tax: duties.tax,
      rate: treatment.dutyRate,
      note: treatment.kind === 'duties_paid' ? dutiesNote(market, treatment) : null,
    },
    tax: {
      total: taxTotal,
      included: taxInclusive,
      breakdown: breakdown(treatment, [...lineCharges, shipping, duties]),
    },
    total,
  };
}
