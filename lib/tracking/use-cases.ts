import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ProductRepository } from '../catalog/ports.ts';
import { milestoneEvents } from '../commerce/apply-payment-event.ts';
import type { CommerceRepository } from '../commerce/commerce-repository.ts';
import { linePaid, parcelValuer } from '../commerce/delivery-promise.ts';
import { applyPaymentState, type Order, OrderStatus, orderView, PickupStatus } from '../commerce/order.ts';
import type { LocationDirectory } from '../commerce/ports.ts';
import { Slug } from '../contracts/catalog.ts';
import { addDays, daysBetween } from '../delivery/calendar.ts';
import { localDate, type Origin } from '../delivery/cutoff.ts';
import {
  type DeliveryEstimate,
  type EstimateRequest,
  estimateBeforePurchase,
  reviseAfterScan,
} from '../delivery/estimate.ts';
import type { TransitModelSource } from '../delivery/lane-history.ts';
import { DeliveryService, destinationTimeZone, type PostalDestination } from '../delivery/lanes.ts';
import {
  atTheCounter,
  orderSignatureNotice,
  type SignatureInput,
  SignatureNotice,
  type SignaturePolicy,
  signatureNotice,
} from '../delivery/signature.ts';
import { NotFoundError, ValidationError, VersionConflictError } from '../errors.ts';
import type { StockStore } from '../inventory/stock-store.ts';
import { PaymentIntentStateError } from '../payments/errors.ts';
import { idempotencyKeyFor } from '../payments/idempotency-keys.ts';
import type { PaymentGateway } from '../payments/payment-gateway.ts';
import { type Clock, domainEvent } from '../platform/domain-event.ts';
import { ShippingMethodId } from '../pricing/schemas.ts';
import { createShipment } from './create-shipment.ts';
import {
  OrderIsPickupError,
  OrderNotShippableError,
  ShipmentLinesInvalidError,
  ShipmentPaymentUnavailableError,
  TrackingNumberInUseError,
} from './errors.ts';
import { ShipmentWindowMissed, shipmentRef, shipmentWindowMissedEventId } from './events.ts';
import type { LateCheckDue, ShipmentLateChecks, ShipmentStore } from './ports.ts';
import { type Shipment, ShipmentEstimate, ShipmentLine } from './shipment.ts';
import { isTerminal, TrackingStatus } from './status.ts';
import { CarrierName, Place, TrackingNumber } from './tracking-event.ts';

/** Saves of the order (after a capture) or the shipment (after a late check) tried before giving up. */
const MAX_SAVE_ATTEMPTS = 5;
/** Confidence given to a window promised after the previous one was missed: a guess, said as one. */
const OVERDUE_CONFIDENCE = 0.5;
const SWEEP_PAGE = 100;
const SWEEP_MAX_PAGES = 50;
const SWEEP_CONCURRENCY = 4;

/** Body of `POST /v1/admin/orders/{orderId}/shipments`. */
export const CreateShipmentRequest = z
  .strictObject({
    locationId: Slug.describe('Where the parcel was packed: a location holding units of the order'),
    carrier: CarrierName.describe('The carrier that moves the parcel, lower-case (`dhl`, `ups`, `house`)'),
    service: z.string().min(1).max(64).describe("The carrier's service, e.g. `express`"),
    trackingNumber: TrackingNumber.describe('As printed on the label; unique per carrier'),
    labelRef: z.string().min(1).max(200).describe("The carrier's label or consignment reference"),
    lines: z
      .array(ShipmentLine)
      .min(1)
      .max(50)
      .refine((lines) => new Set(lines.map((l) => l.sku)).size === lines.length, {
        message: 'each SKU may appear on one line only',
      })
      .optional()
      .describe(
        'What the parcel holds; default every unit of the order held at the location and not yet shipped',
      ),
  })
  .meta({ id: 'CreateShipmentRequest' });
export type CreateShipmentRequest = z.infer<typeof CreateShipmentRequest>;

/** One scan as a tracking page shows it. */
export const TrackingTimelineEntry = z
  .strictObject({
    status: TrackingStatus,
    occurredAt: z.iso.datetime().describe('When the scan happened, in UTC'),
    localTime: z.string().optional().describe("The scan's time as the carrier wrote it, in the place's time"),
    description: z.string().optional().describe("The carrier's own words"),
    location: Place.optional(),
  })
  .meta({ id: 'TrackingTimelineEntry' });
export type TrackingTimelineEntry = z.infer<typeof TrackingTimelineEntry>;

/** One parcel of an order as its owner (or staff) follows it. */
export const ShipmentTracking = z
  .strictObject({
    shipmentId: z.string(),
    carrier: CarrierName,
    service: z.string(),
    trackingNumber: z.string(),
    status: TrackingStatus,
    statusAt: z.iso.datetime().describe('The event time of the scan that set `status`'),
    bookedAt: z.iso.datetime().describe('When the parcel was booked with the carrier'),
    timeline: z.array(TrackingTimelineEntry).describe('Every scan, in event-time order (oldest first)'),
    estimate: ShipmentEstimate.optional().describe(
      'The delivery window in the destination’s local dates, and the share of comparable parcels that arrive inside it',
    ),
    late: z
      .boolean()
      .describe('Still on its way after the last day of its window (destination’s local date)'),
    signature: SignatureNotice,
    lines: z.array(
      z.strictObject({ sku: z.string(), name: z.string(), quantity: z.number().int().positive() }),
    ),
  })
  .meta({ id: 'ShipmentTracking' });
export type ShipmentTracking = z.infer<typeof ShipmentTracking>;

/** Where a click-and-collect order stands at its boutique; the code only ever in its owner's view. */
export const TrackingPickup = z
  .strictObject({
    locationId: z.string().describe('The boutique'),
    status: PickupStatus,
    code: z
      .string()
      .optional()
      .describe('The code to show at the counter: in the owner’s view only, while the order is ready'),
    readyAt: z.iso.datetime().optional(),
    collectBy: z.iso.datetime().optional(),
    collectedAt: z.iso.datetime().optional(),
  })
  .meta({ id: 'TrackingPickup' });
export type TrackingPickup = z.infer<typeof TrackingPickup>;

/** `GET /v1/orders/{orderId}/tracking`: everything a branded tracking page shows. */
export const OrderTracking = z
  .strictObject({
    orderId: z.string(),
    orderNumber: z.string(),
    status: OrderStatus,
    delivery: z.strictObject({
      method: ShippingMethodId,
      pickup: TrackingPickup.optional().describe('Click and collect only'),
    }),
    signature: SignatureNotice.describe(
      'The rule over the whole order (booked parcels, and the rest as it would ship): required when any parcel requires it',
    ),
    shipments: z.array(ShipmentTracking).describe('Booked parcels, oldest first'),
  })
  .meta({ id: 'OrderTracking' });
export type OrderTracking = z.infer<typeof OrderTracking>;

/** What booking a parcel needs. */
export interface BookShipmentDeps {
  readonly commerce: CommerceRepository;
  readonly stock: StockStore;
  readonly payments: PaymentGateway;
  readonly products: Pick<ProductRepository, 'getBySku'>;
  readonly locations: LocationDirectory;
  readonly shipments: ShipmentStore;
  readonly clock: Clock;
  /** Learned transit times; default the house's default table. */
  readonly transitModel?: TransitModelSource;
  readonly signaturePolicy?: SignaturePolicy;
}

/** One booking: who books which parcel of which order. */
export interface BookShipmentInput {
  readonly orderId: string;
  /** The staff member packing the parcel, recorded on the stock ledger. */
  readonly staff: string;
  readonly request: CreateShipmentRequest;
  /**
   * The caller's `Idempotency-Key` with its scope. The shipment id is derived from it, so a booking retried
   * after a crash resumes the same parcel; without one, from the carrier and tracking number.
   */
  readonly idempotencyKey?: string;
  /** Carried into ShipmentCreated, e.g. the request id; default the order id. */
  readonly correlationId?: string;
}

/** A booking's outcome: `created` false when the shipment already existed (a retried booking). */
export interface BookedShipment {
  readonly shipment: Shipment;
  readonly created: boolean;
}

/** What the tracking view needs. */
export interface OrderTrackingDeps {
  readonly commerce: Pick<CommerceRepository, 'getOrder'>;
  readonly shipments: Pick<ShipmentStore, 'listByOrder'>;
  readonly products: Pick<ProductRepository, 'getBySku'>;
  readonly clock: Clock;
  readonly signaturePolicy?: SignaturePolicy;
}

/** Who asks for an order's tracking. */
export interface TrackingViewer {
  readonly sub: string;
  readonly staff: boolean;
}

/** What the late check needs. */
export interface LateSweepDeps {
  readonly shipments: ShipmentStore & ShipmentLateChecks;
  readonly commerce: Pick<CommerceRepository, 'getOrder'>;
  readonly locations: LocationDirectory;
  readonly clock: Clock;
  /** Learned transit times; default the house's default table. */
  readonly transitModel?: TransitModelSource;
}

/** What one late sweep did. */
export interface LateSweepReport {
  /** Due shipments looked at. */
  readonly checked: number;
  /** Shipments found past their window: one ShipmentWindowMissed each, with a new window. */
  readonly late: number;
  /** Shipments the sweep could not finish; the next sweep retries them. */
  readonly failed: readonly { readonly shipmentId: string; readonly error: string }[];
}

/**
 * The id of a booked parcel: a digest of the order and the caller's idempotency key, or of the order,
 * carrier and tracking number when there is no key. Never random, so a retry names the same shipment.
 */
export function shipmentIdFor(
  orderId: string,
  parcel: Pick<CreateShipmentRequest, 'carrier' | 'trackingNumber'>,
  idempotencyKey?: string,
): string {
  const basis =
    idempotencyKey === undefined
      ? ['parcel', parcel.carrier, parcel.trackingNumber]
      : ['key', idempotencyKey];
  const digest = createHash('sha256')
    .update(['shipment', orderId, ...basis].join('\n'))
    .digest('hex')
    .slice(0, 32);
  return `shp_${digest}`;
}

async function mustGetOrder(commerce: Pick<CommerceRepository, 'getOrder'>, orderId: string) {
  const order = await commerce.getOrder(orderId);
  if (!order) throw new NotFoundError('No such order');
  return order;
}

const isPickup = (order: Order) =>
  order.delivery.method === 'pickup' || order.delivery.pickupLocationId !== undefined || !!order.pickup;

/** Refuses, with the reason, an order that cannot leave in a parcel. */
function assertShippable(order: Order): void {
  if (isPickup(order)) {
    throw new OrderIsPickupError(
      'This order is collected in a boutique: hand it over with the pickup routes instead',
    );
  }
  if (order.status !== 'paid' && order.status !== 'authorized') {
    throw new OrderNotShippableError(
      `Only paid or authorized orders can be shipped; this one is ${order.status.replaceAll('_', ' ')}`,
      { status: order.status },
    );
  }
  if (order.allocation.released) {
    throw new OrderNotShippableError('The order’s stock was given back; it cannot be shipped');
  }
}

const bySku = (a: { sku: string }, b: { sku: string }) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0);

/** Units of the order held at `locationId`, by SKU, shipped or not. */
function allocatedAt(order: Order, locationId: string): Map<string, number> {
  const held = new Map<string, number>();
  for (const line of order.allocation.lines) {
    if (line.locationId === locationId) held.set(line.sku, (held.get(line.sku) ?? 0) + line.quantity);
  }
  return held;
}

/** Units of the order held at `locationId` and in no parcel yet, by SKU. */
function unshippedAt(order: Order, shipments: readonly Shipment[], locationId: string): Map<string, number> {
  const left = allocatedAt(order, locationId);
  for (const shipment of shipments) {
    if (shipment.locationId !== locationId) continue;
    for (const line of shipment.lines) left.set(line.sku, (left.get(line.sku) ?? 0) - line.quantity);
  }
  return left;
}

/** The parcel's lines: the request's, checked against what is left at the location, or all of it. */
function parcelLines(
  order: Order,
  shipments: readonly Shipment[],
  request: CreateShipmentRequest,
): ShipmentLine[] {
  const left = unshippedAt(order, shipments, request.locationId);
  if (!request.lines) {
    const all = [...left]
      .filter(([, quantity]) => quantity > 0)
      .map(([sku, quantity]) => ({ sku, quantity }))
      .sort(bySku);
    if (all.length === 0) {
      throw new ShipmentLinesInvalidError(
        `Nothing of this order is left to ship from ${request.locationId}`,
        {
          locationId: request.locationId,
        },
      );
    }
    return all;
  }
  const refused = request.lines
    .filter((line) => line.quantity > (left.get(line.sku) ?? 0))
    .map((line) => ({
      sku: line.sku,
      requested: line.quantity,
      unshipped: Math.max(0, left.get(line.sku) ?? 0),
    }));
  if (refused.length > 0) {
    throw new ShipmentLinesInvalidError(
      `The parcel holds units the order does not hold at ${request.locationId}, or that are already shipped`,
      { locationId: request.locationId, lines: refused },
    );
  }
  return [...request.lines].sort(bySku);
}

/**
 * Captures a held authorization before anything leaves (key `order:{id}:capture`, the one collection
 * uses, so the two can never capture twice) and records it on the order with its milestone event.
 * Answers the order as saved; an order whose funds are already taken is answered as it is.
 */
async function captureHeldFunds(deps: BookShipmentDeps, first: Order): Promise<Order> {
  let order = first;
  for (let attempt = 1; ; attempt++) {
    if (order.payment.state.state !== 'requires_capture') return order;
    const pi = order.payment.paymentIntentId;
    let status: string;
    try {
      status = (
        await deps.payments.capture(pi, { idempotencyKey: idempotencyKeyFor('order.capture', order.orderId) })
      ).status;
    } catch (error) {
      // Captured already (by a collection or a retry whose key Stripe has forgotten), or no longer capturable.
      if (!(error instanceof PaymentIntentStateError)) throw error;
      status = (await deps.payments.retrieve(pi)).status;
    }
    if (status !== 'succeeded') {
      throw new ShipmentPaymentUnavailableError(
        'The payment authorization can no longer be captured; the order cannot be shipped',
      );
    }
    const now = deps.clock.now();
    const transition = applyPaymentState(order, { state: 'succeeded', occurredAt: now.toISOString() }, now, {
      reason: 'captured at shipment',
    });
    if (!transition) return order;
    try {
      await deps.commerce.saveOrder(
        transition.order,
        order.version,
        milestoneEvents(transition.order, transition.newMilestones, now),
      );
      return transition.order;
    } catch (error) {
      if (!(error instanceof VersionConflictError) || attempt >= MAX_SAVE_ATTEMPTS) throw error;
      // The payment webhook may have recorded the capture meanwhile; the loop answers that order.
      order = await mustGetOrder(deps.commerce, order.orderId);
      assertShippable(order);
    }
  }
}

/** Values an order's parcels in the order they leave, as checkout's delivery promise values them. */
function orderParcelValuer(order: Order): (lines: readonly ShipmentLine[]) => number {
  return parcelValuer(
    order.lines.map((line) => ({
      sku: line.sku,
      quantity: line.quantity,
      paid: linePaid(line, order.totals.taxIncluded),
    })),
  );
}

/** The catalog category of each SKU's product, looked up once per SKU. */
function categoryLookup(products: Pick<ProductRepository, 'getBySku'>) {
  const cache = new Map<string, Promise<string | undefined>>();
  return (sku: string): Promise<string | undefined> => {
    let found = cache.get(sku);
    if (!found) {
      found = products.getBySku(sku).then((match) => match?.product.categoryId);
      cache.set(sku, found);
    }
    return found;
  };
}

/** Parcels of an order, in the order they leave, as the signature rule sees them. */
async function signatureInputs(
  products: Pick<ProductRepository, 'getBySku'>,
  order: Order,
  parcels: readonly (readonly ShipmentLine[])[],
): Promise<SignatureInput[]> {
  const categoryOf = categoryLookup(products);
  const valueOfParcel = orderParcelValuer(order);
  return Promise.all(
    parcels.map(async (lines) => {
      const value = valueOfParcel(lines);
      const categories = await Promise.all(lines.map((l) => categoryOf(l.sku)));
      return {
        market: order.market,
        value,
        categories: categories.filter((c): c is string => c !== undefined),
      };
    }),
  );
}

function destinationOf(order: Order | undefined): PostalDestination | undefined {
  const address = order?.delivery.shippingAddress;
  return address ? { country: address.country, postalCode: address.postalCode } : undefined;
}

/**
 * The lane a booked parcel travels: from its location to the order's address by the order's method,
 * counted from the day it was booked. Undefined when the order ships nowhere or the location is unknown.
 */
export function shipmentLane(
  order: Order | undefined,
  origin: Origin | undefined,
  shipment: Pick<Shipment, 'createdAt' | 'carrier'>,
): EstimateRequest | undefined {
  const destination = destinationOf(order);
  const method = DeliveryService.safeParse(order?.delivery.method);
  if (!destination || !origin || !method.success) return undefined;
  return {
    origin,
    destination,
    method: method.data,
    orderedAt: new Date(shipment.createdAt),
    carrier: shipment.carrier,
  };
}

/** An estimate as a shipment stores it, revised at `now`. */
export const asShipmentEstimate = (estimate: DeliveryEstimate, now: Date): ShipmentEstimate => ({
  earliest: estimate.earliest,
  latest: estimate.latest,
  // The stored window promises something: a model that puts no mass in it still says "unlikely", not "never".
  confidence: Math.min(1, Math.max(0.001, estimate.confidence)),
  basis: estimate.basis,
  revisedAt: now.toISOString(),
});

/** The window promised when the parcel is booked: from the location to the address's postal area. */
async function bookingEstimate(
  deps: BookShipmentDeps,
  order: Order,
  request: CreateShipmentRequest,
  now: Date,
): Promise<ShipmentEstimate | undefined> {
  const destination = destinationOf(order);
  const method = DeliveryService.safeParse(order.delivery.method);
  const origin = await deps.locations.get(request.locationId);
  if (!destination || !method.success || !origin) return undefined;
  try {
    const estimate = estimateBeforePurchase(
      { origin, destination, method: method.data, orderedAt: now, carrier: request.carrier },
      deps.transitModel ? { model: await deps.transitModel() } : {},
    );
    return asShipmentEstimate(estimate, now);
  } catch (error) {
    // A postal code the lanes cannot place gets a parcel without a window, not no parcel.
    if (error instanceof ValidationError) return undefined;
    throw error;
  }
}

/**
 * Staff book a parcel of a shipped order (`POST /v1/admin/orders/{orderId}/shipments`), in the crash-safe
 * order of collection, each step idempotent:
 * 1. a held authorization is captured (key `order:{id}:capture`) and the order saved as paid, with its
 *    PaymentCaptured: nothing leaves unpaid;
 * 2. the order's units at the location leave the stock (`fulfil`, a `shipment` movement by the staff
 *    member, referencing the shipment). The stock store fulfils per location, so the first parcel from a
 *    location takes all of the order's units there off the books: a later refund can then never put a
 *    piece that already left back on sale;
 * 3. the shipment, its tracking-number pointer and ShipmentCreated are written in one transaction, which
 *    also counts the parcel's units against the order's units at the location.
 *
 * Two bookings made at once with different keys both pass the check against the booked shipments they
 * read; the count in the write lets one of them through and refuses the other (ShipmentLinesInvalidError,
 * nothing of its shipment written). What the refused one did before stays right: the capture was owed by
 * the order anyway, under the one key collection uses too, and the fulfilment is of the order's units at
 * that location, which the winning parcel ships (when the refused booking fulfilled first, the ledger's
 * `shipment` movement names its shipment id, which never comes to exist).
 *
 * The shipment id derives from the idempotency key (see {@link shipmentIdFor}), so a booking retried after
 * a crash between any two steps captures once and writes one shipment; a retry after the write answers
 * the stored shipment with `created: false`. `signatureRequired` is the signature rule applied to the
 * parcel (what its units were paid in the order's market, and their products' categories), and the
 * estimate is the window from the location to the address's postal area, dispatched now.
 *
 * @throws NotFoundError for an unknown order
 * @throws OrderIsPickupError for a click-and-collect order
 * @throws OrderNotShippableError unless the order is paid or authorized with its stock held
 * @throws ShipmentLinesInvalidError for lines not held at the location, or already shipped, including by
 *   a booking written meanwhile
 * @throws TrackingNumberInUseError when the tracking number is on another shipment
 * @throws ShipmentPaymentUnavailableError when the authorization can no longer be captured
 */
export async function bookShipment(
  deps: BookShipmentDeps,
  input: BookShipmentInput,
): Promise<BookedShipment> {
  const request = CreateShipmentRequest.parse(input.request);
  const shipmentId = shipmentIdFor(input.orderId, request, input.idempotencyKey);
  let order = await mustGetOrder(deps.commerce, input.orderId);
  // Every step before the write is done once the shipment exists: a retry answers it as it stands.
  const existing = await deps.shipments.get(order.zone, shipmentId);
  if (existing) return { shipment: existing, created: false };
  assertShippable(order);
  const pointer = await deps.shipments.findByTrackingNumber(request.carrier, request.trackingNumber);
  if (pointer && pointer.shipmentId !== shipmentId) {
    throw new TrackingNumberInUseError(request.carrier, request.trackingNumber);
  }
  const booked = await deps.shipments.listByOrder(order.zone, order.orderId);
  const lines = parcelLines(order, booked, request);

  order = await captureHeldFunds(deps, order);
  await deps.stock.fulfil(
    order.allocation.reservationId,
    {
      actor: { kind: 'staff', id: input.staff },
      reason: 'shipped',
      reference: shipmentId,
      now: deps.clock.now(),
    },
    [request.locationId],
  );

  const now = deps.clock.now();
  const [inputs, estimate] = await Promise.all([
    signatureInputs(deps.products, order, [...booked.map((s) => s.lines), lines]),
    bookingEstimate(deps, order, request, now),
  ]);
  const parcel = inputs.at(-1)!;
  const { shipment, event } = createShipment(
    {
      shipmentId,
      orderId: order.orderId,
      customerId: order.customerId,
      zone: order.zone,
      locationId: request.locationId,
      lines,
      carrier: request.carrier,
      service: request.service,
      trackingNumber: request.trackingNumber,
      labelRef: request.labelRef,
      signatureRequired: signatureNotice(parcel, deps.signaturePolicy).required,
      ...(estimate ? { estimate } : {}),
    },
    { now, correlationId: input.correlationId ?? order.orderId },
  );
  // The list read above may already be stale: the store re-checks the units in the write itself.
  const allowed = Object.fromEntries(allocatedAt(order, request.locationId));
  const outcome = await deps.shipments.create(shipment, [event], { allowed });
  return { shipment: outcome.shipment, created: outcome.created };
}

/**
 * Whether a shipment still on its way is past the last day of its window, in the destination's local
 * date (`timeZone`); never for a delivered or returned one, or one without a window.
 */
export function isShipmentLate(
  shipment: Pick<Shipment, 'status' | 'estimate'>,
  timeZone: string,
  now: Date,
): boolean {
  const latest = shipment.estimate?.latest;
  return !!latest && !isTerminal(shipment.status) && localDate(now, timeZone) > latest;
}

const timeZoneOf = (order: Order | undefined) => {
  const destination = destinationOf(order);
  return destination ? destinationTimeZone(destination) : 'UTC';
};

/**
 * An order's tracking (`GET /v1/orders/{orderId}/tracking`) for its owner or staff; anyone else gets the
 * NotFoundError a missing order gets, so the answer never reveals that the order exists. The pickup
 * follows the order view's rules: its code for the owner only, while the order is ready. Each parcel's
 * signature notice is the rule applied to its units, from the same inputs as at booking (what they were
 * paid, their products' categories); the order's covers the booked parcels and the units still to ship,
 * one parcel per location, and for click and collect the whole order, signed for at the counter.
 */
export async function orderTracking(
  deps: OrderTrackingDeps,
  input: { readonly orderId: string; readonly viewer: TrackingViewer },
): Promise<OrderTracking> {
  const order = await deps.commerce.getOrder(input.orderId);
  if (!order || (order.customerId !== input.viewer.sub && !input.viewer.staff)) {
    throw new NotFoundError('No such order');
  }
  const pickupOrder = isPickup(order);
  const shipments = pickupOrder ? [] : await deps.shipments.listByOrder(order.zone, order.orderId);
  const now = deps.clock.now();
  const timeZone = timeZoneOf(order);
  const names = new Map(order.lines.map((l) => [l.sku, l.name]));

  const inputs = await signatureInputs(deps.products, order, [
    ...shipments.map((s) => s.lines),
    ...unshippedParcels(order, shipments),
  ]);
  const whole =
    orderSignatureNotice(inputs, deps.signaturePolicy) ??
    signatureNotice({ market: order.market, value: 0, categories: [] }, deps.signaturePolicy);
  const signature = pickupOrder ? atTheCounter(whole) : whole;

  const pickup = orderView(order, input.viewer.staff).pickup;
  return {
    orderId: order.orderId,
    orderNumber: order.orderNumber,
    status: order.status,
    delivery: {
      method: order.delivery.method,
      ...(pickup
        ? {
            pickup: {
              locationId: pickup.locationId,
              status: pickup.status,
              ...(pickup.code && pickup.status === 'ready' ? { code: pickup.code } : {}),
              ...(pickup.readyAt ? { readyAt: pickup.readyAt } : {}),
              ...(pickup.collectBy ? { collectBy: pickup.collectBy } : {}),
              ...(pickup.collectedAt ? { collectedAt: pickup.collectedAt } : {}),
            },
          }
        : {}),
    },
    signature,
    shipments: shipments.map((s, i) => ({
      shipmentId: s.shipmentId,
      carrier: s.carrier,
      service: s.service,
      trackingNumber: s.trackingNumber,
      status: s.status,
      statusAt: s.statusAt,
      bookedAt: s.createdAt,
      timeline: s.events.map((e) => ({
        status: e.status,
        occurredAt: e.occurredAt,
        ...(e.localTime !== undefined ? { localTime: e.localTime } : {}),
        ...(e.description !== undefined ? { description: e.description } : {}),
        ...(e.location !== undefined ? { location: e.location } : {}),
      })),
      ...(s.estimate ? { estimate: s.estimate } : {}),
      late: isShipmentLate(s, timeZone, now),
      signature: signatureNotice(inputs[i]!, deps.signaturePolicy),
      lines: s.lines.map((l) => ({ sku: l.sku, name: names.get(l.sku) ?? l.sku, quantity: l.quantity })),
    })),
  };
}

/**
 * The units not in a parcel yet, as they would ship: one parcel per location. A click-and-collect order
 * is one parcel, handed over at its boutique; an order whose stock was given back has none.
 */
function unshippedParcels(order: Order, shipments: readonly Shipment[]): ShipmentLine[][] {
  if (order.allocation.released) return [];
  if (isPickup(order)) return [order.lines.map((l) => ({ sku: l.sku, quantity: l.quantity }))];
  const locations = [...new Set(order.allocation.lines.map((l) => l.locationId))];
  return locations
    .map((locationId) =>
      [...unshippedAt(order, shipments, locationId)]
        .filter(([, quantity]) => quantity > 0)
        .map(([sku, quantity]) => ({ sku, quantity })),
    )
    .filter((lines) => lines.length > 0);
}

/**
 * The window promised once the previous one is missed: the lane's transit times given that the parcel,
 * in its current status, has not arrived by `now`; or, when the lane cannot be worked out (the order or
 * location is gone, the postal code unknown), a window as wide as the missed one from today.
 */
async function nextWindow(
  deps: LateSweepDeps,
  shipment: Shipment & { estimate: ShipmentEstimate },
  order: Order | undefined,
  timeZone: string,
  now: Date,
): Promise<ShipmentEstimate> {
  const lane = shipmentLane(order, await deps.locations.get(shipment.locationId), shipment);
  if (lane) {
    try {
      const revised = reviseAfterScan(
        { ...lane, lastScan: { status: shipment.status, at: now } },
        deps.transitModel ? { model: await deps.transitModel() } : {},
      );
      if (revised && revised.latest > shipment.estimate.latest) return asShipmentEstimate(revised, now);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
    }
  }
  const today = localDate(now, timeZone);
  const width = Math.max(1, daysBetween(shipment.estimate.earliest, shipment.estimate.latest));
  return {
    earliest: today,
    latest: addDays(today, width),
    confidence: OVERDUE_CONFIDENCE,
    basis: 'default',
    revisedAt: now.toISOString(),
  };
}

/**
 * Looks at one due shipment: when it is still on its way after its window's last day (destination's
 * date), promises a new window and writes ShipmentWindowMissed with it, conditional on the version read.
 * The new window moves the shipment out of the due index, and the event id names the missed window, so
 * each window is reported once however many sweeps race. Answers whether it was late.
 */
async function checkLate(deps: LateSweepDeps, due: LateCheckDue, now: Date): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const shipment = await deps.shipments.get(due.zone, due.shipmentId);
    const missed = shipment?.estimate;
    if (!shipment || !missed || isTerminal(shipment.status)) return false;
    const order = await deps.commerce.getOrder(shipment.orderId);
    const timeZone = timeZoneOf(order);
    if (!isShipmentLate(shipment, timeZone, now)) return false;
    const estimate = await nextWindow(deps, { ...shipment, estimate: missed }, order, timeZone, now);
    const at = now.toISOString();
    const next: Shipment = { ...shipment, estimate, updatedAt: at, version: shipment.version + 1 };
    const event = domainEvent(
      ShipmentWindowMissed,
      {
        ...shipmentRef(shipment),
        status: shipment.status,
        statusAt: shipment.statusAt,
        missed,
        estimate,
        detectedAt: at,
      },
      {
        eventId: shipmentWindowMissedEventId(shipment.shipmentId, missed.latest),
        correlationId: `late-check:${shipment.shipmentId}`,
        occurredAt: now,
      },
    );
    try {
      await deps.shipments.save(next, shipment.version, [event]);
      return true;
    } catch (error) {
      // A scan (or another sweep) got there first: read again, it may be delivered or revised now.
      if (!(error instanceof VersionConflictError) || attempt >= MAX_SAVE_ATTEMPTS) throw error;
    }
  }
}

/**
 * The scheduled late check: every shipment still on its way after the last day of its promised window
 * gets one ShipmentWindowMissed (so the customer hears it is late even when no scan arrives) and a new
 * window, revised from the lane's transit times. Delivered and returned parcels are never late. Pages
 * through the due index; a shipment that fails is reported and retried by the next sweep.
 *
 * `now` defaults to the clock; pass a later one to play the sweep of a future day.
 */
export async function sweepLateShipments(
  deps: LateSweepDeps,
  options: { readonly now?: Date } = {},
): Promise<LateSweepReport> {
  const now = options.now ?? deps.clock.now();
  let checked = 0;
  let late = 0;
  const failed = new Map<string, string>();
  let after: LateCheckDue | undefined;
  for (let page = 0; page < SWEEP_MAX_PAGES; page++) {
    const due = await deps.shipments.dueForLateCheck(now, SWEEP_PAGE, after);
    if (due.length === 0) break;
    let next = 0;
    const worker = async () => {
      while (next < due.length) {
        const entry = due[next++]!;
        checked++;
        try {
          if (await checkLate(deps, entry, now)) late++;
        } catch (error) {
          failed.set(entry.shipmentId, error instanceof Error ? error.message : String(error));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(SWEEP_CONCURRENCY, due.length) }, worker));
    if (due.length < SWEEP_PAGE) break;
    after = due.at(-1);
  }
  return { checked, late, failed: [...failed].map(([shipmentId, error]) => ({ shipmentId, error })) };
}
