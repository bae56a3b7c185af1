import { z } from 'zod';
import type { DomainError } from '../errors.ts';
import {
  IdempotencyKeyInUseError,
  IdempotencyKeyReusedError,
  PaymentAmountError,
  PaymentDeclinedError,
  PaymentIntentNotFoundError,
  PaymentIntentStateError,
  PaymentProviderError,
  PaymentRequestRejectedError,
} from './errors.ts';
import {
  type LastPaymentError,
  PaymentIntentStatus,
  type PaymentIntentView,
  RefundStatus,
  type RefundView,
  RiskLevel,
} from './payment-intent.ts';
import { fromStripeAmount } from './stripe-amount.ts';

// Stripe's wire objects, typed on the fields the platform reads and loose on the rest: Stripe adds fields
// without a new API version, and a new field must never fail a webhook or a response.

const int = z.number().int();

/** A Stripe Charge: the authorization and capture of one payment attempt. */
export const StripeChargeObject = z.looseObject({
  id: z.string(),
  object: z.literal('charge'),
  amount: int.nonnegative(),
  amount_captured: int.nonnegative(),
  amount_refunded: int.nonnegative(),
  captured: z.boolean(),
  refunded: z.boolean(),
  currency: z.string(),
  status: z.string(),
  created: int,
  payment_intent: z
    .union([z.string(), z.looseObject({ id: z.string() })])
    .nullable()
    .optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  outcome: z
    .looseObject({ risk_level: z.string().optional(), type: z.string().optional() })
    .nullable()
    .optional(),
  payment_method_details: z
    .looseObject({
      card: z
        .looseObject({
          capture_before: int.optional(),
          fingerprint: z.string().nullable().optional(),
        })
        .nullable()
        .optional(),
    })
    .nullable()
    .optional(),
});
export type StripeChargeObject = z.infer<typeof StripeChargeObject>;

/** A Stripe PaymentIntent; `latest_charge` is an id unless expanded. */
export const StripePaymentIntentObject = z.looseObject({
  id: z.string(),
  object: z.literal('payment_intent'),
  amount: int.nonnegative(),
  amount_capturable: int.nonnegative(),
  amount_received: int.nonnegative(),
  currency: z.string(),
  status: z.string(),
  capture_method: z.string(),
  created: int,
  client_secret: z.string().nullable().optional(),
  cancellation_reason: z.string().nullable().optional(),
  last_payment_error: z
    .looseObject({
      type: z.string(),
      code: z.string().optional(),
      decline_code: z.string().optional(),
      message: z.string().optional(),
    })
    .nullable()
    .optional(),
  latest_charge: z.union([z.string(), StripeChargeObject]).nullable().optional(),
  metadata: z.record(z.string(), z.string()),
  next_action: z.looseObject({ type: z.string() }).nullable().optional(),
});
export type StripePaymentIntentObject = z.infer<typeof StripePaymentIntentObject>;

/** A Stripe Refund; `payment_intent` is an id unless expanded. */
export const StripeRefundObject = z.looseObject({
  id: z.string(),
  object: z.literal('refund'),
  amount: int.nonnegative(),
  currency: z.string(),
  status: z.string().nullable(),
  payment_intent: z.union([z.string(), StripePaymentIntentObject]).nullable(),
});
export type StripeRefundObject = z.infer<typeof StripeRefundObject>;

/** The `error` member of a Stripe error response. */
export const StripeErrorBody = z.looseObject({
  type: z.string(),
  code: z.string().optional(),
  decline_code: z.string().optional(),
  message: z.string().optional(),
  param: z.string().optional(),
});
export type StripeErrorBody = z.infer<typeof StripeErrorBody>;

const isoFromUnix = (seconds: number) => new Date(seconds * 1000).toISOString();

/**
 * Refunds of captured funds. Stripe counts the part of an authorization released by a partial capture
 * (and a whole cancelled hold) in `amount_refunded` too; that money was never taken, so it is not a
 * refund to the platform.
 */
function refundedOfCaptured(charge: StripeChargeObject): number {
  if (!charge.captured) return 0;
  const released = charge.amount - charge.amount_captured;
  return Math.max(0, charge.amount_refunded - released);
}

function lastPaymentErrorOf(pi: StripePaymentIntentObject): LastPaymentError | undefined {
  const e = pi.last_payment_error;
  if (!e) return undefined;
  return {
    type: e.type,
    ...(e.code ? { code: e.code } : {}),
    ...(e.decline_code ? { declineCode: e.decline_code } : {}),
    ...(e.message ? { message: e.message } : {}),
  };
}

/**
 * Normalizes a Stripe PaymentIntent. `captureBefore`, the fingerprint and the risk level come from the
 * latest charge, so they are present only when `latest_charge` was expanded (the gateways always expand
 * it; webhook payloads never do).
 */
export function toPaymentIntentView(raw: unknown): PaymentIntentView {
  const pi = StripePaymentIntentObject.parse(raw);
  const money = (amount: number) => fromStripeAmount(amount, pi.currency);
  const charge =
    typeof pi.latest_charge === 'object' && pi.latest_charge !== null ? pi.latest_charge : undefined;
  const card = charge?.payment_method_details?.card ?? undefined;
  const status = PaymentIntentStatus.parse(pi.status);
  const risk = RiskLevel.safeParse(charge?.outcome?.risk_level);
  const lastPaymentError = lastPaymentErrorOf(pi);
  return {
    id: pi.id,
    status,
    amount: money(pi.amount),
    amountCapturable: money(pi.amount_capturable),
    amountReceived: money(pi.amount_received),
    amountRefunded: money(charge ? refundedOfCaptured(charge) : 0),
    captureMethod: pi.capture_method === 'manual' ? 'manual' : 'automatic',
    ...(pi.client_secret ? { clientSecret: pi.client_secret } : {}),
    ...(status === 'requires_capture' && card?.capture_before !== undefined
      ? { captureBefore: isoFromUnix(card.capture_before) }
      : {}),
    ...(lastPaymentError ? { lastPaymentError } : {}),
    ...(pi.cancellation_reason ? { cancellationReason: pi.cancellation_reason } : {}),
    ...(status === 'requires_action' && pi.next_action ? { nextActionType: pi.next_action.type } : {}),
    metadata: { ...pi.metadata },
    ...(card?.fingerprint ? { paymentFingerprint: card.fingerprint } : {}),
    ...(risk.success ? { riskLevel: risk.data } : {}),
    createdAt: isoFromUnix(pi.created),
  };
}

/** Normalizes a Stripe Refund created with `expand: ['payment_intent', 'payment_intent.latest_charge']`. */
export function toRefundView(raw: unknown): RefundView {
  const refund = StripeRefundObject.parse(raw);
  if (typeof refund.payment_intent !== 'object' || refund.payment_intent === null) {
    throw new TypeError('The refund must be read with its payment_intent expanded');
  }
  const status = RefundStatus.safeParse(refund.status);
  return {
    id: refund.id,
    status: status.success ? status.data : 'pending',
    amount: fromStripeAmount(refund.amount, refund.currency),
    paymentIntent: toPaymentIntentView(refund.payment_intent),
  };
}

/** What is known about a failed Stripe request: the HTTP status (none for a lost connection) and the error body. */
export interface StripeFailure {
  readonly statusCode?: number;
  readonly type?: string;
  readonly code?: string;
  readonly declineCode?: string;
  readonly message?: string;
  /** The request parameter the error is about, e.g. `payment_method` for an unknown PaymentMethod. */
  readonly param?: string;
  readonly paymentIntentId?: string;
}

const STATE_CODES = new Set([
  'payment_intent_unexpected_state',
  'charge_already_captured',
  'charge_already_refunded',
  'charge_expired_for_capture',
]);
const AMOUNT_CODES = new Set(['amount_too_large', 'amount_too_small', 'parameter_invalid_integer']);

/**
 * Maps a Stripe error to the platform's typed payment errors. Both gateways use it (the local one raises
 * Stripe-shaped errors), so callers see the same error for the same situation everywhere.
 */
export function paymentErrorFromStripe(failure: StripeFailure): DomainError {
  const { statusCode, type, code } = failure;
  const details = {
    ...(code ? { providerCode: code } : {}),
    ...(failure.paymentIntentId ? { paymentIntentId: failure.paymentIntentId } : {}),
  };
  if (statusCode === undefined) {
    return new PaymentProviderError('The payment provider could not be reached; the outcome is unknown', {
      retryable: true,
      outcomeUnknown: true,
    });
  }
  if (type === 'idempotency_error') {
    return new IdempotencyKeyReusedError(
      'An idempotency key was reused with different parameters; this is an integration bug',
      details,
    );
  }
  if (code === 'idempotency_key_in_use' || statusCode === 409) {
    return new IdempotencyKeyInUseError(
      'A request with the same idempotency key is still in progress',
      details,
    );
  }
  if (statusCode === 429 || code === 'rate_limit') {
    return new PaymentProviderError('The payment provider is throttling requests', {
      retryable: true,
      outcomeUnknown: false,
    });
  }
  if (statusCode === 401 || statusCode === 403) {
    return new PaymentProviderError('The payment provider refused the platform credentials', {
      retryable: false,
      outcomeUnknown: false,
    });
  }
  if (statusCode >= 500) {
    return new PaymentProviderError('The payment provider failed; the outcome is unknown', {
      retryable: true,
      outcomeUnknown: true,
    });
  }
  if (type === 'card_error') {
    return new PaymentDeclinedError(failure.message ?? 'The card was declined', {
      ...details,
      ...(failure.declineCode ? { declineCode: failure.declineCode } : {}),
    });
  }
  if (
    statusCode === 404 ||
    (code === 'resource_missing' && [undefined, 'intent', 'payment_intent'].includes(failure.param))
  ) {
    return new PaymentIntentNotFoundError('No such payment intent', details);
  }
  if (code && STATE_CODES.has(code)) {
    return new PaymentIntentStateError(
      failure.message ?? 'The payment intent is not in a state that allows this',
      details,
    );
  }
  if (code && AMOUNT_CODES.has(code)) {
    return new PaymentAmountError(failure.message ?? 'The amount is not accepted', details);
  }
  return new PaymentRequestRejectedError('The payment provider rejected the request', details);
}
