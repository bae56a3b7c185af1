import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalPaymentGateway } from '../../../lib/adapters/local-payments/local-payment-gateway.ts';
import { TEST_PAYMENT_METHOD_IDS } from '../../../lib/adapters/local-payments/test-payment-methods.ts';
import { DomainError } from '../../../lib/errors.ts';
import type { CurrencyCode } from '../../../lib/money/currency.ts';
import {
  isAllowedTransition,
  type PaymentIntentStatus,
  type PaymentIntentView,
  PaymentIntentView as PaymentIntentViewSchema,
} from '../../../lib/payments/payment-intent.ts';
import {
  advancePaymentState,
  PAYMENT_STATE_RANK,
  type PaymentState,
  type PaymentStateSnapshot,
} from '../../../lib/payments/payment-state.ts';
import { parseStripeEvent, toPaymentEvent } from '../../../lib/payments/stripe-events.ts';
import { verifyStripeSignature } from '../../../lib/payments/webhook-signature.ts';
import { FixedClock } from '../../support/fakes.ts';

const SECRET = 'whsec_property';
const HOUR_MS = 60 * 60 * 1000;

type Operation =
  | { kind: 'confirm'; paymentMethod: string }
  | { kind: 'authenticate'; result: 'success' | 'failure' }
  | { kind: 'capture'; fraction?: number; key: number }
  | { kind: 'cancel'; key: number }
  | { kind: 'refund'; fraction?: number; key: number }
  | { kind: 'wait'; hours: number };

// A small key space, so retries of earlier requests (replays, and keys reused with other amounts) happen.
const key = fc.integer({ min: 0, max: 12 });
// Mostly cards that authorize, so runs get past authorization; every test PaymentMethod still appears.
const paymentMethod = fc.oneof(
  {
    arbitrary: fc.constantFrom('pm_card_visa', 'pm_card_mastercard', 'pm_card_threeDSecureRequired'),
    weight: 3,
  },
  { arbitrary: fc.constantFrom(...TEST_PAYMENT_METHOD_IDS), weight: 2 },
);
// Percent of the amount; above 100 asks for more than Stripe would allow.
const fraction = fc.option(
  fc.integer({ min: 1, max: 120 }).map((percent) => percent / 100),
  { nil: undefined },
);
const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('confirm' as const),
      paymentMethod,
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('authenticate' as const),
      result: fc.constantFrom('success' as const, 'failure' as const),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant('capture' as const), fraction, key }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('cancel' as const), key }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('refund' as const), fraction, key }), weight: 4 },
  {
    arbitrary: fc.record({ kind: fc.constant('wait' as const), hours: fc.constantFrom(1, 24, 169) }),
    weight: 3,
  },
);

const scenario = fc.record({
  currency: fc.constantFrom<CurrencyCode>('EUR', 'JPY', 'KWD'),
  amount: fc.integer({ min: 1, max: 9_999_999 }),
  captureMethod: fc.constantFrom('automatic' as const, 'manual' as const, 'manual' as const),
  require3ds: fc.boolean(),
  operations: fc.array(operation, { minLength: 2, maxLength: 20 }),
  seed: fc.integer(),
});

/** The state the payment's webhooks should have led the platform to. */
function expectedState(view: PaymentIntentView): PaymentState {
  if (view.status !== 'succeeded' || view.amountRefunded.amount === 0) return view.status;
  return view.amountRefunded.amount === view.amountReceived.amount ? 'refunded' : 'partially_refunded';
}

function checkInvariants(view: PaymentIntentView): void {
  const amount = view.amount.amount;
  expect(PaymentIntentViewSchema.parse(view)).toEqual(view);
  expect(view.amountReceived.amount).toBeLessThanOrEqual(amount);
  expect(view.amountCapturable.amount).toBeLessThanOrEqual(amount);
  expect(view.amountRefunded.amount).toBeLessThanOrEqual(view.amountReceived.amount);
  if (view.status === 'succeeded') expect(view.amountReceived.amount).toBeGreaterThan(0);
  if (view.status === 'requires_capture') {
    expect(view.amountCapturable.amount).toBe(amount);
    expect(view.captureBefore).toBeDefined();
  } else {
    expect(view.amountCapturable.amount).toBe(0);
  }
  if (view.status !== 'succeeded') {
    expect(view.amountReceived.amount).toBe(0);
    expect(view.amountRefunded.amount).toBe(0);
  }
  if (view.status === 'requires_action') expect(view.nextActionType).toBeDefined();
}

describe('LocalPaymentGateway state machine (property-based)', () => {
  it('never reaches an illegal state: legal transitions, captured ≤ authorized, refunded ≤ captured, typed errors only', async () => {
    // How often each operation really changed the intent, so the property cannot pass vacuously.
    const changed = { capture: 0, cancel: 0, refund: 0, expiry: 0, authentication: 0 };
    await fc.assert(
      fc.asyncProperty(
        scenario,
        async ({ currency, amount, captureMethod, require3ds, operations, seed }) => {
          const clock = new FixedClock();
          const deliveries: { body: string; header: string }[] = [];
          const gateway = new LocalPaymentGateway({
            clock,
            webhooks: {
              secret: SECRET,
              autoDeliver: false,
              deliver: async (body, header) => {
                deliveries.push({ body, header });
              },
            },
          });
          // Three-decimal currencies must end in 0 at Stripe.
          const total = currency === 'KWD' ? Math.max(10, amount - (amount % 10)) : amount;
          const money = (minor: number) => ({ amount: minor, currency });
          const part = (of: number, f: number | undefined) => {
            if (f === undefined) return undefined;
            const minor = Math.max(1, Math.round(of * f));
            return money(currency === 'KWD' ? Math.max(10, minor - (minor % 10)) : minor);
          };

          const created = await gateway.createPaymentIntent({
            amount: money(total),
            captureMethod,
            require3ds,
            metadata: { checkoutId: `chk-${seed}` },
            idempotencyKey: `checkout:chk-${seed}:pi-create`,
          });
          let previous: PaymentIntentStatus = created.status;
          expect(previous).toBe('requires_payment_method');

          for (const op of operations) {
            let succeeded = false;
            try {
              if (op.kind === 'confirm') await gateway.confirm(created.id, op.paymentMethod);
              if (op.kind === 'authenticate') await gateway.completeAction(created.id, op.result);
              if (op.kind === 'capture') {
                const amountToCapture = part(total, op.fraction);
                await gateway.capture(created.id, {
                  ...(amountToCapture ? { amountToCapture } : {}),
                  idempotencyKey: `order:o:capture:${op.key}`,
                });
              }
              if (op.kind === 'cancel') {
                await gateway.cancel(created.id, {
                  reason: 'requested_by_customer',
                  idempotencyKey: `order:o:cancel:${op.key}`,
                });
              }
              if (op.kind === 'refund') {
                const refundAmount = part(
                  (await gateway.retrieve(created.id)).amountReceived.amount,
                  op.fraction,
                );
                await gateway.refund(created.id, {
                  ...(refundAmount ? { amount: refundAmount } : {}),
                  idempotencyKey: `order:o:refund:${op.key}`,
                });
              }
              if (op.kind === 'wait') {
                clock.advance(op.hours * HOUR_MS);
                await gateway.expireAuthorizations();
              }
              succeeded = true;
            } catch (error) {
              expect(error).toBeInstanceOf(DomainError);
            }

            const view = await gateway.retrieve(created.id);
            checkInvariants(view);
            expect(isAllowedTransition(previous, view.status)).toBe(true);
            // Fresh (non-replayed) successes only come from the states Stripe allows them in.
            if (succeeded && view.status !== previous) {
              if (op.kind === 'capture') expect(previous).toBe('requires_capture');
              if (op.kind === 'cancel') expect(['succeeded', 'canceled']).not.toContain(previous);
              if (op.kind === 'capture') changed.capture++;
              if (op.kind === 'cancel') changed.cancel++;
              if (op.kind === 'wait') changed.expiry++;
              if (op.kind === 'authenticate') changed.authentication++;
            }
            if (succeeded && op.kind === 'refund') changed.refund++;
            previous = view.status;
          }

          // Every delivered webhook verifies; folding them, in order or shuffled, lands where the intent is.
          await gateway.deliverPending();
          const snapshots: PaymentStateSnapshot[] = deliveries.flatMap(({ body, header }) => {
            const parsed = parseStripeEvent(verifyStripeSignature(body, header, [SECRET], 300, clock.now()));
            if (!parsed) return [];
            const event = toPaymentEvent(parsed);
            return [
              {
                state: event.status,
                occurredAt: event.occurredAt,
                ...(event.amountRefunded ? { amountRefunded: event.amountRefunded.amount } : {}),
              },
            ];
          });
          const final = await gateway.retrieve(created.id);
          if (PAYMENT_STATE_RANK[expectedState(final)] >= PAYMENT_STATE_RANK.requires_capture) {
            const fold = (events: PaymentStateSnapshot[]) =>
              events.reduce<PaymentStateSnapshot | undefined>((s, e) => advancePaymentState(s, e), undefined);
            expect(fold(snapshots)?.state).toBe(expectedState(final));
            expect(fold([...snapshots].reverse())?.state).toBe(expectedState(final));
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(changed).toEqual({
      capture: expect.toSatisfy((n: number) => n >= 5),
      cancel: expect.toSatisfy((n: number) => n >= 5),
      refund: expect.toSatisfy((n: number) => n >= 5),
      expiry: expect.toSatisfy((n: number) => n >= 1),
      authentication: expect.toSatisfy((n: number) => n >= 5),
    });
  });
});
