import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropFenceKey } from '../../lib/inventory/stock.ts';
import type { LocalPlatform } from '../../lib/runtime/local/platform.ts';
import { type Http, http, startTestPlatform } from '../support/local-platform.ts';
import { PARIS_ADDRESS, shopper } from '../support/shopper.ts';

const WAREHOUSE = 'roissy-warehouse';
const UNITS = 3;
const SPARE = 2;

describe('drop winners pay through checkout on the local runtime, over HTTP', () => {
  let platform: LocalPlatform;
  let api: Http;
  let sku: string;

  beforeAll(async () => {
    platform = await startTestPlatform({ demoProducts: 8 });
    api = http(platform.url);
    // The least expensive piece: below every review, 3-D Secure and manual-capture threshold.
    const listed = await api('GET', '/v1/products?market=FR&limit=50');
    const cheapest = [...listed.json.items].sort(
      (a: { price: { amount: number } }, b: { price: { amount: number } }) => a.price.amount - b.price.amount,
    )[0];
    const product = await api('GET', `/v1/products/${cheapest.productId}?market=FR`);
    sku = product.json.variants[0].sku;
    // Replaces whatever the demo stocked there: the drop's units and a few for everyone else.
    await platform.deps.stock.setOnHand(sku, WAREHOUSE, 'eu', UNITS + SPARE, { locationType: 'warehouse' });
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it(`first come, ${UNITS} units, ${UNITS} shoppers: each wins and pays (one card used twice is voided once), and ends with an order and a purchased entry`, async () => {
    const staff = await api('POST', '/v1/dev/token', { body: { sub: 'drop-staff', groups: ['staff'] } });
    const now = Date.now();
    const created = await api('POST', '/v1/admin/drops', {
      token: staff.json.token,
      headers: { 'idempotency-key': randomUUID() },
      body: {
        name: 'Comète e2e',
        items: [{ sku, locationId: WAREHOUSE, units: UNITS }],
        window: {
          opensAt: new Date(now - 60_000).toISOString(),
          closesAt: new Date(now + 30 * 60_000).toISOString(),
        },
        channels: ['web'],
        perCustomerLimit: 1,
        mode: 'first_come',
        expectedArrivalsPerSecond: 100,
      },
    });
    expect(created.status, created.text).toBe(201);
    const dropId: string = created.json.dropId;

    const shoppers = await Promise.all(
      Array.from({ length: UNITS }, (_, i) => shopper(api, `drop-buyer-${i}-${randomUUID().slice(0, 8)}`)),
    );
    // Two of them pay with one card: the drop allows one unit per card, so one of the two is voided and
    // pays again with another card.
    const cards = ['pm_card_visa', 'pm_card_visa', 'pm_card_amex'];
    const pay = async (who: (typeof shoppers)[number], card: string) => {
      const cartId = await who.cart('FR', [{ sku, quantity: 1 }]);
      const started = await who.checkout({
        cartId,
        email: `${who.sub}@example.com`,
        shippingAddress: PARIS_ADDRESS,
        shippingMethod: 'standard',
        dropId,
      });
      expect(started.status, started.text).toBe(201);
      const paid = await api('POST', `/v1/dev/payments/${started.json.payment.paymentIntentId}/confirm`, {
        body: { paymentMethod: card },
      });
      expect(paid.status, paid.text).toBe(200);
      return started;
    };
    const results = await Promise.all(
      shoppers.map(async (who, i) => {
        const entered = await api('POST', `/v1/drops/${dropId}/entries`, {
          token: who.token,
          headers: { 'idempotency-key': randomUUID() },
          body: { sku, quantity: 1, channel: 'web' },
        });
        expect(entered.status, entered.text).toBe(201);
        expect(entered.json.status).toBe('won');

        const started = await pay(who, cards[i]!);
        expect(started.json).toMatchObject({
          dropId,
          reservation: {
            holdUntil: entered.json.payBy,
            lines: [{ sku, locationId: WAREHOUSE, quantity: 1 }],
          },
        });
        return {
          who,
          checkoutId: started.json.checkoutId as string,
          orderId: started.json.orderId as string,
        };
      }),
    );

    // The webhook places each order; its OrderPlaced reaches the drops service through the outbox and bus.
    await platform.idle();
    const reasons = [];
    for (const result of results) {
      const checkout = await api('GET', `/v1/checkouts/${result.checkoutId}`, { token: result.who.token });
      if (checkout.json.status !== 'abandoned') continue;
      reasons.push(checkout.json.abandonedReason);
      result.orderId = (await pay(result.who, 'pm_card_mastercard')).json.orderId;
    }
    expect(reasons).toEqual(['payment_method_limit']);
    await platform.idle();
    for (const { who, orderId } of results) {
      const order = await api('GET', `/v1/orders/${orderId}`, { token: who.token });
      expect(order.json).toMatchObject({ dropId, lines: [{ sku, quantity: 1 }] });
      // Three shoppers from one address: screening may hold the later ones for review (funds authorized).
      expect(['paid', 'under_review']).toContain(order.json.status);
      const entry = await api('GET', `/v1/drops/${dropId}/entries/me`, { token: who.token });
      expect(entry.json).toMatchObject({ status: 'purchased', checkoutId: expect.any(String) });
    }
    // Every drop unit went to a winner's order from the fence; the spare units were never touched.
    const [pool] = (await platform.deps.stock.pools([sku])).filter((p) => p.locationId === WAREHOUSE);
    expect(pool).toMatchObject({ available: SPARE, reserved: 0, allocated: UNITS });
    expect(pool?.fences[dropFenceKey(dropId)]?.units).toBe(0);
    expect(platform.queues.get('drops-dropOrders-dlq')?.peek() ?? []).toEqual([]);
  }, 40_000);
});
