import { beforeEach, describe, expect, it } from 'vitest';
import { LocalPaymentGateway } from '../../../lib/adapters/local-payments/local-payment-gateway.ts';
import type { DuePickup, PickupDeadlines } from '../../../lib/commerce/commerce-repository.ts';
import { applyPaymentState, type Order, orderView, pickupDueAt } from '../../../lib/commerce/order.ts';
import {
  collectPickup,
  collectWithinDays,
  DEFAULT_COLLECT_WITHIN_DAYS,
  MAX_PICKUP_CODE_ATTEMPTS,
  markReadyForPickup,
  newPickupCode,
  type PickupDeps,
  pickupCodeMatches,
  sweepUncollected,
} from '../../../lib/commerce/pickup.ts';
import type { Location } from '../../../lib/demo/locations.ts';
import { InMemoryStockStore } from '../../../lib/inventory/in-memory-stock-store.ts';
import { idempotencyKeyFor } from '../../../lib/payments/idempotency-keys.ts';
import type { PaymentGateway } from '../../../lib/payments/payment-gateway.ts';
import { InMemoryCommerceRepository, StaticLocations } from '../../support/commerce-fakes.ts';
import { FixedClock } from '../../support/fakes.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const BOUTIQUE = 'paris-saint-honore';
const WAREHOUSE = 'roissy-warehouse';
const SKU = 'AUR-RING-52';

const PARIS: Location = {
  locationId: BOUTIQUE,
  name: 'Paris Rue Saint-Honoré boutique',
  type: 'boutique',
  country: 'FR',
  city: 'Paris',
  region: 'eu-west-1',
  zone: 'eu',
  pickupCapable: true,
  timezone: 'Europe/Paris',
};

/** The in-memory repository with the DynamoDB adapter's due-pickups index, derived the same way. */
class Commerce extends InMemoryCommerceRepository implements PickupDeadlines {
  async duePickups(now: Date, limit: number): Promise<DuePickup[]> {
    const at = now.toISOString();
    return [...this.orders.values()]
      .flatMap((o) => {
        const dueAt = pickupDueAt(o);
        return dueAt && dueAt < at ? [{ orderId: o.orderId, dueAt }] : [];
      })
      .sort((a, b) => a.dueAt.localeCompare(b.dueAt))
      .slice(0, limit);
  }
  eventIds() {
    return this.events.map((e) => e.metadata.eventId);
  }
  detailTypes() {
    return this.events.map((e) => e.definition.detailType);
  }
}

async function rejection(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; status?: number; details?: Record<string, unknown> };
  }
  throw new Error('expected a rejection');
}

describe('pickup codes', () => {
  it('are six digits from a uniform draw', () => {
    const codes = Array.from({ length: 500 }, () => newPickupCode());
    expect(codes.every((c) => /^\d{6}$/.test(c))).toBe(true);
    expect(new Set(codes).size).toBeGreaterThan(490);
    // Leading zeros are kept: every first digit turns up.
    expect(new Set(codes.map((c) => c[0])).size).toBe(10);
  });

  it('match only the issued code', () => {
    expect(pickupCodeMatches('012345', '012345')).toBe(true);
    expect(pickupCodeMatches('012345', '012346')).toBe(false);
    expect(pickupCodeMatches('012345', '12345')).toBe(false);
    expect(pickupCodeMatches(undefined, '012345')).toBe(false);
  });

  it('are kept 14 days unless the location sets its own period', () => {
    expect(collectWithinDays(PARIS)).toBe(DEFAULT_COLLECT_WITHIN_DAYS);
    expect(collectWithinDays(undefined)).toBe(14);
    expect(collectWithinDays({ ...PARIS, collectWithinDays: 7 })).toBe(7);
  });
});

describe('click and collect', () => {
  let clock: FixedClock;
  let commerce: Commerce;
  let stock: InMemoryStockStore;
  let payments: LocalPaymentGateway;
  let deps: PickupDeps & { commerce: Commerce };
  let count = 0;

  beforeEach(async () => {
    clock = new FixedClock(new Date('2026-03-01T10:00:00.000Z'));
    commerce = new Commerce();
    stock = new InMemoryStockStore();
    payments = new LocalPaymentGateway({ clock });
    deps = { commerce, stock, payments, locations: new StaticLocations([PARIS]), clock };
    await stock.setOnHand(SKU, BOUTIQUE, 'eu', 5, { locationType: 'boutique' });
    await stock.setOnHand(SKU, WAREHOUSE, 'eu', 5, { locationType: 'warehouse' });
  });

  /** A placed order of `quantity` pieces, its stock allocated at `at` and its payment confirmed. */
  async function placed(
    options: {
      captureMethod?: 'automatic' | 'manual';
      pickup?: boolean;
      at?: string;
      quantity?: number;
    } = {},
  ): Promise<Order> {
    const n = ++count;
    const captureMethod = options.captureMethod ?? 'automatic';
    const quantity = options.quantity ?? 2;
    const at = options.at ?? BOUTIQUE;
    const checkoutId = `chk_eu_${String(n).padStart(26, '0')}`;
    const orderId = `ord_eu_${String(n).padStart(26, '0')}`;
    const now = clock.now();
    await stock.reserve({
      reservationId: checkoutId,
      lines: [{ sku: SKU, locationId: at, quantity }],
      holdUntil: new Date(now.getTime() + 15 * 60_000),
      owner: { zone: 'eu', checkoutId },
      now,
    });
    await stock.allocate(checkoutId, now);
    const amount = { amount: 45_000 * quantity, currency: 'EUR' as const };
    const intent = await payments.createPaymentIntent({
      amount,
      captureMethod,
      metadata: { checkoutId, orderId },
      idempotencyKey: idempotencyKeyFor('checkout.pi-create', checkoutId),
    });
    const confirmed = await payments.confirm(intent.id, 'pm_card_visa');
    const state = confirmed.status === 'succeeded' ? 'succeeded' : 'requires_capture';
    const pickup = options.pickup ?? true;
    const order: Order = {
      orderId,
      orderNumber: `V-0000-0000-${String(n).padStart(4, '0')}`,
      zone: 'eu',
      checkoutId,
      customerId: `cust-${n}`,
      email: `c${n}@example.com`,
      market: 'FR',
      status: state === 'succeeded' ? 'paid' : 'authorized',
      lines: [
        {
          sku: SKU,
          productId: 'aur-ring',
          name: 'Ring',
          quantity,
          unitPrice: 45_000,
          lineTotal: 45_000 * quantity,
          tax: 0,
        },
      ],
      totals: {} as Order['totals'],
      delivery: pickup ? { method: 'pickup', pickupLocationId: BOUTIQUE } : { method: 'standard' },
      allocation: {
        reservationId: checkoutId,
        lines: [{ sku: SKU, locationId: at, quantity }],
        released: false,
      },
      payment: {
        paymentIntentId: intent.id,
        captureMethod,
        amount,
        state: { state, occurredAt: now.toISOString() },
        ...(confirmed.captureBefore ? { captureBefore: confirmed.captureBefore } : {}),
      },
      risk: {
        decision: 'approve',
        score: 0,
        reasons: [],
        policyVersion: 'v',
        evaluatedAt: now.toISOString(),
      } as unknown as Order['risk'],
      ...(pickup
        ? { pickup: { locationId: BOUTIQUE, status: 'awaiting_preparation', failedAttempts: 0 } }
        : {}),
      milestones: state === 'succeeded' ? ['captured'] : ['authorized'],
      history: [],
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      version: 1,
    };
    commerce.orders.set(orderId, structuredClone(order));
    return order;
  }

  async function pool(locationId = BOUTIQUE) {
    const found = (await stock.pools([SKU])).find((p) => p.locationId === locationId)!;
    return { onHand: found.onHand, available: found.available, allocated: found.allocated };
  }

  describe('markReadyForPickup', () => {
    it('issues a code for the owner, sets collectBy 14 days out and emits ReadyForPickup once', async () => {
      const order = await placed();
      const ready = await markReadyForPickup(deps, order.orderId, 'staff-1');
      expect(ready).toMatchObject({
        status: 'ready_for_pickup',
        milestones: ['captured', 'ready_for_pickup'],
        pickup: {
          status: 'ready',
          code: expect.stringMatching(/^\d{6}$/),
          readyAt: clock.now().toISOString(),
          collectBy: new Date(clock.now().getTime() + 14 * DAY_MS).toISOString(),
          failedAttempts: 0,
          codeIssuedBy: 'staff-1',
        },
      });
      expect(orderView(ready, false).pickup?.code).toBe(ready.pickup?.code);
      expect(orderView(ready, true).pickup).not.toHaveProperty('code');

      clock.advance(60_000);
      const again = await markReadyForPickup(deps, order.orderId, 'staff-2');
      expect(again.pickup?.code).toBe(ready.pickup?.code);
      expect(again.version).toBe(ready.version);
      expect(commerce.eventIds()).toEqual([`order:${order.orderId}:ready_for_pickup`]);
      const event = commerce.events[0]!;
      expect(JSON.stringify(event.data)).not.toContain(ready.pickup!.code!);
      expect(event.data).toMatchObject({ locationId: BOUTIQUE, reissued: false });
    });

    it('never lets a held authorization lapse before the deadline', async () => {
      const order = await placed({ captureMethod: 'manual' });
      expect(order.payment.captureBefore).toBeDefined();
      const ready = await markReadyForPickup(deps, order.orderId, 'staff-1');
      expect(ready.status).toBe('ready_for_pickup');
      expect(ready.pickup?.collectBy).toBe(order.payment.captureBefore);
    });

    it('refuses a delivered order, an unpaid or cancelled one, and stock held elsewhere', async () => {
      const delivered = await placed({ pickup: false });
      expect(await rejection(markReadyForPickup(deps, delivered.orderId, 's'))).toMatchObject({
        code: 'PICKUP_NOT_ALLOWED',
        status: 409,
      });
      const review = await placed({ captureMethod: 'manual' });
      commerce.orders.set(review.orderId, { ...review, status: 'under_review' });
      expect(await rejection(markReadyForPickup(deps, review.orderId, 's'))).toMatchObject({
        code: 'PICKUP_NOT_ALLOWED',
      });
      const elsewhere = await placed({ at: WAREHOUSE });
      expect(await rejection(markReadyForPickup(deps, elsewhere.orderId, 's'))).toMatchObject({
        code: 'PICKUP_NOT_ALLOWED',
        details: { skus: [SKU] },
      });
      expect(await rejection(markReadyForPickup(deps, 'ord_eu_missing', 's'))).toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(commerce.events).toEqual([]);
    });
  });

  describe('collectPickup', () => {
    it('hands over with the right code: collected once, units leave the boutique', async () => {
      const order = await placed({ quantity: 2 });
      const ready = await markReadyForPickup(deps, order.orderId, 'staff-1');
      const before = await pool();
      const collected = await collectPickup(deps, order.orderId, 'staff-2', { code: ready.pickup!.code! });
      expect(collected).toMatchObject({
        status: 'collected',
        milestones: ['captured', 'ready_for_pickup', 'collected'],
        pickup: { status: 'collected', collectedAt: expect.any(String), handedOverBy: 'staff-2' },
      });
      expect(collected.pickup).not.toHaveProperty('code');
      expect(pickupDueAt(collected)).toBeUndefined();
      expect(await pool()).toEqual({
        onHand: before.onHand - 2,
        available: before.available,
        allocated: before.allocated - 2,
      });
      expect((await stock.get(order.checkoutId))?.status).toBe('fulfilled');

      const replay = await collectPickup(deps, order.orderId, 'staff-2', { code: '000000' });
      expect(replay.version).toBe(collected.version);
      expect(await pool()).toEqual({
        onHand: before.onHand - 2,
        available: before.available,
        allocated: before.allocated - 2,
      });
      expect(commerce.detailTypes()).toEqual(['ReadyForPickup', 'OrderCollected']);
    });

    it('captures a held authorization before anything is handed over', async () => {
      const order = await placed({ captureMethod: 'manual', quantity: 1 });
      const ready = await markReadyForPickup(deps, order.orderId, 'staff-1');
      const collected = await collectPickup(deps, order.orderId, 'staff-1', { code: ready.pickup!.code! });
      expect(collected).toMatchObject({
        status: 'collected',
        payment: { state: { state: 'succeeded' } },
        milestones: ['authorized', 'ready_for_pickup', 'captured', 'collected'],
      });
      expect((await payments.retrieve(order.payment.paymentIntentId)).status).toBe('succeeded');
      expect(commerce.eventIds()).toEqual([
        `order:${order.orderId}:ready_for_pickup`,
        `order:${order.orderId}:captured`,
        `order:${order.orderId}:collected`,
      ]);
    });

    it('refuses an authorization that can no longer be captured', async () => {
      const order = await placed({ captureMethod: 'manual', quantity: 1 });
      const ready = await markReadyForPickup(deps, order.orderId, 'staff-1');
      await payments.cancel(order.payment.paymentIntentId, {
        reason: 'abandoned',
        idempotencyKey: 'test-cancel',
      });
      expect(
        await rejection(collectPickup(deps, order.orderId, 'staff-1', { code: ready.pickup!.code! })),
      ).toMatchObject({ code: 'PICKUP_PAYMENT_UNAVAILABLE', status: 409 });
      expect((await commerce.getOrder(order.orderId))?.status).toBe('ready_for_pickup');
      expect((await stock.get(order.checkoutId))?.status).toBe('allocated');
    });

    it('counts wrong codes, locks after five, and a new code from staff unlocks it', async () => {
      const order = await placed();
      const ready = await markReadyForPickup(deps, order.orderId, 'staff-1');
      const code = ready.pickup!.code!;
      const wrong = code === '999999' ? '000000' : '999999';
      for (let left = MAX_PICKUP_CODE_ATTEMPTS - 1; left >= 0; left--) {
        expect(await rejection(collectPickup(deps, order.orderId, 's', { code: wrong }))).toMatchObject({
          code: 'PICKUP_CODE_INVALID',
          status: 422,
          details: { attemptsLeft: left },
        });
      }
      expect(await rejection(collectPickup(deps, order.orderId, 's', { code }))).toMatchObject({
        code: 'PICKUP_CODE_LOCKED',
        status: 423,
      });
      expect((await commerce.getOrder(order.orderId))?.pickup).toMatchObject({
        failedAttempts: 5,
        lockedAt: expect.any(String),
      });

      const reissued = await markReadyForPickup(deps, order.orderId, 'manager-1');
      expect(reissued.pickup).toMatchObject({ failedAttempts: 0, codesIssued: 2, codeIssuedBy: 'manager-1' });
      expect(reissued.pickup).not.toHaveProperty('lockedAt');
      expect(reissued.pickup?.collectBy).toBe(ready.pickup?.collectBy);
      expect(commerce.events.at(-1)).toMatchObject({
        metadata: { eventId: `order:${order.orderId}:ready_for_pickup:2` },
        data: { reissued: true },
      });
      const collected = await collectPickup(deps, order.orderId, 's', { code: reissued.pickup!.code! });
      expect(collected.status).toBe('collected');
    });

    it('answers five wrong guesses however many arrive at once, and locks the rest out', async () => {
      const order = await placed();
      const ready = await markReadyForPickup(deps, order.orderId, 'staff-1');
      const wrong = ready.pickup!.code === '123456' ? '654321' : '123456';
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, () => collectPickup(deps, order.orderId, 's', { code: wrong })),
      );
      const answers = outcomes.map((o) =>
        o.status === 'rejected' ? (o.reason as { code: string }).code : 'ok',
      );
      const count = (code: string) => answers.filter((a) => a === code).length;
      console.info(
        `20 parallel wrong codes: ${count('PICKUP_CODE_INVALID')} answered invalid, ${count('PICKUP_CODE_LOCKED')} locked`,
      );
      expect(count('PICKUP_CODE_INVALID')).toBe(MAX_PICKUP_CODE_ATTEMPTS);
      expect(count('PICKUP_CODE_LOCKED')).toBe(20 - MAX_PICKUP_CODE_ATTEMPTS);
      expect((await commerce.getOrder(order.orderId))?.pickup).toMatchObject({
        failedAttempts: MAX_PICKUP_CODE_ATTEMPTS,
        lockedAt: expect.any(String),
      });
    });

    it('refuses an order that is not ready', async () => {
      const order = await placed();
      expect(await rejection(collectPickup(deps, order.orderId, 's', { code: '123456' }))).toMatchObject({
        code: 'PICKUP_NOT_READY',
        status: 409,
      });
    });
  });

  describe('sweepUncollected', () => {
    it('leaves a ready order alone until its deadline passes', async () => {
      const order = await placed();
      await markReadyForPickup(deps, order.orderId, 'staff-1');
      clock.advance(14 * DAY_MS - 1000);
      expect(await sweepUncollected(deps)).toEqual({ expired: 0, settled: 0, failed: [] });
      expect((await commerce.getOrder(order.orderId))?.status).toBe('ready_for_pickup');
    });

    it('releases the units to the boutique, refunds captured funds and emits each event once', async () => {
      const order = await placed({ quantity: 2 });
      const ready = await markReadyForPickup(deps, order.orderId, 'staff-1');
      const before = await pool();
      clock.advance(14 * DAY_MS + 1000);
      expect(await sweepUncollected(deps)).toEqual({ expired: 1, settled: 1, failed: [] });
      const swept = await commerce.getOrder(order.orderId);
      expect(swept).toMatchObject({
        status: 'uncollected',
        allocation: { released: true },
        payment: { state: { state: 'refunded', amountRefunded: 90_000 } },
        pickup: { status: 'uncollected', expiredAt: expect.any(String), settledAt: expect.any(String) },
        milestones: ['captured', 'ready_for_pickup', 'uncollected', 'refunded'],
      });
      expect(swept?.pickup).not.toHaveProperty('code');
      expect(await pool()).toEqual({
        onHand: before.onHand,
        available: before.available + 2,
        allocated: before.allocated - 2,
      });
      const intent = await payments.retrieve(order.payment.paymentIntentId);
      expect(intent.amountRefunded.amount).toBe(90_000);

      expect(await sweepUncollected(deps)).toEqual({ expired: 0, settled: 0, failed: [] });
      expect(commerce.eventIds()).toEqual([
        `order:${order.orderId}:ready_for_pickup`,
        `order:${order.orderId}:pickup_expired`,
        `order:${order.orderId}:refunded`,
      ]);
      expect(
        await rejection(collectPickup(deps, order.orderId, 's', { code: ready.pickup!.code! })),
      ).toMatchObject({ code: 'PICKUP_NOT_READY' });
      // A late refund webhook changes nothing: the order stays uncollected.
      expect(
        applyPaymentState(swept!, { state: 'refunded', occurredAt: clock.now().toISOString() }, clock.now()),
      ).toBeUndefined();
    });

    it('cancels a held authorization instead of refunding', async () => {
      const order = await placed({ captureMethod: 'manual', quantity: 1 });
      await markReadyForPickup(deps, order.orderId, 'staff-1');
      const swept = await sweepUncollected(deps, {
        now: new Date(Date.parse(order.payment.captureBefore!) + 1),
      });
      expect(swept).toEqual({ expired: 1, settled: 1, failed: [] });
      expect(await commerce.getOrder(order.orderId)).toMatchObject({
        status: 'uncollected',
        payment: { state: { state: 'canceled' } },
        cancellationReason: 'not collected in time',
      });
      expect((await payments.retrieve(order.payment.paymentIntentId)).status).toBe('canceled');
      expect(commerce.detailTypes()).toEqual(['ReadyForPickup', 'PickupExpired', 'OrderCancelled']);
    });

    it('finishes on the next run what a failure interrupted, without paying back twice', async () => {
      const order = await placed({ quantity: 1 });
      await markReadyForPickup(deps, order.orderId, 'staff-1');
      let failOnce = true;
      const flaky: PaymentGateway = {
        createPaymentIntent: (input) => payments.createPaymentIntent(input),
        retrieve: (id) => payments.retrieve(id),
        capture: (id, input) => payments.capture(id, input),
        cancel: (id, input) => payments.cancel(id, input),
        refund: async (id, input) => {
          const refund = await payments.refund(id, input);
          if (failOnce) {
            failOnce = false;
            throw new Error('connection reset after the refund');
          }
          return refund;
        },
      };
      clock.advance(15 * DAY_MS);
      const first = await sweepUncollected({ ...deps, payments: flaky });
      expect(first).toMatchObject({ expired: 1, settled: 0, failed: [{ orderId: order.orderId }] });
      expect((await commerce.getOrder(order.orderId))?.pickup?.settledAt).toBeUndefined();
      clock.advance(60 * 60_000);
      expect(await sweepUncollected({ ...deps, payments: flaky })).toEqual({
        expired: 0,
        settled: 1,
        failed: [],
      });
      const intent = await payments.retrieve(order.payment.paymentIntentId);
      expect(intent.amountRefunded.amount).toBe(45_000);
      expect(commerce.detailTypes()).toEqual(['ReadyForPickup', 'PickupExpired', 'PaymentRefunded']);
    });

    it('never expires an order collected first', async () => {
      const order = await placed();
      const ready = await markReadyForPickup(deps, order.orderId, 'staff-1');
      clock.advance(15 * DAY_MS);
      await collectPickup(deps, order.orderId, 'staff-1', { code: ready.pickup!.code! });
      expect(await sweepUncollected(deps)).toEqual({ expired: 0, settled: 0, failed: [] });
      expect((await commerce.getOrder(order.orderId))?.status).toBe('collected');
    });
  });

  describe('payment events on a pickup order', () => {
    it('keep a ready order ready, and a cancellation withdraws its code', async () => {
      const order = await placed({ captureMethod: 'manual' });
      const ready = await markReadyForPickup(deps, order.orderId, 'staff-1');
      const captured = applyPaymentState(
        ready,
        { state: 'succeeded', occurredAt: clock.now().toISOString() },
        clock.now(),
      );
      expect(captured?.order).toMatchObject({ status: 'ready_for_pickup', pickup: { status: 'ready' } });
      const cancelled = applyPaymentState(
        ready,
        { state: 'canceled', occurredAt: clock.now().toISOString() },
        clock.now(),
      );
      expect(cancelled?.order).toMatchObject({ status: 'cancelled', pickup: { status: 'cancelled' } });
      expect(cancelled?.order.pickup).not.toHaveProperty('code');
      expect(pickupDueAt(cancelled!.order)).toBeUndefined();
    });
  });
});
