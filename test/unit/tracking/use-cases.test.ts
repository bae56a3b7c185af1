import { beforeEach, describe, expect, it } from 'vitest';
import { LocalPaymentGateway } from '../../../lib/adapters/local-payments/local-payment-gateway.ts';
import type { ProductRepository } from '../../../lib/catalog/ports.ts';
import type { Order, OrderStatus } from '../../../lib/commerce/order.ts';
import type { Product, Variant } from '../../../lib/contracts/catalog.ts';
import { addDays } from '../../../lib/delivery/calendar.ts';
import { zonedInstant } from '../../../lib/delivery/cutoff.ts';
import { estimateBeforePurchase } from '../../../lib/delivery/estimate.ts';
import type { Location } from '../../../lib/demo/locations.ts';
import { NotFoundError } from '../../../lib/errors.ts';
import { InMemoryStockStore } from '../../../lib/inventory/in-memory-stock-store.ts';
import type { MarketCode } from '../../../lib/money/markets.ts';
import { notificationRequestsOf } from '../../../lib/notifications/triggers.ts';
import { idempotencyKeyFor } from '../../../lib/payments/idempotency-keys.ts';
import type { DomainEvent } from '../../../lib/platform/domain-event.ts';
import { ShipmentWindowMissed } from '../../../lib/tracking/events.ts';
import { InMemoryShipmentStore } from '../../../lib/tracking/in-memory-shipment-store.ts';
import { lateCheckDueAt } from '../../../lib/tracking/ports.ts';
import type { Shipment } from '../../../lib/tracking/shipment.ts';
import { applyTrackingEvents } from '../../../lib/tracking/timeline.ts';
import type { TrackingEvent } from '../../../lib/tracking/tracking-event.ts';
import {
  type BookShipmentDeps,
  bookShipment,
  type CreateShipmentRequest,
  orderTracking,
  shipmentIdFor,
  sweepLateShipments,
} from '../../../lib/tracking/use-cases.ts';
import { InMemoryCommerceRepository, StaticLocations } from '../../support/commerce-fakes.ts';
import { FixedClock } from '../../support/fakes.ts';

const WAREHOUSE = 'roissy-warehouse';
const BOUTIQUE = 'paris-saint-honore';
const STAFF = 'staff-7';
/** €450 handbag, €1,500 handbag, €600 watch: below, above and below the FR threshold of €1,000. */
const BAG = 'AUR-BAG-450';
const BIG_BAG = 'AUR-BAG-1500';
const WATCH = 'HAL-WATCH-600';
const PRICES: Record<string, number> = { [BAG]: 45_000, [BIG_BAG]: 150_000, [WATCH]: 60_000 };
const CATEGORIES: Record<string, string> = { [BAG]: 'handbags', [BIG_BAG]: 'handbags', [WATCH]: 'watches' };
const PARIS_ADDRESS = {
  name: 'Camille Durand',
  line1: '12 rue de la Paix',
  city: 'Paris',
  postalCode: '75002',
  country: 'FR',
};

const ROISSY: Location = {
  locationId: WAREHOUSE,
  name: 'Roissy warehouse',
  type: 'warehouse',
  country: 'FR',
  city: 'Roissy-en-France',
  region: 'eu-west-1',
  zone: 'eu',
  pickupCapable: false,
  timezone: 'Europe/Paris',
};
const PARIS: Location = {
  locationId: BOUTIQUE,
  name: 'Paris Rue Saint-Honoré boutique',
  type: 'boutique',
  country: 'FR',
  city: 'Paris',
  region: 'eu-west-1',
  zone: 'eu',
  pickupCapable: true,
  timezone: 'Europe/Paris',
};

/** The catalog as the rule reads it: each SKU's product category. */
const products: Pick<ProductRepository, 'getBySku'> = {
  getBySku: async (sku) =>
    CATEGORIES[sku]
      ? { product: { categoryId: CATEGORIES[sku] } as Product, variant: { sku } as Variant }
      : undefined,
};

class Commerce extends InMemoryCommerceRepository {
  detailTypes() {
    return this.events.map((e) => e.definition.detailType);
  }
}

interface OrderLine {
  readonly sku: string;
  readonly quantity: number;
  readonly locationId?: string;
}

interface Fixture {
  clock: FixedClock;
  commerce: Commerce;
  stock: InMemoryStockStore;
  payments: LocalPaymentGateway;
  shipments: InMemoryShipmentStore;
  deps: BookShipmentDeps;
  captureKeys: string[];
}

function fixture(): Fixture {
  // A Monday morning in Paris, before the warehouse's cut-off.
  const clock = new FixedClock(new Date('2026-03-02T09:00:00.000Z'));
  const commerce = new Commerce();
  const stock = new InMemoryStockStore();
  const payments = new LocalPaymentGateway({ clock });
  const shipments = new InMemoryShipmentStore();
  const captureKeys: string[] = [];
  const capture = payments.capture.bind(payments);
  payments.capture = async (pi, input) => {
    captureKeys.push(input.idempotencyKey);
    return capture(pi, input);
  };
  const deps: BookShipmentDeps = {
    commerce,
    stock,
    payments,
    products,
    locations: new StaticLocations([ROISSY, PARIS]),
    shipments,
    clock,
  };
  return { clock, commerce, stock, payments, shipments, deps, captureKeys };
}

let count = 0;

/** A placed order of `lines`, its stock allocated and its payment confirmed (held when `manual`). */
async function placed(
  fx: Fixture,
  options: {
    lines?: readonly OrderLine[];
    captureMethod?: 'automatic' | 'manual';
    pickup?: boolean;
    status?: OrderStatus;
    market?: MarketCode;
    taxIncluded?: boolean;
    tax?: number;
  } = {},
): Promise<Order> {
  const n = ++count;
  const lines = (options.lines ?? [{ sku: BAG, quantity: 1 }]).map((l) => ({
    ...l,
    locationId: l.locationId ?? WAREHOUSE,
  }));
  const market = options.market ?? 'FR';
  const currency = market === 'US' ? ('USD' as const) : ('EUR' as const);
  const captureMethod = options.captureMethod ?? 'automatic';
  const checkoutId = `chk_eu_${String(n).padStart(26, '0')}`;
  const orderId = `ord_eu_${String(n).padStart(26, '0')}`;
  const now = fx.clock.now();
  for (const l of lines) {
    const pool = (await fx.stock.pools([l.sku])).find((p) => p.locationId === l.locationId);
    await fx.stock.setOnHand(l.sku, l.locationId, 'eu', (pool?.onHand ?? 0) + l.quantity + 2);
  }
  await fx.stock.reserve({
    reservationId: checkoutId,
    lines,
    holdUntil: new Date(now.getTime() + 15 * 60_000),
    owner: { zone: 'eu', checkoutId },
    now,
  });
  await fx.stock.allocate(checkoutId, now);
  const tax = options.tax ?? 0;
  const orderLines = [...new Set(lines.map((l) => l.sku))].map((sku) => {
    const quantity = lines.filter((l) => l.sku === sku).reduce((sum, l) => sum + l.quantity, 0);
    return {
      sku,
      productId: sku.toLowerCase(),
      name: `Piece ${sku}`,
      quantity,
      unitPrice: PRICES[sku]!,
      lineTotal: PRICES[sku]! * quantity,
      tax,
    };
  });
  const amount = {
    amount: orderLines.reduce((sum, l) => sum + l.lineTotal + (options.taxIncluded === false ? tax : 0), 0),
    currency,
  };
  const intent = await fx.payments.createPaymentIntent({
    amount,
    captureMethod,
    metadata: { checkoutId, orderId },
    idempotencyKey: idempotencyKeyFor('checkout.pi-create', checkoutId),
  });
  const confirmed = await fx.payments.confirm(intent.id, 'pm_card_visa');
  const state = confirmed.status === 'succeeded' ? 'succeeded' : 'requires_capture';
  const pickup = options.pickup ?? false;
  const order: Order = {
    orderId,
    orderNumber: `V-0000-0000-${String(n).padStart(4, '0')}`,
    zone: 'eu',
    checkoutId,
    customerId: `cust-${n}`,
    email: `c${n}@example.com`,
    market,
    status: options.status ?? (state === 'succeeded' ? 'paid' : 'authorized'),
    lines: orderLines,
    totals: { taxIncluded: options.taxIncluded ?? true } as Order['totals'],
    delivery: pickup
      ? { method: 'pickup', pickupLocationId: BOUTIQUE }
      : { method: 'express', shippingAddress: PARIS_ADDRESS },
    allocation: { reservationId: checkoutId, lines, released: false },
    payment: {
      paymentIntentId: intent.id,
      captureMethod,
      amount,
      state: { state, occurredAt: now.toISOString() },
      ...(confirmed.captureBefore ? { captureBefore: confirmed.captureBefore } : {}),
    },
    risk: { decision: 'approve' } as unknown as Order['risk'],
    ...(pickup
      ? { pickup: { locationId: BOUTIQUE, status: 'awaiting_preparation', failedAttempts: 0 } }
      : {}),
    milestones: state === 'succeeded' ? ['captured'] : ['authorized'],
    history: [],
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 1,
  };
  fx.commerce.orders.set(orderId, structuredClone(order));
  return order;
}

const parcel = (overrides: Partial<CreateShipmentRequest> = {}): CreateShipmentRequest => ({
  locationId: WAREHOUSE,
  carrier: 'ups',
  service: 'express',
  trackingNumber: `1Z${String(++count).padStart(10, '0')}`,
  labelRef: 'label-1',
  ...overrides,
});

const book = (fx: Fixture, order: Order, request = parcel(), key = `key-${request.trackingNumber}`) =>
  bookShipment(fx.deps, { orderId: order.orderId, staff: STAFF, request, idempotencyKey: key });

async function rejection(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; status?: number; details?: Record<string, unknown> };
  }
  throw new Error('expected a rejection');
}

type Methods = Record<string, (...args: unknown[]) => Promise<unknown>>;

/** Makes one call of `method` fail once, before or after it did its work: a crash between two steps. */
function crashOnce(target: object, method: string, when: 'before' | 'after') {
  const original = (target as Methods)[method]!.bind(target);
  let crashed = false;
  Object.assign(target, {
    [method]: async (...args: unknown[]) => {
      if (!crashed && when === 'before') {
        crashed = true;
        throw new Error(`crash before ${method}`);
      }
      const result = await original(...args);
      if (!crashed && when === 'after') {
        crashed = true;
        throw new Error(`crash after ${method}`);
      }
      return result;
    },
  });
}

const createdEvents = (fx: Fixture) =>
  fx.shipments.events.filter((e) => e.definition.detailType === 'ShipmentCreated');
const missedEvents = (fx: Fixture): DomainEvent<typeof ShipmentWindowMissed>[] =>
  fx.shipments.events.filter(
    (e): e is DomainEvent<typeof ShipmentWindowMissed> => e.definition === ShipmentWindowMissed,
  );

async function pool(fx: Fixture, sku: string, locationId = WAREHOUSE) {
  const found = (await fx.stock.pools([sku])).find((p) => p.locationId === locationId)!;
  return { onHand: found.onHand, allocated: found.allocated };
}

/** Scans recorded as the carrier webhook records them: on the timeline, saved at the version read. */
async function scan(fx: Fixture, shipment: Shipment, scans: readonly Partial<TrackingEvent>[]) {
  const stored = (await fx.shipments.get(shipment.zone, shipment.shipmentId))!;
  const update = applyTrackingEvents(
    stored,
    scans.map((s, i) => ({
      eventKey: `scan-${i}-${s.occurredAt}`,
      source: 'generic',
      carrier: stored.carrier,
      trackingNumber: stored.trackingNumber,
      status: 'in_transit',
      code: 'IT',
      occurredAt: fx.clock.now().toISOString(),
      ...s,
    })),
    { now: fx.clock.now(), correlationId: 'webhook' },
  );
  await fx.shipments.save(update.shipment, stored.version, update.events);
  return update.shipment;
}

describe('bookShipment', () => {
  let fx: Fixture;
  beforeEach(() => {
    fx = fixture();
  });

  it('captures a held authorization once, takes the units off the location and writes the shipment once', async () => {
    const order = await placed(fx, { captureMethod: 'manual', lines: [{ sku: BAG, quantity: 2 }] });
    expect(order.status).toBe('authorized');
    const before = await pool(fx, BAG);
    const request = parcel();

    const booked = await book(fx, order, request);

    expect(booked.created).toBe(true);
    expect(booked.shipment).toMatchObject({
      shipmentId: shipmentIdFor(order.orderId, request, `key-${request.trackingNumber}`),
      orderId: order.orderId,
      customerId: order.customerId,
      zone: 'eu',
      locationId: WAREHOUSE,
      lines: [{ sku: BAG, quantity: 2 }],
      status: 'label_created',
      signatureRequired: false,
      version: 1,
    });
    expect(fx.captureKeys).toEqual([`order:${order.orderId}:capture`]);
    const intent = await fx.payments.retrieve(order.payment.paymentIntentId);
    expect(intent.status).toBe('succeeded');
    expect(intent.amountReceived).toEqual(order.payment.amount);
    expect(await fx.commerce.getOrder(order.orderId)).toMatchObject({
      status: 'paid',
      milestones: ['authorized', 'captured'],
    });
    expect(fx.commerce.detailTypes()).toEqual(['PaymentCaptured']);

    expect(await pool(fx, BAG)).toEqual({ onHand: before.onHand - 2, allocated: before.allocated - 2 });
    const { entries } = await fx.stock.ledger(BAG, WAREHOUSE);
    expect(entries.filter((e) => e.type === 'shipment')).toEqual([
      expect.objectContaining({
        type: 'shipment',
        actor: { kind: 'staff', id: STAFF },
        reason: 'shipped',
        reference: booked.shipment.shipmentId,
        delta: expect.objectContaining({ onHand: -2, allocated: -2 }),
      }),
    ]);
    expect((await fx.stock.get(order.allocation.reservationId))?.status).toBe('fulfilled');

    expect(createdEvents(fx).map((e) => e.metadata.eventId)).toEqual([
      `shipment:${booked.shipment.shipmentId}:created`,
    ]);
    expect(await fx.shipments.findByTrackingNumber('ups', request.trackingNumber)).toEqual({
      shipmentId: booked.shipment.shipmentId,
      orderId: order.orderId,
      zone: 'eu',
    });
  });

  it('promises the window from the location to the address, dispatched at booking', async () => {
    const order = await placed(fx);
    const { shipment } = await book(fx, order);
    const expected = estimateBeforePurchase({
      origin: ROISSY,
      destination: { country: 'FR', postalCode: '75002' },
      method: 'express',
      orderedAt: fx.clock.now(),
      carrier: 'ups',
    });
    expect(shipment.estimate).toEqual({
      earliest: expected.earliest,
      latest: expected.latest,
      confidence: expected.confidence,
      basis: 'default',
      revisedAt: fx.clock.now().toISOString(),
    });
    expect(shipment.estimate!.earliest >= '2026-03-02').toBe(true);
  });

  it('answers the same shipment for a retry with the same key, capturing and fulfilling nothing again', async () => {
    const order = await placed(fx, { captureMethod: 'manual' });
    const request = parcel();
    const first = await book(fx, order, request, 'key-1');
    const again = await book(fx, order, request, 'key-1');

    expect(again).toEqual({ shipment: first.shipment, created: false });
    expect(fx.captureKeys).toHaveLength(1);
    expect(fx.shipments.shipments.size).toBe(1);
    expect(createdEvents(fx)).toHaveLength(1);
    expect((await fx.stock.ledger(BAG, WAREHOUSE)).entries.filter((e) => e.type === 'shipment')).toHaveLength(
      1,
    );
  });

  it.each([
    ['after the capture, before the order is saved', 'commerce', 'saveOrder', 'before'],
    ['after the order is saved, before the stock is fulfilled', 'stock', 'fulfil', 'before'],
    ['after the stock is fulfilled, before the shipment is written', 'stock', 'fulfil', 'after'],
    ['after the shipment is written, before the answer', 'shipments', 'create', 'after'],
  ] as const)(
    'resumes a booking that crashed %s: one capture, one fulfilment, one shipment',
    async (_, dep, method, when) => {
      const order = await placed(fx, { captureMethod: 'manual', lines: [{ sku: WATCH, quantity: 1 }] });
      const target = { commerce: fx.commerce, stock: fx.stock, shipments: fx.shipments }[dep];
      crashOnce(target, method, when);
      const request = parcel();

      await expect(book(fx, order, request, 'key-crash')).rejects.toThrow(/crash/);
      const resumed = await book(fx, order, request, 'key-crash');

      expect(resumed.shipment.lines).toEqual([{ sku: WATCH, quantity: 1 }]);
      expect(fx.shipments.shipments.size).toBe(1);
      expect(createdEvents(fx)).toHaveLength(1);
      // Stripe replays a retried capture under the same key: one capture whatever the number of calls.
      expect(new Set(fx.captureKeys)).toEqual(new Set([`order:${order.orderId}:capture`]));
      const intent = await fx.payments.retrieve(order.payment.paymentIntentId);
      expect(intent.amountReceived).toEqual(order.payment.amount);
      expect(fx.commerce.detailTypes()).toEqual(['PaymentCaptured']);
      expect((await fx.commerce.getOrder(order.orderId))?.status).toBe('paid');
      const shipped = (await fx.stock.ledger(WATCH, WAREHOUSE)).entries.filter((e) => e.type === 'shipment');
      expect(shipped).toHaveLength(1);
    },
  );

  it('refuses a click-and-collect order: it is handed over at the boutique', async () => {
    const order = await placed(fx, {
      pickup: true,
      lines: [{ sku: BAG, quantity: 1, locationId: BOUTIQUE }],
    });
    const refused = await rejection(book(fx, order, parcel({ locationId: BOUTIQUE })));
    expect(refused).toMatchObject({ code: 'ORDER_IS_PICKUP', status: 409 });
    expect(fx.shipments.shipments.size).toBe(0);
  });

  it.each(['cancelled', 'refunded', 'pending_payment', 'under_review'] as const)(
    'refuses a %s order, capturing and fulfilling nothing',
    async (status) => {
      const order = await placed(fx, { captureMethod: 'manual', status });
      const refused = await rejection(book(fx, order));
      expect(refused).toMatchObject({ code: 'ORDER_NOT_SHIPPABLE', status: 409 });
      expect(fx.captureKeys).toEqual([]);
      expect((await fx.stock.get(order.allocation.reservationId))?.status).toBe('allocated');
    },
  );

  it('refuses an unknown order with 404', async () => {
    expect(
      await rejection(bookShipment(fx.deps, { orderId: 'ord_eu_missing', staff: STAFF, request: parcel() })),
    ).toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });

  it('refuses lines the order does not hold at the location, or that are already shipped', async () => {
    const order = await placed(fx, {
      lines: [
        { sku: BAG, quantity: 2 },
        { sku: WATCH, quantity: 1, locationId: BOUTIQUE },
      ],
    });
    // The watch is held at the boutique, not at the warehouse.
    expect(await rejection(book(fx, order, parcel({ lines: [{ sku: WATCH, quantity: 1 }] })))).toMatchObject({
      code: 'SHIPMENT_LINES_INVALID',
      status: 422,
      details: { locationId: WAREHOUSE, lines: [{ sku: WATCH, requested: 1, unshipped: 0 }] },
    });
    expect(await rejection(book(fx, order, parcel({ lines: [{ sku: BAG, quantity: 3 }] })))).toMatchObject({
      code: 'SHIPMENT_LINES_INVALID',
    });
    expect(await rejection(book(fx, order, parcel({ locationId: 'venlo-warehouse' })))).toMatchObject({
      code: 'SHIPMENT_LINES_INVALID',
    });

    const first = await book(fx, order, parcel({ lines: [{ sku: BAG, quantity: 1 }] }));
    expect(first.shipment.lines).toEqual([{ sku: BAG, quantity: 1 }]);
    // The default is what is left at the location: the other bag, not the boutique's watch.
    const rest = await book(fx, order, parcel());
    expect(rest.shipment.lines).toEqual([{ sku: BAG, quantity: 1 }]);
    expect(await rejection(book(fx, order, parcel()))).toMatchObject({ code: 'SHIPMENT_LINES_INVALID' });
    expect(await rejection(book(fx, order, parcel({ lines: [{ sku: BAG, quantity: 1 }] })))).toMatchObject({
      code: 'SHIPMENT_LINES_INVALID',
      details: { lines: [{ sku: BAG, requested: 1, unshipped: 0 }] },
    });
    const watch = await book(fx, order, parcel({ locationId: BOUTIQUE }));
    expect(watch.shipment).toMatchObject({ locationId: BOUTIQUE, lines: [{ sku: WATCH, quantity: 1 }] });
    expect((await fx.stock.get(order.allocation.reservationId))?.status).toBe('fulfilled');
  });

  it('books parcels booked at once while they fit the units held, and refuses the one that would not', async () => {
    const order = await placed(fx, { captureMethod: 'manual', lines: [{ sku: BAG, quantity: 2 }] });
    // Every booking reads the order's shipments before any of them writes.
    const list = fx.shipments.listByOrder.bind(fx.shipments);
    let reads = 0;
    let allRead!: () => void;
    const gate = new Promise<void>((resolve) => {
      allRead = resolve;
    });
    fx.shipments.listByOrder = async (zone, orderId) => {
      const listed = await list(zone, orderId);
      if (++reads === 3) allRead();
      await gate;
      return listed;
    };
    const one = () => parcel({ lines: [{ sku: BAG, quantity: 1 }] });

    const settled = await Promise.allSettled([
      book(fx, order, one()),
      book(fx, order, one()),
      book(fx, order, one()),
    ]);

    // Partial parcels from one location are fine: two single bags fit the two held, a third does not.
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(2);
    const refused = settled.filter((s) => s.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({
      code: 'SHIPMENT_LINES_INVALID',
      status: 422,
      details: { locationId: WAREHOUSE, lines: [{ sku: BAG, requested: 1, unshipped: 0 }] },
    });
    expect((await list('eu', order.orderId)).flatMap((s) => s.lines)).toEqual([
      { sku: BAG, quantity: 1 },
      { sku: BAG, quantity: 1 },
    ]);
    expect(createdEvents(fx)).toHaveLength(2);
    // What the refused booking did first was the others' work again: one capture, the units off once.
    expect(new Set(fx.captureKeys)).toEqual(new Set([`order:${order.orderId}:capture`]));
    expect((await fx.payments.retrieve(order.payment.paymentIntentId)).amountReceived).toEqual(
      order.payment.amount,
    );
    expect(fx.commerce.detailTypes()).toEqual(['PaymentCaptured']);
    const { entries } = await fx.stock.ledger(BAG, WAREHOUSE);
    expect(entries.filter((e) => e.type === 'shipment')).toEqual([
      expect.objectContaining({ delta: expect.objectContaining({ onHand: -2, allocated: -2 }) }),
    ]);
  });

  it('refuses a tracking number already on another shipment before capturing anything', async () => {
    const shipped = await placed(fx);
    const request = parcel();
    await book(fx, shipped, request);
    const held = await placed(fx, { captureMethod: 'manual' });
    const refused = await rejection(book(fx, held, { ...request, labelRef: 'other' }, 'another-key'));
    expect(refused).toMatchObject({ code: 'TRACKING_NUMBER_IN_USE', status: 409 });
    expect(fx.captureKeys).toEqual([]);
    expect((await fx.stock.get(held.allocation.reservationId))?.status).toBe('allocated');
  });

  it.each([
    ['a parcel at the threshold or above', [{ sku: BIG_BAG, quantity: 1 }], true],
    ['a parcel below the threshold', [{ sku: BAG, quantity: 2 }], false],
    ['a watch below the threshold', [{ sku: WATCH, quantity: 1 }], true],
  ] as const)('requires a signature for %s', async (_, lines, required) => {
    const order = await placed(fx, { lines });
    expect((await book(fx, order)).shipment.signatureRequired).toBe(required);
  });

  it('values a parcel at what its own units were paid, tax included where prices exclude it', async () => {
    // Three bags, €1,350: over the threshold in one parcel, under it in two.
    const together = await placed(fx, { lines: [{ sku: BAG, quantity: 3 }] });
    expect((await book(fx, together)).shipment.signatureRequired).toBe(true);
    const split = await placed(fx, { lines: [{ sku: BAG, quantity: 3 }] });
    const one = await book(fx, split, parcel({ lines: [{ sku: BAG, quantity: 1 }] }));
    const two = await book(fx, split, parcel());
    expect(two.shipment.lines).toEqual([{ sku: BAG, quantity: 2 }]);
    expect([one.shipment.signatureRequired, two.shipment.signatureRequired]).toEqual([false, false]);

    // $450 + $560 sales tax added on top: $1,010 paid, over the US threshold of $1,000.
    const us = await placed(fx, { market: 'US', taxIncluded: false, tax: 56_000 });
    expect((await book(fx, us)).shipment.signatureRequired).toBe(true);
    const untaxed = await placed(fx, { market: 'US', taxIncluded: false, tax: 0 });
    expect((await book(fx, untaxed)).shipment.signatureRequired).toBe(false);
  });
});

describe('orderTracking', () => {
  let fx: Fixture;
  beforeEach(() => {
    fx = fixture();
  });

  it('shows the owner each parcel with its scans in event-time order, window, lateness and signature', async () => {
    const order = await placed(fx, {
      lines: [
        { sku: BAG, quantity: 1 },
        { sku: WATCH, quantity: 1, locationId: BOUTIQUE },
      ],
    });
    const { shipment } = await book(fx, order);
    fx.clock.advance(3 * 3600_000);
    // The later scan arrives first; the timeline is in event time all the same.
    await scan(fx, shipment, [
      { status: 'in_transit', code: 'I', occurredAt: '2026-03-02T15:00:00.000Z', description: 'Departed' },
      {
        status: 'picked_up',
        code: 'P',
        occurredAt: '2026-03-02T11:00:00.000Z',
        location: { city: 'Roissy', country: 'FR' },
      },
    ]);

    const view = await orderTracking(fx.deps, {
      orderId: order.orderId,
      viewer: { sub: order.customerId, staff: false },
    });

    expect(view).toMatchObject({
      orderId: order.orderId,
      orderNumber: order.orderNumber,
      status: 'paid',
      delivery: { method: 'express' },
      // The boutique's watch has not shipped yet, and a watch always needs a signature.
      signature: { required: true, reasons: ['category'], categories: ['watches'] },
    });
    expect(view.shipments).toHaveLength(1);
    const [tracked] = view.shipments;
    expect(tracked).toMatchObject({
      shipmentId: shipment.shipmentId,
      carrier: 'ups',
      trackingNumber: shipment.trackingNumber,
      status: 'in_transit',
      statusAt: '2026-03-02T15:00:00.000Z',
      bookedAt: shipment.createdAt,
      estimate: shipment.estimate,
      late: false,
      signature: { required: false, reasons: [] },
      lines: [{ sku: BAG, name: `Piece ${BAG}`, quantity: 1 }],
    });
    expect(tracked?.timeline).toEqual([
      {
        status: 'picked_up',
        occurredAt: '2026-03-02T11:00:00.000Z',
        location: { city: 'Roissy', country: 'FR' },
      },
      { status: 'in_transit', occurredAt: '2026-03-02T15:00:00.000Z', description: 'Departed' },
    ]);

    // The day after the window's last day, in Paris, a parcel still moving is late.
    fx.clock = new FixedClock(zonedInstant(addDays(shipment.estimate!.latest, 1), '00:30', 'Europe/Paris'));
    const later = await orderTracking(
      { ...fx.deps, clock: fx.clock },
      { orderId: order.orderId, viewer: { sub: order.customerId, staff: false } },
    );
    expect(later.shipments[0]?.late).toBe(true);
  });

  it('shows staff the same tracking, and the pickup code only to the owner while ready', async () => {
    const order = await placed(fx, {
      pickup: true,
      lines: [{ sku: BAG, quantity: 1, locationId: BOUTIQUE }],
    });
    const ready: Order = {
      ...order,
      status: 'ready_for_pickup',
      pickup: {
        locationId: BOUTIQUE,
        status: 'ready',
        code: '042917',
        readyAt: '2026-03-02T10:00:00.000Z',
        collectBy: '2026-03-16T10:00:00.000Z',
        failedAttempts: 0,
      },
    };
    fx.commerce.orders.set(order.orderId, ready);

    const owner = await orderTracking(fx.deps, {
      orderId: order.orderId,
      viewer: { sub: order.customerId, staff: false },
    });
    expect(owner.delivery).toEqual({
      method: 'pickup',
      pickup: {
        locationId: BOUTIQUE,
        status: 'ready',
        code: '042917',
        readyAt: '2026-03-02T10:00:00.000Z',
        collectBy: '2026-03-16T10:00:00.000Z',
      },
    });
    expect(owner.shipments).toEqual([]);
    expect(owner.signature).toMatchObject({ required: false, pickupAlternative: false });

    const staff = await orderTracking(fx.deps, {
      orderId: order.orderId,
      viewer: { sub: STAFF, staff: true },
    });
    const { code: _code, ...withoutCode } = owner.delivery.pickup!;
    expect(staff).toEqual({ ...owner, delivery: { method: 'pickup', pickup: withoutCode } });
  });

  it('answers 404 alike for another customer’s order and a missing one', async () => {
    const order = await placed(fx);
    const other = await rejection(
      orderTracking(fx.deps, { orderId: order.orderId, viewer: { sub: 'cust-someone-else', staff: false } }),
    );
    const missing = await rejection(
      orderTracking(fx.deps, { orderId: 'ord_eu_missing', viewer: { sub: order.customerId, staff: false } }),
    );
    expect(other).toBeInstanceOf(NotFoundError);
    expect(other).toEqual(missing);
  });
});

describe('sweepLateShipments', () => {
  let fx: Fixture;
  beforeEach(() => {
    fx = fixture();
  });

  const sweepAt = (at: Date) =>
    sweepLateShipments(
      { shipments: fx.shipments, commerce: fx.commerce, locations: fx.deps.locations, clock: fx.clock },
      { now: at },
    );
  const dayAfter = (latest: string) => zonedInstant(addDays(latest, 1), '00:30', 'Europe/Paris');

  it('reports a parcel still moving after its window once, with a new window, and again only when that is missed', async () => {
    const order = await placed(fx);
    const { shipment } = await book(fx, order);
    const missed = shipment.estimate!;

    // Late evening of the last day in Paris: the window is not over yet, though the index lists it.
    const lastEvening = zonedInstant(missed.latest, '23:30', 'Europe/Paris');
    expect(lateCheckDueAt(shipment)! <= lastEvening.toISOString()).toBe(true);
    expect(await sweepAt(lastEvening)).toEqual({ checked: 1, late: 0, failed: [] });
    expect(missedEvents(fx)).toEqual([]);

    const first = dayAfter(missed.latest);
    expect(await sweepAt(first)).toMatchObject({ late: 1, failed: [] });
    const revised = (await fx.shipments.get('eu', shipment.shipmentId))!;
    expect(revised.estimate!.earliest >= addDays(missed.latest, 1)).toBe(true);
    expect(revised.estimate!.latest > missed.latest).toBe(true);
    expect(revised.version).toBe(shipment.version + 1);
    const [event] = missedEvents(fx);
    expect(event?.metadata.eventId).toBe(`shipment:${shipment.shipmentId}:window-missed:${missed.latest}`);
    expect(event?.data).toMatchObject({
      shipmentId: shipment.shipmentId,
      customerId: order.customerId,
      status: 'label_created',
      missed,
      estimate: revised.estimate,
      detectedAt: first.toISOString(),
    });

    // Later sweeps of the same window find nothing new.
    expect(await sweepAt(new Date(first.getTime() + 3600_000))).toMatchObject({ late: 0 });
    expect(missedEvents(fx)).toHaveLength(1);

    const second = dayAfter(revised.estimate!.latest);
    expect(await sweepAt(second)).toMatchObject({ late: 1 });
    expect(missedEvents(fx).map((e) => e.data.missed.latest)).toEqual([
      missed.latest,
      revised.estimate!.latest,
    ]);
  });

  it('reports a window once when sweeps race', async () => {
    const order = await placed(fx);
    const { shipment } = await book(fx, order);
    const at = dayAfter(shipment.estimate!.latest);
    const reports = await Promise.all([sweepAt(at), sweepAt(at), sweepAt(at)]);
    expect(reports.reduce((sum, r) => sum + r.late, 0)).toBe(1);
    expect(missedEvents(fx)).toHaveLength(1);
  });

  it('never reports a delivered or returned parcel', async () => {
    const delivered = await book(fx, await placed(fx));
    const returned = await book(fx, await placed(fx));
    fx.clock.advance(3600_000);
    await scan(fx, delivered.shipment, [{ status: 'delivered', code: 'D' }]);
    await scan(fx, returned.shipment, [{ status: 'returned_to_sender', code: 'RS' }]);
    const report = await sweepAt(dayAfter(addDays(delivered.shipment.estimate!.latest, 10)));
    expect(report).toEqual({ checked: 0, late: 0, failed: [] });
    expect(missedEvents(fx)).toEqual([]);
  });

  it('raises the late message once per window, whether the late check or a scan tells it first', async () => {
    const order = await placed(fx);
    const { shipment } = await book(fx, order);
    const latest = shipment.estimate!.latest;
    await sweepAt(dayAfter(latest));
    const [event] = missedEvents(fx);
    const fromCheck = notificationRequestsOf({
      source: ShipmentWindowMissed.source,
      'detail-type': ShipmentWindowMissed.detailType,
      detail: { data: event!.data, metadata: event!.metadata },
    });
    expect(fromCheck).toEqual([
      expect.objectContaining({
        type: 'late',
        subjectId: shipment.shipmentId,
        status: `late@${latest}`,
        details: expect.objectContaining({ estimate: { earliest: shipment.estimate!.earliest, latest } }),
      }),
    ]);

    // A scan after the window, carrying the window it missed, names the same message: the notifier's
    // dedupe key (type, subject, status) sends it once.
    const other = await book(fx, await placed(fx));
    const noonAfter = zonedInstant(addDays(other.shipment.estimate!.latest, 1), '12:00', 'Europe/Paris');
    fx.clock = new FixedClock(noonAfter);
    const moved = await scan(fx, other.shipment, [
      { status: 'picked_up', code: 'P', occurredAt: '2026-03-02T12:00:00.000Z' },
      { status: 'exception', code: 'X', occurredAt: noonAfter.toISOString() },
    ]);
    const change = fx.shipments.events.at(-1)!;
    expect(moved.status).toBe('exception');
    const fromScan = notificationRequestsOf({
      source: change.definition.source,
      'detail-type': change.definition.detailType,
      detail: { data: change.data, metadata: change.metadata },
    });
    expect(fromScan?.[0]).toMatchObject({ type: 'late', status: `late@${other.shipment.estimate!.latest}` });
  });
});
