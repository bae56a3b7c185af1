import { UnprocessableError } from '../errors.ts';

/** The market does not deliver to this destination (country, or US state / Canadian province). */
export class UnsupportedDestinationError extends UnprocessableError {
  override readonly code = 'UNSUPPORTED_DESTINATION';
}

/** The shipping method is unknown, or not offered for this market and destination. */
export class ShippingMethodUnavailableError extends UnprocessableError {
  override readonly code = 'SHIPPING_METHOD_UNAVAILABLE';
}
