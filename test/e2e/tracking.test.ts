import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNATURE_CATEGORIES, SIGNATURE_THRESHOLDS } from '../../lib/delivery/signature.ts';
import { sendDueNotifications } from '../../lib/notifications/use-cases.ts';
import { DEFAULT_RISK_POLICIES } from '../../lib/risk/risk-policy.ts';
import type { LocalPlatform } from '../../lib/runtime/local/platform.ts';
import { GENERIC_SIGNATURE_HEADER, type GenericTrackingEvent } from '../../lib/tracking/carriers/generic.ts';
import type { TrackingStatus } from '../../lib/tracking/status.ts';
import { signTimestamped } from '../../lib/tracking/verify.ts';
import { type Http, http, startTestPlatform } from '../support/local-platform.ts';
import { PARIS_ADDRESS, type Shopper, shopper } from '../support/shopper.ts';

/** A carrier without an adapter of its own: its scans arrive in the generic format, signed. */
const CARRIER = 'colissimo';
const MINUTE = 60_000;
const THRESHOLD = SIGNATURE_THRESHOLDS.FR;
/** A new account's order from this total is held for review: the pieces stay below it. */
const NEW_ACCOUNT_REVIEW_FROM = DEFAULT_RISK_POLICIES.FR.newAccount.valueFrom;

interface Listed {
  productId: string;
  price: { amount: number };
}
interface Detailed {
  productId: string;
  category: { id: string };
  price: { amount: number };
  variants: { sku: string; edition?: unknown }[];
}
interface Delivery {
  raw: string;
  headers: Record<string, string>;
}

/** `HH:MM` in UTC, `minutes` from now. */
const utcClock = (minutes: number) => new Date(Date.now() + minutes * MINUTE).toISOString().slice(11, 16);

/** A tracking number shaped like Colissimo's, unique to this run. */
const trackingNumber = () => `8R${randomBytes(5).toString('hex').toUpperCase()}`;

describe('post-purchase tracking on the local runtime, over HTTP', () => {
  let platform: LocalPlatform;
  let api: Http;
  let staff: string;
  /** Above the market's signature threshold, in no signature category: its value alone decides. */
  let signedSku: string;
  /** Below the threshold, in no signature category. */
  let plainSku: string;

  beforeAll(async () => {
    platform = await startTestPlatform({ demoProducts: 18 });
    api = http(platform.url);
    staff = (await api('POST', '/v1/dev/token', { body: { sub: 'shipping-desk', groups: ['staff'] } })).json
      .token;
    const listed = await api('GET', '/v1/products?market=FR&limit=50');
    const products: Detailed[] = await Promise.all(
      (listed.json.items as Listed[]).map(
        async (item) => (await api('GET', `/v1/products/${item.productId}?market=FR`)).json,
      ),
    );
    const candidates = products
      .filter((p) => !SIGNATURE_CATEGORIES.includes(p.category.id) && !p.variants[0]?.edition)
      .sort((a, b) => a.price.amount - b.price.amount);
    const signed = candidates.find(
      (p) => p.price.amount > THRESHOLD && p.price.amount < NEW_ACCOUNT_REVIEW_FROM,
    );
    const plain = candidates.find((p) => p.price.amount < THRESHOLD);
    if (!signed || !plain) throw new Error('The demo catalog has no piece on each side of the threshold');
    signedSku = signed.variants[0]!.sku;
    plainSku = plain.variants[0]!.sku;
    for (const sku of [signedSku, plainSku]) {
      await platform.deps.stock.setOnHand(sku, 'roissy-warehouse', 'eu', 5, { locationType: 'warehouse' });
    }
  });
  afterAll(async () => {
    await platform?.stop();
  });

  /** Checks out one unit of `sku` for delivery to Paris and pays with pm_card_visa. */
  async function paidOrder(who: Shopper, sku: string) {
    const cartId = await who.cart('FR', [{ sku, quantity: 1 }]);
    const started = await who.checkout({
      cartId,
      email: `${who.sub}@example.com`,
      shippingAddress: PARIS_ADDRESS,
      shippingMethod: 'standard',
    });
    expect(started.status, started.text).toBe(201);
    const pi: string = started.json.payment.paymentIntentId;
    const confirmed = await api('POST', `/v1/dev/payments/${pi}/confirm`, {
      body: { paymentMethod: 'pm_card_visa' },
    });
    expect(confirmed.status, confirmed.text).toBe(200);
    if (started.json.risk.decision === 'require_3ds') {
      // From the 3-D Secure band the bank challenges the shopper, who passes it.
      expect(confirmed.json.status).toBe('requires_action');
      const passed = await api('POST', `/v1/dev/payments/${pi}/authenticate`, {
        body: { outcome: 'success' },
      });
      expect(passed.status, passed.text).toBe(200);
    }
    await platform.idle();
    const orderId: string = started.json.orderId;
    const order = await api('GET', `/v1/orders/${orderId}`, { token: who.token });
    expect(order.json.status, order.text).toBe('paid');
    return {
      orderId,
      promise: started.json.deliveryPromise,
      locationId: started.json.reservation.lines[0].locationId as string,
    };
  }

  const book = (
    order: { orderId: string; locationId: string },
    parcel: string,
    idempotencyKey: string = randomUUID(),
  ) =>
    api('POST', `/v1/admin/orders/${order.orderId}/shipments`, {
      token: staff,
      headers: { 'idempotency-key': idempotencyKey },
      body: {
        locationId: order.locationId,
        carrier: CARRIER,
        service: 'expert',
        trackingNumber: parcel,
        labelRef: `LBL-${parcel}`,
      },
    });

  /** A generic-format delivery, signed now with the platform's secret (or another one). */
  function signed(
    payload: GenericTrackingEvent | { events: GenericTrackingEvent[] },
    secret = platform.carrierSecrets.generic[0] as string,
  ): Delivery {
    const raw = JSON.stringify(payload);
    const signature = signTimestamped(raw, secret, Math.floor(Date.now() / 1000));
    return { raw, headers: { 'content-type': 'application/json', [GENERIC_SIGNATURE_HEADER]: signature } };
  }

  const deliver = (delivery: Delivery) =>
    api('POST', '/v1/webhooks/carriers/generic', { raw: delivery.raw, headers: delivery.headers });

  const tracking = (orderId: string, token: string) =>
    api('GET', `/v1/orders/${orderId}/tracking`, { token });

  it('a signed-for parcel: booked once, scans in any order and twice, one timeline, each message once on the chosen channel', async () => {
    const claire = await shopper(api, 'claire-tracks');
    const saved = await api('PUT', '/v1/me/notification-preferences', {
      token: claire.token,
      body: {
        locale: 'fr-FR',
        timeZone: 'Europe/Paris',
        channels: {
          shipped: ['sms'],
          out_for_delivery: ['sms'],
          delivery_attempted: ['sms'],
          delivered: ['sms'],
        },
        contacts: { email: 'claire@example.com', phone: '+33612345678' },
        consent: { sms: { granted: true, source: 'account_settings' } },
      },
    });
    expect(saved.status, saved.text).toBe(201);

    const order = await paidOrder(claire, signedSku);
    expect(order.promise.signature).toMatchObject({
      required: true,
      reasons: ['value'],
      threshold: { amount: THRESHOLD, currency: 'EUR' },
    });
    expect(order.promise.parcels).toEqual([expect.objectContaining({ signatureRequired: true })]);

    // Staff book the parcel; the same request again is the same parcel, not a second one.
    const parcel = trackingNumber();
    const key = randomUUID();
    const booked = await book(order, parcel, key);
    expect(booked.status, booked.text).toBe(201);
    expect(booked.json).toMatchObject({
      orderId: order.orderId,
      carrier: CARRIER,
      trackingNumber: parcel,
      status: 'label_created',
      signatureRequired: true,
      events: [],
    });
    const again = await book(order, parcel, key);
    expect(again.status, again.text).toBeLessThan(300);
    expect(again.json).toEqual(booked.json);
    // Under a new key the label is still the one parcel's: no second shipment can carry it.
    const relabelled = await book(order, parcel);
    expect(relabelled.status, relabelled.text).toBe(409);
    expect(relabelled.json.error.code).toBe('TRACKING_NUMBER_IN_USE');

    // The scans of the parcel's journey, in carrier time after the booking.
    const bookedAt = Date.parse(booked.json.createdAt);
    const scan = (
      eventId: string,
      status: TrackingStatus,
      minutes: number,
      city: string,
    ): GenericTrackingEvent => ({
      carrier: CARRIER,
      trackingNumber: parcel,
      eventId,
      status,
      occurredAt: new Date(bookedAt + minutes * MINUTE).toISOString(),
      location: { city, country: 'FR' },
    });
    const pickedUp = scan('ev-1', 'picked_up', 5, 'Roissy-en-France');
    const inTransit = scan('ev-2', 'in_transit', 20, 'Gonesse');
    const atHub = scan('ev-3', 'in_transit', 45, 'Paris');
    const outForDelivery = scan('ev-4', 'out_for_delivery', 70, 'Paris');
    const attempted = scan('ev-5', 'delivery_attempted', 85, 'Paris');
    const delivered = scan('ev-6', 'delivered', 100, 'Paris');
    const journey = [pickedUp, inTransit, atHub, outForDelivery, attempted, delivered];

    // Shuffled, with carrier retries and one delivery sent twice byte for byte.
    const earlyPair = signed({ events: [atHub, pickedUp] });
    const deliveries: [Delivery, { received: number; duplicate: number }][] = [
      [signed(inTransit), { received: 1, duplicate: 0 }],
      [earlyPair, { received: 2, duplicate: 0 }],
      [signed(outForDelivery), { received: 1, duplicate: 0 }],
      [signed(inTransit), { received: 1, duplicate: 1 }],
      [signed({ events: [attempted, pickedUp] }), { received: 2, duplicate: 1 }],
      [earlyPair, { received: 2, duplicate: 2 }],
      [signed(delivered), { received: 1, duplicate: 0 }],
      [signed({ events: [delivered, outForDelivery] }), { received: 2, duplicate: 2 }],
    ];
    const receipts: { received: number; duplicate: number }[] = [];
    for (const [delivery, expected] of deliveries) {
      const answer = await deliver(delivery);
      expect(answer.status, answer.text).toBe(200);
      expect(answer.json).toEqual({ ...expected, ignored: 0 });
      receipts.push(answer.json);
    }
    const total = (field: 'received' | 'duplicate') => receipts.reduce((sum, r) => sum + r[field], 0);
    expect(total('received') - total('duplicate')).toBe(journey.length);

    const seen = await tracking(order.orderId, claire.token);
    expect(seen.status, seen.text).toBe(200);
    expect(seen.json).toMatchObject({
      orderId: order.orderId,
      status: 'paid',
      delivery: { method: 'standard' },
      signature: { required: true, reasons: ['value'] },
    });
    expect(seen.json.shipments).toHaveLength(1);
    const [followed] = seen.json.shipments;
    expect(followed).toMatchObject({
      shipmentId: booked.json.shipmentId,
      trackingNumber: parcel,
      status: 'delivered',
      statusAt: delivered.occurredAt,
      late: false,
      signature: { required: true, pickupAlternative: true },
      lines: [{ sku: signedSku, quantity: 1 }],
    });
    expect(
      followed.timeline.map((e: { status: string; occurredAt: string }) => [e.status, e.occurredAt]),
    ).toEqual(journey.map((s) => [s.status, s.occurredAt]));
    expect(followed.estimate).toMatchObject({
      earliest: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      latest: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
    expect(followed.estimate.earliest <= followed.estimate.latest).toBe(true);

    // A forged or tampered delivery is refused before it is read, and changes nothing.
    const returned = scan('ev-7', 'returned_to_sender', 120, 'Paris');
    const forged = signed(returned, 'generic_whsec_guessed');
    const tampered = { ...signed(pickedUp), raw: JSON.stringify(returned) };
    for (const delivery of [forged, tampered]) {
      const refused = await deliver(delivery);
      expect(refused.status, refused.text).toBe(401);
      expect(refused.json.error.code).toBe('CARRIER_SIGNATURE_INVALID');
    }
    expect((await tracking(order.orderId, claire.token)).json).toEqual(seen.json);

    // Staff follow the order too; another customer, like a made-up order id, finds nothing.
    const byStaff = await tracking(order.orderId, staff);
    expect(byStaff.status).toBe(200);
    expect(byStaff.json.shipments[0].timeline).toEqual(followed.timeline);
    const eve = await shopper(api, 'eve-curious');
    const snooped = await tracking(order.orderId, eve.token);
    expect(snooped.status).toBe(404);
    expect(snooped.json.error.code).toBe('NOT_FOUND');
    expect((await tracking('ord_eu_made_up', claire.token)).status).toBe(404);

    // Each moment once, on the channel Claire chose, however many times its scan came.
    await platform.idle();
    const outbox = await api('GET', `/v1/dev/outbox?customerId=${claire.sub}`);
    const messages = outbox.json.items.map((m: { type: string; channel: string; to: string }) =>
      [m.type, m.channel, m.to].join(' '),
    );
    expect(messages.sort()).toEqual(
      [
        'delivered sms +33612345678',
        'delivery_attempted sms +33612345678',
        'order_confirmed email claire@example.com',
        'out_for_delivery sms +33612345678',
        'shipped sms +33612345678',
      ].sort(),
    );
  });

  it('a parcel below the threshold: no signature promised, none asked of the carrier', async () => {
    const bob = await shopper(api, 'bob-small-parcel');
    const order = await paidOrder(bob, plainSku);
    expect(order.promise.signature).toMatchObject({ required: false, reasons: [], categories: [] });
    expect(order.promise.parcels).toEqual([expect.objectContaining({ signatureRequired: false })]);

    const booked = await book(order, trackingNumber());
    expect(booked.status, booked.text).toBe(201);
    expect(booked.json.signatureRequired).toBe(false);
    const seen = await tracking(order.orderId, bob.token);
    expect(seen.status, seen.text).toBe(200);
    expect(seen.json.signature.required).toBe(false);
    expect(seen.json.shipments).toEqual([
      expect.objectContaining({
        shipmentId: booked.json.shipmentId,
        status: 'label_created',
        timeline: [],
        signature: expect.objectContaining({ required: false, reasons: [] }),
      }),
    ]);
  });

  it('in quiet hours the shipment message waits: nothing in the outbox, one message held until they end', async () => {
    const owl = await shopper(api, 'night-owl-tracks');
    const saved = await api('PUT', '/v1/me/notification-preferences', {
      token: owl.token,
      body: {
        locale: 'en',
        timeZone: 'UTC',
        quietHours: { start: utcClock(-60), end: utcClock(120) },
        channels: {},
        contacts: { email: 'owl@example.com' },
      },
    });
    expect(saved.status, saved.text).toBe(201);
    const order = await paidOrder(owl, plainSku);
    const parcel = trackingNumber();
    const booked = await book(order, parcel);
    expect(booked.status, booked.text).toBe(201);
    const pickedUp = await deliver(
      signed({
        carrier: CARRIER,
        trackingNumber: parcel,
        eventId: 'owl-1',
        status: 'picked_up',
        occurredAt: new Date(Date.parse(booked.json.createdAt) + 5 * MINUTE).toISOString(),
      }),
    );
    expect(pickedUp.json).toEqual({ received: 1, duplicate: 0, ignored: 0 });
    await platform.idle();

    expect((await api('GET', `/v1/dev/outbox?customerId=${owl.sub}`)).json.items).toEqual([]);
    const held = await platform.deps.notifications.deferred.due(
      platform.deps.region,
      new Date(Date.now() + 3 * 3_600_000),
      100,
    );
    const shipped = held.filter((h) => h.request.customerId === owl.sub && h.request.type === 'shipped');
    expect(shipped).toHaveLength(1);
    expect(shipped[0]?.request).toMatchObject({
      orderId: order.orderId,
      subjectId: booked.json.shipmentId,
      details: { trackingNumber: parcel, signatureRequired: false },
    });

    // Once the quiet hours are over, the sweep sends what was held, once however often it runs.
    const later = {
      ...platform.deps.notifications,
      clock: { now: () => new Date(Date.now() + 3 * 3_600_000) },
    };
    await sendDueNotifications(later);
    await sendDueNotifications(later);
    const sent = await api('GET', `/v1/dev/outbox?customerId=${owl.sub}`);
    expect(
      sent.json.items.map((m: { type: string; channel: string }) => `${m.type} ${m.channel}`).sort(),
    ).toEqual(['order_confirmed email', 'shipped email']);
  });
});
