import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeHandler as makeOrdersHandler } from '../../functions/checkout/orders.ts';
import { reviewOrderRoute } from '../../lib/contracts/routes/checkout.ts';
import type { PaymentGateway } from '../../lib/payments/payment-gateway.ts';
import { apiEvent, customerClaims, invoke, staffClaims } from '../support/api-event.ts';
import {
  type CheckoutFixture,
  checkoutFixture,
  HIGH_PRICE,
  LOW_PRICE,
  type StartedCheckout,
} from '../support/checkout-fixture.ts';

const NOT_REVIEWABLE = {
  error: { code: 'ORDER_NOT_REVIEWABLE', message: expect.any(String), requestId: 'req-test' },
};

describe('POST /v1/admin/orders/{orderId}/review', () => {
  let fx: CheckoutFixture;

  beforeAll(async () => {
    fx = await checkoutFixture({ unitPrice: HIGH_PRICE, onHand: 5 });
  });

  /** A €12,500 checkout paid with pm_card_visa: funds held, the order waiting for a person. */
  async function orderUnderReview(): Promise<StartedCheckout> {
    const started = await fx.checkout();
    expect(started.status).toBe(201);
    expect(started.json).toMatchObject({
      risk: { decision: 'review' },
      payment: { captureMethod: 'manual' },
    });
    expect((await fx.payments.confirm(started.paymentIntentId, 'pm_card_visa')).status).toBe(
      'requires_capture',
    );
    for (const d of await fx.takeDeliveries()) expect((await fx.deliver(d)).status).toBe(200);
    expect(await fx.commerce.getOrder(started.orderId)).toMatchObject({
      status: 'under_review',
      payment: { state: { state: 'requires_capture' }, captureBefore: expect.any(String) },
    });
    return started;
  }

  /** Delivers Stripe's webhooks for what the decision did, twice each. */
  async function deliverTwice() {
    for (const d of await fx.takeDeliveries()) {
      expect((await fx.deliver(d)).status).toBe(200);
      expect((await fx.deliver(d)).status).toBe(200);
    }
  }

  it('approve captures the held funds once and the order is paid', async () => {
    const started = await orderUnderReview();
    const key = randomUUID();
    const approved = await fx.review(started.orderId, 'approve', staffClaims, key);
    expect(approved.status, approved.body).toBe(200);
    expect(approved.json).toMatchObject({
      status: 'paid',
      review: { decision: 'approve', by: staffClaims.sub },
      payment: { state: { state: 'succeeded' } },
      allocation: { released: false },
    });
    await deliverTwice();

    const replay = await fx.review(started.orderId, 'approve', staffClaims, key);
    expect(replay.status).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const again = await fx.review(started.orderId, 'approve');
    expect(again.status).toBe(200);
    expect(again.json.status).toBe('paid');
    const contrary = await fx.review(started.orderId, 'reject');
    expect(contrary.status).toBe(409);
    expect(contrary.json).toEqual(NOT_REVIEWABLE);

    expect(await fx.capturesOf(started.paymentIntentId)).toBe(1);
    expect((await fx.payments.retrieve(started.paymentIntentId)).status).toBe('succeeded');
    expect(await fx.commerce.getOrder(started.orderId)).toMatchObject({
      status: 'paid',
      milestones: ['authorized', 'captured'],
    });
    const counts = fx.eventCounts(started.checkoutId);
    expect(counts.get(`order:${started.orderId}:captured`)).toBe(1);
    expect(counts.get(`order:${started.orderId}:cancelled`)).toBeUndefined();
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(fx.movesOf(started.checkoutId)).toEqual(['held', 'allocated']);
    console.info(
      `review approve: captures ${await fx.capturesOf(started.paymentIntentId)}, contrary decision ${contrary.status}`,
    );
  });

  it('reject cancels the authorization, releases the stock and emits OrderCancelled once', async () => {
    const started = await orderUnderReview();
    const before = await fx.pool();
    const rejected = await fx.review(started.orderId, 'reject');
    expect(rejected.status, rejected.body).toBe(200);
    expect(rejected.json).toMatchObject({
      status: 'cancelled',
      review: { decision: 'reject' },
      allocation: { released: true },
    });
    await deliverTwice();

    const after = await fx.pool();
    expect(after.violations).toEqual([]);
    expect({
      available: after.available - before.available,
      allocated: after.allocated - before.allocated,
    }).toEqual({
      available: 1,
      allocated: -1,
    });
    expect(fx.movesOf(started.checkoutId)).toEqual(['held', 'allocated', 'released']);
    expect((await fx.payments.retrieve(started.paymentIntentId)).status).toBe('canceled');
    expect(await fx.capturesOf(started.paymentIntentId)).toBe(0);

    const contrary = await fx.review(started.orderId, 'approve');
    expect(contrary.status).toBe(409);
    expect(contrary.json).toEqual(NOT_REVIEWABLE);
    expect((await fx.review(started.orderId, 'reject')).status).toBe(200);
    expect(await fx.capturesOf(started.paymentIntentId)).toBe(0);
    expect(fx.movesOf(started.checkoutId)).toEqual(['held', 'allocated', 'released']);
    const counts = fx.eventCounts(started.checkoutId);
    expect(counts.get(`order:${started.orderId}:cancelled`)).toBe(1);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect((await fx.commerce.getOrder(started.orderId))?.status).toBe('cancelled');
  });

  describe.each(['approve', 'reject'] as const)(
    '%s when Stripe’s webhook lands before the decision is saved',
    (decision) => {
      it('keeps the decision and answers 200', async () => {
        const started = await orderUnderReview();
        // Stripe posts the webhook as soon as it has captured or cancelled, often before its API answers.
        const hasty: PaymentGateway = {
          createPaymentIntent: (input) => fx.payments.createPaymentIntent(input),
          retrieve: (id) => fx.payments.retrieve(id),
          refund: (id, input) => fx.payments.refund(id, input),
          capture: async (id, input) => {
            const intent = await fx.payments.capture(id, input);
            for (const d of fx.handled(await fx.takeDeliveries()))
              expect((await fx.deliver(d)).status).toBe(200);
            return intent;
          },
          cancel: async (id, input) => {
            const intent = await fx.payments.cancel(id, input);
            for (const d of fx.handled(await fx.takeDeliveries()))
              expect((await fx.deliver(d)).status).toBe(200);
            return intent;
          },
        };
        const orders = makeOrdersHandler({
          commerce: fx.commerce,
          stock: fx.stock,
          payments: hasty,
          clock: fx.clock,
          idempotency: fx.idempotency,
        });
        const res = await invoke(
          orders,
          apiEvent(reviewOrderRoute, {
            params: { orderId: started.orderId },
            body: { decision },
            claims: staffClaims,
            headers: { 'Idempotency-Key': randomUUID() },
          }),
        );
        expect(res.status, res.body).toBe(200);
        const order = await fx.commerce.getOrder(started.orderId);
        expect(order).toMatchObject({
          status: decision === 'approve' ? 'paid' : 'cancelled',
          review: { decision, by: staffClaims.sub },
          allocation: { released: decision === 'reject' },
        });
        expect(await fx.capturesOf(started.paymentIntentId)).toBe(decision === 'approve' ? 1 : 0);
        expect([...fx.eventCounts(started.checkoutId).values()].every((n) => n === 1)).toBe(true);
        expect(fx.movesOf(started.checkoutId)).toEqual(
          decision === 'approve' ? ['held', 'allocated'] : ['held', 'allocated', 'released'],
        );
      });
    },
  );

  it('refuses an order whose funds are not held', async () => {
    const sku = await fx.addProduct(LOW_PRICE, 1);
    const started = await fx.checkout({ sku });
    await fx.payments.confirm(started.paymentIntentId, 'pm_card_visa');
    for (const d of await fx.takeDeliveries()) await fx.deliver(d);
    expect((await fx.commerce.getOrder(started.orderId))?.status).toBe('paid');
    const res = await fx.review(started.orderId, 'reject');
    expect(res.status).toBe(409);
    expect(res.json).toEqual(NOT_REVIEWABLE);
    expect((await fx.payments.retrieve(started.paymentIntentId)).status).toBe('succeeded');
  });

  it('is for staff only, and an order is visible to its owner and staff only', async () => {
    const started = await orderUnderReview();
    const owner = { ...customerClaims, sub: started.customerId };

    const byCustomer = await fx.review(started.orderId, 'approve', owner);
    expect(byCustomer.status).toBe(403);
    expect(byCustomer.json.error).toMatchObject({ code: 'FORBIDDEN', requestId: 'req-test' });
    expect((await fx.commerce.getOrder(started.orderId))?.status).toBe('under_review');
    expect(await fx.capturesOf(started.paymentIntentId)).toBe(0);

    const byStranger = await fx.getOrder(started.orderId, { ...customerClaims, sub: 'cust-stranger' });
    expect(byStranger.status).toBe(404);
    expect(byStranger.json.error).toMatchObject({ code: 'NOT_FOUND', requestId: 'req-test' });
    const byOwner = await fx.getOrder(started.orderId, owner);
    expect(byOwner.status).toBe(200);
    expect(byOwner.json.risk).toBeUndefined();
    const byStaff = await fx.getOrder(started.orderId, staffClaims);
    expect(byStaff.status).toBe(200);
    expect(byStaff.json.risk.decision).toBe('review');
  });
});
