import { z } from 'zod';
import { PaymentIntentStatus } from './payment-intent.ts';

/**
 * The payment state the platform records for an order: a PaymentIntent status, or a refund state that
 * Stripe keeps on the charge rather than on the intent.
 */
export const PaymentState = z.enum([...PaymentIntentStatus.options, 'partially_refunded', 'refunded']);
export type PaymentState = z.infer<typeof PaymentState>;

/**
 * How far along a payment is. Everything before an authorization shares rank 0 because Stripe moves
 * freely between those statuses (a declined card or a failed 3DS challenge returns the intent to
 * `requires_payment_method`). From authorization on, a payment only moves forward: held, then captured
 * or cancelled (equal rank: one excludes the other), then refunded.
 */
export const PAYMENT_STATE_RANK: Readonly<Record<PaymentState, number>> = {
  requires_payment_method: 0,
  requires_confirmation: 0,
  requires_action: 0,
  processing: 1,
  requires_capture: 2,
  succeeded: 3,
  canceled: 3,
  partially_refunded: 4,
  refunded: 5,
};

/** States nothing can follow. */
export const TERMINAL_PAYMENT_STATES: ReadonlySet<PaymentState> = new Set(['canceled', 'refunded']);

/** A recorded payment state and the event time it came from (Stripe's `event.created`). */
export const PaymentStateSnapshot = z.strictObject({
  state: PaymentState,
  occurredAt: z.iso.datetime(),
  /** Refunded so far, in minor units; orders successive partial refunds. */
  amountRefunded: z.number().int().nonnegative().optional(),
});
export type PaymentStateSnapshot = z.infer<typeof PaymentStateSnapshot>;

/** Ranks 0 and 1: no funds are held yet, so the newest event describes the payment best. */
const PRE_AUTHORIZATION_MAX_RANK = 1;

/**
 * Whether an incoming webhook's state should replace the recorded one. Stripe delivers at least once and
 * in no particular order, so "last webhook wins" would let a late `amount_capturable_updated` undo a
 * capture. The rule:
 * - nothing recorded yet, or a higher rank: apply;
 * - a terminal state (cancelled, fully refunded): never leave it;
 * - before authorization (ranks 0 and 1): the newer event wins, so a retry after a decline can move a
 *   payment back to awaiting a card;
 * - a later partial refund applies when it has refunded more;
 * - anything else (an older or equal-rank event after authorization) is ignored.
 *
 * Stripe's `created` has one-second resolution: two pre-authorization events in the same second keep the
 * first one seen. When the exact status matters, fetch the intent from the gateway (Stripe's advice).
 */
export function shouldAdvancePaymentState(
  current: PaymentStateSnapshot | undefined,
  next: PaymentStateSnapshot,
): boolean {
  if (!current) return true;
  if (TERMINAL_PAYMENT_STATES.has(current.state)) return false;
  const from = PAYMENT_STATE_RANK[current.state];
  const to = PAYMENT_STATE_RANK[next.state];
  const newer = Date.parse(next.occurredAt) > Date.parse(current.occurredAt);
  if (from <= PRE_AUTHORIZATION_MAX_RANK && to <= PRE_AUTHORIZATION_MAX_RANK) {
    return newer;
  }
  if (to > from) return true;
  if (to === from && next.state === 'partially_refunded' && current.state === 'partially_refunded') {
    return (next.amountRefunded ?? 0) > (current.amountRefunded ?? 0);
  }
  return false;
}

/** The state to keep after seeing `next`: `next` when it advances the payment, else `current`. */
export function advancePaymentState(
  current: PaymentStateSnapshot | undefined,
  next: PaymentStateSnapshot,
): PaymentStateSnapshot {
  return current && !shouldAdvancePaymentState(current, next) ? current : next;
}
