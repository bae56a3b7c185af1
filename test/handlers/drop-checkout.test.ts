import { randomBytes, randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeHandler as makeCheckoutHandler } from '../../functions/checkout/checkouts.ts';
import { makeHandler as makeSweeperHandler } from '../../functions/checkout/hold-sweeper.ts';
import { makeHandler as makeWebhookHandler } from '../../functions/checkout/stripe-webhook.ts';
import { makeHandler as makeDropOrdersHandler } from '../../functions/drops/drop-orders.ts';
import { LocalPaymentGateway } from '../../lib/adapters/local-payments/local-payment-gateway.ts';
import { CheckoutAbandoned, OrderPlaced } from '../../lib/commerce/events.ts';
import { newZoneId } from '../../lib/commerce/ids.ts';
import { Order } from '../../lib/commerce/order.ts';
import type { CheckoutStep } from '../../lib/commerce/ports.ts';
import type { Product } from '../../lib/contracts/catalog.ts';
import { startCheckoutRoute, stripeWebhookRoute } from '../../lib/contracts/routes/checkout.ts';
import { demoLocations } from '../../lib/demo/locations.ts';
import { type Drop, entrantKey } from '../../lib/drops/drop.ts';
import { InMemoryDropStore } from '../../lib/drops/in-memory-drop-store.ts';
import { createDrop, type DropDeps, enterDrop } from '../../lib/drops/use-cases.ts';
import { InMemoryStockStore } from '../../lib/inventory/in-memory-stock-store.ts';
import { dropFenceKey } from '../../lib/inventory/stock.ts';
import { STRIPE_SIGNATURE_HEADER } from '../../lib/payments/webhook-signature.ts';
import { InMemoryIdempotencyStore } from '../../lib/platform/in-memory-idempotency-store.ts';
import { InMemoryVelocityStore } from '../../lib/risk/in-memory-velocity-store.ts';
import { lambdaContext } from '../../lib/runtime/local/lambda-context.ts';
import { apiEvent, invoke } from '../support/api-event.ts';
import { productInput } from '../support/catalog-fixtures.ts';
import {
  InMemoryCheckoutCarts,
  InMemoryCommerceRepository,
  StaticLocations,
} from '../support/commerce-fakes.ts';
import { FixedClock, InMemoryProductRepository } from '../support/fakes.ts';

const SKU = 'AUR-ETP-50';
const OTHER_SKU = 'AUR-ETP-52';
/** A boutique that offers click and collect: the drop's units are fenced here. */
const BOUTIQUE = 'paris-saint-honore';
const OTHER_BOUTIQUE = 'paris-avenue-montaigne';
const ON_HAND = 6;
const DROP_UNITS = 2;
const PARIS_ADDRESS = {
  name: 'Camille Durand',
  line1: '12 rue de la Paix',
  city: 'Paris',
  postalCode: '75002',
  country: 'FR',
};

describe('POST /v1/checkouts with a dropId', () => {
  let clock: FixedClock;
  let drops: InMemoryDropStore;
  let stock: InMemoryStockStore;
  let carts: InMemoryCheckoutCarts;
  let commerce: InMemoryCommerceRepository;
  let payments: LocalPaymentGateway;
  let dropDeps: DropDeps;
  let drop: Drop;
  let fault: ((step: CheckoutStep) => void) | undefined;
  let checkouts: ReturnType<typeof makeCheckoutHandler>;
  let ips = 0;

  beforeEach(async () => {
    clock = new FixedClock(new Date('2026-11-22T10:00:00.000Z'));
    const products = new InMemoryProductRepository();
    const input = productInput({ prices: [{ market: 'FR', currency: 'EUR', amount: 45_000 }] });
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
    await stock.setOnHand(SKU, BOUTIQUE, 'eu', ON_HAND, { locationType: 'boutique' });
    await stock.setOnHand(OTHER_SKU, BOUTIQUE, 'eu', ON_HAND, { locationType: 'boutique' });
    drops = new InMemoryDropStore();
    const locations = new StaticLocations(demoLocations());
    dropDeps = { drops, stock, locations, clock, random: () => 0, sleep: async () => undefined };
    drop = await createDrop(dropDeps, {
      request: {
        name: 'Comète',
        items: [{ sku: SKU, locationId: BOUTIQUE, units: DROP_UNITS }],
        window: {
          opensAt: clock.now().toISOString(),
          closesAt: new Date(clock.now().getTime() + 3_600_000).toISOString(),
        },
        channels: ['web', 'app'],
        earlyAccess: [],
        perCustomerLimit: 1,
        mode: 'first_come',
        expectedArrivalsPerSecond: 100,
        payWithinMinutes: 30,
      },
      staffId: 'staff-1',
      operation: { scope: 'staff-1', key: 'create-comete' },
    });

    carts = new InMemoryCheckoutCarts();
    commerce = new InMemoryCommerceRepository();
    const webhookSecret = `whsec_${randomBytes(24).toString('base64url')}`;
    const idempotency = new InMemoryIdempotencyStore();
    let webhook: ReturnType<typeof makeWebhookHandler> | undefined;
    payments = new LocalPaymentGateway({
      clock,
      webhooks: {
        secret: webhookSecret,
        autoDeliver: false,
        deliver: async (body, header) => {
          const res = await invoke(
            webhook!,
            apiEvent(stripeWebhookRoute, { rawBody: body, headers: { [STRIPE_SIGNATURE_HEADER]: header } }),
          );
          if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${res.body}`);
        },
      },
    });
    const checkoutDeps = {
      commerce,
      checkoutCarts: carts,
      products,
      stock,
      locations,
      payments,
      velocity: new InMemoryVelocityStore(),
      clock,
      region: 'eu-west-1',
      drops,
      faults: (step: CheckoutStep) => fault?.(step),
    };
    fault = undefined;
    checkouts = makeCheckoutHandler({ ...checkoutDeps, idempotency });
    webhook = makeWebhookHandler({
      ...checkoutDeps,
      inbox: idempotency,
      webhookSecrets: async () => [webhookSecret],
    });
  });

  /** Enters the drop as `sub`: the first DROP_UNITS entrants win. */
  const enter = (sub: string) =>
    enterDrop(dropDeps, {
      dropId: drop.dropId,
      sub,
      tier: 'standard',
      zone: 'eu',
      request: { sku: SKU, quantity: 1, channel: 'web' },
      operation: { scope: sub, key: `${sub}-entry` },
    });

  /** A claimed FR cart of `sub` holding `lines`. */
  function cartOf(sub: string, lines: { sku: string; quantity: number }[] = [{ sku: SKU, quantity: 1 }]) {
    const cartId = newZoneId('crt', 'eu');
    carts.carts.set(cartId, {
      cartId,
      zone: 'eu',
      market: 'FR',
      customerId: sub,
      status: 'active',
      version: 1,
      lines,
    });
    return cartId;
  }

  /** `POST /v1/checkouts` as `sub`, paying for the drop unless the body says otherwise. */
  function checkout(sub: string, cartId: string, key = randomUUID(), extra: Record<string, unknown> = {}) {
    const event = apiEvent(startCheckoutRoute, {
      body: {
        cartId,
        email: `${sub}@example.com`,
        shippingAddress: PARIS_ADDRESS,
        shippingMethod: 'standard',
        dropId: drop.dropId,
        ...extra,
      },
      claims: { sub, scope: 'vitrine/customer' },
      headers: { 'idempotency-key': key },
    });
    ips++;
    (event.requestContext.identity as { sourceIp: string }).sourceIp = `198.51.100.${ips}`;
    return invoke(checkouts, event);
  }

  const pool = async (sku = SKU) => (await stock.pools([sku])).find((p) => p.locationId === BOUTIQUE)!;
  const fenceUnits = async () => (await pool()).fences[dropFenceKey(drop.dropId)]?.units;
  const entryOf = (sub: string) => drops.getEntry(drop.dropId, entrantKey(drop.dropId, sub));

  it('reserves the won unit from the drop fence at the drop location, held until the pay-by', async () => {
    const won = await enter('winner');
    expect(won.status).toBe('won');
    const before = await pool();
    expect(before).toMatchObject({ available: ON_HAND - DROP_UNITS, reserved: 0 });

    const res = await checkout('winner', cartOf('winner'));
    expect(res.status, res.body).toBe(201);
    expect(res.json).toMatchObject({
      status: 'awaiting_payment',
      dropId: drop.dropId,
      reservation: {
        holdUntil: won.payBy,
        lines: [{ sku: SKU, locationId: BOUTIQUE, quantity: 1 }],
      },
    });
    expect((await stock.get(res.json.checkoutId))?.lines).toEqual([
      { sku: SKU, locationId: BOUTIQUE, quantity: 1, fence: { key: dropFenceKey(drop.dropId), units: 1 } },
    ]);
    // Taken from the fence, never from the shared stock.
    expect(await pool()).toMatchObject({ available: ON_HAND - DROP_UNITS, reserved: 1 });
    expect(await fenceUnits()).toBe(DROP_UNITS - 1);
    expect(await entryOf('winner')).toMatchObject({ status: 'won', checkoutId: res.json.checkoutId });
  });

  it('resumes a retried checkout with the same key: one bind, one reservation', async () => {
    await enter('winner');
    const cartId = cartOf('winner');
    const key = randomUUID();
    // The first attempt dies once its units are reserved, as a crashed Lambda would.
    fault = (step) => {
      if (step !== 'reserved') return;
      fault = undefined;
      throw new Error('injected crash after reserved');
    };
    expect((await checkout('winner', cartId, key)).status).toBe(500);
    expect(await pool()).toMatchObject({ reserved: 1 });

    const resumed = await checkout('winner', cartId, key);
    expect(resumed.status, resumed.body).toBe(201);
    const replayed = await checkout('winner', cartId, key);
    expect(replayed.status).toBe(201);
    expect(replayed.json.checkoutId).toBe(resumed.json.checkoutId);
    expect(await pool()).toMatchObject({ available: ON_HAND - DROP_UNITS, reserved: 1 });
    expect(await fenceUnits()).toBe(DROP_UNITS - 1);
    expect(await entryOf('winner')).toMatchObject({ checkoutId: resumed.json.checkoutId });
  });

  it('refuses a shopper who lost, or never entered, with DROP_NOT_WON and holds nothing', async () => {
    for (const sub of ['first', 'second']) expect((await enter(sub)).status).toBe('won');
    expect((await enter('third')).status).toBe('lost');

    for (const sub of ['third', 'stranger']) {
      const res = await checkout(sub, cartOf(sub));
      expect(res.status).toBe(409);
      expect(res.json.error).toMatchObject({ code: 'DROP_NOT_WON', details: { dropId: drop.dropId } });
    }
    expect(await pool()).toMatchObject({ reserved: 0 });
    expect(await fenceUnits()).toBe(DROP_UNITS);
  });

  it('answers 404 for an unknown drop and 400 for a malformed drop id', async () => {
    expect(
      (await checkout('winner', cartOf('winner'), randomUUID(), { dropId: 'drp_nosuchdrop' })).status,
    ).toBe(404);
    expect((await checkout('winner', cartOf('winner'), randomUUID(), { dropId: 'DRP-X' })).status).toBe(400);
  });

  it('refuses a second checkout of the same hold under another key with DROP_HOLD_IN_USE', async () => {
    await enter('winner');
    const first = await checkout('winner', cartOf('winner'));
    expect(first.status).toBe(201);
    const second = await checkout('winner', cartOf('winner'));
    expect(second.status).toBe(409);
    expect(second.json.error).toMatchObject({
      code: 'DROP_HOLD_IN_USE',
      details: { checkoutId: first.json.checkoutId },
    });
    expect(await pool()).toMatchObject({ reserved: 1 });
  });

  it('refuses a cart that is not exactly the won units with 422, leaving the hold free', async () => {
    await enter('winner');
    const wrongCarts = [
      [{ sku: SKU, quantity: 2 }],
      [{ sku: OTHER_SKU, quantity: 1 }],
      [
        { sku: SKU, quantity: 1 },
        { sku: OTHER_SKU, quantity: 1 },
      ],
    ];
    for (const lines of wrongCarts) {
      const res = await checkout('winner', cartOf('winner', lines));
      expect(res.status, JSON.stringify(lines)).toBe(422);
      expect(res.json.error).toMatchObject({
        code: 'DROP_CART_MISMATCH',
        details: { dropId: drop.dropId, won: [{ sku: SKU, quantity: 1 }] },
      });
    }
    // Collecting elsewhere than where the units are is refused the same way.
    const elsewhere = await checkout('winner', cartOf('winner'), randomUUID(), {
      shippingAddress: undefined,
      shippingMethod: undefined,
      pickupLocationId: OTHER_BOUTIQUE,
    });
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.json.error).toMatchObject({
      code: 'PICKUP_LOCATION_UNAVAILABLE',
      details: { locationId: BOUTIQUE },
    });
    expect(await entryOf('winner')).not.toHaveProperty('checkoutId');
    expect(await pool()).toMatchObject({ reserved: 0 });

    const collected = await checkout('winner', cartOf('winner'), randomUUID(), {
      shippingAddress: undefined,
      shippingMethod: undefined,
      pickupLocationId: BOUTIQUE,
    });
    expect(collected.status, collected.body).toBe(201);
    expect(collected.json.delivery).toMatchObject({ method: 'pickup', pickupLocationId: BOUTIQUE });
  });

  it('gives the units of an abandoned drop checkout back to the drop fence, not the shared stock', async () => {
    const won = await enter('winner');
    const res = await checkout('winner', cartOf('winner'));
    expect(res.status).toBe(201);
    const sweep = makeSweeperHandler({ commerce, stock, payments, clock });

    // The usual checkout hold (15 minutes) is not the drop's: nothing is released before the pay-by.
    clock.advance(16 * 60_000);
    expect(await sweep()).toMatchObject({ released: 0 });
    clock.advance(Date.parse(won.payBy!) - clock.now().getTime() + 1_000);
    expect(await sweep()).toMatchObject({ released: 1, abandoned: 1 });
    expect(await commerce.getCheckout(res.json.checkoutId)).toMatchObject({ status: 'abandoned' });
    expect(await pool()).toMatchObject({ available: ON_HAND - DROP_UNITS, reserved: 0 });
    expect(await fenceUnits()).toBe(DROP_UNITS);
  });

  it('gives the units of a declined drop payment back to the drop fence', async () => {
    await enter('winner');
    const res = await checkout('winner', cartOf('winner'));
    expect(res.status).toBe(201);
    expect((await payments.confirm(res.json.payment.paymentIntentId, 'pm_card_chargeDeclined')).status).toBe(
      'requires_payment_method',
    );
    await payments.deliverPending();
    expect(await commerce.getCheckout(res.json.checkoutId)).toMatchObject({ status: 'payment_failed' });
    expect(await pool()).toMatchObject({ available: ON_HAND - DROP_UNITS, reserved: 0 });
    expect(await fenceUnits()).toBe(DROP_UNITS);
  });

  it('places the order with its dropId, and OrderPlaced marks the entry purchased once, even delivered twice', async () => {
    await enter('winner');
    const res = await checkout('winner', cartOf('winner'));
    expect(res.status).toBe(201);
    // Only authorized at first: the card is held to the drop's limit before the funds are captured.
    expect(res.json.payment).toMatchObject({ captureMethod: 'manual', captureWhenPlaced: true });
    const pi = res.json.payment.paymentIntentId;
    expect((await payments.confirm(pi, 'pm_card_visa')).status).toBe('requires_capture');
    await payments.deliverPending();
    const order = await commerce.getOrder(res.json.orderId);
    expect(order).toMatchObject({ dropId: drop.dropId, status: 'paid' });
    expect(await payments.retrieve(pi)).toMatchObject({
      status: 'succeeded',
      amountReceived: { amount: 45_000 },
    });
    // As the DynamoDB repository stores it: the strict schema, with no fence leaking into the allocation.
    expect(Order.safeParse(order).error).toBeUndefined();
    expect(await pool()).toMatchObject({ available: ON_HAND - DROP_UNITS, reserved: 0, allocated: 1 });

    const placed = commerce.events.filter((event) => event.definition === OrderPlaced);
    expect(placed).toHaveLength(1);
    expect(placed[0]?.data).toMatchObject({ dropId: drop.dropId, customerId: 'winner' });
    const message = (id: string) => ({
      messageId: id,
      body: JSON.stringify({
        source: OrderPlaced.source,
        'detail-type': OrderPlaced.detailType,
        detail: { data: placed[0]?.data, metadata: placed[0]?.metadata },
      }),
    });
    const dropOrders = makeDropOrdersHandler({ drops, clock });
    const writes = drops.stats.writes;
    const first = await dropOrders(
      { Records: [message('m-1'), message('m-1-copy')] } as never,
      lambdaContext('drops-dropOrders', 30),
    );
    const again = await dropOrders(
      { Records: [message('m-1')] } as never,
      lambdaContext('drops-dropOrders', 30),
    );
    expect([first, again]).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(drops.stats.writes - writes).toBe(1);
    expect(await entryOf('winner')).toMatchObject({ status: 'purchased', checkoutId: res.json.checkoutId });
  });

  it("voids a second account's payment with a card already used up to the drop's limit; another card pays", async () => {
    for (const sub of ['first', 'second']) expect((await enter(sub)).status).toBe('won');
    const first = await checkout('first', cartOf('first'));
    await payments.confirm(first.json.payment.paymentIntentId, 'pm_card_visa');
    await payments.deliverPending();
    expect(await commerce.getOrder(first.json.orderId)).toMatchObject({ status: 'paid' });

    // The same card (the same fingerprint) for another account: one unit per card in this drop.
    const second = await checkout('second', cartOf('second'));
    const pi = second.json.payment.paymentIntentId;
    expect((await payments.confirm(pi, 'pm_card_visa')).status).toBe('requires_capture');
    await payments.deliverPending();
    expect(await commerce.getOrder(second.json.orderId)).toBeUndefined();
    expect(await commerce.getCheckout(second.json.checkoutId)).toMatchObject({
      status: 'abandoned',
      abandonedReason: 'payment_method_limit',
      reservation: { released: true },
    });
    // Voided, never charged.
    expect(await payments.retrieve(pi)).toMatchObject({ status: 'canceled', amountReceived: { amount: 0 } });
    const abandoned = commerce.events.filter((e) => e.definition === CheckoutAbandoned);
    expect(abandoned.map((e) => e.data)).toEqual([
      expect.objectContaining({ checkoutId: second.json.checkoutId, reason: 'payment_method_limit' }),
    ]);
    // The unit waits in the drop's fence, and the winner's hold is free for another checkout.
    expect(await fenceUnits()).toBe(1);
    const entry = await entryOf('second');
    expect(entry).toMatchObject({ status: 'won' });
    expect(entry).not.toHaveProperty('checkoutId');

    const retry = await checkout('second', cartOf('second'));
    expect(retry.status, retry.body).toBe(201);
    await payments.confirm(retry.json.payment.paymentIntentId, 'pm_card_mastercard');
    await payments.deliverPending();
    expect(await commerce.getOrder(retry.json.orderId)).toMatchObject({
      status: 'paid',
      dropId: drop.dropId,
    });
    expect(await fenceUnits()).toBe(0);
    expect(await pool()).toMatchObject({ available: ON_HAND - DROP_UNITS, reserved: 0, allocated: 2 });
    const placed = commerce.events.filter((e) => e.definition === OrderPlaced);
    expect(placed.map((e) => (e.data as { customerId: string }).customerId).sort()).toEqual([
      'first',
      'second',
    ]);
  });

  it('lets one card pay for as many units as the drop allows per payment method, across accounts', async () => {
    drop = await createDrop(dropDeps, {
      request: {
        name: 'Comète, cartes partagées',
        items: [{ sku: OTHER_SKU, locationId: BOUTIQUE, units: 3 }],
        window: {
          opensAt: clock.now().toISOString(),
          closesAt: new Date(clock.now().getTime() + 3_600_000).toISOString(),
        },
        channels: ['web'],
        earlyAccess: [],
        perCustomerLimit: 1,
        perPaymentMethodLimit: 2,
        mode: 'first_come',
        expectedArrivalsPerSecond: 100,
        payWithinMinutes: 30,
      },
      staffId: 'staff-1',
      operation: { scope: 'staff-1', key: 'create-comete-shared' },
    });
    const outcomes: string[] = [];
    for (const sub of ['one', 'two', 'three']) {
      const won = await enterDrop(dropDeps, {
        dropId: drop.dropId,
        sub,
        tier: 'standard',
        zone: 'eu',
        request: { sku: OTHER_SKU, quantity: 1, channel: 'web' },
        operation: { scope: sub, key: `${sub}-shared-entry` },
      });
      expect(won.status).toBe('won');
      const res = await checkout(sub, cartOf(sub, [{ sku: OTHER_SKU, quantity: 1 }]));
      expect(res.status, res.body).toBe(201);
      await payments.confirm(res.json.payment.paymentIntentId, 'pm_card_amex');
      await payments.deliverPending();
      outcomes.push(
        (await commerce.getOrder(res.json.orderId))?.status ??
          `${(await commerce.getCheckout(res.json.checkoutId))?.abandonedReason}`,
      );
    }
    expect(outcomes).toEqual(['paid', 'paid', 'payment_method_limit']);
  });

  it('marks an entry purchased when the order arrives after the drop sweeper expired it', async () => {
    const won = await enter('late-payer');
    const key = entrantKey(drop.dropId, 'late-payer');
    const stored = await drops.getEntry(drop.dropId, key);
    drops.overwriteEntry({ ...stored!, status: 'expired' });
    const dropOrders = makeDropOrdersHandler({ drops, clock });
    const body = JSON.stringify({
      source: OrderPlaced.source,
      'detail-type': OrderPlaced.detailType,
      detail: {
        data: {
          orderId: 'ord_eu_X',
          orderNumber: 'V-0000-0000-0000',
          checkoutId: 'chk_eu_X',
          zone: 'eu',
          market: 'FR',
          customerId: 'late-payer',
          status: 'paid',
          total: { amount: 45_000, currency: 'EUR' },
          lines: [{ sku: SKU, quantity: 1, locationId: BOUTIQUE }],
          delivery: { method: 'standard', country: 'FR' },
          dropId: drop.dropId,
        },
        metadata: {
          eventId: 'order:ord_eu_X:placed',
          correlationId: 'chk_eu_X',
          occurredAt: won.payBy,
          schemaVersion: 1,
        },
      },
    });
    const response = await dropOrders(
      {
        Records: [
          { messageId: 'm-late', body },
          { messageId: 'm-junk', body: '{"detail":{}}' },
        ],
      } as never,
      lambdaContext('drops-dropOrders', 30),
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-junk' }] });
    expect(await drops.getEntry(drop.dropId, key)).toMatchObject({ status: 'purchased' });
  });
});
