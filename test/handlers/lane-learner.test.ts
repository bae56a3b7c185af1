import { beforeEach, describe, expect, it } from 'vitest';
import { makeHandler } from '../../functions/tracking/lane-learner.ts';
import { LocalPaymentGateway } from '../../lib/adapters/local-payments/local-payment-gateway.ts';
import type { Order } from '../../lib/commerce/order.ts';
import { type CheckoutDeps, startCheckout } from '../../lib/commerce/start-checkout.ts';
import type { Product } from '../../lib/contracts/catalog.ts';
import { InMemoryLaneHistory, learnedModel } from '../../lib/delivery/lane-history.ts';
import { laneOf } from '../../lib/delivery/lanes.ts';
import { demoLocations } from '../../lib/demo/locations.ts';
import { InMemoryStockStore } from '../../lib/inventory/in-memory-stock-store.ts';
import { domainEvent } from '../../lib/platform/domain-event.ts';
import { InMemoryVelocityStore } from '../../lib/risk/in-memory-velocity-store.ts';
import { lambdaContext } from '../../lib/runtime/local/lambda-context.ts';
import { createShipment } from '../../lib/tracking/create-shipment.ts';
import { ShipmentStatusChanged } from '../../lib/tracking/events.ts';
import { InMemoryShipmentStore } from '../../lib/tracking/in-memory-shipment-store.ts';
import type { TrackingStatus } from '../../lib/tracking/status.ts';
import { productInput } from '../support/catalog-fixtures.ts';
import {
  InMemoryCheckoutCarts,
  InMemoryCommerceRepository,
  StaticLocations,
} from '../support/commerce-fakes.ts';
import { FixedClock, InMemoryProductRepository } from '../support/fakes.ts';

const WAREHOUSE = 'roissy-warehouse';
const PARIS = {
  name: 'Camille Durand',
  line1: '12 rue de la Paix',
  city: 'Paris',
  postalCode: '75002',
  country: 'FR',
};
const roissy = demoLocations().find((l) => l.locationId === WAREHOUSE)!;
const parisLane = laneOf(roissy, PARIS, 'standard');

/** Ordered on a Monday morning, before the warehouse's cut-off. */
const ORDERED_AT = '2026-03-02T08:00:00.000Z';

interface World {
  readonly shipments: InMemoryShipmentStore;
  readonly commerce: InMemoryCommerceRepository;
  readonly history: InMemoryLaneHistory;
  readonly learner: ReturnType<typeof makeHandler>;
  /** An order to Paris by standard and its parcel, booked on the lane's carrier. */
  shipped(n: number, order?: Partial<Order['delivery']>): Promise<{ shipmentId: string; orderId: string }>;
}

function world(): World {
  const shipments = new InMemoryShipmentStore();
  const commerce = new InMemoryCommerceRepository();
  const history = new InMemoryLaneHistory();
  const learner = makeHandler({
    shipments,
    commerce,
    locations: new StaticLocations(demoLocations()),
    laneHistory: history,
  });
  return {
    shipments,
    commerce,
    history,
    learner,
    async shipped(n, delivery = {}) {
      const orderId = `ord_eu_${String(n).padStart(26, '0')}`;
      commerce.orders.set(orderId, {
        orderId,
        createdAt: ORDERED_AT,
        delivery: { method: 'standard', shippingAddress: PARIS, ...delivery },
      } as unknown as Order);
      const { shipment, event } = createShipment(
        {
          shipmentId: `shp_${n}`,
          orderId,
          customerId: 'cus_camille',
          zone: 'eu',
          locationId: WAREHOUSE,
          lines: [{ sku: 'VT-SAC-PLUME-NOIR', quantity: 1 }],
          carrier: parisLane.carrier,
          service: 'standard',
          trackingNumber: `TRK${String(n).padStart(10, '0')}`,
          labelRef: `LBL-${n}`,
          signatureRequired: false,
        },
        { now: new Date(ORDERED_AT), correlationId: 'req-fulfil' },
      );
      await shipments.create(shipment, [event]);
      return { shipmentId: shipment.shipmentId, orderId };
    },
  };
}

/** The SQS message EventBridge forwards for a status change of the parcel. */
function statusMessage(
  messageId: string,
  parcel: { shipmentId: string; orderId: string },
  to: TrackingStatus,
  occurredAt: string,
) {
  const event = domainEvent(
    ShipmentStatusChanged,
    {
      ...parcel,
      customerId: 'cus_camille',
      zone: 'eu',
      carrier: parisLane.carrier,
      service: 'standard',
      trackingNumber: 'TRK',
      signatureRequired: false,
      from: 'out_for_delivery',
      to,
      occurredAt,
      eventKey: `${parcel.shipmentId}:${to}`,
    },
    {
      eventId: `shipment:${parcel.shipmentId}:status:${to}:${occurredAt}`,
      correlationId: 'c',
      occurredAt: new Date(occurredAt),
    },
  );
  return {
    messageId,
    body: JSON.stringify({
      source: event.definition.source,
      'detail-type': event.definition.detailType,
      detail: { data: event.data, metadata: event.metadata },
    }),
  };
}

const sqs = (records: ReturnType<typeof statusMessage>[]) =>
  ({ Records: records }) as unknown as Parameters<ReturnType<typeof makeHandler>>[0];
const context = lambdaContext('lane-learner', 30);

/** Delivered on the Wednesday: two carrier working days after the Monday dispatch. */
const DELIVERED_AT = '2026-03-04T14:00:00.000Z';

describe('lane learner (ShipmentStatusChanged → delivered)', () => {
  let w: World;
  beforeEach(() => {
    w = world();
  });

  it('counts a delivered parcel once on its lane, however often its event arrives', async () => {
    const parcel = await w.shipped(1);

    const first = await w.learner(sqs([statusMessage('m1', parcel, 'delivered', DELIVERED_AT)]), context);
    const again = await w.learner(
      sqs([
        statusMessage('m2', parcel, 'delivered', DELIVERED_AT),
        statusMessage('m3', parcel, 'delivered', DELIVERED_AT),
      ]),
      context,
    );

    expect([first, again]).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect((await w.history.snapshot()).lanes).toEqual([
      { lane: parisLane, season: 'regular', counts: [0, 0, 1] },
    ]);
  });

  it('learns nothing from other status changes, pickups and services that are not a lane', async () => {
    const moving = await w.shipped(1);
    const courier = await w.shipped(2, { method: 'pickup' });

    const response = await w.learner(
      sqs([
        statusMessage('m1', moving, 'in_transit', DELIVERED_AT),
        statusMessage('m2', courier, 'delivered', DELIVERED_AT),
      ]),
      context,
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect((await w.history.snapshot()).lanes).toEqual([]);
  });

  it('has a delivery whose shipment or order is not readable yet redelivered, and junk dead-lettered', async () => {
    const parcel = await w.shipped(1);
    w.commerce.orders.clear();
    const ghost = { shipmentId: 'shp_ghost', orderId: 'ord_eu_ghost' };

    const response = await w.learner(
      sqs([
        statusMessage('m-early', parcel, 'delivered', DELIVERED_AT),
        statusMessage('m-ghost', ghost, 'delivered', DELIVERED_AT),
        { messageId: 'm-junk', body: '{"detail":{"data":{}}}' },
      ]),
      context,
    );

    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m-early', 'm-ghost', 'm-junk']);
    expect((await w.history.snapshot()).lanes).toEqual([]);
  });
});

describe('the learning loop: deliveries recorded, then checkout', () => {
  const SKU = 'VT-SAC-PLUME-NOIR';
  let w: World;
  let clock: FixedClock;
  let deps: CheckoutDeps;
  let carts: InMemoryCheckoutCarts;
  let checkouts = 0;

  beforeEach(async () => {
    w = world();
    clock = new FixedClock(new Date('2026-03-10T08:00:00.000Z'));
    const products = new InMemoryProductRepository();
    const at = clock.now().toISOString();
    const product: Product = {
      ...productInput({
        name: 'Plume tote',
        categoryId: 'leather-goods',
        variants: [{ sku: SKU }],
        prices: [{ market: 'FR', currency: 'EUR', amount: 45_000 }],
      }),
      productId: 'plume-tote',
      maison: { id: 'maison-aurele', name: 'Maison Aurèle' },
      collection: { id: 'constellation', name: 'Constellation' },
      category: { id: 'leather-goods', name: 'Leather goods' },
      inStockMarkets: ['FR'],
      createdAt: at,
      updatedAt: at,
      version: 1,
    };
    await products.save(product, 0, []);
    const stock = new InMemoryStockStore();
    await stock.setOnHand(SKU, WAREHOUSE, 'eu', 10, { locationType: 'warehouse' });
    carts = new InMemoryCheckoutCarts();
    deps = {
      commerce: new InMemoryCommerceRepository(),
      checkoutCarts: carts,
      products,
      stock,
      locations: new StaticLocations(demoLocations()),
      payments: new LocalPaymentGateway({ clock }),
      velocity: new InMemoryVelocityStore(),
      clock,
      region: 'eu-west-1',
      transitModel: learnedModel(w.history, clock, { maxAgeMinutes: 10 }),
    };
  });

  async function checkoutToParis() {
    checkouts++;
    const cartId = `cart-${checkouts}`;
    const customerId = `cus-${checkouts}`;
    carts.carts.set(cartId, {
      cartId,
      zone: 'eu',
      market: 'FR',
      customerId,
      status: 'active',
      version: 1,
      lines: [{ sku: SKU, quantity: 1 }],
    });
    const checkout = await startCheckout(
      deps,
      {
        customerId,
        ip: `198.51.100.${checkouts}`,
        idempotency: { scope: customerId, key: `k-${checkouts}` },
      },
      { cartId, email: 'camille@example.com', shippingAddress: PARIS, shippingMethod: 'standard' },
    );
    const promise = checkout.deliveryPromise;
    if (!promise || !('parcels' in promise)) throw new Error('a shipped checkout promises parcels');
    return promise.parcels[0]?.estimate;
  }

  it('promises from the learned lane once enough deliveries on it are recorded', async () => {
    expect(await checkoutToParis()).toMatchObject({ basis: 'default' });

    const messages = [];
    for (let n = 1; n <= 30; n++) {
      const parcel = await w.shipped(n);
      messages.push(statusMessage(`m${n}`, parcel, 'delivered', DELIVERED_AT));
    }
    for (let i = 0; i < messages.length; i += 10) {
      expect(await w.learner(sqs(messages.slice(i, i + 10)), context)).toEqual({ batchItemFailures: [] });
    }

    // The model in use is rebuilt at most every ten minutes, not on every checkout.
    expect(await checkoutToParis()).toMatchObject({ basis: 'default' });
    clock.advance(10 * 60_000);
    const learned = await checkoutToParis();

    expect(learned).toMatchObject({ basis: 'learned' });
  });
});
