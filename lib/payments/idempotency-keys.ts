import { ValidationError } from '../errors.ts';

/**
 * The business operations that call the payment provider, as `{subject}:{action}`. Each one happens at
 * most once per subject, so its key is derived from the subject's id alone and is the same on every
 * retry, every Lambda re-run and every replay of the triggering event.
 */
export const PAYMENT_OPERATIONS = {
  /** The checkout's PaymentIntent, created when the shopper reaches payment. */
  'checkout.pi-create': ['checkout', 'pi-create'],
  /** Cancelling the checkout's intent when its stock hold lapses unpaid. */
  'checkout.pi-cancel': ['checkout', 'pi-cancel'],
  /** An intent created for an order directly (e.g. a boutique order paid by link). */
  'order.pi-create': ['order', 'pi-create'],
  /** A new authorization after the first one expired or was cancelled; qualify it with the attempt number. */
  'order.reauthorize': ['order', 'reauthorize'],
  'order.capture': ['order', 'capture'],
  'order.cancel': ['order', 'cancel'],
  /** A refund; qualify it with the return or claim it settles, since one order can have several. */
  'order.refund': ['order', 'refund'],
} as const satisfies Record<string, readonly [string, string]>;

export type PaymentOperation = keyof typeof PAYMENT_OPERATIONS;

/** Stripe's limit on idempotency key length. */
const MAX_KEY_LENGTH = 255;
const SAFE_PART = /^[A-Za-z0-9._~-]+$/;

/**
 * The idempotency key of a business operation, e.g. `checkout:{id}:pi-create`, `order:{id}:capture`,
 * `order:{id}:refund:{returnId}`. Persist the subject id before the first call: the key is never
 * random and never per HTTP attempt, so a retry can only ever replay the first request (the most
 * common double-charge bug is a fresh key per retry). Stripe forgets keys after about 24 hours; a retry
 * later than that must look the intent up by its stored id instead of creating another.
 *
 * Ids and qualifiers may not contain `:`, so two operations can never produce the same key.
 */
export function idempotencyKeyFor(
  operation: PaymentOperation,
  id: string,
  qualifier?: string | number,
): string {
  const [subject, action] = PAYMENT_OPERATIONS[operation];
  const parts = [subject, checkPart(id, 'id'), action];
  if (qualifier !== undefined) parts.push(checkPart(String(qualifier), 'qualifier'));
  const key = parts.join(':');
  if (key.length > MAX_KEY_LENGTH) {
    throw new ValidationError(
      `The idempotency key for ${operation} would exceed ${MAX_KEY_LENGTH} characters`,
    );
  }
  return key;
}

function checkPart(value: string, what: string): string {
  if (!SAFE_PART.test(value)) {
    throw new ValidationError(
      `An idempotency key ${what} may hold letters, digits and ._~- only, got "${value}"`,
    );
  }
  return value;
}
