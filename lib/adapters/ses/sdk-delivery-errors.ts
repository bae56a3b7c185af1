import { DeliveryNotSentError, DeliveryRejectedError } from '../../notifications/errors.ts';

/** Connection failures before any byte reached the provider: the request cannot have been accepted. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

const snake = (name: string) =>
  name
    .replace(/Exception$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();

/**
 * Reads an AWS SDK error from a send call as the notifier port's errors. `permanent` names the errors
 * that refuse this very message (a malformed address, an opted-out number): retrying cannot help.
 * Any other answer from the service means the request was refused, not accepted, so a retry cannot send
 * twice. Without an answer (a timeout, a reset connection) nobody knows: the error is returned as is.
 *
 * The SDK's own retries would resend after exactly those unknown outcomes, so the clients these adapters
 * use are built with `maxAttempts: 1`; retries happen through the queue, past the dedupe log.
 */
export function deliveryErrorOf(error: unknown, permanent: ReadonlySet<string>): unknown {
  if (!(error instanceof Error)) return error;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const code = (error as { code?: unknown }).code;
  if (permanent.has(error.name)) {
    return new DeliveryRejectedError(error.message, snake(error.name), { cause: error });
  }
  if (status !== undefined)
    return new DeliveryNotSentError(error.message, snake(error.name), { cause: error });
  if (typeof code === 'string' && NEVER_CONNECTED.has(code)) {
    return new DeliveryNotSentError(error.message, code.toLowerCase(), { cause: error });
  }
  return error;
}
