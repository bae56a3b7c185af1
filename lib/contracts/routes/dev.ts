import { z } from 'zod';
import {
  DevAuthenticatePaymentRequest,
  DevConfirmPaymentRequest,
  DevPaymentParams,
} from '../../adapters/local-payments/dev-confirm-payment.ts';
import { CountryCode } from '../../config/config.ts';
import { CustomerTier } from '../../drops/drop.ts';
import { OutboxMessage, OutboxQuery } from '../../notifications/local-outbox.ts';
import { PaymentIntentView } from '../../payments/payment-intent.ts';
import { defineRoute, ErrorEnvelope } from '../http.ts';

export const DevTokenRequest = z.strictObject({
  sub: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9._@:+-]+$/, 'sub may hold letters, digits and ._@:+-'),
  groups: z
    .array(z.enum(['staff', 'customer']))
    .max(2)
    .optional(),
  country: CountryCode.optional(),
  email: z.email().max(254).optional(),
  tier: CustomerTier.optional().describe(
    'Minted as the `custom:tier` claim (drop early access and draw weight)',
  ),
});

export const devTokenRoute = defineRoute({
  method: 'POST',
  path: '/v1/dev/token',
  operationId: 'createDevToken',
  summary: 'A signed dev JWT for a subject (local runtime only)',
  description:
    'Groups `["staff"]` give the staff scope; `tier` sets the `custom:tier` claim. The token has the claims shape of the Cognito authorizer.',
  tags: ['Local development'],
  auth: 'public',
  localOnly: true,
  body: DevTokenRequest,
  responses: {
    200: {
      description: 'A bearer token valid for one hour',
      schema: z.strictObject({ token: z.string(), expiresIn: z.number().int() }),
    },
  },
});

export const devConfirmPaymentRoute = defineRoute({
  method: 'POST',
  path: '/v1/dev/payments/{paymentIntentId}/confirm',
  operationId: 'devConfirmPayment',
  summary: 'Confirm a PaymentIntent with a Stripe test PaymentMethod (local runtime only)',
  description:
    'Plays the shopper confirming in Stripe Elements: `pm_card_visa` succeeds, `pm_card_chargeDeclined` is ' +
    'declined, `pm_card_threeDSecureRequired` stops at `requires_action` (then call `/authenticate`). The ' +
    'signed webhooks follow to `/v1/webhooks/stripe`.',
  tags: ['Local development'],
  auth: 'public',
  localOnly: true,
  params: DevPaymentParams,
  body: DevConfirmPaymentRequest,
  responses: {
    200: { description: 'The intent as it now stands (a decline included)', schema: PaymentIntentView },
    404: { description: 'No such PaymentIntent', schema: ErrorEnvelope },
  },
});

export const devAuthenticatePaymentRoute = defineRoute({
  method: 'POST',
  path: '/v1/dev/payments/{paymentIntentId}/authenticate',
  operationId: 'devAuthenticatePayment',
  summary: "Pass or fail an intent's 3D Secure challenge (local runtime only)",
  tags: ['Local development'],
  auth: 'public',
  localOnly: true,
  params: DevPaymentParams,
  body: DevAuthenticatePaymentRequest,
  responses: {
    200: { description: 'The intent as it now stands', schema: PaymentIntentView },
    404: { description: 'No such PaymentIntent', schema: ErrorEnvelope },
  },
});

export const devOutboxRoute = defineRoute({
  method: 'GET',
  path: '/v1/dev/outbox',
  operationId: 'devListOutbox',
  summary: 'The notifications the local runtime sent (local runtime only)',
  description:
    'Every email, SMS, push and WhatsApp message the notifier handed over, in the order sent (with `limit`, ' +
    'the latest), filtered by customer, notification type or channel. Messages held through quiet hours ' +
    'appear once they are sent.',
  tags: ['Local development'],
  auth: 'public',
  localOnly: true,
  query: OutboxQuery,
  responses: {
    200: { description: 'The matching messages', schema: z.strictObject({ items: z.array(OutboxMessage) }) },
  },
});
