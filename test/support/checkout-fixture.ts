import { randomBytes, randomUUID } from 'node:crypto';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { makeHandler as makeCheckoutHandler } from '../../functions/checkout/checkouts.ts';
import { makeHandler as makeSweeperHandler } from '../../functions/checkout/hold-sweeper.ts';
import { makeHandler as makeOrdersHandler } from '../../functions/checkout/orders.ts';
import { makeHandler as makeWebhookHandler } from '../../functions/checkout/stripe-webhook.ts';
import { DynamoCartRepository } from '../../lib/adapters/dynamo/dynamo-cart-repository.ts';
import { DynamoCommerceRepository } from '../../lib/adapters/dynamo/dynamo-commerce-repository.ts';
import { DynamoIdempotencyStore } from '../../lib/adapters/dynamo/dynamo-idempotency-store.ts';
import { DynamoLocationDirectory } from '../../lib/adapters/dynamo/dynamo-location-directory.ts';
import { DynamoProductRepository } from '../../lib/adapters/dynamo/dynamo-product-repository.ts';
import { DynamoStockStore } from '../../lib/adapters/dynamo/dynamo-stock-store.ts';
import { DynamoVelocityStore } from '../../lib/adapters/dynamo/dynamo-velocity-store.ts';
import { OUTBOX_PREFIX } from '../../lib/adapters/dynamo/outbox.ts';
import { sharedClientZoneTables } from '../../lib/adapters/dynamo/zone-tables.ts';
import { LocalPaymentGateway } from '../../lib/adapters/local-payments/local-payment-gateway.ts';
import type { StripeJson } from '../../lib/adapters/local-payments/stripe-simulator.ts';
import {
  addCartLine,
  type CartDeps,
  claimCartForCustomer,
  createCart,
} from '../../lib/commerce/cart-use-cases.ts';
import type { Checkout } from '../../lib/commerce/checkout.ts';
import { checkoutCartsFrom } from '../../lib/commerce/checkout-carts.ts';
import type { CommerceRepository } from '../../lib/commerce/commerce-repository.ts';
import type { Order } from '../../lib/commerce/order.ts';
import type { CheckoutStep } from '../../lib/commerce/ports.ts';
import type { CheckoutDeps } from '../../lib/commerce/start-checkout.ts';
import type { Product } from '../../lib/contracts/catalog.ts';
import { ProductUpserted } from '../../lib/contracts/catalog.ts';
import {
  getOrderRoute,
  reviewOrderRoute,
  startCheckoutRoute,
  stripeWebhookRoute,
} from '../../lib/contracts/routes/checkout.ts';
import { poolViolations, StockPool } from '../../lib/inventory/stock.ts';
import { HANDLED_STRIPE_EVENT_TYPES } from '../../lib/payments/stripe-events.ts';
import { STRIPE_SIGNATURE_HEADER, signStripePayload } from '../../lib/payments/webhook-signature.ts';
import { type DomainEvent, domainEvent } from '../../lib/platform/domain-event.ts';
import { apiEvent, customerClaims, invoke, staffClaims } from './api-event.ts';
import { productInput } from './catalog-fixtures.ts';
import { testTables } from './dynamo.ts';
import { FixedClock } from './fakes.ts';

/** The one EU warehouse every fixture SKU is stocked in. */
export const FIXTURE_LOCATION = 'roissy-warehouse';
/** €450.00: below the FR 3-D Secure band (€1,000), the review band and manual capture (€10,000). */
export const LOW_PRICE = 45_000;
/** €12,500.00: above the FR manual-capture threshold and the review band. */
export const HIGH_PRICE = 1_250_000;

export const PARIS_ADDRESS = {
  name: 'Camille Durand',
  line1: '12 rue de la Paix',
  city: 'Paris',
  postalCode: '75002',
  country: 'FR',
};

/** One signed webhook as the local gateway would have POSTed it: the exact bytes and their header. */
export interface Delivery {
  readonly body: string;
  readonly header: string;
  readonly event: StripeJson & { id: string; type: string; data: { object: StripeJson } };
}

/** A successful transaction that moved a reservation (and so its pools) into `to`. */
export interface StockMove {
  readonly reservationId: string;
  readonly to: 'held' | 'allocated' | 'released';
}

/** An event the commerce repository committed, with the write that carried it. */
export interface WrittenEvent {
  readonly eventId: string;
  readonly detailType: string;
  readonly correlationId: string;
  readonly data: Record<string, unknown>;
}

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** The status a stock-store transaction set on a reservation, read from its first item. */
function moveOf(item: TransactItem | undefined): StockMove | undefined {
  const put = item?.Put?.Item;
  if (put && String(put.pk).startsWith('RESERVATION#')) {
    return { reservationId: String(put.reservationId), to: put.status as StockMove['to'] };
  }
  const update = item?.Update;
  if (!update || !String(update.Key?.pk).startsWith('RESERVATION#')) return undefined;
  const alias = Object.entries(update.ExpressionAttributeNames ?? {}).find(
    ([name, attribute]) => attribute === 'status' && /^#s\d+$/.test(name),
  )?.[0];
  if (!alias) return undefined;
  return {
    reservationId: String(update.Key?.pk).slice('RESERVATION#'.length),
    to: update.ExpressionAttributeValues?.[`:${alias.slice(1)}`] as StockMove['to'],
  };
}

/**
 * The document client with every committed stock transaction recorded. A pool can only change inside a
 * transaction that also moves its reservation, so this ledger is every stock movement there was.
 */
function recordingClient(doc: DynamoDBDocumentClient, moves: StockMove[]): DynamoDBDocumentClient {
  return new Proxy(doc, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return async (command: unknown, ...rest: unknown[]) => {
        const output = await (target.send as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
        if (command instanceof TransactWriteCommand) {
          const move = moveOf(command.input.TransactItems?.[0]);
          if (move) moves.push(move);
        }
        return output;
      };
    },
  });
}

/**
 * The commerce repository with every committed event recorded. Outbox items are keyed by event id, so
 * a second write of one event would overwrite the first without a trace in the table: only a record of
 * the writes themselves shows a duplicate.
 */
class RecordingCommerceRepository implements CommerceRepository {
  readonly written: WrittenEvent[] = [];
  constructor(private readonly inner: CommerceRepository) {}

  private record(events: readonly DomainEvent[]) {
    for (const e of events) {
      this.written.push({
        eventId: e.metadata.eventId,
        detailType: e.definition.detailType,
        correlationId: e.metadata.correlationId,
        data: e.data as Record<string, unknown>,
      });
    }
  }
  getCheckout(checkoutId: string) {
    return this.inner.getCheckout(checkoutId);
  }
  async createCheckout(checkout: Checkout, events: readonly DomainEvent[]) {
    const stored = await this.inner.createCheckout(checkout, events);
    // The adapter answers the stored checkout instead of ours when one already existed.
    if (stored === checkout) this.record(events);
    return stored;
  }
  async saveCheckout(checkout: Checkout, expectedVersion: number, events: readonly DomainEvent[]) {
    await this.inner.saveCheckout(checkout, expectedVersion, events);
    this.record(events);
  }
  getOrder(orderId: string) {
    return this.inner.getOrder(orderId);
  }
  async placeOrder(
    order: Order,
    checkout: Checkout,
    checkoutVersion: number,
    events: readonly DomainEvent[],
  ) {
    const outcome = await this.inner.placeOrder(order, checkout, checkoutVersion, events);
    if (outcome === 'placed') this.record(events);
    return outcome;
  }
  async saveOrder(order: Order, expectedVersion: number, events: readonly DomainEvent[]) {
    await this.inner.saveOrder(order, expectedVersion, events);
    this.record(events);
  }
  listOrders(customerId: string, limit: number, cursor?: string) {
    return this.inner.listOrders(customerId, limit, cursor);
  }
  countPaidOrders(customerId: string, zone: string, max: number) {
    return this.inner.countPaidOrders(customerId, zone, max);
  }
}

/** Options of {@link checkoutFixture}. */
export interface CheckoutFixtureOptions {
  /** FR price of the fixture product, in euro cents. @default LOW_PRICE */
  readonly unitPrice?: number;
  /** Units on hand at the fixture warehouse. @default 10 */
  readonly onHand?: number;
  /** @default 15 (the checkout's default) */
  readonly holdMinutes?: number;
}

/** What {@link CheckoutFixture.checkout} answers: the HTTP answer plus who asked. */
export interface StartedCheckout {
  readonly status: number;
  /** The parsed answer (the checkout, or an error envelope). */
  readonly json: Awaited<ReturnType<typeof invoke>>['json'];
  readonly customerId: string;
  readonly cartId: string;
  readonly key: string;
  readonly ip: string;
  readonly checkoutId: string;
  readonly orderId: string;
  readonly paymentIntentId: string;
}

export type CheckoutFixture = Awaited<ReturnType<typeof checkoutFixture>>;

/**
 * The checkout service on DynamoDB Local with its real adapters, a local Stripe whose webhooks are
 * captured instead of posted, a clock the test moves, and one FR product in stock. Every checkout is
 * made by a fresh customer from a fresh IP, so the risk policy's velocity limits never see two.
 */
export async function checkoutFixture(options: CheckoutFixtureOptions = {}) {
  const tables = await testTables();
  const { doc, names } = tables;
  // Real time, to the second: DynamoDB Local deletes items whose TTL passed in real time, and Stripe's
  // `created` has one-second resolution.
  const clock = new FixedClock(new Date(Math.floor(Date.now() / 1000) * 1000));
  const region = 'eu-west-1';
  const zoneTables = sharedClientZoneTables(doc, names.commerce.zones);
  const webhookSecret = `whsec_${randomBytes(24).toString('base64url')}`;

  const moves: StockMove[] = [];
  const deliveries: Delivery[] = [];
  const products = new DynamoProductRepository({
    client: doc,
    tableName: names.catalog.global as string,
    region,
    clock,
  });
  const carts = new DynamoCartRepository({ tables: zoneTables });
  const commerce = new RecordingCommerceRepository(
    new DynamoCommerceRepository({
      tables: zoneTables,
      zones: Object.keys(names.commerce.zones),
      region,
      clock,
    }),
  );
  const stock = new DynamoStockStore({
    client: recordingClient(doc, moves),
    tableName: names.inventory.global as string,
  });
  const idempotency = new DynamoIdempotencyStore({
    client: doc,
    tableName: names.idempotency.zones.eu as string,
  });
  const payments = new LocalPaymentGateway({
    clock,
    webhooks: {
      secret: webhookSecret,
      // Every type, so the simulator's ledger (intents created, charges captured) is visible too.
      enabledEvents: '*',
      autoDeliver: false,
      deliver: async (body, header) => {
        deliveries.push({ body, header, event: JSON.parse(body) });
      },
    },
  });

  let fault: ((step: CheckoutStep) => void) | undefined;
  const checkoutDeps: CheckoutDeps = {
    commerce,
    checkoutCarts: checkoutCartsFrom(carts, clock),
    products,
    stock,
    locations: new DynamoLocationDirectory(doc, names.inventory.global as string),
    payments,
    velocity: new DynamoVelocityStore({ client: doc, tableName: names.idempotency.zones.eu as string }),
    clock,
    region,
    ...(options.holdMinutes ? { holdMinutes: options.holdMinutes } : {}),
    faults: (step) => fault?.(step),
  };
  const cartDeps: CartDeps = { carts, products, clock, zoneOfMarket: () => 'eu' };

  const handlers = {
    checkouts: makeCheckoutHandler({ ...checkoutDeps, idempotency }),
    orders: makeOrdersHandler({ commerce, stock, payments, clock, idempotency }),
    webhook: makeWebhookHandler({
      commerce,
      stock,
      payments,
      checkoutCarts: checkoutDeps.checkoutCarts,
      clock,
      inbox: idempotency,
      webhookSecrets: async () => [webhookSecret],
    }),
    sweeper: makeSweeperHandler({ commerce, stock, payments, clock }),
  };

  let productCount = 0;
  /** A new active product with one SKU, priced in FR, with `onHand` units at the fixture warehouse. */
  async function addProduct(unitPrice: number, onHand: number): Promise<string> {
    productCount++;
    const productId = `fixture-${productCount}-${randomBytes(3).toString('hex')}`;
    const sku = `FIX-${productCount}-${randomBytes(3).toString('hex').toUpperCase()}`;
    const at = clock.now().toISOString();
    const product: Product = {
      ...productInput({
        variants: [{ sku, size: '52' }],
        prices: [{ market: 'FR', currency: 'EUR', amount: unitPrice }],
      }),
      productId,
      maison: { id: 'maison-aurele', name: 'Maison Aurèle' },
      collection: { id: 'constellation', name: 'Constellation' },
      category: { id: 'fine-jewellery', name: 'Fine jewellery' },
      inStockMarkets: ['FR'],
      createdAt: at,
      updatedAt: at,
      version: 1,
    };
    await products.save(product, 0, [
      domainEvent(
        ProductUpserted,
        { productId, version: 1, status: product.status, skus: [sku] },
        { eventId: `product:${productId}:v1`, correlationId: 'fixture', occurredAt: clock.now() },
      ),
    ]);
    await stock.setOnHand(sku, FIXTURE_LOCATION, 'eu', onHand, { locationType: 'warehouse' });
    return sku;
  }

  const sku = await addProduct(options.unitPrice ?? LOW_PRICE, options.onHand ?? 10);
  let ipCounter = 0;

  /** A cart in FR holding `quantity` of `sku`, claimed by the customer. */
  async function claimedCart(customerId: string, lineSku: string, quantity: number): Promise<string> {
    const { cart, cartToken } = await createCart(cartDeps, { market: 'FR' });
    const access = { cartId: cart.cartId, cartToken };
    await addCartLine(cartDeps, access, { sku: lineSku, quantity });
    await claimCartForCustomer(cartDeps, access, customerId);
    return cart.cartId;
  }

  /** `POST /v1/checkouts` for a cart, as its customer, with an Idempotency-Key. */
  async function postCheckout(args: { customerId: string; cartId: string; key: string; ip: string }) {
    const event = apiEvent(startCheckoutRoute, {
      body: {
        cartId: args.cartId,
        email: `${args.customerId}@example.com`,
        shippingAddress: PARIS_ADDRESS,
        shippingMethod: 'standard',
      },
      claims: { ...customerClaims, sub: args.customerId },
      headers: { 'Idempotency-Key': args.key },
    });
    (event.requestContext.identity as { sourceIp: string }).sourceIp = args.ip;
    return invoke(handlers.checkouts, event);
  }

  /**
   * A fresh customer claims a cart and starts a checkout. Retry the same request with `retry(started)`.
   */
  async function checkout(args: { sku?: string; quantity?: number } = {}): Promise<StartedCheckout> {
    const customerId = `cust-${randomUUID()}`;
    ipCounter++;
    const ip = `198.51.${Math.floor(ipCounter / 250) % 250}.${(ipCounter % 250) + 1}`;
    const cartId = await claimedCart(customerId, args.sku ?? sku, args.quantity ?? 1);
    return send({ customerId, cartId, key: randomUUID(), ip });
  }

  async function send(request: { customerId: string; cartId: string; key: string; ip: string }) {
    const res = await postCheckout(request);
    return {
      ...request,
      status: res.status,
      json: res.json,
      checkoutId: res.json?.checkoutId,
      orderId: res.json?.orderId,
      paymentIntentId: res.json?.payment?.paymentIntentId,
    } satisfies StartedCheckout;
  }

  /** The same request again: same customer, cart, body and Idempotency-Key. */
  const retry = (started: Pick<StartedCheckout, 'customerId' | 'cartId' | 'key' | 'ip'>) =>
    send({ customerId: started.customerId, cartId: started.cartId, key: started.key, ip: started.ip });

  /** The signed deliveries the gateway produced since the last call, in the order Stripe sent them. */
  let taken = 0;
  async function takeDeliveries(): Promise<Delivery[]> {
    await payments.deliverPending();
    const fresh = deliveries.slice(taken);
    taken = deliveries.length;
    return fresh;
  }

  /** Only the deliveries of the event types the platform acts on. */
  const handled = (list: readonly Delivery[]) =>
    list.filter((d) => (HANDLED_STRIPE_EVENT_TYPES as readonly string[]).includes(d.event.type));

  /** The same bytes signed now, as Stripe signs every retry afresh. */
  const resigned = (d: Delivery): Delivery => ({
    ...d,
    header: signStripePayload(d.body, webhookSecret, Math.floor(clock.now().getTime() / 1000)),
  });

  /**
   * POSTs a delivery to the webhook handler as API Gateway would: the raw body (base64 when asked) and
   * the `Stripe-Signature` header (none when `header` is null).
   */
  function deliver(
    d: Pick<Delivery, 'body' | 'header'>,
    opts: { header?: string | null; body?: string; base64?: boolean } = {},
  ) {
    const header = opts.header === undefined ? d.header : opts.header;
    return invoke(
      handlers.webhook,
      apiEvent(stripeWebhookRoute, {
        rawBody: opts.body ?? d.body,
        headers: header === null ? {} : { [STRIPE_SIGNATURE_HEADER]: header },
        ...(opts.base64 ? { base64: true } : {}),
      }),
    );
  }

  /** Every Stripe event the simulator emitted so far, whether a test took its delivery or not. */
  async function stripeEvents() {
    await payments.deliverPending();
    return deliveries.map((d) => d.event);
  }

  /** Payment intents created for a checkout, per the simulator's own `payment_intent.created` events. */
  const intentsOf = async (checkoutId: string) => [
    ...new Set(
      (await stripeEvents())
        .filter(
          (e) =>
            e.type === 'payment_intent.created' &&
            (e.data.object.metadata as Record<string, string>).checkoutId === checkoutId,
        )
        .map((e) => String(e.data.object.id)),
    ),
  ];

  /** Charges that took money on an intent: captured at confirmation (automatic) or by a capture call. */
  const capturesOf = async (paymentIntentId: string) =>
    (await stripeEvents()).filter(
      (e) =>
        e.data.object.payment_intent === paymentIntentId &&
        (e.type === 'charge.captured' || (e.type === 'charge.succeeded' && e.data.object.captured === true)),
    ).length;

  /** Intents of a checkout that ended with money taken (succeeded and not refunded in full). */
  const chargedIntentsOf = async (checkoutId: string) =>
    (await intentsOf(checkoutId)).filter(
      (id) => payments.simulator.retrievePaymentIntent(id).status === 'succeeded',
    );

  /** Committed events, optionally only those of one checkout (correlation id). */
  const eventsOf = (checkoutId?: string) =>
    commerce.written.filter((e) => checkoutId === undefined || e.correlationId === checkoutId);

  /** How many times each event id was committed. */
  const eventCounts = (checkoutId?: string) => {
    const counts = new Map<string, number>();
    for (const e of eventsOf(checkoutId)) counts.set(e.eventId, (counts.get(e.eventId) ?? 0) + 1);
    return counts;
  };

  /** Outbox item ids present in the zone's commerce table. */
  async function outboxIds(): Promise<string[]> {
    const ids: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new ScanCommand({
          TableName: names.commerce.zones.eu as string,
          FilterExpression: 'begins_with(pk, :outbox)',
          ExpressionAttributeValues: { ':outbox': OUTBOX_PREFIX },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      ids.push(...(page.Items ?? []).map((i) => String(i.pk).slice(OUTBOX_PREFIX.length)));
      start = page.LastEvaluatedKey;
    } while (start);
    return ids;
  }

  /** The stock movements of one reservation (a checkout's id names its reservation). */
  const movesOf = (reservationId: string) =>
    moves.filter((m) => m.reservationId === reservationId).map((m) => m.to);

  /** The pool of a SKU at the fixture warehouse (a consistent read), with its conservation violations. */
  async function pool(poolSku = sku): Promise<StockPool & { violations: string[] }> {
    const { Item } = await doc.send(
      new GetCommand({
        TableName: names.inventory.global as string,
        Key: { pk: `POOL#${poolSku}`, sk: `LOC#${FIXTURE_LOCATION}` },
        ConsistentRead: true,
      }),
    );
    const found = StockPool.parse(Item);
    return { ...found, violations: poolViolations(found) };
  }

  /** Whether the webhook inbox holds a record for a Stripe event. */
  async function inboxHas(eventId: string): Promise<boolean> {
    const { Item } = await doc.send(
      new GetCommand({
        TableName: names.idempotency.zones.eu as string,
        Key: { pk: `IDEMPOTENCY#stripe-event:${eventId}`, sk: 'IDEMPOTENCY' },
        ConsistentRead: true,
      }),
    );
    return Item !== undefined;
  }

  /** Held reservations whose hold has passed, per the sweeper's own index. */
  async function heldReservations(): Promise<number> {
    const { Items = [] } = await doc.send(
      new ScanCommand({
        TableName: names.inventory.global as string,
        FilterExpression: 'begins_with(pk, :r) AND #status = :held',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':r': 'RESERVATION#', ':held': 'held' },
      }),
    );
    return Items.length;
  }

  /** `POST /v1/admin/orders/{orderId}/review`, as staff unless other claims are given. */
  function review(
    orderId: string,
    decision: 'approve' | 'reject',
    claims: Record<string, string> = staffClaims,
    key: string = randomUUID(),
  ) {
    return invoke(
      handlers.orders,
      apiEvent(reviewOrderRoute, {
        params: { orderId },
        body: { decision },
        claims,
        headers: { 'Idempotency-Key': key },
      }),
    );
  }

  /** `GET /v1/orders/{orderId}` with the given claims. */
  const getOrder = (orderId: string, claims: Record<string, string>) =>
    invoke(handlers.orders, apiEvent(getOrderRoute, { params: { orderId }, claims }));

  /** Runs the scheduled sweeper once. */
  const sweep = () => handlers.sweeper() as Promise<{ expired: number; released: number; abandoned: number }>;

  return {
    tables,
    clock,
    webhookSecret,
    sku,
    products,
    carts,
    commerce,
    stock,
    payments,
    idempotency,
    handlers,
    moves,
    addProduct,
    claimedCart,
    checkout,
    retry,
    takeDeliveries,
    handled,
    resigned,
    deliver,
    stripeEvents,
    intentsOf,
    capturesOf,
    chargedIntentsOf,
    eventsOf,
    eventCounts,
    outboxIds,
    movesOf,
    pool,
    inboxHas,
    heldReservations,
    review,
    getOrder,
    sweep,
    /** Makes the next checkout step named `step` throw (once), as a crashed Lambda would stop there. */
    crashOnceAt(step: CheckoutStep | undefined) {
      fault = step
        ? (reached) => {
            if (reached !== step) return;
            fault = undefined;
            throw new Error(`injected crash after ${reached}`);
          }
        : undefined;
    },
    /** Counts a customer's orders straight from the table's customer index. */
    async orderItemsOf(customerId: string) {
      const { Items = [] } = await doc.send(
        new QueryCommand({
          TableName: names.commerce.zones.eu as string,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :c AND begins_with(gsi1sk, :o)',
          ExpressionAttributeValues: { ':c': `CUSTOMER#${customerId}`, ':o': 'ORDER#' },
        }),
      );
      return Items.length;
    },
  };
}
