import { ConflictError, DomainError, NotFoundError, UnprocessableError } from '../errors.ts';

/** The PaymentIntent does not exist at the provider (or belongs to another account or mode). */
export class PaymentIntentNotFoundError extends NotFoundError {}

/**
 * The operation is not allowed from the PaymentIntent's current status (Stripe's
 * `payment_intent_unexpected_state`), e.g. capturing an intent that is not `requires_capture`, or
 * cancelling one that already succeeded. Re-read the intent before deciding what to do next.
 */
export class PaymentIntentStateError extends ConflictError {
  override readonly code = 'PAYMENT_INTENT_UNEXPECTED_STATE';
}

/**
 * An idempotency key was reused with another endpoint or other parameters (Stripe's
 * `idempotency_error`). Always an integration bug, e.g. an amount that changed between retries:
 * alarm on it rather than minting a new key.
 */
export class IdempotencyKeyReusedError extends UnprocessableError {
  override readonly code = 'IDEMPOTENCY_KEY_REUSED';
}

/**
 * Another request with the same idempotency key is still executing. Nothing was saved for this one;
 * retry with backoff and the same key.
 */
export class IdempotencyKeyInUseError extends ConflictError {
  override readonly code = 'IDEMPOTENCY_KEY_IN_USE';
}

/**
 * The amount cannot be sent to or accepted by the provider: not representable in the currency's Stripe
 * units (three-decimal currencies must end in 0), above the per-charge maximum, larger than what is left
 * to capture or refund, or in another currency than the intent.
 */
export class PaymentAmountError extends UnprocessableError {
  override readonly code = 'PAYMENT_AMOUNT_INVALID';
}

/** The card was declined by the issuer or blocked by the provider's fraud screening. */
export class PaymentDeclinedError extends DomainError {
  readonly code = 'PAYMENT_DECLINED';
  readonly status = 402;
}

/**
 * The provider could not be reached, throttled us, refused our credentials or failed. `outcomeUnknown`
 * says whether the request may have executed (a 5xx or a lost connection): then look the intent up by its
 * stored id or retry with the same key, never with a new one.
 */
export class PaymentProviderError extends DomainError {
  readonly code = 'PAYMENT_PROVIDER_UNAVAILABLE';
  readonly status = 503;
  readonly retryable: boolean;
  readonly outcomeUnknown: boolean;

  constructor(message: string, options: { retryable: boolean; outcomeUnknown: boolean }) {
    super(message);
    this.retryable = options.retryable;
    this.outcomeUnknown = options.outcomeUnknown;
  }
}

/** The provider rejected a request as invalid for a reason none of the other payment errors name. */
export class PaymentRequestRejectedError extends UnprocessableError {
  override readonly code = 'PAYMENT_REQUEST_REJECTED';
}

/** Why a webhook failed verification; Stripe's Go SDK names the same three cases. */
export type WebhookSignatureFailure =
  | 'missing_header'
  | 'malformed_header'
  | 'no_valid_signature'
  | 'timestamp_outside_tolerance';

/**
 * A webhook failed signature verification. Answer 400 before any side effect; the message never says
 * which secret or signature was expected.
 */
export class WebhookSignatureError extends DomainError {
  readonly code = 'WEBHOOK_SIGNATURE_INVALID';
  readonly status = 400;
  readonly reason: WebhookSignatureFailure;

  constructor(reason: WebhookSignatureFailure, message: string) {
    super(message, { reason });
    this.reason = reason;
  }
}

/** A correctly signed webhook whose body is not a Stripe event we can read. */
export class WebhookPayloadError extends DomainError {
  readonly code = 'WEBHOOK_PAYLOAD_INVALID';
  readonly status = 400;
}
