import { randomUUID } from 'node:crypto';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeHandler as makePickupHandler } from '../../functions/checkout/pickup.ts';
import { makeHandler as makePickupSweeper } from '../../functions/checkout/pickup-sweeper.ts';
import { DynamoCommerceRepository } from '../../lib/adapters/dynamo/dynamo-commerce-repository.ts';
import { DynamoLocationDirectory } from '../../lib/adapters/dynamo/dynamo-location-directory.ts';
import { locationItem } from '../../lib/adapters/dynamo/dynamo-stock-store.ts';
import { sharedClientZoneTables } from '../../lib/adapters/dynamo/zone-tables.ts';
import type { CommerceRepository, PickupDeadlines } from '../../lib/commerce/commerce-repository.ts';
import type { PickupSweepReport } from '../../lib/commerce/pickup.ts';
import { startCheckoutRoute } from '../../lib/contracts/routes/checkout.ts';
import { collectPickupRoute, markReadyForPickupRoute } from '../../lib/contracts/routes/pickup.ts';
import type { Location } from '../../lib/demo/locations.ts';
import { apiEvent, customerClaims, invoke, staffClaims } from '../support/api-event.ts';
import { type CheckoutFixture, checkoutFixture } from '../support/checkout-fixture.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const BOUTIQUE = 'paris-saint-honore';
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

describe('click and collect over the staff routes', () => {
  let fx: CheckoutFixture;
  let pickup: ReturnType<typeof makePickupHandler>;
  let sweep: () => Promise<PickupSweepReport>;
  let sku: string;
  let shoppers = 0;

  beforeAll(async () => {
    fx = await checkoutFixture();
    const { doc, names } = fx.tables;
    await doc.send(
      new PutCommand({ TableName: names.inventory.global as string, Item: locationItem(PARIS) }),
    );
    sku = fx.sku;
    await fx.stock.setOnHand(sku, BOUTIQUE, 'eu', 6, { locationType: 'boutique' });
    const locations = new DynamoLocationDirectory(doc, names.inventory.global as string);
    pickup = makePickupHandler({
      commerce: fx.commerce,
      stock: fx.stock,
      payments: fx.payments,
      locations,
      clock: fx.clock,
      idempotency: fx.idempotency,
    });
    // The adapter's due-pickups index, read beside the fixture's repository so its writes are recorded.
    const index = new DynamoCommerceRepository({
      tables: sharedClientZoneTables(doc, names.commerce.zones),
      zones: Object.keys(names.commerce.zones),
      region: 'eu-west-1',
      clock: fx.clock,
    });
    const commerce: CommerceRepository & PickupDeadlines = Object.assign(Object.create(fx.commerce), {
      duePickups: (now: Date, limit: number) => index.duePickups(now, limit),
    });
    const sweeper = makePickupSweeper({ commerce, stock: fx.stock, payments: fx.payments, clock: fx.clock });
    sweep = () => sweeper();
  });

  /** Boutique pool counters. */
  async function boutique() {
    const found = (await fx.stock.pools([sku])).find((p) => p.locationId === BOUTIQUE)!;
    return { onHand: found.onHand, available: found.available, allocated: found.allocated };
  }

  /** A fresh customer checks out `quantity` for collection at the boutique and pays with pm_card_visa. */
  async function paidPickupOrder(quantity = 1) {
    const customerId = `cust-${randomUUID()}`;
    const cartId = await fx.claimedCart(customerId, sku, quantity);
    const event = apiEvent(startCheckoutRoute, {
      body: { cartId, email: `${customerId}@example.com`, pickupLocationId: BOUTIQUE },
      claims: { ...customerClaims, sub: customerId },
      headers: { 'Idempotency-Key': randomUUID() },
    });
    // A fresh address per shopper, so risk screening's velocity limits never see two checkouts.
    (event.requestContext.identity as { sourceIp: string }).sourceIp = `203.0.113.${++shoppers}`;
    const started = await invoke(fx.handlers.checkouts, event);
    expect(started.status, started.body).toBe(201);
    expect(started.json.reservation.lines).toEqual([{ sku, locationId: BOUTIQUE, quantity }]);
    await fx.payments.confirm(started.json.payment.paymentIntentId, 'pm_card_visa');
    for (const d of await fx.takeDeliveries()) expect((await fx.deliver(d)).status).toBe(200);
    const order = await fx.commerce.getOrder(started.json.orderId);
    expect(order).toMatchObject({
      status: 'paid',
      pickup: { locationId: BOUTIQUE, status: 'awaiting_preparation' },
    });
    return { customerId, orderId: started.json.orderId as string, checkoutId: started.json.checkoutId };
  }

  const ready = (orderId: string, key = randomUUID(), claims: Record<string, string> = staffClaims) =>
    invoke(
      pickup,
      apiEvent(markReadyForPickupRoute, { params: { orderId }, claims, headers: { 'Idempotency-Key': key } }),
    );
  const collect = (orderId: string, body: unknown, key = randomUUID()) =>
    invoke(
      pickup,
      apiEvent(collectPickupRoute, {
        params: { orderId },
        body,
        claims: staffClaims,
        headers: { 'Idempotency-Key': key },
      }),
    );
  const ownerCode = async (orderId: string, customerId: string): Promise<string> => {
    const seen = await fx.getOrder(orderId, { ...customerClaims, sub: customerId });
    expect(seen.status).toBe(200);
    return seen.json.pickup.code;
  };

  it('ready shows the code to the owner only, and collect with it takes the units off the shelf', async () => {
    const { customerId, orderId, checkoutId } = await paidPickupOrder(2);
    const key = randomUUID();
    const marked = await ready(orderId, key);
    expect(marked.status, marked.body).toBe(200);
    expect(marked.json).toMatchObject({
      status: 'ready_for_pickup',
      pickup: { status: 'ready', collectBy: new Date(fx.clock.now().getTime() + 14 * DAY_MS).toISOString() },
    });
    expect(marked.json.pickup.code).toBeUndefined();
    const replay = await ready(orderId, key);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect((await ready(orderId, randomUUID(), { ...customerClaims, sub: customerId })).status).toBe(403);

    const code = await ownerCode(orderId, customerId);
    expect(code).toMatch(/^\d{6}$/);
    const asStaff = await fx.getOrder(orderId, staffClaims);
    expect(asStaff.json.pickup).not.toHaveProperty('code');

    expect((await collect(orderId, { code: '12ab56' })).status).toBe(400);
    expect((await collect(orderId, { code, note: 'x' })).status).toBe(400);
    const wrong = await collect(orderId, { code: code === '000000' ? '000001' : '000000' });
    expect(wrong.status).toBe(422);
    expect(wrong.json.error).toMatchObject({ code: 'PICKUP_CODE_INVALID', details: { attemptsLeft: 4 } });

    const before = await boutique();
    const collectKey = randomUUID();
    const collected = await collect(orderId, { code }, collectKey);
    expect(collected.status, collected.body).toBe(200);
    expect(collected.json).toMatchObject({
      status: 'collected',
      pickup: { status: 'collected', handedOverBy: staffClaims.sub, failedAttempts: 1 },
    });
    expect(await boutique()).toEqual({
      onHand: before.onHand - 2,
      available: before.available,
      allocated: before.allocated - 2,
    });
    expect((await collect(orderId, { code }, collectKey)).headers['idempotent-replayed']).toBe('true');
    const again = await collect(orderId, { code });
    expect(again.status).toBe(200);
    expect(again.json.status).toBe('collected');
    expect(await boutique()).toEqual({
      onHand: before.onHand - 2,
      available: before.available,
      allocated: before.allocated - 2,
    });
    expect((await fx.stock.get(checkoutId))?.status).toBe('fulfilled');

    const counts = fx.eventCounts(checkoutId);
    expect(counts.get(`order:${orderId}:ready_for_pickup`)).toBe(1);
    expect(counts.get(`order:${orderId}:collected`)).toBe(1);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);

    // The code is in the order alone: not in stored answers, outbox items or ledger entries.
    const { doc, names } = fx.tables;
    for (const table of [names.idempotency.zones.eu, names.commerce.zones.eu, names.inventory.global]) {
      const { Items = [] } = await doc.send(new ScanCommand({ TableName: table as string }));
      const leaks = Items.filter(
        (i) => !String(i.pk).startsWith('ORDER#') && JSON.stringify(i).includes(`"${code}"`),
      );
      expect(leaks.map((i) => i.pk)).toEqual([]);
    }
  });

  it('refuses a delivered order and an order not yet ready', async () => {
    const shipped = await fx.checkout();
    expect(shipped.status).toBe(201);
    await fx.payments.confirm(shipped.paymentIntentId, 'pm_card_visa');
    for (const d of await fx.takeDeliveries()) await fx.deliver(d);
    const refused = await ready(shipped.orderId);
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('PICKUP_NOT_ALLOWED');

    const { orderId } = await paidPickupOrder();
    const early = await collect(orderId, { code: '123456' });
    expect(early.status).toBe(409);
    expect(early.json.error.code).toBe('PICKUP_NOT_READY');
    expect((await ready('ord_eu_0000000000000000000000000Z')).status).toBe(404);
  });

  it('locks after five wrong codes until staff issue a new one', async () => {
    const { customerId, orderId } = await paidPickupOrder();
    expect((await ready(orderId)).status).toBe(200);
    const first = await ownerCode(orderId, customerId);
    const wrong = first === '999999' ? '999998' : '999999';
    for (let i = 0; i < 5; i++) expect((await collect(orderId, { code: wrong })).status).toBe(422);
    const locked = await collect(orderId, { code: first });
    expect(locked.status).toBe(423);
    expect(locked.json.error.code).toBe('PICKUP_CODE_LOCKED');

    expect((await ready(orderId)).json.pickup).toMatchObject({ failedAttempts: 0, codesIssued: 2 });
    const second = await ownerCode(orderId, customerId);
    const collected = await collect(orderId, { code: second });
    expect(collected.status, collected.body).toBe(200);
  });

  it('the sweeper releases an uncollected order to the boutique and refunds it once', async () => {
    const { customerId, orderId, checkoutId } = await paidPickupOrder(1);
    expect((await ready(orderId)).status).toBe(200);
    const code = await ownerCode(orderId, customerId);
    const before = await boutique();
    expect(await sweep()).toMatchObject({ expired: 0, settled: 0 });

    fx.clock.advance(14 * DAY_MS + 60_000);
    const report = await sweep();
    expect(report.failed).toEqual([]);
    expect(report.settled).toBeGreaterThanOrEqual(1);
    expect(await boutique()).toEqual({
      onHand: before.onHand,
      available: before.available + 1,
      allocated: before.allocated - 1,
    });
    for (const d of await fx.takeDeliveries()) {
      expect((await fx.deliver(d)).status).toBe(200);
      expect((await fx.deliver(fx.resigned(d))).status).toBe(200);
    }
    const order = await fx.commerce.getOrder(orderId);
    expect(order).toMatchObject({
      status: 'uncollected',
      allocation: { released: true },
      payment: { state: { state: 'refunded' } },
      pickup: { status: 'uncollected', settledAt: expect.any(String) },
    });
    const late = await collect(orderId, { code });
    expect(late.status).toBe(409);
    expect(late.json.error.code).toBe('PICKUP_NOT_READY');

    expect(await sweep()).toMatchObject({ expired: 0, settled: 0, failed: [] });
    const counts = fx.eventCounts(checkoutId);
    expect(counts.get(`order:${orderId}:pickup_expired`)).toBe(1);
    expect(counts.get(`order:${orderId}:refunded`)).toBe(1);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const refunds = (await fx.stripeEvents()).filter(
      (e) => e.type === 'charge.refunded' && e.data.object.payment_intent === order?.payment.paymentIntentId,
    );
    expect(refunds).toHaveLength(1);
  });
});
