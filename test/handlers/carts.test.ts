import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeHandler } from '../../functions/carts/carts.ts';
import type { RouteDefinition } from '../../lib/contracts/http.ts';
import {
  addCartLineRoute,
  claimCartRoute,
  createCartRoute,
  getCartRoute,
  removeCartLineRoute,
  setCartLineRoute,
} from '../../lib/contracts/routes/carts.ts';
import { InMemoryIdempotencyStore } from '../../lib/platform/in-memory-idempotency-store.ts';
import { sampleProduct, upserted } from '../adapters/product-repository.contract.ts';
import { apiEvent, customerClaims, type EventOptions, invoke } from '../support/api-event.ts';
import { FixedClock, InMemoryCartRepository, InMemoryProductRepository } from '../support/fakes.ts';

const otherCustomer = { sub: 'cust-2', scope: 'vitrine/customer' };

describe('cart routes', () => {
  let carts: InMemoryCartRepository;
  let handler: ReturnType<typeof makeHandler>;
  let clock: FixedClock;

  beforeEach(async () => {
    carts = new InMemoryCartRepository();
    const products = new InMemoryProductRepository();
    const ring = sampleProduct('ring', '2026-02-01T00:00:00.000Z');
    await products.save(ring, 0, [upserted(ring)]);
    clock = new FixedClock();
    handler = makeHandler({
      carts,
      products,
      clock,
      zoneOfMarket: (market) => (market === 'JP' ? 'apac' : market === 'US' ? 'us' : 'eu'),
      idempotency: new InMemoryIdempotencyStore(),
    });
  });

  /** Calls a route; POSTs get a fresh Idempotency-Key unless the caller sends one. */
  const call = (route: RouteDefinition, options: EventOptions = {}) =>
    invoke(
      handler,
      apiEvent(route, {
        ...options,
        headers: {
          ...(route.method === 'POST' ? { 'Idempotency-Key': randomUUID() } : {}),
          ...options.headers,
        },
      }),
    );

  const open = async (market = 'FR') => {
    const res = await call(createCartRoute, { body: { market } });
    expect(res.status).toBe(201);
    const cartId: string = res.json.cart.cartId;
    const token: string = res.json.cartToken;
    return { cartId, token, headers: { 'X-Cart-Token': token } };
  };

  describe('POST /v1/carts', () => {
    it('answers 201 with the cart and its token, not cacheable', async () => {
      const res = await call(createCartRoute, { body: { market: 'FR' } });
      expect(res.status).toBe(201);
      expect(res.json.cart).toMatchObject({
        market: 'FR',
        currency: 'EUR',
        status: 'active',
        lines: [],
        subtotal: 0,
      });
      expect(res.json.cart.cartId).toMatch(/^crt_eu_/);
      expect(res.json.cartToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('replays the same cart for a retried Idempotency-Key instead of opening another', async () => {
      const key = { 'Idempotency-Key': 'open-cart-1' };
      const first = await call(createCartRoute, { body: { market: 'JP' }, headers: key });
      const retry = await call(createCartRoute, { body: { market: 'JP' }, headers: key });
      expect(retry.status).toBe(201);
      expect(retry.json).toEqual(first.json);
      expect(carts.carts.size).toBe(1);
    });

    it('refuses a POST without an Idempotency-Key', async () => {
      const res = await invoke(handler, apiEvent(createCartRoute, { body: { market: 'FR' } }));
      expect(res.status).toBe(400);
    });

    it.each([
      ['an unknown market', { market: 'XX' }],
      ['an unknown key', { market: 'FR', currency: 'EUR' }],
      ['a customer id', { market: 'FR', customerId: 'cust-1' }],
      ['a status', { market: 'FR', status: 'checked_out' }],
    ])('answers 400 for %s', async (_label, body) => {
      const res = await call(createCartRoute, { body });
      expect(res.status).toBe(400);
      expect(carts.carts.size).toBe(0);
    });
  });

  describe('token access', () => {
    it('answers 404 NOT_FOUND without the token, with a wrong one, for an unknown cart and a malformed id', async () => {
      const { cartId, headers } = await open();
      const other = await open();
      for (const attempt of [
        { params: { cartId } },
        { params: { cartId }, headers: { 'X-Cart-Token': other.token } },
        { params: { cartId: other.cartId }, headers },
        { params: { cartId: 'crt_eu_00000000000000000000000000' }, headers },
        { params: { cartId: 'not-a-cart' }, headers },
      ]) {
        const res = await call(getCartRoute, attempt);
        expect(res.status).toBe(404);
        expect(res.json.error.code).toBe('NOT_FOUND');
      }
      expect((await call(getCartRoute, { params: { cartId }, headers })).status).toBe(200);
    });

    it('guards every route with the token', async () => {
      const { cartId } = await open();
      const params = { cartId, sku: 'RING-50' };
      expect(
        (await call(addCartLineRoute, { params: { cartId }, body: { sku: 'RING-50', quantity: 1 } })).status,
      ).toBe(404);
      expect((await call(setCartLineRoute, { params, body: { quantity: 1 } })).status).toBe(404);
      expect((await call(removeCartLineRoute, { params })).status).toBe(404);
      expect((await call(claimCartRoute, { params: { cartId }, claims: customerClaims })).status).toBe(404);
    });
  });

  describe('lines', () => {
    it('adds, merges, sets and removes lines, pricing each answer from the price list', async () => {
      const { cartId, headers } = await open();
      const add = (quantity: number) =>
        call(addCartLineRoute, { params: { cartId }, headers, body: { sku: 'RING-50', quantity } });

      const added = await add(2);
      expect(added.status).toBe(200);
      expect(added.json.lines[0]).toMatchObject({
        sku: 'RING-50',
        quantity: 2,
        unitPrice: 1_250_000,
        lineTotal: 2_500_000,
        available: true,
      });
      expect((await add(1)).json).toMatchObject({ itemCount: 3, subtotal: 3_750_000 });

      const set = await call(setCartLineRoute, {
        params: { cartId, sku: 'RING-50' },
        headers,
        body: { quantity: 5 },
      });
      expect(set.json.lines[0].quantity).toBe(5);
      const removed = await call(removeCartLineRoute, { params: { cartId, sku: 'RING-50' }, headers });
      expect(removed.json).toMatchObject({ lines: [], subtotal: 0 });
    });

    it('answers 400 for a quantity outside 1 to 5 in a body, and 422 LINE_QUANTITY_EXCEEDED past the cap', async () => {
      const { cartId, headers } = await open();
      for (const quantity of [6, 0, -1, 1.5, '2']) {
        const res = await call(addCartLineRoute, {
          params: { cartId },
          headers,
          body: { sku: 'RING-50', quantity },
        });
        expect(res.status, String(quantity)).toBe(400);
      }
      await call(addCartLineRoute, { params: { cartId }, headers, body: { sku: 'RING-50', quantity: 4 } });
      const over = await call(addCartLineRoute, {
        params: { cartId },
        headers,
        body: { sku: 'RING-50', quantity: 2 },
      });
      expect(over.status).toBe(422);
      expect(over.json.error).toMatchObject({
        code: 'LINE_QUANTITY_EXCEEDED',
        details: { inCart: 4, max: 5 },
      });
      const setTooMany = await call(setCartLineRoute, {
        params: { cartId, sku: 'RING-50' },
        headers,
        body: { quantity: 6 },
      });
      expect(setTooMany.status).toBe(400);
    });

    it('answers 422 SKU_NOT_AVAILABLE for an unknown SKU', async () => {
      const { cartId, headers } = await open();
      const res = await call(addCartLineRoute, {
        params: { cartId },
        headers,
        body: { sku: 'NO-SUCH-1', quantity: 1 },
      });
      expect(res.status).toBe(422);
      expect(res.json.error.code).toBe('SKU_NOT_AVAILABLE');
    });

    it.each([
      ['a price', { sku: 'RING-50', quantity: 1, price: 1 }],
      ['a unit price', { sku: 'RING-50', quantity: 1, unitPrice: 1 }],
      ['a status', { sku: 'RING-50', quantity: 1, status: 'active' }],
      ['a customer id', { sku: 'RING-50', quantity: 1, customerId: 'cust-2' }],
      ['a product id', { sku: 'RING-50', quantity: 1, productId: 'other' }],
      ['a malformed SKU', { sku: 'ring 50', quantity: 1 }],
    ])('answers 400 to a line body carrying %s, and writes nothing', async (_label, body) => {
      const { cartId, headers } = await open();
      const res = await call(addCartLineRoute, { params: { cartId }, headers, body });
      expect(res.status).toBe(400);
      expect(carts.carts.get(cartId)?.version).toBe(1);
    });

    it('answers 400 to a quantity body carrying anything else', async () => {
      const { cartId, headers } = await open();
      await call(addCartLineRoute, { params: { cartId }, headers, body: { sku: 'RING-50', quantity: 1 } });
      const res = await call(setCartLineRoute, {
        params: { cartId, sku: 'RING-50' },
        headers,
        body: { quantity: 2, price: 1 },
      });
      expect(res.status).toBe(400);
    });

    it('answers 404 when setting a line the cart does not have', async () => {
      const { cartId, headers } = await open();
      const res = await call(setCartLineRoute, {
        params: { cartId, sku: 'RING-52' },
        headers,
        body: { quantity: 1 },
      });
      expect(res.status).toBe(404);
    });
  });

  describe('POST /v1/carts/{cartId}/claim', () => {
    it('needs a signed-in customer', async () => {
      const { cartId, headers } = await open();
      expect((await call(claimCartRoute, { params: { cartId }, headers })).status).toBe(401);
    });

    it("binds the cart to the caller; claiming it again is a 200 no-op; another customer's claim is 404", async () => {
      const { cartId, headers } = await open();
      const claimed = await call(claimCartRoute, { params: { cartId }, headers, claims: customerClaims });
      expect(claimed.status).toBe(200);
      expect(claimed.json).toMatchObject({ customerId: 'cust-1', version: 2 });

      const again = await call(claimCartRoute, { params: { cartId }, headers, claims: customerClaims });
      expect(again.status).toBe(200);
      expect(again.json.version).toBe(2);

      const stolen = await call(claimCartRoute, { params: { cartId }, headers, claims: otherCustomer });
      expect(stolen.status).toBe(404);
      expect(stolen.json.error.code).toBe('NOT_FOUND');
      expect(carts.carts.get(cartId)?.customerId).toBe('cust-1');
    });

    it('takes no body', async () => {
      const { cartId, headers } = await open();
      const res = await call(claimCartRoute, {
        params: { cartId },
        headers,
        claims: customerClaims,
        body: { customerId: 'cust-2' },
      });
      expect(res.status).toBe(400);
    });
  });

  describe('a checked-out cart', () => {
    it('answers 409 CART_CHECKED_OUT to changes and still reads', async () => {
      const { cartId, headers } = await open();
      await call(addCartLineRoute, { params: { cartId }, headers, body: { sku: 'RING-50', quantity: 1 } });
      await carts.markCheckedOut(cartId, 2, { now: clock.now(), checkoutId: 'chk_1' });

      const res = await call(addCartLineRoute, {
        params: { cartId },
        headers,
        body: { sku: 'RING-52', quantity: 1 },
      });
      expect(res.status).toBe(409);
      expect(res.json.error.code).toBe('CART_CHECKED_OUT');
      const removed = await call(removeCartLineRoute, { params: { cartId, sku: 'RING-50' }, headers });
      expect(removed.status).toBe(409);
      expect((await call(getCartRoute, { params: { cartId }, headers })).json.status).toBe('checked_out');
    });
  });
});
