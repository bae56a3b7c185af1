import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeHandler } from '../../functions/checkout/checkouts.ts';
import { LocalPaymentGateway } from '../../lib/adapters/local-payments/local-payment-gateway.ts';
import { CheckoutRequest } from '../../lib/commerce/checkout.ts';
import { newZoneId } from '../../lib/commerce/ids.ts';
import type { Product } from '../../lib/contracts/catalog.ts';
import { startCheckoutRoute } from '../../lib/contracts/routes/checkout.ts';
import { demoLocations } from '../../lib/demo/locations.ts';
import { InMemoryStockStore } from '../../lib/inventory/in-memory-stock-store.ts';
import { InMemoryIdempotencyStore } from '../../lib/platform/in-memory-idempotency-store.ts';
import { InMemoryVelocityStore } from '../../lib/risk/in-memory-velocity-store.ts';
import { apiEvent, customerClaims, invoke } from '../support/api-event.ts';
import { productInput } from '../support/catalog-fixtures.ts';
import {
  InMemoryCheckoutCarts,
  InMemoryCommerceRepository,
  StaticLocations,
} from '../support/commerce-fakes.ts';
import { FixedClock, InMemoryProductRepository } from '../support/fakes.ts';

const SKU = 'AUR-ETP-50';

function validBody(cartId: string): Record<string, unknown> {
  return {
    cartId,
    email: 'camille@example.com',
    shippingAddress: {
      name: 'Camille Durand',
      line1: '12 rue de la Paix',
      city: 'Paris',
      postalCode: '75002',
      country: 'FR',
    },
    shippingMethod: 'standard',
  };
}

describe('POST /v1/checkouts input', () => {
  let commerce: InMemoryCommerceRepository;
  let stock: InMemoryStockStore;
  let handler: ReturnType<typeof makeHandler>;
  let cartId: string;

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
    commerce = new InMemoryCommerceRepository();
    stock = new InMemoryStockStore();
    await stock.setOnHand(SKU, 'roissy-warehouse', 'eu', 3, { locationType: 'warehouse' });
    const carts = new InMemoryCheckoutCarts();
    cartId = newZoneId('crt', 'eu');
    carts.carts.set(cartId, {
      cartId,
      zone: 'eu',
      market: 'FR',
      customerId: 'client-1',
      status: 'active',
      version: 1,
      lines: [{ sku: SKU, quantity: 1 }],
    });
    handler = makeHandler({
      commerce,
      checkoutCarts: carts,
      products,
      stock,
      locations: new StaticLocations(demoLocations()),
      payments: new LocalPaymentGateway({ clock }),
      velocity: new InMemoryVelocityStore(),
      idempotency: new InMemoryIdempotencyStore(),
      clock,
      region: 'eu-west-1',
    });
  });

  const post = (body: unknown) =>
    invoke(
      handler,
      apiEvent(startCheckoutRoute, {
        body,
        claims: { ...customerClaims, sub: 'client-1' },
        headers: { 'idempotency-key': randomUUID() },
      }),
    );

  it('answers a valid body 201 with the reservation and the intent', async () => {
    const res = await post(validBody(cartId));
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    expect(res.json.reservation.lines).toEqual([{ sku: SKU, locationId: 'roissy-warehouse', quantity: 1 }]);
  });

  it('never answers 5xx to a mutated body, and an invalid one reserves and stores nothing', async () => {
    const paths = ['', 'shippingAddress'];
    const mutation = fc.oneof(
      fc
        .record({ path: fc.constantFrom(...paths), key: fc.string({ minLength: 1, maxLength: 12 }) })
        .map((m) => ({ kind: 'extra-key' as const, ...m })),
      fc
        .record({
          path: fc.constantFrom(
            'cartId',
            'email',
            'shippingMethod',
            'pickupLocationId',
            'shippingAddress',
            'shippingAddress.country',
            'shippingAddress.region',
            'shippingAddress.postalCode',
            'shippingAddress.line1',
          ),
          value: fc.oneof(
            fc.integer(),
            fc.boolean(),
            fc.constant(null),
            fc.string({ maxLength: 8 }),
            fc.constantFrom(
              'ZZ',
              'US',
              'CA',
              'CH',
              'pickup',
              'white_glove',
              'paris-saint-honore',
              'x'.repeat(5000),
            ),
            fc.double(),
            fc.array(fc.integer(), { maxLength: 2 }),
          ),
        })
        .map((m) => ({ kind: 'value' as const, ...m })),
      fc
        .constantFrom('__proto__', 'constructor')
        .map((key) => ({ kind: 'extra-key' as const, path: '', key })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
        const body = structuredClone(validBody(cartId));
        for (const m of mutations) {
          const steps = m.path.split('.').filter(Boolean);
          const last = m.kind === 'value' ? steps.pop() : undefined;
          let target = body as Record<string, unknown>;
          for (const step of steps) {
            if (typeof target[step] !== 'object' || target[step] === null) return;
            target = target[step] as Record<string, unknown>;
          }
          if (m.kind === 'extra-key') {
            if (Object.hasOwn(target, m.key)) return;
            Object.defineProperty(target, m.key, { value: 'unexpected', enumerable: true });
          } else if (last) {
            target[last] = m.value;
          }
        }
        const before = commerce.checkouts.size;
        const res = await post(body);
        expect(res.status, JSON.stringify(res.json)).toBeLessThan(500);
        if (res.status >= 400) expect(res.json.error.code).toMatch(/^[A-Z_]+$/);
        if (!CheckoutRequest.safeParse(JSON.parse(JSON.stringify(body))).success) {
          expect(res.status).toBe(400);
          expect(commerce.checkouts.size).toBe(before);
        }
        // Whatever happened, the pool stays conserved and never oversold.
        const [pool] = await stock.pools([SKU]);
        expect(pool!.onHand).toBe(pool!.available + pool!.reserved + pool!.allocated);
        expect(pool!.available).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 400 },
    );
  });
});
