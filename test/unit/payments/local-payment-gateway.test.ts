import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  LocalPaymentGateway,
  UnknownTestPaymentMethodError,
} from '../../../lib/adapters/local-payments/local-payment-gateway.ts';
import { SIMULATED_STRIPE_API_VERSION } from '../../../lib/adapters/local-payments/stripe-simulator.ts';
import type { WebhookDeliveryOptions } from '../../../lib/adapters/local-payments/webhook-dispatcher.ts';
import type { Money } from '../../../lib/money/currency.ts';
import { PaymentIntentStateError } from '../../../lib/payments/errors.ts';
import { idempotencyKeyFor } from '../../../lib/payments/idempotency-keys.ts';
import { type PaymentEvent, parseStripeEvent, toPaymentEvent } from '../../../lib/payments/stripe-events.ts';
import { verifyStripeSignature } from '../../../lib/payments/webhook-signature.ts';
import { seededRandom } from '../../../lib/runtime/local/events/clock.ts';
import { FixedClock } from '../../support/fakes.ts';

const SECRET = 'whsec_local_test';
const DAY_MS = 24 * 60 * 60 * 1000;
const EUR = (amount: number): Money => ({ amount, currency: 'EUR' });

interface Delivery {
  readonly body: string;
  readonly header: string;
}

describe('LocalPaymentGateway', () => {
  let clock: FixedClock;
  let deliveries: Delivery[];
  let gateway: LocalPaymentGateway;
  let checkouts = 0;

  const build = (webhooks: Partial<WebhookDeliveryOptions> = {}) =>
    new LocalPaymentGateway({
      clock,
      webhooks: {
        secret: SECRET,
        autoDeliver: false,
        deliver: async (body, header) => {
          deliveries.push({ body, header });
        },
        ...webhooks,
      },
    });

  beforeEach(() => {
    clock = new FixedClock();
    deliveries = [];
    gateway = build();
  });

  const create = (
    captureMethod: 'automatic' | 'manual' = 'automatic',
    extra: { require3ds?: boolean } = {},
  ) => {
    const checkoutId = `chk-${++checkouts}`;
    return gateway.createPaymentIntent({
      amount: EUR(245_000),
      captureMethod,
      metadata: { checkoutId },
      idempotencyKey: idempotencyKeyFor('checkout.pi-create', checkoutId),
      ...extra,
    });
  };
  /** Delivered webhooks, verified as the real endpoint verifies them, then normalized. */
  const received = async (): Promise<PaymentEvent[]> => {
    await gateway.deliverPending();
    return deliveries.map(({ body, header }) => {
      const parsed = parseStripeEvent(verifyStripeSignature(body, header, [SECRET], 300, clock.now()));
      if (!parsed) throw new Error('an unhandled event type was delivered');
      return toPaymentEvent(parsed);
    });
  };

  describe('test payment methods', () => {
    it('pm_card_visa with automatic capture succeeds and emits payment_intent.succeeded', async () => {
      const intent = await create();

      const confirmed = await gateway.confirm(intent.id, 'pm_card_visa');

      expect(confirmed).toMatchObject({
        status: 'succeeded',
        amountReceived: EUR(245_000),
        riskLevel: 'normal',
      });
      expect((await received()).map((e) => [e.type, e.status])).toEqual([
        ['payment_intent.succeeded', 'succeeded'],
      ]);
    });

    it('pm_card_mastercard with manual capture holds the amount until now + 7 days', async () => {
      const intent = await create('manual');

      const held = await gateway.confirm(intent.id, 'pm_card_mastercard');

      expect(held).toMatchObject({
        status: 'requires_capture',
        amountCapturable: EUR(245_000),
        captureBefore: new Date(clock.now().getTime() + 7 * DAY_MS).toISOString(),
      });
      expect((await received()).map((e) => e.type)).toEqual(['payment_intent.amount_capturable_updated']);
    });

    it.each([
      ['pm_card_chargeDeclined', 'card_declined', 'generic_decline', 'normal'],
      ['pm_card_chargeDeclinedInsufficientFunds', 'card_declined', 'insufficient_funds', 'normal'],
      ['pm_card_chargeDeclinedExpiredCard', 'expired_card', 'expired_card', 'normal'],
      ['pm_card_radarBlock', 'card_declined', 'fraudulent', 'highest'],
      ['pm_card_visa_chargeDeclinedFraudulent', 'card_declined', 'fraudulent', 'highest'],
      ['pm_card_riskLevelHighest', 'card_declined', 'fraudulent', 'highest'],
    ])(
      '%s is declined (%s / %s, risk %s) and emits payment_intent.payment_failed',
      async (pm, code, declineCode, risk) => {
        const intent = await create();

        const declined = await gateway.confirm(intent.id, pm);

        expect(declined).toMatchObject({
          status: 'requires_payment_method',
          lastPaymentError: { type: 'card_error', code, declineCode },
          riskLevel: risk,
          amountReceived: EUR(0),
        });
        expect((await received()).map((e) => e.type)).toEqual(['payment_intent.payment_failed']);
      },
    );

    it('lets the shopper retry with another card after a decline', async () => {
      const intent = await create();
      await gateway.confirm(intent.id, 'pm_card_chargeDeclined');

      const retried = await gateway.confirm(intent.id, 'pm_card_visa');

      expect(retried.status).toBe('succeeded');
      expect(retried).not.toHaveProperty('lastPaymentError');
    });

    it('pm_card_riskLevelElevated succeeds with an elevated risk level', async () => {
      const intent = await create('manual');

      expect(await gateway.confirm(intent.id, 'pm_card_riskLevelElevated')).toMatchObject({
        status: 'requires_capture',
        riskLevel: 'elevated',
      });
    });

    it('gives aliases of one card the same fingerprint and different cards different ones', async () => {
      const a = await gateway.confirm((await create()).id, 'pm_card_chargeDeclined');
      const b = await gateway.confirm((await create()).id, 'pm_card_visa_chargeDeclined');
      const c = await gateway.confirm((await create()).id, 'pm_card_visa');

      expect(a.paymentFingerprint).toBe(b.paymentFingerprint);
      expect(c.paymentFingerprint).not.toBe(a.paymentFingerprint);
    });

    it('refuses a PaymentMethod it does not simulate, listing the ones it does', async () => {
      const intent = await create();

      await expect(gateway.confirm(intent.id, 'pm_card_unheardOf')).rejects.toBeInstanceOf(
        UnknownTestPaymentMethodError,
      );
    });
  });

  describe('3D Secure', () => {
    it('pm_card_threeDSecureRequired stops at requires_action, then succeeds once authenticated', async () => {
      const intent = await create('manual');

      const challenged = await gateway.confirm(intent.id, 'pm_card_threeDSecureRequired');
      expect(challenged).toMatchObject({ status: 'requires_action', nextActionType: 'use_stripe_sdk' });

      const authenticated = await gateway.completeAction(intent.id, 'success');
      expect(authenticated.status).toBe('requires_capture');
      expect((await received()).map((e) => e.type)).toEqual(['payment_intent.amount_capturable_updated']);
    });

    it('a failed challenge returns the intent to requires_payment_method', async () => {
      const intent = await create();
      await gateway.confirm(intent.id, 'pm_card_threeDSecure2Required');

      const failed = await gateway.completeAction(intent.id, 'failure');

      expect(failed).toMatchObject({
        status: 'requires_payment_method',
        lastPaymentError: { code: 'payment_intent_authentication_failure' },
      });
      expect((await received()).map((e) => e.type)).toEqual(['payment_intent.payment_failed']);
    });

    it('pm_card_threeDSecureRequiredChargeDeclined is declined after a passed challenge', async () => {
      const intent = await create();
      await gateway.confirm(intent.id, 'pm_card_threeDSecureRequiredChargeDeclined');

      expect(await gateway.completeAction(intent.id, 'success')).toMatchObject({
        status: 'requires_payment_method',
        lastPaymentError: { code: 'card_declined' },
      });
    });

    it('challenges a card that supports 3DS when the intent requested it', async () => {
      const requested = await create('manual', { require3ds: true });
      const notSupported = await create('manual', { require3ds: true });

      expect((await gateway.confirm(requested.id, 'pm_card_visa')).status).toBe('requires_action');
      expect((await gateway.confirm(notSupported.id, 'pm_card_amex_threeDSecureNotSupported')).status).toBe(
        'requires_capture',
      );
    });

    it('refuses to complete an action that is not pending', async () => {
      const intent = await create();

      await expect(gateway.completeAction(intent.id, 'success')).rejects.toBeInstanceOf(
        PaymentIntentStateError,
      );
    });
  });

  describe('expired authorizations', () => {
    it('cancels holds past capture_before with reason automatic and emits charge.expired and payment_intent.canceled', async () => {
      const expiring = await create('manual');
      await gateway.confirm(expiring.id, 'pm_card_visa');
      clock.advance(DAY_MS);
      const younger = await create('manual');
      await gateway.confirm(younger.id, 'pm_card_visa');
      await received();
      deliveries.length = 0;

      clock.advance(6 * DAY_MS);
      const lapsed = await gateway.expireAuthorizations();

      expect(lapsed).toEqual([expiring.id]);
      expect(await gateway.retrieve(expiring.id)).toMatchObject({
        status: 'canceled',
        cancellationReason: 'automatic',
        amountCapturable: EUR(0),
      });
      expect((await gateway.retrieve(younger.id)).status).toBe('requires_capture');
      expect((await received()).map((e) => [e.type, e.authorizationExpired])).toEqual([
        ['charge.expired', true],
        ['payment_intent.canceled', true],
      ]);
    });

    it('fails a capture after the deadline loudly, even before the sweep ran', async () => {
      const intent = await create('manual');
      await gateway.confirm(intent.id, 'pm_card_visa');
      clock.advance(7 * DAY_MS);

      await expect(
        gateway.capture(intent.id, { idempotencyKey: idempotencyKeyFor('order.capture', 'ord-late') }),
      ).rejects.toBeInstanceOf(PaymentIntentStateError);
      expect((await gateway.retrieve(intent.id)).cancellationReason).toBe('automatic');
    });

    it('honours an injected authorization window', async () => {
      gateway = new LocalPaymentGateway({ clock, authorizationWindowMs: 4 * DAY_MS + 18 * 60 * 60 * 1000 });
      const intent = await create('manual');

      const held = await gateway.confirm(intent.id, 'pm_card_visa');

      expect(Date.parse(held.captureBefore ?? '') - clock.now().getTime()).toBe(
        4 * DAY_MS + 18 * 60 * 60 * 1000,
      );
    });
  });

  describe('idempotency', () => {
    it('replays the stored response for the same key and parameters, even after the intent moved on', async () => {
      const input = {
        amount: EUR(245_000),
        captureMethod: 'automatic' as const,
        metadata: { checkoutId: 'chk-r' },
        idempotencyKey: 'checkout:chk-r:pi-create',
      };
      const first = await gateway.createPaymentIntent(input);
      await gateway.confirm(first.id, 'pm_card_visa');

      const replay = await gateway.createPaymentIntent(input);

      // Stripe stores the first response: a replay reports the intent as it was then.
      expect(replay).toEqual(first);
      expect((await gateway.retrieve(first.id)).status).toBe('succeeded');
    });

    it('forgets keys after 24 hours, as Stripe may', async () => {
      const input = {
        amount: EUR(245_000),
        captureMethod: 'automatic' as const,
        metadata: { checkoutId: 'chk-old' },
        idempotencyKey: 'checkout:chk-old:pi-create',
      };
      const first = await gateway.createPaymentIntent(input);
      clock.advance(DAY_MS);

      const later = await gateway.createPaymentIntent(input);

      expect(later.id).not.toBe(first.id);
    });

    it('replays a stored error too', async () => {
      const intent = await create();
      const key = idempotencyKeyFor('order.capture', 'ord-early');
      await expect(gateway.capture(intent.id, { idempotencyKey: key })).rejects.toBeInstanceOf(
        PaymentIntentStateError,
      );

      await expect(gateway.capture(intent.id, { idempotencyKey: key })).rejects.toBeInstanceOf(
        PaymentIntentStateError,
      );
    });
  });

  describe('webhooks', () => {
    it('posts Stripe-shaped events, pretty-printed and signed so stripe-node accepts them', async () => {
      vi.useFakeTimers({ now: clock.now() });
      try {
        const intent = await create();
        await gateway.confirm(intent.id, 'pm_card_visa');
        await gateway.deliverPending();

        const [delivery] = deliveries;
        expect(delivery?.body).toContain('\n  "id": "evt_');
        const event = new Stripe('sk_test_unused').webhooks.constructEvent(
          delivery?.body ?? '',
          delivery?.header ?? '',
          SECRET,
        );
        expect(event).toMatchObject({
          object: 'event',
          type: 'payment_intent.succeeded',
          livemode: false,
          api_version: SIMULATED_STRIPE_API_VERSION,
          created: Math.floor(clock.now().getTime() / 1000),
          data: {
            object: {
              id: intent.id,
              object: 'payment_intent',
              status: 'succeeded',
              latest_charge: expect.any(String),
            },
          },
          request: { idempotency_key: null },
        });
      } finally {
        vi.useRealTimers();
      }
    });

    it('follows the version stripe-node pins', () => {
      expect(SIMULATED_STRIPE_API_VERSION).toBe(Stripe.API_VERSION);
    });

    it('records the idempotency key of the request that caused an event', async () => {
      const intent = await create('manual');
      await gateway.confirm(intent.id, 'pm_card_visa');
      await gateway.capture(intent.id, { idempotencyKey: 'order:ord-1:capture' });
      await gateway.deliverPending();

      const captured = JSON.parse(deliveries.at(-1)?.body ?? '{}');
      expect(captured).toMatchObject({
        type: 'payment_intent.succeeded',
        request: { idempotency_key: 'order:ord-1:capture' },
      });
    });

    it('delivers only the subscribed event types, or all of them with "*"', async () => {
      gateway = build({ enabledEvents: '*' });
      const intent = await create();
      await gateway.confirm(intent.id, 'pm_card_visa');
      await gateway.deliverPending();

      expect(deliveries.map((d) => JSON.parse(d.body).type)).toEqual([
        'payment_intent.created',
        'charge.succeeded',
        'payment_intent.succeeded',
      ]);
    });

    it('delivers each event N times and shuffled when asked, reproducibly from a seed', async () => {
      const run = async (seed: number) => {
        deliveries = [];
        gateway = build({ copies: 3, shuffle: true, random: seededRandom(seed) });
        const intent = await create('manual');
        await gateway.confirm(intent.id, 'pm_card_visa');
        await gateway.capture(intent.id, { idempotencyKey: 'order:o:capture' });
        await gateway.refund(intent.id, { amount: EUR(1_000), idempotencyKey: 'order:o:refund:r1' });
        await gateway.deliverPending();
        return deliveries.map((d) => JSON.parse(d.body) as { id: string; type: string });
      };

      const first = await run(7);
      const again = await run(7);

      expect(first).toHaveLength(9);
      const ids = new Set(first.map((e) => e.id));
      expect(ids.size).toBe(3);
      for (const id of ids) expect(first.filter((e) => e.id === id)).toHaveLength(3);
      const inOrder = [
        'payment_intent.amount_capturable_updated',
        'payment_intent.succeeded',
        'charge.refunded',
      ].flatMap((type) => [type, type, type]);
      expect(first.map((e) => e.type)).not.toEqual(inOrder);
      expect(again.map((e) => e.type)).toEqual(first.map((e) => e.type));
    });

    it('retries a failed delivery with a fresh signature, then sets it aside', async () => {
      let attempts = 0;
      const headers: string[] = [];
      gateway = build({
        maxAttempts: 2,
        deliver: async (_body, header) => {
          attempts++;
          headers.push(header);
          throw new Error('endpoint down');
        },
      });
      const intent = await create();
      await gateway.confirm(intent.id, 'pm_card_visa');

      expect(await gateway.deliverPending()).toEqual({ delivered: 0, failed: 1 });
      clock.advance(60_000);
      await gateway.webhooksIdle();

      expect(attempts).toBe(2);
      expect(headers[0]).not.toBe(headers[1]);
      expect(gateway.webhooks?.undelivered).toHaveLength(1);
    });

    describe('automatic delivery', () => {
      afterEach(() => {
        vi.useRealTimers();
      });

      it('delivers on the next turn of the event loop, after the API call returned', async () => {
        vi.useFakeTimers({ now: clock.now() });
        gateway = build({ autoDeliver: true });
        const intent = await create();
        await gateway.confirm(intent.id, 'pm_card_visa');
        expect(deliveries).toHaveLength(0);

        await vi.advanceTimersByTimeAsync(0);
        await gateway.webhooksIdle();

        expect(deliveries).toHaveLength(1);
      });
    });
  });
});
