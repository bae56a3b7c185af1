import { z } from 'zod';
import { Money } from '../money/currency.ts';
import { WebhookPayloadError } from './errors.ts';
import { LastPaymentError, PaymentIntentStatus } from './payment-intent.ts';
import { PaymentState } from './payment-state.ts';
import { fromStripeAmount } from './stripe-amount.ts';
import { StripeChargeObject, StripePaymentIntentObject } from './stripe-objects.ts';
import type { StripeEventEnvelope } from './webhook-signature.ts';

/** The Stripe event types the platform acts on; the webhook acknowledges every other type unread. */
export const HANDLED_STRIPE_EVENT_TYPES = [
  'payment_intent.succeeded',
  'payment_intent.amount_capturable_updated',
  'payment_intent.payment_failed',
  'payment_intent.canceled',
  'charge.refunded',
  'charge.expired',
] as const;
/** One of HANDLED_STRIPE_EVENT_TYPES. */
export const HandledStripeEventType = z.enum(HANDLED_STRIPE_EVENT_TYPES);
export type HandledStripeEventType = z.infer<typeof HandledStripeEventType>;

const eventBase = {
  id: z.string().startsWith('evt_'),
  object: z.literal('event'),
  created: z.number().int(),
  livemode: z.boolean(),
  api_version: z.string().nullable().optional(),
};

const paymentIntentEvent = <T extends HandledStripeEventType>(type: T) =>
  z.looseObject({
    ...eventBase,
    type: z.literal(type),
    data: z.looseObject({ object: StripePaymentIntentObject.extend({ status: PaymentIntentStatus }) }),
  });

const chargeEvent = <T extends HandledStripeEventType>(type: T) =>
  z.looseObject({
    ...eventBase,
    type: z.literal(type),
    // A charge without an intent (legacy Charges API) is not one of ours.
    data: z.looseObject({ object: StripeChargeObject.extend({ payment_intent: z.string() }) }),
  });

/**
 * The Stripe events the platform handles, typed on the fields it reads. Unknown keys pass through at
 * every level: Stripe adds fields without notice.
 */
export const HandledStripeEvent = z.discriminatedUnion('type', [
  paymentIntentEvent('payment_intent.succeeded'),
  paymentIntentEvent('payment_intent.amount_capturable_updated'),
  paymentIntentEvent('payment_intent.payment_failed'),
  paymentIntentEvent('payment_intent.canceled'),
  chargeEvent('charge.refunded'),
  chargeEvent('charge.expired'),
]);
export type HandledStripeEvent = z.infer<typeof HandledStripeEvent>;

/**
 * What a handled Stripe event means for a payment, in the platform's terms. `status` feeds the
 * forward-only ranking (`shouldAdvancePaymentState`); `eventId` is the dedupe key.
 */
export const PaymentEvent = z.strictObject({
  eventId: z.string(),
  type: HandledStripeEventType,
  paymentIntentId: z.string(),
  chargeId: z.string().optional(),
  status: PaymentState,
  amount: Money,
  amountCapturable: Money.optional(),
  amountReceived: Money.optional(),
  /** Refunds of captured funds, after a `charge.refunded`. */
  amountRefunded: Money.optional(),
  /** A manual-capture hold lapsed (`charge.expired`, or a cancel with reason `automatic`). */
  authorizationExpired: z.boolean(),
  cancellationReason: z.string().optional(),
  lastPaymentError: LastPaymentError.optional(),
  checkoutId: z.string().optional(),
  orderId: z.string().optional(),
  metadata: z.record(z.string(), z.string()),
  /** When Stripe created the event (`created`): the ordering key, not the delivery time. */
  occurredAt: z.iso.datetime(),
  livemode: z.boolean(),
});
export type PaymentEvent = z.infer<typeof PaymentEvent>;

/**
 * Reads a verified event envelope: the typed event when the platform handles its type, `undefined`
 * otherwise (acknowledge it and move on). A handled type whose payload does not fit the schema throws
 * WebhookPayloadError, so Stripe keeps retrying while someone looks.
 */
export function parseStripeEvent(envelope: StripeEventEnvelope): HandledStripeEvent | undefined {
  if (!HandledStripeEventType.safeParse(envelope.type).success) return undefined;
  const parsed = HandledStripeEvent.safeParse(envelope);
  if (!parsed.success) {
    throw new WebhookPayloadError(`The ${envelope.type} event does not have the expected shape`, {
      eventId: envelope.id,
      issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`),
    });
  }
  return parsed.data;
}

function idsOf(metadata: Record<string, string> | undefined) {
  return {
    ...(metadata?.checkoutId ? { checkoutId: metadata.checkoutId } : {}),
    ...(metadata?.orderId ? { orderId: metadata.orderId } : {}),
    metadata: { ...metadata },
  };
}

/** Normalizes a handled Stripe event to a PaymentEvent. */
export function toPaymentEvent(event: HandledStripeEvent): PaymentEvent {
  const base = {
    eventId: event.id,
    type: event.type,
    occurredAt: new Date(event.created * 1000).toISOString(),
    livemode: event.livemode,
  };
  if (event.type === 'charge.refunded' || event.type === 'charge.expired') {
    const charge = event.data.object;
    const money = (amount: number) => fromStripeAmount(amount, charge.currency);
    const expired = event.type === 'charge.expired';
    // An uncaptured charge "refunded" is a released hold: the payment is cancelled, not refunded.
    const released = expired || !charge.captured;
    const refundedOfCaptured = charge.captured
      ? Math.max(0, charge.amount_refunded - (charge.amount - charge.amount_captured))
      : 0;
    return {
      ...base,
      paymentIntentId: charge.payment_intent,
      chargeId: charge.id,
      status: released
        ? 'canceled'
        : charge.refunded
          ? 'refunded'
          : // A partial capture also "refunds" the released remainder; with nothing refunded it is still paid.
            refundedOfCaptured > 0
            ? 'partially_refunded'
            : 'succeeded',
      amount: money(charge.amount),
      ...(released ? {} : { amountReceived: money(charge.amount_captured) }),
      ...(released ? {} : { amountRefunded: money(refundedOfCaptured) }),
      authorizationExpired: expired,
      ...idsOf(charge.metadata),
    };
  }
  const pi = event.data.object;
  const money = (amount: number) => fromStripeAmount(amount, pi.currency);
  const error = pi.last_payment_error;
  return {
    ...base,
    paymentIntentId: pi.id,
    ...(typeof pi.latest_charge === 'string' ? { chargeId: pi.latest_charge } : {}),
    status: pi.status,
    amount: money(pi.amount),
    amountCapturable: money(pi.amount_capturable),
    amountReceived: money(pi.amount_received),
    authorizationExpired: pi.status === 'canceled' && pi.cancellation_reason === 'automatic',
    ...(pi.cancellation_reason ? { cancellationReason: pi.cancellation_reason } : {}),
    ...(error
      ? {
          lastPaymentError: {
            type: error.type,
            ...(error.code ? { code: error.code } : {}),
            ...(error.decline_code ? { declineCode: error.decline_code } : {}),
            ...(error.message ? { message: error.message } : {}),
          },
        }
      : {}),
    ...idsOf(pi.metadata),
  };
}
