import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeHandler } from '../../functions/checkout/checkouts.ts';
import { LocalPaymentGateway } from '../../lib/adapters/local-payments/local-payment-gateway.ts';
import { newZoneId } from '../../lib/commerce/ids.ts';
import type { Product } from '../../lib/contracts/catalog.ts';
import { startCheckoutRoute } from '../../lib/contracts/routes/checkout.ts';
import { demoLocations } from '../../lib/demo/locations.ts';
import { InMemoryStockStore } from '../../lib/inventory/in-memory-stock-store.ts';
import type { StockPool } from '../../lib/inventory/stock.ts';
import type { StockStore } from '../../lib/inventory/stock-store.ts';
import { InMemoryIdempotencyStore } from '../../lib/platform/in-memory-idempotency-store.ts';
import { InMemoryVelocityStore } from '../../lib/risk/in-memory-velocity-store.ts';
import { apiEvent, customerClaims, invoke, staffClaims } from '../support/api-event.ts';
import { productInput } from '../support/catalog-fixtures.ts';
import {
  InMemoryCheckoutCarts,
  InMemoryCommerceRepository,
  StaticLocations,
} from '../support/commerce-fakes.ts';
import { FixedClock, InMemoryProductRepository } from '../support/fakes.ts';

const SKU = 'AUR-ETP-50';
const PARIS_ADDRESS = {
  name: 'Camille Durand',
  line1: '12 rue de la Paix',
  city: 'Paris',
  postalCode: '75002',
  country: 'FR',
};

/** The store with `pools` answering from a replica that lags: the first read sees what `stale` says. */
function laggingReads(
  store: StockStore,
  stale: () => StockPool[] | undefined,
): StockStore & { reads: number } {
  let reads = 0;
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'reads') return reads;
      if (property === 'pools') {
        return async (skus: readonly string[]) => {
          reads++;
          return (reads === 1 ? stale() : undefined) ?? target.pools(skus);
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as StockStore & { reads: number };
}

describe('POST /v1/checkouts on a sales channel', () => {
  let stock: InMemoryStockStore;
  let carts: InMemoryCheckoutCarts;
  let commerce: InMemoryCommerceRepository;
  let stale: StockPool[] | undefined;
  let store: ReturnType<typeof laggingReads>;
  let handler: ReturnType<typeof makeHandler>;

  beforeEach(async () => {
    const clock = new FixedClock(new Date('2026-11-22T10:00:00Z'));
    const products = new InMemoryProductRepository();
    const input = productInput();
    const product: Product = {
      ...input,
      productId: 'etoile-polaire',
      maison: { id: input.maisonId, name: 'Aurèle' },
      collection: { id: input.collectionId, name: 'Constellation' },
      category: { id: input.categoryId, name: 'Fine jewellery' },
      inStockMarkets: ['FR'],
      createdAt: clock.now().toISOString(),
      updatedAt: clock.now().toISOString(),
      version: 1,
    };
    await products.save(product, 0, []);
    stock = new InMemoryStockStore();
    await stock.setOnHand(SKU, 'roissy-warehouse', 'eu', 4, { locationType: 'warehouse' });
    await stock.setFence({
      sku: SKU,
      locationId: 'roissy-warehouse',
      key: 'clienteling',
      units: 2,
      overflow: false,
      actor: { kind: 'staff', id: 'staff-1' },
      reason: 'kept for clients',
      now: clock.now(),
    });
    stale = undefined;
    store = laggingReads(stock, () => stale);
    carts = new InMemoryCheckoutCarts();
    commerce = new InMemoryCommerceRepository();
    handler = makeHandler({
      commerce,
      checkoutCarts: carts,
      products,
      stock: store,
      locations: new StaticLocations(demoLocations()),
      payments: new LocalPaymentGateway({ clock }),
      velocity: new InMemoryVelocityStore(),
      idempotency: new InMemoryIdempotencyStore(),
      clock,
      region: 'eu-west-1',
    });
  });

  /** A cart of `quantity` rings owned by the caller, checked out with `extra` in the body. */
  function checkout(claims: Record<string, string>, quantity: number, extra: Record<string, unknown> = {}) {
    const cartId = newZoneId('crt', 'eu');
    carts.carts.set(cartId, {
      cartId,
      zone: 'eu',
      market: 'FR',
      customerId: claims.sub as string,
      status: 'active',
      version: 1,
      lines: [{ sku: SKU, quantity }],
    });
    return invoke(
      handler,
      apiEvent(startCheckoutRoute, {
        body: {
          cartId,
          email: 'camille@example.com',
          shippingAddress: PARIS_ADDRESS,
          shippingMethod: 'standard',
          ...extra,
        },
        claims,
        headers: { 'idempotency-key': randomUUID() },
      }),
    );
  }

  const roissy = async () => (await stock.pools([SKU])).find((p) => p.locationId === 'roissy-warehouse');

  it('sells on the web by default, from the shared stock only', async () => {
    const res = await checkout(customerClaims, 2);
    expect(res.status, res.body).toBe(201);
    expect(res.json.channel).toBe('web');
    expect(res.json.reservation.lines).toEqual([{ sku: SKU, locationId: 'roissy-warehouse', quantity: 2 }]);
    expect(await roissy()).toMatchObject({
      available: 0,
      reserved: 2,
      fences: { clienteling: { units: 2 } },
    });
    // The clienteling allocation is not the web's to sell.
    const more = await checkout(customerClaims, 1, { channel: 'app' });
    expect(more.status).toBe(409);
    expect(more.json.error).toMatchObject({ code: 'OUT_OF_STOCK', details: { skus: [SKU] } });
  });

  it('refuses a house channel to a shopper token with 403, before holding anything', async () => {
    for (const channel of ['clienteling', 'boutique', 'instagram', 'wechat', 'tiktok']) {
      const res = await checkout(customerClaims, 1, { channel });
      expect(res.status).toBe(403);
      expect(res.json.error).toMatchObject({
        code: 'CHANNEL_NOT_ALLOWED',
        details: { channel, allowed: ['web', 'app'] },
      });
    }
    expect(await roissy()).toMatchObject({ available: 2, reserved: 0 });
    expect(store.reads).toBe(0);
  });

  it("lets a staff client sell on a house channel, from that channel's allocation", async () => {
    const res = await checkout(staffClaims, 2, { channel: 'clienteling' });
    expect(res.status, res.body).toBe(201);
    expect(res.json.channel).toBe('clienteling');
    expect(await roissy()).toMatchObject({
      available: 2,
      reserved: 2,
      fences: { clienteling: { units: 0 } },
    });
    const reservation = await stock.get(res.json.checkoutId);
    expect(reservation?.lines).toEqual([
      { sku: SKU, locationId: 'roissy-warehouse', quantity: 2, fence: { key: 'clienteling', units: 2 } },
    ]);
  });

  it('rejects an unknown channel as invalid input', async () => {
    const res = await checkout(customerClaims, 1, { channel: 'fax' });
    expect(res.status).toBe(400);
  });

  it('plans again from a fresh read when the first plan came from a lagging replica', async () => {
    // The replica still shows two rings in Paris that have sold; Roissy has them.
    stale = [
      {
        sku: SKU,
        locationId: 'paris-saint-honore',
        zone: 'eu',
        locationType: 'boutique',
        onHand: 2,
        reserved: 0,
        allocated: 0,
        available: 2,
        fences: {},
      },
    ];
    const res = await checkout(customerClaims, 2);
    expect(res.status, res.body).toBe(201);
    expect(res.json.reservation.lines).toEqual([{ sku: SKU, locationId: 'roissy-warehouse', quantity: 2 }]);
    expect(store.reads).toBe(2);
  });

  it('answers 409 after one fresh plan when the stock is really gone', async () => {
    stale = [{ ...((await roissy()) as StockPool), available: 5 }];
    const res = await checkout(customerClaims, 3);
    expect(res.status).toBe(409);
    expect(res.json.error).toMatchObject({ code: 'OUT_OF_STOCK', details: { skus: [SKU] } });
    expect(store.reads).toBe(2);
    expect(await roissy()).toMatchObject({ available: 2, reserved: 0 });
  });
});
