import { describe, expect, it } from 'vitest';
import {
  DevAuthenticatePaymentRequest,
  DevConfirmPaymentRequest,
  DevPaymentParams,
  DevPaymentResponse,
  devAuthenticatePayment,
  devConfirmPayment,
} from '../../../lib/adapters/local-payments/dev-confirm-payment.ts';
import { LocalPaymentGateway } from '../../../lib/adapters/local-payments/local-payment-gateway.ts';
import { PaymentIntentNotFoundError } from '../../../lib/payments/errors.ts';
import { FixedClock } from '../../support/fakes.ts';

describe('POST /v1/dev/payments/{paymentIntentId}/confirm', () => {
  const setup = async () => {
    const gateway = new LocalPaymentGateway({ clock: new FixedClock() });
    const intent = await gateway.createPaymentIntent({
      amount: { amount: 1_250_000, currency: 'EUR' },
      captureMethod: 'manual',
      metadata: { checkoutId: 'chk-dev' },
      idempotencyKey: 'checkout:chk-dev:pi-create',
    });
    return {
      gateway,
      intent,
      confirm: devConfirmPayment(gateway),
      authenticate: devAuthenticatePayment(gateway),
    };
  };

  it('plays the shopper confirming with a test PaymentMethod and answers with the intent', async () => {
    const { intent, confirm } = await setup();

    const result = await confirm({ paymentIntentId: intent.id }, { paymentMethod: 'pm_card_visa' });

    expect(DevPaymentResponse.parse(result)).toMatchObject({ id: intent.id, status: 'requires_capture' });
  });

  it('answers a decline with the intent and its last payment error, as Stripe.js reports it', async () => {
    const { intent, confirm } = await setup();

    expect(
      await confirm({ paymentIntentId: intent.id }, { paymentMethod: 'pm_card_chargeDeclined' }),
    ).toMatchObject({
      status: 'requires_payment_method',
      lastPaymentError: { code: 'card_declined' },
    });
  });

  it('completes a 3DS challenge through the companion authenticate use case', async () => {
    const { intent, confirm, authenticate } = await setup();
    await confirm({ paymentIntentId: intent.id }, { paymentMethod: 'pm_card_threeDSecureRequired' });

    expect(await authenticate({ paymentIntentId: intent.id }, { outcome: 'success' })).toMatchObject({
      status: 'requires_capture',
    });
  });

  it('validates strictly: only known test PaymentMethods, no extra keys, a pi_ id', () => {
    expect(DevConfirmPaymentRequest.safeParse({ paymentMethod: 'pm_card_visa' }).success).toBe(true);
    expect(DevConfirmPaymentRequest.safeParse({ paymentMethod: 'pm_card_madeUp' }).success).toBe(false);
    expect(
      DevConfirmPaymentRequest.safeParse({ paymentMethod: 'pm_card_visa', card: '4242424242424242' }).success,
    ).toBe(false);
    expect(DevConfirmPaymentRequest.safeParse({}).success).toBe(false);
    expect(DevPaymentParams.safeParse({ paymentIntentId: 'ch_123' }).success).toBe(false);
    expect(DevAuthenticatePaymentRequest.safeParse({ outcome: 'maybe' }).success).toBe(false);
  });

  it('reports an unknown intent as not found', async () => {
    const { confirm } = await setup();

    await expect(
      confirm({ paymentIntentId: 'pi_unknown' }, { paymentMethod: 'pm_card_visa' }),
    ).rejects.toBeInstanceOf(PaymentIntentNotFoundError);
  });
});
