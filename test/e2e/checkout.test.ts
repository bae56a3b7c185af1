import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../lib/runtime/local/platform.ts';
import { type Http, http, startTestPlatform } from '../support/local-platform.ts';
import { PARIS_ADDRESS, type Shopper, shopper } from '../support/shopper.ts';

/** Units of a SKU available in a zone, across its pools. */
async function available(platform: LocalPlatform, sku: string, zone = 'eu'): Promise<number> {
  const pools = await platform.deps.stock.pools([sku]);
  return pools.filter((p) => p.zone === zone).reduce((sum, p) => sum + p.available, 0);
}

describe('checkout on the local runtime, over HTTP', () => {
  let platform: LocalPlatform;
  let api: Http;
  let alice: Shopper;
  let sku: string;

  beforeAll(async () => {
    platform = await startTestPlatform({ demoProducts: 24 });
    api = http(platform.url);
    alice = await shopper(api, 'alice');
    // The least expensive piece: below every review and manual-capture threshold.
    const listed = await api('GET', '/v1/products?market=FR&limit=50');
    const cheapest = [...listed.json.items].sort(
      (a: { price: { amount: number } }, b: { price: { amount: number } }) => a.price.amount - b.price.amount,
    )[0];
    const product = await api('GET', `/v1/products/${cheapest.productId}?market=FR`);
    sku = product.json.variants[0].sku;
    // A known quantity in the one EU warehouse that holds this SKU, whatever the demo seeded.
    await platform.deps.stock.setOnHand(sku, 'roissy-warehouse', 'eu', 10, { locationType: 'warehouse' });
  });
  afterAll(async () => {
    await platform?.stop();
  });

  const confirm = (pi: string, paymentMethod: string) =>
    api('POST', `/v1/dev/payments/${pi}/confirm`, { body: { paymentMethod } });

  it('cart, checkout, confirm with pm_card_visa: the order is paid and the stock allocated', async () => {
    const before = await available(platform, sku);
    const cartId = await alice.cart('FR', [{ sku, quantity: 2 }]);
    const started = await alice.checkout({
      cartId,
      email: 'alice@example.com',
      shippingAddress: PARIS_ADDRESS,
      shippingMethod: 'express',
    });
    expect(started.status, started.text).toBe(201);
    expect(started.json).toMatchObject({
      status: 'awaiting_payment',
      market: 'FR',
      risk: { decision: expect.any(String) },
      payment: { status: 'requires_payment_method', clientSecret: expect.stringMatching(/^pi_.+_secret_/) },
      reservation: { holdUntil: expect.any(String) },
      totals: { currency: 'EUR', taxIncluded: true },
    });
    expect(started.json.risk.assessment).toBeUndefined();
    expect(await available(platform, sku)).toBe(before - 2);

    const paid = await confirm(started.json.payment.paymentIntentId, 'pm_card_visa');
    expect(paid.status, paid.text).toBe(200);
    await platform.idle();

    const checkout = await api('GET', `/v1/checkouts/${started.json.checkoutId}`, { token: alice.token });
    expect(checkout.json.status).toBe('completed');
    const order = await api('GET', `/v1/orders/${started.json.orderId}`, { token: alice.token });
    expect(order.status, order.text).toBe(200);
    expect(order.json).toMatchObject({
      status: 'paid',
      orderNumber: expect.stringMatching(/^V-/),
      payment: { state: { state: 'succeeded' } },
      allocation: { released: false },
    });
    expect(await available(platform, sku)).toBe(before - 2);
    const mine = await api('GET', '/v1/me/orders', { token: alice.token });
    expect(mine.json.items.map((o: { orderId: string }) => o.orderId)).toContain(started.json.orderId);

    const eve = await shopper(api, 'eve');
    expect((await api('GET', `/v1/orders/${started.json.orderId}`, { token: eve.token })).status).toBe(404);
    expect((await api('GET', `/v1/checkouts/${started.json.checkoutId}`, { token: eve.token })).status).toBe(
      404,
    );
    const staff = (await api('POST', '/v1/dev/token', { body: { sub: 'advisor', groups: ['staff'] } })).json
      .token;
    const seenByStaff = await api('GET', `/v1/orders/${started.json.orderId}`, { token: staff });
    expect(seenByStaff.json.risk.decision).toBeDefined();
  });

  it('with pm_card_chargeDeclined: no order, and the stock is released', async () => {
    const before = await available(platform, sku);
    const cartId = await alice.cart('FR', [{ sku, quantity: 1 }]);
    const started = await alice.checkout({
      cartId,
      email: 'alice@example.com',
      shippingAddress: PARIS_ADDRESS,
      shippingMethod: 'standard',
    });
    expect(started.status, started.text).toBe(201);
    expect(await available(platform, sku)).toBe(before - 1);
    const declined = await confirm(started.json.payment.paymentIntentId, 'pm_card_chargeDeclined');
    expect(declined.json).toMatchObject({
      status: 'requires_payment_method',
      lastPaymentError: { code: 'card_declined' },
    });
    await platform.idle();
    const checkout = await api('GET', `/v1/checkouts/${started.json.checkoutId}`, { token: alice.token });
    expect(checkout.json).toMatchObject({ status: 'payment_failed', reservation: { released: true } });
    expect((await api('GET', `/v1/orders/${started.json.orderId}`, { token: alice.token })).status).toBe(404);
    expect(await available(platform, sku)).toBe(before);
  });

  it('with 3-D Secure required: requires_action is surfaced, and passing the challenge pays', async () => {
    const cartId = await alice.cart('FR', [{ sku, quantity: 1 }]);
    const started = await alice.checkout({
      cartId,
      email: 'alice@example.com',
      shippingAddress: PARIS_ADDRESS,
      shippingMethod: 'standard',
    });
    const pi = started.json.payment.paymentIntentId;
    const challenged = await confirm(pi, 'pm_card_threeDSecureRequired');
    expect(challenged.json).toMatchObject({ status: 'requires_action', nextActionType: expect.any(String) });
    await platform.idle();
    expect(
      (await api('GET', `/v1/checkouts/${started.json.checkoutId}`, { token: alice.token })).json.status,
    ).toBe('awaiting_payment');
    const passed = await api('POST', `/v1/dev/payments/${pi}/authenticate`, { body: { outcome: 'success' } });
    expect(passed.json.status).toMatch(/succeeded|processing/);
    await platform.idle();
    const order = await api('GET', `/v1/orders/${started.json.orderId}`, { token: alice.token });
    expect(order.json.status).toBe('paid');
  });

  it('refuses another customer’s cart, a missing key, a reused key and privileged fields', async () => {
    const cartId = await alice.cart('FR', [{ sku, quantity: 1 }]);
    const body = {
      cartId,
      email: 'alice@example.com',
      shippingAddress: PARIS_ADDRESS,
      shippingMethod: 'standard',
    };
    const eve = await shopper(api, 'eve-2');
    expect((await eve.checkout(body)).status).toBe(404);
    const noKey = await api('POST', '/v1/checkouts', { body, token: alice.token });
    expect(noKey.status).toBe(400);
    expect(noKey.json.error.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
    for (const field of ['price', 'status', 'total', 'captureMethod', 'customerId', 'discount']) {
      const sneaky = await alice.checkout({ ...body, [field]: 1 });
      expect(sneaky.status).toBe(400);
    }
    const first = await alice.checkout(body, 'same-key');
    expect(first.status).toBe(201);
    const replay = await alice.checkout(body, 'same-key');
    expect(replay.status).toBe(201);
    expect(replay.json.checkoutId).toBe(first.json.checkoutId);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const other = await alice.checkout({ ...body, shippingMethod: 'express' }, 'same-key');
    expect(other.status).toBe(422);
  });
});
