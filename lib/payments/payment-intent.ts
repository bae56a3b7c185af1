import { z } from 'zod';
import { Money } from '../money/currency.ts';

/** A PaymentIntent's status, in Stripe's own vocabulary. */
export const PaymentIntentStatus = z.enum([
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'processing',
  'requires_capture',
  'canceled',
  'succeeded',
]);
export type PaymentIntentStatus = z.infer<typeof PaymentIntentStatus>;

/**
 * The status changes Stripe's PaymentIntent lifecycle allows. `succeeded` and `canceled` are final;
 * refunds do not change the status. The local gateway asserts every change against this table and the
 * property tests check it.
 */
export const PAYMENT_INTENT_TRANSITIONS: Readonly<
  Record<PaymentIntentStatus, readonly PaymentIntentStatus[]>
> = {
  requires_payment_method: [
    'requires_payment_method',
    'requires_confirmation',
    'requires_action',
    'processing',
    'requires_capture',
    'succeeded',
    'canceled',
  ],
  requires_confirmation: [
    'requires_payment_method',
    'requires_action',
    'processing',
    'requires_capture',
    'succeeded',
    'canceled',
  ],
  requires_action: ['requires_payment_method', 'processing', 'requires_capture', 'succeeded', 'canceled'],
  processing: ['requires_payment_method', 'requires_capture', 'succeeded', 'canceled'],
  requires_capture: ['succeeded', 'canceled'],
  succeeded: [],
  canceled: [],
};

/** Whether Stripe's lifecycle allows a PaymentIntent to move from one status to another. */
export function isAllowedTransition(from: PaymentIntentStatus, to: PaymentIntentStatus): boolean {
  return from === to || PAYMENT_INTENT_TRANSITIONS[from].includes(to);
}

/**
 * How funds are captured. `automatic` is sent to Stripe as `automatic_async` (Stripe's default since
 * API 2024-04-10 and its recommendation: same outcome, lower confirmation latency); `manual` places a
 * hold that must be captured before `captureBefore`.
 */
export const CaptureMethod = z.enum(['automatic', 'manual']);
export type CaptureMethod = z.infer<typeof CaptureMethod>;

/** Reasons a merchant may give when cancelling (Stripe's user-provided `cancellation_reason` values). */
export const CancellationReason = z.enum(['abandoned', 'duplicate', 'fraudulent', 'requested_by_customer']);
export type CancellationReason = z.infer<typeof CancellationReason>;

/** Reasons a merchant may give for a refund (Stripe's `reason` values). */
export const RefundReason = z.enum(['duplicate', 'fraudulent', 'requested_by_customer']);
export type RefundReason = z.infer<typeof RefundReason>;

/** Radar's assessment of the latest charge (`outcome.risk_level`). */
export const RiskLevel = z.enum(['normal', 'elevated', 'highest', 'not_assessed', 'unknown']);
export type RiskLevel = z.infer<typeof RiskLevel>;

/**
 * Metadata sent with every intent so a payment can always be traced to its checkout and order, from the
 * Stripe Dashboard and from webhooks. Stripe allows 50 keys, keys up to 40 characters, values up to 500;
 * never put personal or card data here.
 */
export const PaymentMetadata = z
  .object({
    checkoutId: z.string().min(1).max(500),
    orderId: z.string().min(1).max(500).optional(),
  })
  .catchall(z.string().max(500))
  .refine((m) => Object.keys(m).length <= 50, 'Stripe allows at most 50 metadata keys')
  .refine(
    (m) => Object.keys(m).every((k) => k.length > 0 && k.length <= 40 && !/[[\]]/.test(k)),
    'metadata keys are 1-40 characters without square brackets',
  );
export type PaymentMetadata = z.infer<typeof PaymentMetadata>;

/** Why the last confirmation attempt failed (declines, failed 3DS); cleared on the next success. */
export const LastPaymentError = z.strictObject({
  type: z.string(),
  code: z.string().optional(),
  declineCode: z.string().optional(),
  message: z.string().optional(),
});
export type LastPaymentError = z.infer<typeof LastPaymentError>;

/**
 * A PaymentIntent as the platform sees it, whichever gateway produced it. Amounts are Money in minor
 * units of the intent's currency. `amountRefunded` counts refunds of captured funds only (not the part of
 * an authorization released by a partial capture or a cancellation).
 */
export const PaymentIntentView = z.strictObject({
  id: z.string().min(1),
  status: PaymentIntentStatus,
  amount: Money,
  amountCapturable: Money,
  amountReceived: Money,
  amountRefunded: Money,
  captureMethod: CaptureMethod,
  /** Handed to the storefront for Stripe Elements; it authorizes confirming this one intent only. */
  clientSecret: z.string().optional(),
  /** When a manual-capture authorization lapses (the charge's `payment_method_details.card.capture_before`). */
  captureBefore: z.iso.datetime().optional(),
  lastPaymentError: LastPaymentError.optional(),
  /** Set once the intent is canceled: one of the merchant's reasons, or `automatic` for an expired hold. */
  cancellationReason: z.string().optional(),
  /** What the shopper must do next while `requires_action` (e.g. `use_stripe_sdk` for a 3DS challenge). */
  nextActionType: z.string().optional(),
  metadata: z.record(z.string(), z.string()),
  /** The card's fingerprint: the same card has the same value across customers (fraud and returns checks). */
  paymentFingerprint: z.string().optional(),
  riskLevel: RiskLevel.optional(),
  createdAt: z.iso.datetime(),
});
export type PaymentIntentView = z.infer<typeof PaymentIntentView>;

/** A refund's status, in Stripe's vocabulary. Card refunds are normally `succeeded` at once. */
export const RefundStatus = z.enum(['pending', 'requires_action', 'succeeded', 'failed', 'canceled']);
export type RefundStatus = z.infer<typeof RefundStatus>;

/** A refund and the intent it was taken from, as it stood right after the refund. */
export const RefundView = z.strictObject({
  id: z.string().min(1),
  status: RefundStatus,
  amount: Money,
  paymentIntent: PaymentIntentView,
});
export type RefundView = z.infer<typeof RefundView>;
