import { createHmac } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Order } from '../../lib/commerce/order.ts';
import { signStripePayload } from '../../lib/payments/webhook-signature.ts';
import {
  type CheckoutFixture,
  checkoutFixture,
  type Delivery,
  HIGH_PRICE,
  type StartedCheckout,
} from '../support/checkout-fixture.ts';

type Kind = 'automatic' | 'manual';

/** What a run leaves behind, with ids replaced by placeholders so two runs compare. */
interface Outcome {
  readonly orders: number;
  readonly order: ReturnType<typeof orderState> | undefined;
  readonly checkoutStatus: string | undefined;
  /** Committed event ids (normalized) → how many times each was committed. */
  readonly events: Record<string, number>;
  readonly moves: string[];
  readonly poolDelta: { available: number; reserved: number; allocated: number };
}

/**
 * The business state of an order. Ids, timestamps, `version` and `history` (a log of how it got there)
 * differ between runs by construction; `payment.captureBefore` is only known to an order that heard of
 * its authorization before its capture, and matters only while funds are held.
 */
function orderState(order: Order) {
  return {
    status: order.status,
    payment: {
      captureMethod: order.payment.captureMethod,
      amount: order.payment.amount,
      state: order.payment.state.state,
      amountRefunded: order.payment.state.amountRefunded,
    },
    milestones: order.milestones,
    allocation: { released: order.allocation.released, lines: order.allocation.lines },
    review: order.review,
    cancellationReason: order.cancellationReason,
    lines: order.lines,
    totals: order.totals,
  };
}

const SCENARIO_EVENTS: Record<Kind, string[]> = {
  automatic: [
    'payment_intent.payment_failed',
    'payment_intent.succeeded',
    'charge.refunded',
    'charge.refunded',
  ],
  manual: [
    'payment_intent.amount_capturable_updated',
    'payment_intent.succeeded',
    'charge.refunded',
    'charge.refunded',
  ],
};

describe('POST /v1/webhooks/stripe', () => {
  let fx: CheckoutFixture;
  let highSku: string;

  beforeAll(async () => {
    fx = await checkoutFixture({ onHand: 200 });
    highSku = await fx.addProduct(HIGH_PRICE, 200);
  });

  /**
   * A fresh checkout and the real Stripe history of its payment:
   * - automatic: a declined card, then pm_card_visa, then a partial and a full refund;
   * - manual: pm_card_visa (authorized), a capture, then a partial and a full refund.
   * Answers every signed delivery the gateway produced, in the order Stripe sent them.
   */
  async function scenario(kind: Kind): Promise<{ started: StartedCheckout; deliveries: Delivery[] }> {
    const started = await fx.checkout(kind === 'manual' ? { sku: highSku } : {});
    expect(started.status, JSON.stringify(started.json)).toBe(201);
    expect(started.json.payment.captureMethod).toBe(kind);
    const pi = started.paymentIntentId;
    const step = () => fx.clock.advance(1_000);
    if (kind === 'automatic') {
      const declined = await fx.payments.confirm(pi, 'pm_card_chargeDeclined');
      expect(declined.status).toBe('requires_payment_method');
      step();
    }
    expect((await fx.payments.confirm(pi, 'pm_card_visa')).status).toBe(
      kind === 'manual' ? 'requires_capture' : 'succeeded',
    );
    step();
    if (kind === 'manual') {
      await fx.payments.capture(pi, { idempotencyKey: `test:${pi}:capture` });
      step();
    }
    await fx.payments.refund(pi, {
      amount: { amount: 10_000, currency: 'EUR' },
      idempotencyKey: `test:${pi}:refund:1`,
    });
    step();
    await fx.payments.refund(pi, { idempotencyKey: `test:${pi}:refund:2` });
    step();
    const deliveries = await fx.takeDeliveries();
    expect(fx.handled(deliveries).map((d) => d.event.type)).toEqual(SCENARIO_EVENTS[kind]);
    return { started, deliveries };
  }

  const poolSkuOf = (kind: Kind) => (kind === 'manual' ? highSku : fx.sku);

  /** Runs `act` on a fresh scenario and reports what it left, ids normalized. */
  async function run(
    kind: Kind,
    act: (deliveries: Delivery[], started: StartedCheckout) => Promise<void>,
  ): Promise<Outcome> {
    const before = await fx.pool(poolSkuOf(kind));
    const { started, deliveries } = await scenario(kind);
    await act(deliveries, started);
    const after = await fx.pool(poolSkuOf(kind));
    expect(after.violations).toEqual([]);
    const order = await fx.commerce.getOrder(started.orderId);
    // Each committed event is in the outbox the relay reads.
    const outbox = new Set(await fx.outboxIds());
    expect(fx.eventsOf(started.checkoutId).filter((e) => !outbox.has(e.eventId))).toEqual([]);
    const normalize = (id: string) =>
      id.replace(started.orderId, '{order}').replace(started.checkoutId, '{checkout}');
    return {
      orders: await fx.orderItemsOf(started.customerId),
      order: order && orderState(order),
      checkoutStatus: (await fx.commerce.getCheckout(started.checkoutId))?.status,
      events: Object.fromEntries(
        [...fx.eventCounts(started.checkoutId)].map(([id, n]) => [normalize(id), n]),
      ),
      moves: fx.movesOf(started.checkoutId),
      poolDelta: {
        available: after.available - before.available,
        reserved: after.reserved - before.reserved,
        allocated: after.allocated - before.allocated,
      },
    };
  }

  /** Delivers each in turn, `times` times, and checks that every answer is 2xx. */
  async function deliverEach(deliveries: readonly Delivery[], times = 1): Promise<number[]> {
    const statuses: number[] = [];
    for (const d of deliveries) {
      for (let copy = 0; copy < times; copy++) {
        const res = await fx.deliver(d);
        statuses.push(res.status);
        expect(res.status, `${d.event.type} copy ${copy + 1}: ${res.body}`).toBe(200);
      }
    }
    return statuses;
  }

  const EXPECTED_EVENTS: Record<Kind, Record<string, number>> = {
    automatic: {
      'checkout:{checkout}:started': 1,
      'order:{order}:placed': 1,
      'order:{order}:captured': 1,
      'order:{order}:refunded': 1,
    },
    manual: {
      'checkout:{checkout}:started': 1,
      'order:{order}:placed': 1,
      'order:{order}:authorized': 1,
      'order:{order}:captured': 1,
      'order:{order}:refunded': 1,
    },
  };
  const EXPECTED_MOVES: Record<Kind, string[]> = {
    // The decline gives the held unit back; the successful retry takes it again; the full refund frees it.
    automatic: ['held', 'released', 'allocated', 'released'],
    manual: ['held', 'allocated', 'released'],
  };
  const NO_NET_MOVE = { available: 0, reserved: 0, allocated: 0 };

  const references = new Map<Kind, Promise<Outcome>>();
  /** The run with every delivery once, in the order Stripe sent them (computed once per kind). */
  function referenceFor(kind: Kind): Promise<Outcome> {
    let reference = references.get(kind);
    if (!reference) {
      reference = run(kind, async (deliveries) => {
        await deliverEach(deliveries);
      });
      references.set(kind, reference);
    }
    return reference;
  }

  describe.each<Kind>(['automatic', 'manual'])('replay of a %s-capture payment (R6)', (kind) => {
    let reference: Outcome;

    beforeAll(async () => {
      reference = await referenceFor(kind);
      expect(reference.orders).toBe(1);
      expect(reference.order?.status).toBe('refunded');
      expect(reference.order?.allocation.released).toBe(true);
      expect(reference.checkoutStatus).toBe('completed');
      expect(reference.events).toEqual(EXPECTED_EVENTS[kind]);
      expect(reference.moves).toEqual(EXPECTED_MOVES[kind]);
      expect(reference.poolDelta).toEqual(NO_NET_MOVE);
    });

    it('ends in the in-order state when every delivery arrives 3 times, and answers 200 to each', async () => {
      let statuses: number[] = [];
      const outcome = await run(kind, async (deliveries) => {
        statuses = await deliverEach(deliveries, 3);
      });
      console.info(
        `R6 ${kind} 3x: ${statuses.length} deliveries, ${statuses.filter((s) => s < 300).length} 2xx`,
      );
      expect(outcome).toEqual(reference);
    });

    it('places one order from a 10-fold concurrent burst of the funds event', async () => {
      const fundsType =
        kind === 'manual' ? 'payment_intent.amount_capturable_updated' : 'payment_intent.succeeded';
      let duplicates = 0;
      const outcome = await run(kind, async (deliveries) => {
        // The whole history in order, so the end state compares; the funds event arrives 10 times at once.
        for (const d of deliveries) {
          if (d.event.type !== fundsType) {
            await deliverEach([d]);
            continue;
          }
          const answers = await Promise.all(Array.from({ length: 10 }, () => fx.deliver(d)));
          expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
          duplicates = answers.filter((a) => a.json.duplicate === true).length;
          expect(duplicates).toBe(9);
        }
      });
      console.info(`R6 ${kind} burst: 10 concurrent copies, 1 applied, ${duplicates} answered as duplicates`);
      expect(outcome).toEqual(reference);
    });
  });

  it('ends in the in-order state for all 24 orderings of authorized, captured, partly and fully refunded (R6)', async () => {
    const reference = await referenceFor('manual');
    const orderings = permutations([0, 1, 2, 3]);
    expect(orderings).toHaveLength(24);
    let matching = 0;
    for (const ordering of orderings) {
      const outcome = await run('manual', async (deliveries) => {
        const events = fx.handled(deliveries);
        await deliverEach(ordering.map((i) => events[i]!));
      });
      expect(outcome, `ordering ${ordering.join(',')}`).toEqual(reference);
      matching++;
    }
    console.info(`R6 manual orderings: ${matching}/${orderings.length} end in the in-order state`);
  });

  it('keeps the units of an order whose decline and successful retry are delivered at once (R6)', async () => {
    const runs = 20;
    let lost = 0;
    for (let i = 0; i < runs; i++) {
      const before = await fx.pool();
      const started = await fx.checkout();
      await fx.payments.confirm(started.paymentIntentId, 'pm_card_chargeDeclined');
      await fx.payments.confirm(started.paymentIntentId, 'pm_card_visa');
      const deliveries = fx.handled(await fx.takeDeliveries());
      expect(deliveries.map((d) => d.event.type)).toEqual([
        'payment_intent.payment_failed',
        'payment_intent.succeeded',
      ]);
      const answers = await Promise.all(deliveries.map((d) => fx.deliver(d)));
      expect(answers.map((a) => a.status)).toEqual([200, 200]);

      expect(await fx.commerce.getOrder(started.orderId)).toMatchObject({
        status: 'paid',
        allocation: { released: false },
      });
      const reservation = await fx.stock.get(started.checkoutId);
      if (reservation?.status !== 'allocated') lost++;
      const after = await fx.pool();
      expect(after.violations).toEqual([]);
      expect(after.allocated - before.allocated).toBe(1);
      expect(after.available - before.available).toBe(-1);
    }
    console.info(
      `R6 decline + success delivered concurrently: ${runs} runs, ${lost} orders lost their units`,
    );
    expect(lost).toBe(0);
  });

  describe('signature over the raw body (R7)', () => {
    let target: Delivery;
    let started: StartedCheckout;

    beforeAll(async () => {
      started = await fx.checkout();
      await fx.payments.confirm(started.paymentIntentId, 'pm_card_visa');
      target = fx
        .handled(await fx.takeDeliveries())
        .find((d) => d.event.type === 'payment_intent.succeeded')!;
    });

    const now = () => Math.floor(fx.clock.now().getTime() / 1000);
    const v1 = (body: string, secret: string, t: number) =>
      createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');

    const INVALID: [string, () => { body?: string; header: string | null }][] = [
      [
        'a tampered body',
        () => ({ body: target.body.replace(/"amount": \d+/, '"amount": 1'), header: target.header }),
      ],
      ['the wrong secret', () => ({ header: signStripePayload(target.body, 'whsec_not_ours', now()) })],
      ['no Stripe-Signature header', () => ({ header: null })],
      [
        'a timestamp 301 s old',
        () => ({ header: signStripePayload(target.body, fx.webhookSecret, now() - 301) }),
      ],
      [
        'a timestamp 301 s in the future',
        () => ({ header: signStripePayload(target.body, fx.webhookSecret, now() + 301) }),
      ],
      [
        'a v0 signature only',
        () => ({ header: `t=${now()},v0=${v1(target.body, fx.webhookSecret, now())}` }),
      ],
      [
        'the body re-serialized after parsing',
        () => ({ body: JSON.stringify(JSON.parse(target.body)), header: target.header }),
      ],
    ];

    it.each(INVALID)(
      'answers 400 with the error envelope and changes nothing for %s',
      async (_label, make) => {
        const checkoutBefore = await fx.commerce.getCheckout(started.checkoutId);
        const eventsBefore = fx.eventsOf().length;
        const movesBefore = fx.moves.length;
        const { body, header } = make();
        const res = await fx.deliver(target, { header, ...(body !== undefined ? { body } : {}) });
        expect(res.status).toBe(400);
        expect(res.json).toEqual({
          error: {
            code: 'WEBHOOK_SIGNATURE_INVALID',
            message: expect.any(String),
            requestId: 'req-test',
            details: { reason: expect.any(String) },
          },
        });
        expect(await fx.commerce.getOrder(started.orderId)).toBeUndefined();
        expect(await fx.commerce.getCheckout(started.checkoutId)).toEqual(checkoutBefore);
        expect(await fx.inboxHas(target.event.id)).toBe(false);
        expect(fx.eventsOf().length).toBe(eventsBefore);
        expect(fx.moves.length).toBe(movesBefore);
      },
    );

    it('accepts the delivery as Stripe signed it, and places the order', async () => {
      const res = await fx.deliver(target);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ received: true, duplicate: false });
      expect((await fx.commerce.getOrder(started.orderId))?.status).toBe('paid');
      expect(await fx.inboxHas(target.event.id)).toBe(true);
    });

    it('verifies a body API Gateway hands over base64-encoded', async () => {
      const other = await fx.checkout();
      await fx.payments.confirm(other.paymentIntentId, 'pm_card_visa');
      const succeeded = fx
        .handled(await fx.takeDeliveries())
        .find((d) => d.event.type === 'payment_intent.succeeded')!;
      const res = await fx.deliver(succeeded, { base64: true });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ received: true, duplicate: false });
      expect((await fx.commerce.getOrder(other.orderId))?.status).toBe('paid');
      // The same delivery as a plain body verifies too (and is then a duplicate).
      expect((await fx.deliver(succeeded)).json).toEqual({ received: true, duplicate: true });
    });
  });
});

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}
