import { z } from 'zod';
import { Money } from '../money/currency.ts';
import {
  CancellationReason,
  CaptureMethod,
  type PaymentIntentView,
  PaymentMetadata,
  RefundReason,
  type RefundView,
} from './payment-intent.ts';

/**
 * An idempotency key naming one business operation (see `idempotencyKeyFor`). Stripe accepts up to
 * 255 characters.
 */
export const IdempotencyKey = z.string().min(1).max(255);

/** A new PaymentIntent for a checkout (or an order), in the amount and currency of its price list. */
export const CreatePaymentIntentInput = z.strictObject({
  amount: Money,
  captureMethod: CaptureMethod,
  /** Ask the issuer for 3D Secure whenever the card supports it (`request_three_d_secure: any`). */
  require3ds: z.boolean().optional(),
  metadata: PaymentMetadata,
  idempotencyKey: IdempotencyKey,
});
export type CreatePaymentIntentInput = z.infer<typeof CreatePaymentIntentInput>;

/** Capturing a held authorization. */
export const CaptureInput = z.strictObject({
  /** Less than the authorization to capture part of it (the rest is released); default: all of it. */
  amountToCapture: Money.optional(),
  idempotencyKey: IdempotencyKey,
});
export type CaptureInput = z.infer<typeof CaptureInput>;

/** Cancelling an intent that has not succeeded, releasing any hold. */
export const CancelInput = z.strictObject({
  reason: CancellationReason,
  idempotencyKey: IdempotencyKey,
});
export type CancelInput = z.infer<typeof CancelInput>;

/** Refunding captured funds. */
export const RefundInput = z.strictObject({
  /** Default: everything captured and not yet refunded. */
  amount: Money.optional(),
  reason: RefundReason.optional(),
  metadata: z.record(z.string(), z.string().max(500)).optional(),
  idempotencyKey: IdempotencyKey,
});
export type RefundInput = z.infer<typeof RefundInput>;

/**
 * Card payments through PaymentIntents: Stripe on AWS, an in-memory simulation of Stripe's state
 * machine locally; both pass test/adapters/payment-gateway.contract.ts. Confirmation is never done
 * here: the shopper confirms in the browser (Stripe Elements), so no card data reaches the platform.
 *
 * Every mutating call carries an idempotency key naming the business operation, so a retry after a
 * timeout returns the first outcome instead of charging twice. Errors are the typed ones in
 * `./errors.ts`: PaymentIntentNotFoundError, PaymentIntentStateError, PaymentAmountError,
 * IdempotencyKeyReusedError, IdempotencyKeyInUseError, PaymentDeclinedError, PaymentProviderError.
 */
export interface PaymentGateway {
  createPaymentIntent(input: CreatePaymentIntentInput): Promise<PaymentIntentView>;
  retrieve(paymentIntentId: string): Promise<PaymentIntentView>;
  /** Captures a `requires_capture` intent, in full or in part. */
  capture(paymentIntentId: string, input: CaptureInput): Promise<PaymentIntentView>;
  /** Cancels an intent that has not succeeded; a held authorization is released. */
  cancel(paymentIntentId: string, input: CancelInput): Promise<PaymentIntentView>;
  /** Refunds captured funds of a `succeeded` intent, in full or in part. */
  refund(paymentIntentId: string, input: RefundInput): Promise<RefundView>;
}
