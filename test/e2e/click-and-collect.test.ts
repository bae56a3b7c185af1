import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepUncollected } from '../../lib/commerce/pickup.ts';
import type { LocalPlatform } from '../../lib/runtime/local/platform.ts';
import { type Http, http, startTestPlatform } from '../support/local-platform.ts';
import { type Shopper, shopper } from '../support/shopper.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** A demo boutique in the EU that offers click and collect. */
const BOUTIQUE = 'paris-saint-honore';

describe('click and collect on the local runtime, over HTTP', () => {
  let platform: LocalPlatform;
  let api: Http;
  let staff: string;
  let sku: string;

  beforeAll(async () => {
    platform = await startTestPlatform({ demoProducts: 24 });
    api = http(platform.url);
    staff = (await api('POST', '/v1/dev/token', { body: { sub: 'boutique-advisor', groups: ['staff'] } }))
      .json.token;
    // The least expensive piece: below every review and manual-capture threshold.
    const listed = await api('GET', '/v1/products?market=FR&limit=50');
    const cheapest = [...listed.json.items].sort(
      (a: { price: { amount: number } }, b: { price: { amount: number } }) => a.price.amount - b.price.amount,
    )[0];
    const product = await api('GET', `/v1/products/${cheapest.productId}?market=FR`);
    sku = product.json.variants[0].sku;
    await platform.deps.stock.setOnHand(sku, BOUTIQUE, 'eu', 6, { locationType: 'boutique' });
  });
  afterAll(async () => {
    await platform?.stop();
  });

  async function boutique() {
    const found = (await platform.deps.stock.pools([sku])).find((p) => p.locationId === BOUTIQUE)!;
    return { onHand: found.onHand, available: found.available, allocated: found.allocated };
  }

  /** A shopper checks out `quantity` for collection at the boutique and pays with pm_card_visa. */
  async function paidPickupOrder(who: Shopper, quantity: number) {
    const cartId = await who.cart('FR', [{ sku, quantity }]);
    const started = await who.checkout({
      cartId,
      email: `${who.sub}@example.com`,
      pickupLocationId: BOUTIQUE,
    });
    expect(started.status, started.text).toBe(201);
    expect(started.json.reservation.lines).toEqual([{ sku, locationId: BOUTIQUE, quantity }]);
    const paid = await api('POST', `/v1/dev/payments/${started.json.payment.paymentIntentId}/confirm`, {
      body: { paymentMethod: 'pm_card_visa' },
    });
    expect(paid.status, paid.text).toBe(200);
    await platform.idle();
    const order = await api('GET', `/v1/orders/${started.json.orderId}`, { token: who.token });
    expect(order.json).toMatchObject({
      status: 'paid',
      delivery: { method: 'pickup', pickupLocationId: BOUTIQUE },
      pickup: { locationId: BOUTIQUE, status: 'awaiting_preparation' },
    });
    return { orderId: started.json.orderId as string, paymentIntentId: started.json.payment.paymentIntentId };
  }

  const asStaff = (path: string, body?: unknown) =>
    api('POST', path, {
      token: staff,
      headers: { 'idempotency-key': randomUUID() },
      ...(body === undefined ? {} : { body }),
    });

  it('ready, then collected with the owner’s code: the units leave the boutique', async () => {
    const alice = await shopper(api, 'alice-collects');
    const { orderId } = await paidPickupOrder(alice, 2);

    const ready = await asStaff(`/v1/admin/orders/${orderId}/pickup/ready`);
    expect(ready.status, ready.text).toBe(200);
    expect(ready.json).toMatchObject({ status: 'ready_for_pickup', pickup: { status: 'ready' } });
    expect(ready.json.pickup.code).toBeUndefined();
    const seenByStaff = await api('GET', `/v1/orders/${orderId}`, { token: staff });
    expect(seenByStaff.json.pickup.code).toBeUndefined();
    const mine = await api('GET', `/v1/orders/${orderId}`, { token: alice.token });
    const code: string = mine.json.pickup.code;
    expect(code).toMatch(/^\d{6}$/);
    expect(Date.parse(mine.json.pickup.collectBy) - Date.parse(mine.json.pickup.readyAt)).toBe(14 * DAY_MS);

    const before = await boutique();
    const collected = await asStaff(`/v1/admin/orders/${orderId}/pickup/collect`, { code });
    expect(collected.status, collected.text).toBe(200);
    expect(collected.json).toMatchObject({ status: 'collected', pickup: { status: 'collected' } });
    expect(await boutique()).toEqual({
      onHand: before.onHand - 2,
      available: before.available,
      allocated: before.allocated - 2,
    });
    const { entries } = await platform.deps.stock.ledger(sku, BOUTIQUE, { limit: 100 });
    expect(entries.at(-1)).toMatchObject({
      type: 'shipment',
      reason: 'collected',
      actor: { kind: 'staff', id: 'boutique-advisor' },
      delta: { onHand: -2, allocated: -2 },
    });

    const again = await asStaff(`/v1/admin/orders/${orderId}/pickup/collect`, { code });
    expect(again.status).toBe(200);
    expect(await boutique()).toEqual({
      onHand: before.onHand - 2,
      available: before.available,
      allocated: before.allocated - 2,
    });
    await platform.idle();
    const final = await api('GET', `/v1/orders/${orderId}`, { token: alice.token });
    expect(final.json).toMatchObject({
      status: 'collected',
      milestones: ['captured', 'ready_for_pickup', 'collected'],
    });
  });

  it('left past collectBy: released to the boutique, uncollected and refunded', async () => {
    const bob = await shopper(api, 'bob-forgets');
    const { orderId, paymentIntentId } = await paidPickupOrder(bob, 1);
    expect((await asStaff(`/v1/admin/orders/${orderId}/pickup/ready`)).status).toBe(200);
    const readyOrder = await api('GET', `/v1/orders/${orderId}`, { token: bob.token });
    const before = await boutique();

    // Nothing happens before the deadline, then the sweep of a day after it expires the order.
    expect(await sweepUncollected(platform.deps)).toMatchObject({ expired: 0, settled: 0 });
    const report = await sweepUncollected(platform.deps, {
      now: new Date(Date.parse(readyOrder.json.pickup.collectBy) + DAY_MS),
    });
    expect(report).toEqual({ expired: 1, settled: 1, failed: [] });
    expect(await boutique()).toEqual({
      onHand: before.onHand,
      available: before.available + 1,
      allocated: before.allocated - 1,
    });

    await platform.idle();
    const order = await api('GET', `/v1/orders/${orderId}`, { token: bob.token });
    expect(order.json).toMatchObject({
      status: 'uncollected',
      allocation: { released: true },
      payment: { state: { state: 'refunded' } },
      pickup: { status: 'uncollected', settledAt: expect.any(String) },
      milestones: ['captured', 'ready_for_pickup', 'uncollected', 'refunded'],
    });
    expect(order.json.pickup.code).toBeUndefined();
    const intent = await platform.deps.payments.retrieve(paymentIntentId);
    expect(intent.amountRefunded).toEqual(intent.amountReceived);

    const late = await asStaff(`/v1/admin/orders/${orderId}/pickup/collect`, {
      code: readyOrder.json.pickup.code,
    });
    expect(late.status).toBe(409);
    expect(late.json.error.code).toBe('PICKUP_NOT_READY');
  });
});
