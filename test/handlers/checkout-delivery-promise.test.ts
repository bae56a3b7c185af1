import { randomBytes, randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { locationItem } from '../../lib/adapters/dynamo/dynamo-stock-store.ts';
import { type Product, ProductUpserted } from '../../lib/contracts/catalog.ts';
import { getCheckoutRoute, startCheckoutRoute } from '../../lib/contracts/routes/checkout.ts';
import { demoLocations } from '../../lib/demo/locations.ts';
import { domainEvent } from '../../lib/platform/domain-event.ts';
import { apiEvent, customerClaims, invoke } from '../support/api-event.ts';
import { productInput } from '../support/catalog-fixtures.ts';
import {
  type CheckoutFixture,
  checkoutFixture,
  FIXTURE_LOCATION,
  LOW_PRICE,
} from '../support/checkout-fixture.ts';

const BOUTIQUE = 'paris-saint-honore';
/** €1,000.00, the FR signature threshold, and a cent below it. */
const AT_THRESHOLD = 100_000;
const BELOW_THRESHOLD = 99_999;

const responseSchema = startCheckoutRoute.responses[201]!.schema!;

describe('POST /v1/checkouts: the delivery promise', () => {
  let fx: CheckoutFixture;
  let bagAtThreshold: string;
  let bagBelowThreshold: string;
  let shoppers = 0;

  /** A leather bag (a category with no signature rule of its own) at `price`, in stock at Roissy and Paris. */
  async function addBag(price: number): Promise<string> {
    const productId = `bag-${randomBytes(3).toString('hex')}`;
    const sku = `BAG-${randomBytes(3).toString('hex').toUpperCase()}`;
    const at = fx.clock.now().toISOString();
    const product: Product = {
      ...productInput({
        name: 'Cabas tote',
        categoryId: 'leather-goods',
        variants: [{ sku }],
        prices: [{ market: 'FR', currency: 'EUR', amount: price }],
      }),
      productId,
      maison: { id: 'maison-aurele', name: 'Maison Aurèle' },
      collection: { id: 'constellation', name: 'Constellation' },
      category: { id: 'leather-goods', name: 'Leather goods' },
      inStockMarkets: ['FR'],
      createdAt: at,
      updatedAt: at,
      version: 1,
    };
    await fx.products.save(product, 0, [
      domainEvent(
        ProductUpserted,
        { productId, version: 1, status: product.status, skus: [sku] },
        { eventId: `product:${productId}:v1`, correlationId: 'test', occurredAt: fx.clock.now() },
      ),
    ]);
    await fx.stock.setOnHand(sku, FIXTURE_LOCATION, 'eu', 5, { locationType: 'warehouse' });
    await fx.stock.setOnHand(sku, BOUTIQUE, 'eu', 5, { locationType: 'boutique' });
    return sku;
  }

  beforeAll(async () => {
    fx = await checkoutFixture();
    // The directory tells the promise where parcels leave from: country, time zone and cut-off.
    const { doc, names } = fx.tables;
    for (const location of demoLocations().filter((l) =>
      [FIXTURE_LOCATION, BOUTIQUE].includes(l.locationId),
    )) {
      await doc.send(
        new PutCommand({ TableName: names.inventory.global as string, Item: locationItem(location) }),
      );
    }
    bagAtThreshold = await addBag(AT_THRESHOLD);
    bagBelowThreshold = await addBag(BELOW_THRESHOLD);
  });

  /** A shipped checkout to Paris of one unit, which must succeed and match the route's response schema. */
  async function shipped(sku: string) {
    const started = await fx.checkout({ sku });
    expect(started.status, JSON.stringify(started.json)).toBe(201);
    expect(() => responseSchema.parse(started.json)).not.toThrow();
    return started;
  }

  it('promises a signed-for delivery, and a boutique instead, for a parcel worth the threshold', async () => {
    const { json } = await shipped(bagAtThreshold);
    expect(json.deliveryPromise.signature).toMatchObject({
      required: true,
      reasons: ['value'],
      threshold: { amount: AT_THRESHOLD, currency: 'EUR' },
      categories: [],
      pickupAlternative: true,
    });
    expect(json.deliveryPromise.parcels).toEqual([
      {
        locationId: FIXTURE_LOCATION,
        lines: [{ sku: bagAtThreshold, quantity: 1 }],
        signatureRequired: true,
        estimate: expect.objectContaining({ basis: 'default' }),
      },
    ]);
    const [parcel] = json.deliveryPromise.parcels;
    expect(parcel.estimate.earliest <= parcel.estimate.latest).toBe(true);
    expect(json.deliveryPromise.estimate).toEqual({
      earliest: parcel.estimate.earliest,
      latest: parcel.estimate.latest,
      confidence: parcel.estimate.confidence,
    });
  });

  it('promises no signature for a parcel a cent below the threshold', async () => {
    const { json } = await shipped(bagBelowThreshold);
    expect(json.deliveryPromise.signature).toMatchObject({
      required: false,
      reasons: [],
      threshold: { amount: AT_THRESHOLD, currency: 'EUR' },
      pickupAlternative: false,
    });
    expect(json.deliveryPromise.parcels[0].signatureRequired).toBe(false);
  });

  it('requires a signature for fine jewellery below the threshold', async () => {
    expect(LOW_PRICE).toBeLessThan(AT_THRESHOLD);
    const { json } = await shipped(fx.sku);
    expect(json.deliveryPromise.signature).toMatchObject({
      required: true,
      reasons: ['category'],
      categories: ['fine-jewellery'],
    });
  });

  it('stores the promise with the checkout', async () => {
    const started = await shipped(bagAtThreshold);
    const read = await invoke(
      fx.handlers.checkouts,
      apiEvent(getCheckoutRoute, {
        params: { checkoutId: started.checkoutId },
        claims: { ...customerClaims, sub: started.customerId },
      }),
    );
    expect(read.status).toBe(200);
    expect(read.json.deliveryPromise).toEqual(started.json.deliveryPromise);
  });

  it('promises a collection day at the boutique, signed for at the counter', async () => {
    const customerId = `cust-${randomUUID()}`;
    const cartId = await fx.claimedCart(customerId, bagAtThreshold, 1);
    const event = apiEvent(startCheckoutRoute, {
      body: { cartId, email: `${customerId}@example.com`, pickupLocationId: BOUTIQUE },
      claims: { ...customerClaims, sub: customerId },
      headers: { 'Idempotency-Key': randomUUID() },
    });
    (event.requestContext.identity as { sourceIp: string }).sourceIp = `203.0.113.${++shoppers}`;
    const res = await invoke(fx.handlers.checkouts, event);
    expect(res.status, res.body).toBe(201);
    expect(() => responseSchema.parse(res.json)).not.toThrow();
    expect(res.json.deliveryPromise).toEqual({
      signature: expect.objectContaining({ required: true, reasons: ['value'], pickupAlternative: false }),
      pickup: { locationId: BOUTIQUE, readyBy: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) },
    });
  });
});
