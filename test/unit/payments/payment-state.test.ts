import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  advancePaymentState,
  PAYMENT_STATE_RANK,
  type PaymentState,
  type PaymentStateSnapshot,
  shouldAdvancePaymentState,
} from '../../../lib/payments/payment-state.ts';

const at = (second: number) => new Date(Date.UTC(2026, 2, 1, 10, 0, second)).toISOString();
const snap = (state: PaymentState, second: number, amountRefunded?: number): PaymentStateSnapshot => ({
  state,
  occurredAt: at(second),
  ...(amountRefunded !== undefined ? { amountRefunded } : {}),
});
const fold = (events: readonly PaymentStateSnapshot[]) =>
  events.reduce<PaymentStateSnapshot | undefined>(
    (current, next) => advancePaymentState(current, next),
    undefined,
  );

describe('shouldAdvancePaymentState', () => {
  it('takes the first state seen', () => {
    expect(shouldAdvancePaymentState(undefined, snap('requires_payment_method', 0))).toBe(true);
  });

  it('moves forward through authorization, capture and refunds', () => {
    expect(shouldAdvancePaymentState(snap('requires_payment_method', 0), snap('requires_capture', 1))).toBe(
      true,
    );
    expect(shouldAdvancePaymentState(snap('requires_capture', 1), snap('succeeded', 2))).toBe(true);
    expect(shouldAdvancePaymentState(snap('succeeded', 2), snap('partially_refunded', 3, 100))).toBe(true);
    expect(shouldAdvancePaymentState(snap('partially_refunded', 3, 100), snap('refunded', 4, 500))).toBe(
      true,
    );
  });

  it('never lets a late amount_capturable_updated undo a capture', () => {
    expect(shouldAdvancePaymentState(snap('succeeded', 5), snap('requires_capture', 3))).toBe(false);
    // Even when Stripe stamped it later (a replay days after): authorization only moves forward.
    expect(shouldAdvancePaymentState(snap('succeeded', 5), snap('requires_capture', 9))).toBe(false);
  });

  it('never leaves a cancelled or fully refunded payment', () => {
    expect(shouldAdvancePaymentState(snap('canceled', 5), snap('succeeded', 9))).toBe(false);
    expect(shouldAdvancePaymentState(snap('refunded', 5, 500), snap('partially_refunded', 9, 100))).toBe(
      false,
    );
  });

  it('cancels a hold (an expired authorization) but not a captured payment', () => {
    expect(shouldAdvancePaymentState(snap('requires_capture', 1), snap('canceled', 2))).toBe(true);
    expect(shouldAdvancePaymentState(snap('succeeded', 1), snap('canceled', 2))).toBe(false);
  });

  it('before authorization, follows the newer event so a retry after a decline counts', () => {
    expect(shouldAdvancePaymentState(snap('requires_action', 1), snap('requires_payment_method', 2))).toBe(
      true,
    );
    expect(shouldAdvancePaymentState(snap('requires_payment_method', 2), snap('requires_action', 1))).toBe(
      false,
    );
    expect(shouldAdvancePaymentState(snap('processing', 1), snap('requires_payment_method', 2))).toBe(true);
  });

  it('keeps the first of two pre-authorization events in the same second', () => {
    expect(shouldAdvancePaymentState(snap('requires_action', 1), snap('requires_payment_method', 1))).toBe(
      false,
    );
  });

  it('orders partial refunds by the amount refunded so far', () => {
    expect(
      shouldAdvancePaymentState(snap('partially_refunded', 3, 300), snap('partially_refunded', 2, 100)),
    ).toBe(false);
    expect(
      shouldAdvancePaymentState(snap('partially_refunded', 2, 100), snap('partially_refunded', 3, 300)),
    ).toBe(true);
  });

  it('ignores a duplicate', () => {
    expect(shouldAdvancePaymentState(snap('succeeded', 2), snap('succeeded', 2))).toBe(false);
  });
});

/**
 * The webhooks of one payment, as Stripe could emit them: attempts before authorization, then at most
 * one of: held (and captured or cancelled/expired) or paid at once, then growing refunds if captured.
 * Event times increase by at least a second, as Stripe's `created` does between separate changes.
 */
const paymentHistory = fc
  .record({
    attempts: fc.array(
      fc.constantFrom<PaymentState>('requires_payment_method', 'requires_action', 'processing'),
      {
        maxLength: 4,
      },
    ),
    path: fc.constantFrom('none', 'paid', 'held-captured', 'held-cancelled', 'cancelled-early'),
    refunds: fc.array(fc.integer({ min: 1, max: 1000 }), { maxLength: 3 }),
    fullyRefunded: fc.boolean(),
  })
  .map(({ attempts, path, refunds, fullyRefunded }) => {
    const states: { state: PaymentState; amountRefunded?: number }[] = [
      { state: 'requires_payment_method' },
      ...attempts.map((state) => ({ state })),
    ];
    if (path === 'paid') states.push({ state: 'succeeded' });
    if (path === 'held-captured') states.push({ state: 'requires_capture' }, { state: 'succeeded' });
    if (path === 'held-cancelled') states.push({ state: 'requires_capture' }, { state: 'canceled' });
    if (path === 'cancelled-early') states.push({ state: 'canceled' });
    if (path === 'paid' || path === 'held-captured') {
      let total = 0;
      for (const amount of refunds) {
        total += amount;
        states.push({ state: 'partially_refunded', amountRefunded: total });
      }
      if (fullyRefunded) states.push({ state: 'refunded', amountRefunded: total + 1 });
    }
    return states.map((s, i) => ({ ...s, occurredAt: at(i) }) as PaymentStateSnapshot);
  });

describe('advancePaymentState under at-least-once, unordered delivery', () => {
  it('reaches the same state whatever order and however many times the events arrive', () => {
    fc.assert(
      fc.property(
        paymentHistory.chain((history) =>
          fc.tuple(
            fc.constant(history),
            fc.shuffledSubarray([...history, ...history], { minLength: history.length * 2 }),
          ),
        ),
        ([history, delivered]) => {
          expect(fold(delivered)).toEqual(fold(history));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never records a lower-ranked state once a payment is authorized', () => {
    fc.assert(
      fc.property(
        paymentHistory.chain((history) => fc.tuple(fc.constant(history), fc.shuffledSubarray(history))),
        ([, delivered]) => {
          let current: PaymentStateSnapshot | undefined;
          for (const event of delivered) {
            const next = advancePaymentState(current, event);
            if (current && PAYMENT_STATE_RANK[current.state] >= 2) {
              expect(PAYMENT_STATE_RANK[next.state]).toBeGreaterThanOrEqual(
                PAYMENT_STATE_RANK[current.state],
              );
            }
            current = next;
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('ends in the final state of the history when every event arrives', () => {
    fc.assert(
      fc.property(paymentHistory, (history) => {
        const last = history.at(-1);
        const reversed = [...history].reverse();
        expect(fold(reversed)?.state).toBe(last?.state);
      }),
    );
  });
});
