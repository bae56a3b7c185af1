import { describe, expect, it } from 'vitest';
import {
  IdempotencyKeyInUseError,
  IdempotencyKeyReusedError,
  PaymentAmountError,
  PaymentDeclinedError,
  PaymentIntentNotFoundError,
  PaymentIntentStateError,
  PaymentProviderError,
  PaymentRequestRejectedError,
} from '../../../lib/payments/errors.ts';
import { paymentErrorFromStripe, toPaymentIntentView } from '../../../lib/payments/stripe-objects.ts';

const intent = (overrides: Record<string, unknown> = {}) => ({
  id: 'pi_1',
  object: 'payment_intent',
  amount: 245_000,
  amount_capturable: 0,
  amount_received: 0,
  currency: 'eur',
  status: 'requires_payment_method',
  capture_method: 'automatic_async',
  created: 1_772_359_200,
  client_secret: 'pi_1_secret_x',
  metadata: { checkoutId: 'chk-1' },
  latest_charge: null,
  some_future_field: { nested: true },
  ...overrides,
});
const charge = (overrides: Record<string, unknown> = {}) => ({
  id: 'ch_1',
  object: 'charge',
  amount: 245_000,
  amount_captured: 245_000,
  amount_refunded: 0,
  captured: true,
  refunded: false,
  currency: 'eur',
  status: 'succeeded',
  created: 1_772_359_200,
  payment_intent: 'pi_1',
  outcome: { risk_level: 'elevated', type: 'authorized' },
  payment_method_details: { card: { capture_before: 1_772_964_000, fingerprint: 'fp_abc' } },
  ...overrides,
});

describe('toPaymentIntentView', () => {
  it('maps automatic_async to automatic and unix seconds to ISO times', () => {
    expect(toPaymentIntentView(intent())).toMatchObject({
      captureMethod: 'automatic',
      createdAt: '2026-03-01T10:00:00.000Z',
      clientSecret: 'pi_1_secret_x',
    });
  });

  it('reads capture_before, fingerprint and risk from an expanded latest charge while held', () => {
    const view = toPaymentIntentView(
      intent({
        status: 'requires_capture',
        capture_method: 'manual',
        amount_capturable: 245_000,
        latest_charge: charge({ captured: false, amount_captured: 0 }),
      }),
    );

    expect(view).toMatchObject({
      captureMethod: 'manual',
      captureBefore: '2026-03-08T10:00:00.000Z',
      paymentFingerprint: 'fp_abc',
      riskLevel: 'elevated',
      amountRefunded: { amount: 0, currency: 'EUR' },
    });
  });

  it('leaves capture_before out once the payment is no longer held, and when the charge is not expanded', () => {
    expect(toPaymentIntentView(intent({ status: 'succeeded', latest_charge: charge() }))).not.toHaveProperty(
      'captureBefore',
    );
    expect(
      toPaymentIntentView(intent({ status: 'requires_capture', latest_charge: 'ch_1' })),
    ).not.toHaveProperty('captureBefore');
  });

  it('does not count the hold a partial capture released as refunded', () => {
    const view = toPaymentIntentView(
      intent({
        status: 'succeeded',
        amount_received: 200_000,
        latest_charge: charge({ amount_captured: 200_000, amount_refunded: 45_000 + 10_000 }),
      }),
    );

    expect(view.amountRefunded).toEqual({ amount: 10_000, currency: 'EUR' });
  });

  it('refuses a status outside the PaymentIntent vocabulary', () => {
    expect(() => toPaymentIntentView(intent({ status: 'teleported' }))).toThrow();
  });
});

describe('paymentErrorFromStripe', () => {
  it.each([
    [{ statusCode: 400, type: 'idempotency_error' }, IdempotencyKeyReusedError],
    [
      { statusCode: 409, type: 'invalid_request_error', code: 'idempotency_key_in_use' },
      IdempotencyKeyInUseError,
    ],
    [
      { statusCode: 402, type: 'card_error', code: 'card_declined', declineCode: 'fraudulent' },
      PaymentDeclinedError,
    ],
    [
      { statusCode: 404, type: 'invalid_request_error', code: 'resource_missing' },
      PaymentIntentNotFoundError,
    ],
    [
      { statusCode: 400, type: 'invalid_request_error', code: 'payment_intent_unexpected_state' },
      PaymentIntentStateError,
    ],
    [
      { statusCode: 400, type: 'invalid_request_error', code: 'charge_expired_for_capture' },
      PaymentIntentStateError,
    ],
    [{ statusCode: 400, type: 'invalid_request_error', code: 'amount_too_large' }, PaymentAmountError],
    [
      { statusCode: 400, type: 'invalid_request_error', code: 'resource_missing', param: 'payment_method' },
      PaymentRequestRejectedError,
    ],
    [
      { statusCode: 400, type: 'invalid_request_error', code: 'parameter_unknown' },
      PaymentRequestRejectedError,
    ],
  ])('maps %o', (failure, expected) => {
    expect(paymentErrorFromStripe(failure)).toBeInstanceOf(expected);
  });

  it('says whether the outcome of a provider failure is unknown', () => {
    expect(paymentErrorFromStripe({ statusCode: 500, type: 'api_error' })).toMatchObject({
      outcomeUnknown: true,
      retryable: true,
    });
    expect(paymentErrorFromStripe({})).toMatchObject({ outcomeUnknown: true, retryable: true });
    expect(paymentErrorFromStripe({ statusCode: 429, type: 'invalid_request_error' })).toMatchObject({
      outcomeUnknown: false,
      retryable: true,
    });
    expect(paymentErrorFromStripe({ statusCode: 401, type: 'invalid_request_error' })).toEqual(
      expect.objectContaining({ retryable: false }),
    );
    expect(paymentErrorFromStripe({ statusCode: 401 })).toBeInstanceOf(PaymentProviderError);
  });

  it('carries the decline code for the storefront message', () => {
    expect(
      paymentErrorFromStripe({
        statusCode: 402,
        type: 'card_error',
        code: 'card_declined',
        declineCode: 'insufficient_funds',
      }).details,
    ).toMatchObject({ providerCode: 'card_declined', declineCode: 'insufficient_funds' });
  });
});
