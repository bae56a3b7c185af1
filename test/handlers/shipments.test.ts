import { beforeEach, describe, expect, it } from 'vitest';
import { makeHandler as makeLateSweeper } from '../../functions/tracking/late-sweeper.ts';
import { makeHandler } from '../../functions/tracking/shipments.ts';
import { LocalPaymentGateway } from '../../lib/adapters/local-payments/local-payment-gateway.ts';
import type { Order } from '../../lib/commerce/order.ts';
import type { Product, Variant } from '../../lib/contracts/catalog.ts';
import { createShipmentRoute, getOrderTrackingRoute } from '../../lib/contracts/routes/tracking.ts';
import { addDays } from '../../lib/delivery/calendar.ts';
import { zonedInstant } from '../../lib/delivery/cutoff.ts';
import { demoLocations } from '../../lib/demo/locations.ts';
import { InMemoryStockStore } from '../../lib/inventory/in-memory-stock-store.ts';
import { idempotencyKeyFor } from '../../lib/payments/idempotency-keys.ts';
import { InMemoryIdempotencyStore } from '../../lib/platform/in-memory-idempotency-store.ts';
import { InMemoryShipmentStore } from '../../lib/tracking/in-memory-shipment-store.ts';
import { Shipment } from '../../lib/tracking/shipment.ts';
import { applyTrackingEvents } from '../../lib/tracking/timeline.ts';
import { OrderTracking } from '../../lib/tracking/use-cases.ts';
import { apiEvent, customerClaims, invoke, staffClaims } from '../support/api-event.ts';
import { InMemoryCommerceRepository, StaticLocations } from '../support/commerce-fakes.ts';
import { FixedClock } from '../support/fakes.ts';

const WAREHOUSE = 'roissy-warehouse';
const BOUTIQUE = 'paris-saint-honore';
const RING = 'AUR-RING-1800';

let clock: FixedClock;
let commerce: InMemoryCommerceRepository;
let stock: InMemoryStockStore;
let payments: LocalPaymentGateway;
let shipments: InMemoryShipmentStore;
let handler: ReturnType<typeof makeHandler>;
let captures: number;
let count = 0;

beforeEach(() => {
  clock = new FixedClock(new Date('2026-03-02T09:00:00.000Z'));
  commerce = new InMemoryCommerceRepository();
  stock = new InMemoryStockStore();
  payments = new LocalPaymentGateway({ clock });
  shipments = new InMemoryShipmentStore();
  captures = 0;
  const capture = payments.capture.bind(payments);
  payments.capture = (pi, input) => {
    captures++;
    return capture(pi, input);
  };
  handler = makeHandler({
    commerce,
    stock,
    payments,
    products: {
      getBySku: async (sku) => ({
        product: { categoryId: 'fine-jewellery' } as Product,
        variant: { sku } as Variant,
      }),
    },
    locations: new StaticLocations(demoLocations()),
    shipments,
    clock,
    idempotency: new InMemoryIdempotencyStore(),
  });
});

/** A paid (or, `manual`, authorized) order of one €1,800 ring held at `locationId`. */
async function placed(options: { manual?: boolean; pickup?: boolean } = {}): Promise<Order> {
  const n = ++count;
  const locationId = options.pickup ? BOUTIQUE : WAREHOUSE;
  const checkoutId = `chk_eu_${String(n).padStart(26, '0')}`;
  const orderId = `ord_eu_${String(n).padStart(26, '0')}`;
  const now = clock.now();
  await stock.setOnHand(RING, locationId, 'eu', 3);
  const lines = [{ sku: RING, locationId, quantity: 1 }];
  await stock.reserve({
    reservationId: checkoutId,
    lines,
    holdUntil: new Date(now.getTime() + 900_000),
    owner: { zone: 'eu', checkoutId },
    now,
  });
  await stock.allocate(checkoutId, now);
  const amount = { amount: 180_000, currency: 'EUR' as const };
  const captureMethod = options.manual ? 'manual' : 'automatic';
  const intent = await payments.createPaymentIntent({
    amount,
    captureMethod,
    metadata: { checkoutId, orderId },
    idempotencyKey: idempotencyKeyFor('checkout.pi-create', checkoutId),
  });
  const confirmed = await payments.confirm(intent.id, 'pm_card_visa');
  const state = confirmed.status === 'succeeded' ? 'succeeded' : 'requires_capture';
  const order: Order = {
    orderId,
    orderNumber: `V-0000-0000-${String(n).padStart(4, '0')}`,
    zone: 'eu',
    checkoutId,
    customerId: `cust-${n}`,
    email: `c${n}@example.com`,
    market: 'FR',
    status: state === 'succeeded' ? 'paid' : 'authorized',
    lines: [
      {
        sku: RING,
        productId: 'aur-ring',
        name: 'Étoile ring',
        quantity: 1,
        unitPrice: 180_000,
        lineTotal: 180_000,
        tax: 30_000,
      },
    ],
    totals: { taxIncluded: true } as Order['totals'],
    delivery: options.pickup
      ? { method: 'pickup', pickupLocationId: BOUTIQUE }
      : {
          method: 'express',
          shippingAddress: {
            name: 'Camille Durand',
            line1: '12 rue de la Paix',
            city: 'Paris',
            postalCode: '75002',
            country: 'FR',
          },
        },
    allocation: { reservationId: checkoutId, lines, released: false },
    payment: {
      paymentIntentId: intent.id,
      captureMethod,
      amount,
      state: { state, occurredAt: now.toISOString() },
    },
    risk: { decision: 'approve' } as unknown as Order['risk'],
    ...(options.pickup
      ? { pickup: { locationId: BOUTIQUE, status: 'awaiting_preparation', failedAttempts: 0 } }
      : {}),
    milestones: state === 'succeeded' ? ['captured'] : ['authorized'],
    history: [],
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 1,
  };
  commerce.orders.set(orderId, structuredClone(order));
  return order;
}

const label = (trackingNumber = `1Z${String(++count).padStart(10, '0')}`) => ({
  locationId: WAREHOUSE,
  carrier: 'ups',
  service: 'express',
  trackingNumber,
  labelRef: `label-${trackingNumber}`,
});

const book = (
  orderId: string,
  body: unknown,
  key: string | null = `key-${++count}`,
  claims: Record<string, string> = staffClaims,
) =>
  invoke(
    handler,
    apiEvent(createShipmentRoute, {
      params: { orderId },
      body,
      claims,
      ...(key ? { headers: { 'Idempotency-Key': key } } : {}),
    }),
  );

const track = (orderId: string, claims?: Record<string, string>) =>
  invoke(handler, apiEvent(getOrderTrackingRoute, { params: { orderId }, ...(claims ? { claims } : {}) }));

describe('POST /v1/admin/orders/{orderId}/shipments', () => {
  it('books the parcel with 201, and replays the answer for the same key', async () => {
    const order = await placed({ manual: true });
    const booked = await book(order.orderId, label(), 'key-a');
    expect(booked.status, booked.body).toBe(201);
    expect(Shipment.parse(booked.json)).toMatchObject({
      orderId: order.orderId,
      lines: [{ sku: RING, quantity: 1 }],
      status: 'label_created',
      // €1,800 is over the FR threshold, and a ring is fine jewellery.
      signatureRequired: true,
    });
    expect(captures).toBe(1);
    expect((await commerce.getOrder(order.orderId))?.status).toBe('paid');

    const replay = await book(order.orderId, label(booked.json.trackingNumber), 'key-a');
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json).toEqual(booked.json);
    expect(shipments.shipments.size).toBe(1);
    expect(captures).toBe(1);
  });

  it('answers 200 with the same shipment when a retry re-runs a booking that was written', async () => {
    const order = await placed({ manual: true });
    const create = shipments.create.bind(shipments);
    let crashes = 1;
    shipments.create = async (shipment, events, allowance) => {
      const outcome = await create(shipment, events, allowance);
      if (crashes-- > 0) throw new Error('the function timed out after the write');
      return outcome;
    };
    const body = label();
    expect((await book(order.orderId, body, 'key-b')).status).toBe(500);
    const retried = await book(order.orderId, body, 'key-b');
    expect(retried.status, retried.body).toBe(200);
    expect(shipments.shipments.size).toBe(1);
    expect(shipments.events.filter((e) => e.definition.detailType === 'ShipmentCreated')).toHaveLength(1);
    expect(retried.json.shipmentId).toBe([...shipments.shipments.values()][0]?.shipmentId);
    expect((await payments.retrieve(order.payment.paymentIntentId)).amountReceived.amount).toBe(180_000);
  });

  it('books one parcel of two booked at once for the same units, and refuses the other with 422', async () => {
    const order = await placed({ manual: true });
    // Both bookings read the order's shipments before either writes, as two staff members at once would.
    const list = shipments.listByOrder.bind(shipments);
    let reads = 0;
    let bothRead!: () => void;
    const gate = new Promise<void>((resolve) => {
      bothRead = resolve;
    });
    shipments.listByOrder = async (zone, orderId) => {
      const listed = await list(zone, orderId);
      if (++reads === 2) bothRead();
      await gate;
      return listed;
    };

    const labels = [label(), label()];
    const answers = await Promise.all([
      book(order.orderId, labels[0], 'key-desk-1'),
      book(order.orderId, labels[1], 'key-desk-2'),
    ]);

    expect(answers.map((a) => a.status).sort()).toEqual([201, 422]);
    const refused = answers.find((a) => a.status === 422)!;
    expect(refused.json.error).toMatchObject({
      code: 'SHIPMENT_LINES_INVALID',
      details: { locationId: WAREHOUSE, lines: [{ sku: RING, requested: 1, unshipped: 0 }] },
    });
    const winner = answers.find((a) => a.status === 201)!;
    expect((await list('eu', order.orderId)).map((s) => s.shipmentId)).toEqual([winner.json.shipmentId]);
    expect(shipments.events.filter((e) => e.definition.detailType === 'ShipmentCreated')).toHaveLength(1);
    const loser = labels[answers.indexOf(refused)]!;
    expect(await shipments.findByTrackingNumber('ups', loser.trackingNumber)).toBeUndefined();
    // The refused booking's capture and fulfilment were the winner's own, repeated: paid once, shipped once.
    expect((await payments.retrieve(order.payment.paymentIntentId)).amountReceived.amount).toBe(180_000);
    expect(await stock.pools([RING])).toEqual([expect.objectContaining({ onHand: 2, allocated: 0 })]);
    const { entries } = await stock.ledger(RING, WAREHOUSE);
    expect(entries.filter((e) => e.type === 'shipment')).toHaveLength(1);
  });

  it('answers each refusal with its code in the error envelope', async () => {
    const pickup = await placed({ pickup: true });
    const shipped = await placed();
    const cases = [
      [await book(pickup.orderId, { ...label(), locationId: BOUTIQUE }), 409, 'ORDER_IS_PICKUP'],
      [
        await book(shipped.orderId, { ...label(), lines: [{ sku: 'OTHER-SKU-1', quantity: 1 }] }),
        422,
        'SHIPMENT_LINES_INVALID',
      ],
      [await book('ord_eu_missing', label()), 404, 'NOT_FOUND'],
      [await book(shipped.orderId, { ...label(), giftWrap: true }), 400, 'VALIDATION_FAILED'],
      [await book(shipped.orderId, label(), null), 400, 'IDEMPOTENCY_KEY_REQUIRED'],
      [await book(shipped.orderId, label(), 'key-c', customerClaims), 403, 'FORBIDDEN'],
    ] as const;
    for (const [response, status, code] of cases) {
      expect(response.status, response.body).toBe(status);
      expect(response.json.error).toMatchObject({ code, requestId: 'req-test' });
    }
    const first = await book(shipped.orderId, label('1ZTAKEN0001'));
    expect(first.status).toBe(201);
    const other = await placed();
    const taken = await book(other.orderId, label('1ZTAKEN0001'));
    expect([taken.status, taken.json.error.code]).toEqual([409, 'TRACKING_NUMBER_IN_USE']);
  });
});

describe('GET /v1/orders/{orderId}/tracking', () => {
  it('shows the owner and staff the parcels with their timeline, window and signature', async () => {
    const order = await placed();
    const booked = await book(order.orderId, label());
    const stored = (await shipments.get('eu', booked.json.shipmentId))!;
    const scanned = applyTrackingEvents(
      stored,
      [
        {
          eventKey: 'ups-1',
          source: 'ups',
          carrier: 'ups',
          trackingNumber: stored.trackingNumber,
          status: 'picked_up',
          code: 'P',
          occurredAt: '2026-03-02T13:00:00.000Z',
        },
      ],
      { now: clock.now(), correlationId: 'test' },
    );
    await shipments.save(scanned.shipment, stored.version, scanned.events);

    const owner = await track(order.orderId, { ...customerClaims, sub: order.customerId });
    expect(owner.status, owner.body).toBe(200);
    const view = OrderTracking.parse(owner.json);
    expect(view).toMatchObject({
      orderId: order.orderId,
      status: 'paid',
      delivery: { method: 'express' },
      signature: { required: true, reasons: ['category', 'value'] },
      shipments: [
        {
          shipmentId: booked.json.shipmentId,
          status: 'picked_up',
          timeline: [{ status: 'picked_up', occurredAt: '2026-03-02T13:00:00.000Z' }],
          estimate: booked.json.estimate,
          late: false,
          signature: { required: true },
          lines: [{ sku: RING, name: 'Étoile ring', quantity: 1 }],
        },
      ],
    });
    const staff = await track(order.orderId, staffClaims);
    expect(staff.status).toBe(200);
    expect(staff.json).toEqual(owner.json);
  });

  it('answers 404 to another customer exactly as for a missing order, and 401 without a token', async () => {
    const order = await placed();
    const other = await track(order.orderId, { ...customerClaims, sub: 'cust-nosy' });
    const missing = await track('ord_eu_missing', { ...customerClaims, sub: 'cust-nosy' });
    expect(other.status).toBe(404);
    expect(other.json).toEqual(missing.json);
    expect((await track(order.orderId)).status).toBe(401);
  });
});

describe('late sweeper', () => {
  it('reports a parcel past its window once, and nothing for a delivered one', async () => {
    const moving = await book((await placed()).orderId, label());
    const delivered = await book((await placed()).orderId, label());
    const stored = (await shipments.get('eu', delivered.json.shipmentId))!;
    const done = applyTrackingEvents(
      stored,
      [
        {
          eventKey: 'ups-d',
          source: 'ups',
          carrier: 'ups',
          trackingNumber: stored.trackingNumber,
          status: 'delivered',
          code: 'D',
          occurredAt: '2026-03-03T10:00:00.000Z',
        },
      ],
      { now: clock.now(), correlationId: 'test' },
    );
    await shipments.save(done.shipment, stored.version, done.events);

    const latest: string = moving.json.estimate.latest;
    const sweeper = makeLateSweeper({
      shipments,
      commerce,
      locations: new StaticLocations(demoLocations()),
      clock: new FixedClock(zonedInstant(addDays(latest, 1), '08:00', 'Europe/Paris')),
    });
    expect(await sweeper()).toMatchObject({ checked: 1, late: 1, failed: [] });
    expect(await sweeper()).toMatchObject({ late: 0 });
    const missed = shipments.events.filter((e) => e.definition.detailType === 'ShipmentWindowMissed');
    expect(missed.map((e) => e.metadata.eventId)).toEqual([
      `shipment:${moving.json.shipmentId}:window-missed:${latest}`,
    ]);
  });
});
