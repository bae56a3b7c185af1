import { z } from 'zod';
import { CalendarDate } from '../delivery/calendar.ts';
import { dispatchDay, type Origin } from '../delivery/cutoff.ts';
import { type DeliveryEstimate, type EstimateOptions, estimateBeforePurchase } from '../delivery/estimate.ts';
import type { DeliveryService, PostalDestination } from '../delivery/lanes.ts';
import {
  atTheCounter,
  orderSignatureNotice,
  type SignatureInput,
  SignatureNotice,
  type SignaturePolicy,
  signatureNotice,
} from '../delivery/signature.ts';
import { EstimateBasis } from '../delivery/transit-model.ts';
import { ValidationError } from '../errors.ts';
import type { MarketCode } from '../money/markets.ts';
import type { CartTotals, ShippingMethodId } from '../pricing/schemas.ts';

/** A delivery window in the destination's local dates. */
export const DeliveryWindow = z
  .strictObject({
    earliest: CalendarDate.describe('First possible delivery day, destination local date'),
    latest: CalendarDate.describe('Last day of the window, destination local date'),
    confidence: z
      .number()
      .min(0)
      .max(1)
      .describe('Probability, under the transit model, that delivery falls in the window'),
  })
  .meta({ id: 'DeliveryWindow' });
export type DeliveryWindow = z.infer<typeof DeliveryWindow>;

/** A parcel's window, with what it was drawn from. */
export const ParcelEstimate = DeliveryWindow.safeExtend({
  basis: EstimateBasis.describe(
    "'learned' from the lane's delivered shipments, or the house's 'default' table",
  ),
}).meta({ id: 'ParcelEstimate' });
export type ParcelEstimate = z.infer<typeof ParcelEstimate>;

/** One parcel of a shipped order: what one location sends, its signature rule and its window. */
export const ParcelPromise = z
  .strictObject({
    locationId: z.string().describe('The warehouse or boutique the parcel leaves from'),
    lines: z.array(z.strictObject({ sku: z.string(), quantity: z.number().int().positive() })).min(1),
    signatureRequired: z.boolean(),
    estimate: ParcelEstimate.optional().describe(
      'Absent when the parcel cannot be placed on a lane (a postal code the country does not use)',
    ),
  })
  .meta({ id: 'ParcelPromise' });
export type ParcelPromise = z.infer<typeof ParcelPromise>;

/** A shipped order: one parcel per location the stock comes from. */
export const ShippedDeliveryPromise = z
  .strictObject({
    signature: SignatureNotice,
    parcels: z.array(ParcelPromise).min(1),
    estimate: DeliveryWindow.optional().describe(
      'When the whole order is in hand: the window of the parcel that arrives last; absent when a parcel has no estimate',
    ),
  })
  .meta({ id: 'ShippedDeliveryPromise' });
export type ShippedDeliveryPromise = z.infer<typeof ShippedDeliveryPromise>;

/** A click-and-collect order: the boutique and the day it can be collected. */
export const PickupDeliveryPromise = z
  .strictObject({
    signature: SignatureNotice.describe(
      'The same rule as for a parcel: when required, the shopper signs at the counter',
    ),
    pickup: z.strictObject({
      locationId: z.string(),
      readyBy: CalendarDate.optional().describe(
        "Boutique local date from which the order can be collected (the boutique's cut-off applied)",
      ),
    }),
  })
  .meta({ id: 'PickupDeliveryPromise' });
export type PickupDeliveryPromise = z.infer<typeof PickupDeliveryPromise>;

/**
 * What the house promises about an order's delivery before the shopper pays: whether a signature is
 * required, and when the parcels should arrive (or when the order can be collected).
 */
export const DeliveryPromise = z
  .union([ShippedDeliveryPromise, PickupDeliveryPromise])
  .meta({ id: 'DeliveryPromise' });
export type DeliveryPromise = z.infer<typeof DeliveryPromise>;

/** One order line as the promise values it. */
export interface PromiseLine {
  readonly sku: string;
  readonly quantity: number;
  /** What the shopper pays for the whole line, tax included, in the market's minor units. */
  readonly paid: number;
  /** The catalog category of the line's product. */
  readonly category?: string | undefined;
}

/** Units of a SKU taken from one location: a reservation line, or one line of a booked parcel. */
export interface ShippedUnits {
  readonly sku: string;
  readonly locationId: string;
  readonly quantity: number;
}

/** Everything a promise is made from. */
export interface DeliveryPromiseInput {
  readonly market: MarketCode;
  readonly lines: readonly PromiseLine[];
  /** Where the units come from; one parcel is made per location. */
  readonly reserved: readonly ShippedUnits[];
  /** The checkout's delivery: a method with an address, or a pickup boutique. */
  readonly delivery: {
    readonly method: ShippingMethodId;
    readonly shippingAddress?: PostalDestination | undefined;
    readonly pickupLocationId?: string | undefined;
  };
  /** The locations the units come from (and the pickup boutique), by id; a demo `Location` will do. */
  readonly locations: ReadonlyMap<string, Origin>;
  /** When the order is (or would be) placed: cut-offs are applied to it. */
  readonly now: Date;
}

/** How promises are made: the transit model and window target, and the signature policy. */
export interface DeliveryPromiseOptions extends EstimateOptions {
  readonly signature?: SignaturePolicy;
}

/**
 * The checkout's priced lines as the promise values them: what the shopper pays, tax included even in
 * markets whose prices exclude it, since a parcel's value to the carrier is what it cost.
 */
export function paidLines(
  totals: Pick<CartTotals, 'taxIncluded' | 'lines'>,
  categoryOf: (sku: string) => string | undefined,
): PromiseLine[] {
  return totals.lines.map((line) => ({
    sku: line.sku,
    quantity: line.quantity,
    paid: linePaid(line, totals.taxIncluded),
    category: categoryOf(line.sku),
  }));
}

/** What the shopper paid for a line: tax included even where prices exclude it. */
export function linePaid(line: { lineTotal: number; tax: number }, taxIncluded: boolean): number {
  return taxIncluded ? line.lineTotal : line.lineTotal + line.tax;
}

/**
 * Values parcels in the order they are valued: each unit at its share of what its SKU's lines were paid,
 * cut at cumulative unit counts so that a line's parcels add up to exactly what was paid.
 */
export function parcelValuer(
  lines: readonly { sku: string; quantity: number; paid: number }[],
): (units: readonly { sku: string; quantity: number }[]) => number {
  const paid = new Map<string, { amount: number; quantity: number }>();
  for (const line of lines) {
    const entry = paid.get(line.sku) ?? { amount: 0, quantity: 0 };
    entry.amount += line.paid;
    entry.quantity += line.quantity;
    paid.set(line.sku, entry);
  }
  const counted = new Map<string, number>();
  const share = (amount: number, units: number, of: number) =>
    Math.floor((amount * Math.min(units, of)) / of);
  return (units) => {
    let value = 0;
    for (const { sku, quantity } of units) {
      const line = paid.get(sku);
      if (!line || line.quantity <= 0) continue;
      const before = counted.get(sku) ?? 0;
      counted.set(sku, before + quantity);
      value +=
        share(line.amount, before + quantity, line.quantity) - share(line.amount, before, line.quantity);
    }
    return value;
  };
}

interface Parcel {
  readonly locationId: string;
  readonly lines: { sku: string; quantity: number }[];
  value: number;
  readonly categories: Set<string>;
}

/**
 * Splits the order into parcels, one per location, each valued at its share of its lines' paid
 * amounts. Shares are cut at cumulative unit counts so a line split over locations sums to what was paid.
 */
function parcelsOf(lines: readonly PromiseLine[], reserved: readonly ShippedUnits[]): Parcel[] {
  const categoriesOf = new Map<string, Set<string>>();
  for (const line of lines) {
    const categories = categoriesOf.get(line.sku) ?? new Set<string>();
    if (line.category) categories.add(line.category);
    categoriesOf.set(line.sku, categories);
  }
  const valueOfUnits = parcelValuer(lines);
  const parcels = new Map<string, Parcel>();
  for (const units of reserved) {
    const parcel = parcels.get(units.locationId) ?? {
      locationId: units.locationId,
      lines: [],
      value: 0,
      categories: new Set<string>(),
    };
    parcels.set(units.locationId, parcel);
    const same = parcel.lines.find((l) => l.sku === units.sku);
    if (same) same.quantity += units.quantity;
    else parcel.lines.push({ sku: units.sku, quantity: units.quantity });
    parcel.value += valueOfUnits([units]);
    for (const category of categoriesOf.get(units.sku) ?? []) parcel.categories.add(category);
  }
  return [...parcels.values()];
}

function signatureInput(market: MarketCode, parcel: Parcel): SignatureInput {
  return { market, value: parcel.value, categories: [...parcel.categories] };
}

function estimateOf(
  origin: Origin | undefined,
  destination: PostalDestination,
  method: DeliveryService,
  now: Date,
  options: EstimateOptions,
): DeliveryEstimate | undefined {
  if (!origin) return undefined;
  try {
    return estimateBeforePurchase({ origin, destination, method, orderedAt: now }, options);
  } catch (error) {
    // An address whose postal code does not fit its country still ships (the carrier sorts it by
    // hand); it only has no lane to estimate from, which must not refuse the checkout.
    if (error instanceof ValidationError) return undefined;
    throw error;
  }
}

/** The window the whole order is in hand by: the parcel that can arrive last, then the least sure. */
function lastWindow(parcels: readonly ParcelPromise[]): DeliveryWindow | undefined {
  let last: DeliveryWindow | undefined;
  for (const { estimate } of parcels) {
    if (!estimate) return undefined;
    if (
      !last ||
      estimate.latest > last.latest ||
      (estimate.latest === last.latest &&
        (estimate.earliest > last.earliest ||
          (estimate.earliest === last.earliest && estimate.confidence < last.confidence)))
    ) {
      last = { earliest: estimate.earliest, latest: estimate.latest, confidence: estimate.confidence };
    }
  }
  return last;
}

function pickupPromise(
  input: DeliveryPromiseInput,
  parcels: readonly Parcel[],
  policy: SignaturePolicy | undefined,
): PickupDeliveryPromise {
  const locationId = input.delivery.pickupLocationId ?? parcels[0]?.locationId;
  if (!locationId) throw new RangeError('a pickup promise needs a pickup location');
  // Everything is handed over together at the counter, so the rule sees the order as one parcel.
  const notice = signatureNotice(
    {
      market: input.market,
      value: parcels.reduce((sum, p) => sum + p.value, 0),
      categories: parcels.flatMap((p) => [...p.categories]),
    },
    policy,
  );
  const boutique = input.locations.get(locationId);
  return {
    signature: atTheCounter(notice),
    // Click-and-collect stock is already on the boutique's shelf: it is set aside on the day an order
    // to a shipping location would leave.
    pickup: { locationId, ...(boutique ? { readyBy: dispatchDay(boutique, input.now) } : {}) },
  };
}

/**
 * The delivery promise of an order, or of a single parcel when `reserved` holds one location's units:
 * the signature rule per parcel and for the order (required when any parcel requires it), and each
 * parcel's delivery window before purchase (its location's cut-off and business days, the destination
 * carrier's delivery days and holidays, the lane's learned transit times or the default table). The
 * order's window is that of the parcel arriving last. A pickup answers the boutique and the day the order
 * can be collected; the signature rule still applies, at the counter, so a boutique is never offered
 * instead (`pickupAlternative: false`).
 *
 * Pure: checkout calls it when it reserves the stock, and tracking can call it with the same policy for
 * the parcels it books, so the promise made before payment is the one the carrier is given.
 *
 * @throws RangeError when there is no parcel (no reserved units) to promise anything about
 */
export function deliveryPromise(
  input: DeliveryPromiseInput,
  options: DeliveryPromiseOptions = {},
): DeliveryPromise {
  const { signature: policy, ...estimateOptions } = options;
  const parcels = parcelsOf(input.lines, input.reserved);
  const { method, shippingAddress } = input.delivery;
  if (method === 'pickup' || input.delivery.pickupLocationId !== undefined || !shippingAddress) {
    return pickupPromise(input, parcels, policy);
  }
  const signature = orderSignatureNotice(
    parcels.map((p) => signatureInput(input.market, p)),
    policy,
  );
  if (!signature) throw new RangeError('a delivery promise needs at least one reserved unit');
  const destination = { country: shippingAddress.country, postalCode: shippingAddress.postalCode };
  const promised = parcels.map((parcel): ParcelPromise => {
    const estimate = estimateOf(
      input.locations.get(parcel.locationId),
      destination,
      method,
      input.now,
      estimateOptions,
    );
    return {
      locationId: parcel.locationId,
      lines: parcel.lines,
      signatureRequired: signatureNotice(signatureInput(input.market, parcel), policy).required,
      ...(estimate
        ? {
            estimate: {
              earliest: estimate.earliest,
              latest: estimate.latest,
              confidence: estimate.confidence,
              basis: estimate.basis,
            },
          }
        : {}),
    };
  });
  const window = lastWindow(promised);
  return { signature, parcels: promised, ...(window ? { estimate: window } : {}) };
}
