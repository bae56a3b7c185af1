import { ConflictError, DomainError, UnprocessableError } from '../errors.ts';

/** Why a carrier webhook failed verification. */
export type CarrierSignatureFailure =
  | 'missing_header'
  | 'malformed_header'
  | 'no_valid_signature'
  | 'timestamp_outside_tolerance';

/**
 * A carrier webhook did not prove it came from the carrier: its signature or shared secret is missing,
 * malformed or wrong, or its signed timestamp is stale. Nothing of the body has been read. The message
 * never says which secret or signature was expected.
 */
export class CarrierSignatureError extends DomainError {
  readonly code = 'CARRIER_SIGNATURE_INVALID';
  readonly status = 401;
  readonly reason: CarrierSignatureFailure;

  constructor(reason: CarrierSignatureFailure, message: string) {
    super(message, { reason });
    this.reason = reason;
  }
}

/** A correctly authenticated carrier webhook whose body is not the carrier's tracking payload. */
export class CarrierPayloadError extends DomainError {
  readonly code = 'CARRIER_PAYLOAD_INVALID';
  readonly status = 400;
}

/**
 * No secret is configured for the carrier, so no delivery can be verified. A server-side fault, answered
 * 503 so that the carrier retries once an operator has set the secret, and alarmed on like any 5xx; a 401
 * would blame the carrier and hide the misconfiguration.
 */
export class CarrierWebhookNotConfiguredError extends DomainError {
  readonly code = 'CARRIER_WEBHOOK_NOT_CONFIGURED';
  readonly status = 503;
}

/** A tracking number already names another shipment of the same carrier. */
export class TrackingNumberInUseError extends ConflictError {
  override readonly code = 'TRACKING_NUMBER_IN_USE';
  constructor(carrier: string, trackingNumber: string) {
    super(`${carrier} tracking number ${trackingNumber} is already on another shipment`);
  }
}

/** A click-and-collect order is handed over at its boutique (`.../pickup/collect`), never shipped. */
export class OrderIsPickupError extends ConflictError {
  override readonly code = 'ORDER_IS_PICKUP';
}

/**
 * The order cannot be shipped as it stands: its payment is pending, under review, cancelled or refunded,
 * or its stock was given back.
 */
export class OrderNotShippableError extends ConflictError {
  override readonly code = 'ORDER_NOT_SHIPPABLE';
}

/**
 * The parcel's lines are not units the order holds at that location, or those units are already in
 * another parcel, booked before or at the same moment; `details` names each offending SKU with what is
 * still unshipped there. A 422 either way: the same request can never succeed, a fresh look at the order
 * tells what is left.
 */
export class ShipmentLinesInvalidError extends UnprocessableError {
  override readonly code = 'SHIPMENT_LINES_INVALID';
}

/** The held authorization could not be captured (it lapsed or was cancelled): nothing may leave unpaid. */
export class ShipmentPaymentUnavailableError extends ConflictError {
  override readonly code = 'SHIPMENT_PAYMENT_UNAVAILABLE';
}
