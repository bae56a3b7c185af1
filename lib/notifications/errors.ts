import { UnprocessableError } from '../errors.ts';

/** A chosen channel has no address to send to (a phone number for SMS, a device for push, ...). */
export class ContactMissingError extends UnprocessableError {
  override readonly code = 'CONTACT_MISSING';
}

/**
 * A chosen channel has no recorded grant, or the customer withdrew it: record `granted: true` for the
 * channel in the same request, or leave the channel out.
 */
export class ConsentRequiredError extends UnprocessableError {
  override readonly code = 'CONSENT_REQUIRED';
}

/**
 * Why a message was not handed to a provider, as the {@link Notifier} adapters report it. The use case
 * decides from the class whether the message may be tried again without risking a second copy.
 */
export abstract class DeliveryError extends Error {
  abstract readonly retryable: boolean;
  constructor(
    message: string,
    /** A short machine-readable reason, recorded in the notification log. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The provider refused this message for good (a malformed address, a number that cannot take SMS). */
export class DeliveryRejectedError extends DeliveryError {
  readonly retryable = false;
}

/**
 * The provider certainly did not accept the message (throttled, unavailable, refused the connection):
 * trying again cannot send it twice.
 */
export class DeliveryNotSentError extends DeliveryError {
  readonly retryable = true;
}
