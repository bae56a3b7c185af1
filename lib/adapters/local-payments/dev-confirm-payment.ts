import { z } from 'zod';
import { PaymentIntentView } from '../../payments/payment-intent.ts';
import type { LocalPaymentGateway } from './local-payment-gateway.ts';
import { TEST_PAYMENT_METHOD_IDS } from './test-payment-methods.ts';

/** Path parameters of `POST /v1/dev/payments/{paymentIntentId}/confirm` (and `/authenticate`). */
export const DevPaymentParams = z.strictObject({
  paymentIntentId: z
    .string()
    .regex(/^pi_[A-Za-z0-9]{1,64}$/, 'paymentIntentId is a PaymentIntent id (pi_...)'),
});
export type DevPaymentParams = z.infer<typeof DevPaymentParams>;

/** Body of `POST /v1/dev/payments/{paymentIntentId}/confirm`: the test PaymentMethod the shopper uses. */
export const DevConfirmPaymentRequest = z.strictObject({
  paymentMethod: z
    .enum(TEST_PAYMENT_METHOD_IDS as [string, ...string[]])
    .describe(
      'A Stripe test PaymentMethod, e.g. pm_card_visa, pm_card_chargeDeclined, pm_card_threeDSecureRequired',
    ),
});
export type DevConfirmPaymentRequest = z.infer<typeof DevConfirmPaymentRequest>;

/**
 * Body of `POST /v1/dev/payments/{paymentIntentId}/authenticate`: the shopper passes or fails the 3DS
 * challenge of an intent in `requires_action`.
 */
export const DevAuthenticatePaymentRequest = z.strictObject({
  outcome: z.enum(['success', 'failure']),
});
export type DevAuthenticatePaymentRequest = z.infer<typeof DevAuthenticatePaymentRequest>;

/** Both dev payment routes answer 200 with the intent as it now stands (a decline included). */
export const DevPaymentResponse = PaymentIntentView;

type Confirmer = Pick<LocalPaymentGateway, 'confirm' | 'completeAction'>;

/**
 * The use case behind `POST /v1/dev/payments/{paymentIntentId}/confirm` (local runtime only): plays the
 * shopper confirming in Stripe Elements. Like Stripe.js, it answers with the intent whether the card
 * succeeded, was declined (`lastPaymentError`) or needs 3DS (`requires_action`); the webhook follows.
 */
export function devConfirmPayment(gateway: Confirmer) {
  return (params: DevPaymentParams, body: DevConfirmPaymentRequest): Promise<PaymentIntentView> =>
    gateway.confirm(
      DevPaymentParams.parse(params).paymentIntentId,
      DevConfirmPaymentRequest.parse(body).paymentMethod,
    );
}

/** The use case behind `POST /v1/dev/payments/{paymentIntentId}/authenticate` (local runtime only). */
export function devAuthenticatePayment(gateway: Confirmer) {
  return (params: DevPaymentParams, body: DevAuthenticatePaymentRequest): Promise<PaymentIntentView> =>
    gateway.completeAction(
      DevPaymentParams.parse(params).paymentIntentId,
      DevAuthenticatePaymentRequest.parse(body).outcome,
    );
}
