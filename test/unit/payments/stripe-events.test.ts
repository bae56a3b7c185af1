import { beforeEach, describe, expect, it } from 'vitest';
import { type StripeJson, StripeSimulator } from '../../../lib/adapters/local-payments/stripe-simulator.ts';
import { WebhookPayloadError } from '../../../lib/payments/errors.ts';
import { PaymentEvent, parseStripeEvent, toPaymentEvent } from '../../../lib/payments/stripe-events.ts';
import { StripeEventEnvelope } from '../../../lib/payments/webhook-signature.ts';
import { FixedClock } from '../../support/fakes.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('parseStripeEvent and toPaymentEvent', () => {
  let clock: FixedClock;
  let events: StripeJson[];
  let stripe: StripeSimulator;

  beforeEach(() => {
    clock = new FixedClock();
    events = [];
    stripe = new StripeSimulator({ clock, onEvent: (e) => events.push(e) });
  });

  const create = (capture_method: 'manual' | 'automatic_async', amount = 245_000, currency = 'eur') =>
    stripe.createPaymentIntent(
      { amount, currency, capture_method, metadata: { checkoutId: 'chk-1', orderId: 'ord-1' } },
      { idempotencyKey: `k-${Math.random()}` },
    ).id as string;
  const confirm = (id: string, payment_method: string) => {
    try {
      stripe.confirmPaymentIntent(id, { payment_method });
    } catch {
      // declines answer 402; the event is what matters here
    }
  };
  // Round-trips through JSON, as a delivered webhook does.
  const delivered = (type: string) => {
    const event = events.filter((e) => e.type === type).at(-1);
    if (!event) throw new Error(`no ${type} event`);
    return StripeEventEnvelope.parse(JSON.parse(JSON.stringify(event)));
  };
  const normalized = (type: string) => {
    const parsed = parseStripeEvent(delivered(type));
    if (!parsed) throw new Error(`${type} was not handled`);
    return PaymentEvent.parse(toPaymentEvent(parsed));
  };

  it('reads payment_intent.succeeded with ids, amounts and the event time', () => {
    const id = create('automatic_async');
    clock.advance(5_000);
    confirm(id, 'pm_card_visa');

    expect(normalized('payment_intent.succeeded')).toEqual({
      eventId: expect.stringMatching(/^evt_/),
      type: 'payment_intent.succeeded',
      paymentIntentId: id,
      chargeId: expect.stringMatching(/^ch_/),
      status: 'succeeded',
      amount: { amount: 245_000, currency: 'EUR' },
      amountCapturable: { amount: 0, currency: 'EUR' },
      amountReceived: { amount: 245_000, currency: 'EUR' },
      authorizationExpired: false,
      checkoutId: 'chk-1',
      orderId: 'ord-1',
      metadata: { checkoutId: 'chk-1', orderId: 'ord-1' },
      occurredAt: '2026-03-01T10:00:05.000Z',
      livemode: false,
    });
  });

  it('reads payment_intent.amount_capturable_updated as a hold', () => {
    const id = create('manual', 368_000, 'jpy');
    confirm(id, 'pm_card_visa');

    expect(normalized('payment_intent.amount_capturable_updated')).toMatchObject({
      status: 'requires_capture',
      amountCapturable: { amount: 368_000, currency: 'JPY' },
    });
  });

  it('reads payment_intent.payment_failed with the decline', () => {
    const id = create('automatic_async');
    confirm(id, 'pm_card_chargeDeclinedInsufficientFunds');

    expect(normalized('payment_intent.payment_failed')).toMatchObject({
      paymentIntentId: id,
      status: 'requires_payment_method',
      lastPaymentError: { type: 'card_error', code: 'card_declined', declineCode: 'insufficient_funds' },
    });
  });

  it('reads payment_intent.canceled, telling an expired hold from a merchant cancel', () => {
    const expiring = create('manual');
    confirm(expiring, 'pm_card_visa');
    clock.advance(7 * DAY_MS);
    stripe.expireAuthorizations();

    expect(normalized('charge.expired')).toMatchObject({
      paymentIntentId: expiring,
      status: 'canceled',
      authorizationExpired: true,
    });
    expect(normalized('payment_intent.canceled')).toMatchObject({
      paymentIntentId: expiring,
      status: 'canceled',
      cancellationReason: 'automatic',
      authorizationExpired: true,
    });

    const cancelled = create('manual');
    stripe.cancelPaymentIntent(cancelled, { cancellation_reason: 'requested_by_customer' });
    expect(normalized('payment_intent.canceled')).toMatchObject({
      cancellationReason: 'requested_by_customer',
      authorizationExpired: false,
    });
  });

  it('reads charge.refunded as a partial or a full refund of captured funds', () => {
    const id = create('manual');
    confirm(id, 'pm_card_visa');
    stripe.capturePaymentIntent(id, { amount_to_capture: 200_000 });

    stripe.createRefund({ payment_intent: id, amount: 50_000 });
    expect(normalized('charge.refunded')).toMatchObject({
      paymentIntentId: id,
      status: 'partially_refunded',
      amountReceived: { amount: 200_000, currency: 'EUR' },
      amountRefunded: { amount: 50_000, currency: 'EUR' },
    });

    stripe.createRefund({ payment_intent: id });
    expect(normalized('charge.refunded')).toMatchObject({
      status: 'refunded',
      amountRefunded: { amount: 200_000, currency: 'EUR' },
    });
  });

  it('reads a refund of an uncaptured charge as a released hold', () => {
    const id = create('manual');
    confirm(id, 'pm_card_visa');
    const charge = structuredClone(delivered('payment_intent.amount_capturable_updated'));
    const refunded = {
      ...charge,
      id: 'evt_released',
      type: 'charge.refunded',
      data: {
        object: {
          ...(stripe.retrievePaymentIntent(id, { expand: ['latest_charge'] }).latest_charge as StripeJson),
          amount_refunded: 245_000,
          refunded: true,
        },
      },
    };

    const parsed = parseStripeEvent(StripeEventEnvelope.parse(refunded));
    expect(parsed && toPaymentEvent(parsed)).toMatchObject({
      status: 'canceled',
      authorizationExpired: false,
    });
  });

  it('returns undefined for event types the platform does not handle', () => {
    const id = create('automatic_async');
    confirm(id, 'pm_card_visa');

    expect(parseStripeEvent(delivered('payment_intent.created'))).toBeUndefined();
    expect(parseStripeEvent(delivered('charge.succeeded'))).toBeUndefined();
  });

  it('lets unknown fields through at every level', () => {
    const id = create('automatic_async');
    confirm(id, 'pm_card_visa');
    const event = delivered('payment_intent.succeeded') as StripeJson & { data: { object: StripeJson } };
    event.brand_new_top_level = { anything: true };
    event.data.object.brand_new_field = 'x';

    const parsed = parseStripeEvent(StripeEventEnvelope.parse(event));

    expect(parsed?.type).toBe('payment_intent.succeeded');
    expect(parsed?.data.object).toMatchObject({ brand_new_field: 'x' });
  });

  it('rejects a handled event whose fields we read are missing or mistyped', () => {
    const id = create('automatic_async');
    confirm(id, 'pm_card_visa');
    const event = delivered('payment_intent.succeeded') as StripeJson & { data: { object: StripeJson } };
    event.data.object.amount = '245000';

    expect(() => parseStripeEvent(StripeEventEnvelope.parse(event))).toThrow(WebhookPayloadError);
  });
});
