import { beforeAll, describe, expect, it } from 'vitest';
import { PaymentIntentStateError } from '../../lib/payments/errors.ts';
import {
  type CheckoutFixture,
  checkoutFixture,
  type Delivery,
  HIGH_PRICE,
  LOW_PRICE,
  type StartedCheckout,
} from '../support/checkout-fixture.ts';

describe('hold sweeper (R3, R18-lite)', () => {
  let fx: CheckoutFixture;

  beforeAll(async () => {
    fx = await checkoutFixture();
  });

  /** Moves the clock to one second past the checkout's hold. */
  function pastHoldOf(started: StartedCheckout) {
    const holdUntil = Date.parse(started.json.reservation.holdUntil);
    fx.clock.advance(Math.max(0, holdUntil - fx.clock.now().getTime()) + 1_000);
  }

  /** Delivers each, signed now as Stripe signs every retry, `times` times; every answer must be 200. */
  async function deliverAll(deliveries: readonly Delivery[], times = 1) {
    for (const d of deliveries) {
      for (let copy = 0; copy < times; copy++) {
        const res = await fx.deliver(fx.resigned(d));
        expect(res.status, `${d.event.type}: ${res.body}`).toBe(200);
      }
    }
  }

  const abandonedEvents = (checkoutId: string) =>
    fx.eventCounts(checkoutId).get(`checkout:${checkoutId}:abandoned`);

  it('abandons an unpaid checkout past its hold once: stock released once, intent cancelled', async () => {
    const sku = await fx.addProduct(LOW_PRICE, 1);
    const started = await fx.checkout({ sku });
    expect(started.status).toBe(201);
    expect(await fx.pool(sku)).toMatchObject({ available: 0, reserved: 1 });

    fx.clock.advance(60_000);
    expect((await fx.sweep()).released).toBe(0);
    expect((await fx.commerce.getCheckout(started.checkoutId))?.status).toBe('awaiting_payment');

    pastHoldOf(started);
    const report = await fx.sweep();
    expect(report).toEqual({ expired: 1, released: 1, abandoned: 1 });
    expect(await fx.commerce.getCheckout(started.checkoutId)).toMatchObject({
      status: 'abandoned',
      abandonedReason: 'hold_expired',
      reservation: { released: true },
    });
    expect(abandonedEvents(started.checkoutId)).toBe(1);
    expect(fx.movesOf(started.checkoutId)).toEqual(['held', 'released']);
    expect(await fx.pool(sku)).toMatchObject({ available: 1, reserved: 0, allocated: 0, violations: [] });

    expect((await fx.payments.retrieve(started.paymentIntentId)).status).toBe('canceled');
    await expect(fx.payments.confirm(started.paymentIntentId, 'pm_card_visa')).rejects.toBeInstanceOf(
      PaymentIntentStateError,
    );

    // Stripe's payment_intent.canceled, twice, and a second sweep: nothing more happens.
    const events = fx.eventsOf(started.checkoutId).length;
    await deliverAll(fx.handled(await fx.takeDeliveries()), 2);
    expect(await fx.sweep()).toEqual({ expired: 0, released: 0, abandoned: 0 });
    expect(fx.eventsOf(started.checkoutId)).toHaveLength(events);
    expect(fx.movesOf(started.checkoutId)).toEqual(['held', 'released']);
    expect(await fx.commerce.getCheckout(started.checkoutId)).toMatchObject({
      status: 'abandoned',
      abandonedReason: 'hold_expired',
    });
    expect(await fx.pool(sku)).toMatchObject({ available: 1, reserved: 0, violations: [] });
  });

  describe('a payment that succeeds before the sweep but is heard of after it', () => {
    /** A checkout of the last unit, paid with pm_card_visa, its webhooks held back, then swept. */
    async function paidThenSwept(sku: string) {
      const started = await fx.checkout({ sku });
      expect((await fx.payments.confirm(started.paymentIntentId, 'pm_card_visa')).status).toBe('succeeded');
      const late = fx.handled(await fx.takeDeliveries());
      pastHoldOf(started);
      await fx.sweep();
      expect(await fx.commerce.getCheckout(started.checkoutId)).toMatchObject({
        status: 'abandoned',
        abandonedReason: 'hold_expired',
      });
      // The cancel came too late: the money is taken, and only the webhook can settle it.
      expect((await fx.payments.retrieve(started.paymentIntentId)).status).toBe('succeeded');
      expect(await fx.pool(sku)).toMatchObject({ available: 1, reserved: 0 });
      return { started, late };
    }

    it('refunds it when another checkout took the units meanwhile, and never makes it an order', async () => {
      const sku = await fx.addProduct(LOW_PRICE, 1);
      const { started, late } = await paidThenSwept(sku);
      const rival = await fx.checkout({ sku });
      expect(rival.status).toBe(201);

      await deliverAll(late, 2);
      expect(await fx.commerce.getOrder(started.orderId)).toBeUndefined();
      expect(await fx.orderItemsOf(started.customerId)).toBe(0);
      expect(await fx.commerce.getCheckout(started.checkoutId)).toMatchObject({
        status: 'abandoned',
        abandonedReason: 'out_of_stock_at_payment',
      });
      const intent = await fx.payments.retrieve(started.paymentIntentId);
      expect(intent.amountRefunded).toEqual(intent.amountReceived);
      expect(abandonedEvents(started.checkoutId)).toBe(1);
      expect(fx.movesOf(started.checkoutId)).toEqual(['held', 'released']);
      expect(await fx.pool(sku)).toMatchObject({ available: 0, reserved: 1, allocated: 0, violations: [] });

      // The rival's hold lapses too, so the unit is free again when the refund's own webhook arrives.
      const refundEvents = fx.handled(await fx.takeDeliveries());
      expect(refundEvents.map((d) => d.event.type)).toContain('charge.refunded');
      pastHoldOf(rival);
      await fx.sweep();
      expect(await fx.pool(sku)).toMatchObject({ available: 1, reserved: 0 });
      await deliverAll(refundEvents, 2);

      expect(await fx.commerce.getOrder(started.orderId)).toBeUndefined();
      expect(await fx.commerce.getCheckout(started.checkoutId)).toMatchObject({
        status: 'abandoned',
        abandonedReason: 'out_of_stock_at_payment',
      });
      expect(abandonedEvents(started.checkoutId)).toBe(1);
      expect(fx.movesOf(started.checkoutId)).toEqual(['held', 'released']);
      expect(await fx.pool(sku)).toMatchObject({ available: 1, reserved: 0, allocated: 0, violations: [] });
      expect(await fx.capturesOf(started.paymentIntentId)).toBe(1);
      expect([...fx.eventCounts().values()].every((n) => n === 1)).toBe(true);
    });

    it('takes the units again and places the order when they are still free', async () => {
      const sku = await fx.addProduct(LOW_PRICE, 1);
      const { started, late } = await paidThenSwept(sku);

      await deliverAll(late, 2);
      expect(await fx.commerce.getOrder(started.orderId)).toMatchObject({
        status: 'paid',
        allocation: { released: false },
      });
      expect(await fx.orderItemsOf(started.customerId)).toBe(1);
      const checkout = await fx.commerce.getCheckout(started.checkoutId);
      expect(checkout?.status).toBe('completed');
      expect(checkout?.abandonedReason).toBeUndefined();
      expect(fx.movesOf(started.checkoutId)).toEqual(['held', 'released', 'allocated']);
      expect(await fx.pool(sku)).toMatchObject({ available: 0, reserved: 0, allocated: 1, violations: [] });
      expect((await fx.payments.retrieve(started.paymentIntentId)).amountRefunded.amount).toBe(0);
      expect([...fx.eventCounts(started.checkoutId).values()].every((n) => n === 1)).toBe(true);
    });
  });

  describe.each([
    ['authorization first', ['payment_intent.amount_capturable_updated', 'payment_intent.canceled']],
    ['cancellation first', ['payment_intent.canceled', 'payment_intent.amount_capturable_updated']],
  ])('an authorization the sweeper cancelled, heard of %s', (_label, deliveryOrder) => {
    it('holds no stock and leaves no order waiting for a capture that cannot come', async () => {
      const sku = await fx.addProduct(HIGH_PRICE, 1);
      const started = await fx.checkout({ sku });
      expect(started.json.payment.captureMethod).toBe('manual');
      expect((await fx.payments.confirm(started.paymentIntentId, 'pm_card_visa')).status).toBe(
        'requires_capture',
      );
      pastHoldOf(started);
      await fx.sweep();
      // Authorized but not captured: unlike a succeeded payment, the sweeper's cancel voids it.
      expect((await fx.payments.retrieve(started.paymentIntentId)).status).toBe('canceled');

      const deliveries = fx.handled(await fx.takeDeliveries());
      const ordered = deliveryOrder.map((type) => deliveries.find((d) => d.event.type === type)!);
      await deliverAll(ordered, 2);

      const order = await fx.commerce.getOrder(started.orderId);
      expect(order === undefined || order.status === 'cancelled', JSON.stringify(order?.status)).toBe(true);
      expect(await fx.pool(sku)).toMatchObject({ available: 1, reserved: 0, allocated: 0, violations: [] });
      expect((await fx.commerce.getCheckout(started.checkoutId))?.status).not.toBe('awaiting_payment');
      expect(await fx.capturesOf(started.paymentIntentId)).toBe(0);
      expect([...fx.eventCounts(started.checkoutId).values()].every((n) => n === 1)).toBe(true);
    });
  });

  describe.each([
    ['charge.expired first', ['charge.expired', 'payment_intent.canceled']],
    ['payment_intent.canceled first', ['payment_intent.canceled', 'charge.expired']],
  ])('an authorization that lapses unexercised, heard of with %s (R18-lite)', (_label, deliveryOrder) => {
    it('cancels the order once and frees its units; older events replayed days later change nothing', async () => {
      const sku = await fx.addProduct(HIGH_PRICE, 1);
      const started = await fx.checkout({ sku });
      await fx.payments.confirm(started.paymentIntentId, 'pm_card_visa');
      const authorization = fx.handled(await fx.takeDeliveries());
      await deliverAll(authorization);
      const order = await fx.commerce.getOrder(started.orderId);
      expect(order).toMatchObject({ status: 'under_review', payment: { captureBefore: expect.any(String) } });

      fx.clock.advance(Date.parse(order!.payment.captureBefore!) - fx.clock.now().getTime() + 1_000);
      expect(await fx.payments.expireAuthorizations()).toEqual([started.paymentIntentId]);
      const lapse = fx.handled(await fx.takeDeliveries());
      await deliverAll(
        deliveryOrder.map((type) => lapse.find((d) => d.event.type === type)!),
        2,
      );
      // Past the inbox's memory of them (a day): the state itself must make these no-ops.
      await deliverAll(authorization, 2);

      expect(await fx.commerce.getOrder(started.orderId)).toMatchObject({
        status: 'cancelled',
        allocation: { released: true },
        milestones: ['authorized', 'cancelled'],
      });
      expect(await fx.capturesOf(started.paymentIntentId)).toBe(0);
      expect(fx.movesOf(started.checkoutId)).toEqual(['held', 'allocated', 'released']);
      expect(await fx.pool(sku)).toMatchObject({ available: 1, reserved: 0, allocated: 0, violations: [] });
      const counts = fx.eventCounts(started.checkoutId);
      expect(counts.get(`order:${started.orderId}:cancelled`)).toBe(1);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
    });
  });
});
