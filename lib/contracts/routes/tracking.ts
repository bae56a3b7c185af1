import { z } from 'zod';
import { CARRIER_WEBHOOK_HEADERS } from '../../tracking/carriers/index.ts';
import { CarrierSlug } from '../../tracking/tracking-event.ts';
import { defineRoute, ErrorEnvelope } from '../http.ts';

/** The feed a delivery is for; each has its own authentication and payload. */
export const CarrierWebhookParams = z.strictObject({
  carrier: CarrierSlug.describe(
    'The feed: `dhl` (Shipment Tracking – Unified push), `fedex` (Advanced Integrated Visibility), `ups` (Track Alert) or `generic` (Vitrine’s format for aggregators)',
  ),
});

/** What a carrier webhook delivery amounted to: 200 for any delivery that verifies, even with nothing new. */
export const CarrierWebhookReceipt = z
  .strictObject({
    received: z.number().int().nonnegative().describe('Scans read from the delivery'),
    duplicate: z
      .number()
      .int()
      .nonnegative()
      .describe('Scans already on their shipment’s timeline (carrier retries, re-sent histories)'),
    ignored: z
      .number()
      .int()
      .nonnegative()
      .describe(
        'Scans with a code no mapping knows, an unreadable time, or a tracking number of no shipment',
      ),
  })
  .meta({ id: 'CarrierWebhookReceipt' });
export type CarrierWebhookReceipt = z.infer<typeof CarrierWebhookReceipt>;

export const carrierWebhookRoute = defineRoute({
  method: 'POST',
  path: '/v1/webhooks/carriers/{carrier}',
  operationId: 'receiveCarrierWebhook',
  summary: 'Carrier tracking events (authenticated per carrier over the raw body)',
  description:
    'Each feed is authenticated with its own scheme before anything is read: DHL and UPS send a shared token ' +
    '(`x-dhl-webhook-token`, `credential`), FedEx an HMAC-SHA256 of the raw body (`x-fedex-signature`), and the ' +
    'generic format a Stripe-style `x-vitrine-signature: t=…,v1=…` over `{t}.{body}` that is refused outside ' +
    '300 s. Secrets are compared in constant time, several may be active while one is rolled. Scans are ' +
    'normalized to Vitrine’s statuses (label_created, picked_up, in_transit, customs, out_for_delivery, ' +
    'delivery_attempted, delivered, exception, returned_to_sender), deduped on the carrier’s event id (or a ' +
    'hash of tracking number, code and time) and placed on the shipment’s timeline by event time, so ' +
    'duplicates and any delivery order end in the same state. The generic body is one `GenericTrackingEvent` ' +
    '`{ carrier, trackingNumber, eventId, status, occurredAt, code?, description?, location? }` or ' +
    '`{ events: [...] }` of up to 100.',
  tags: ['Webhooks', 'Tracking'],
  auth: 'signature',
  params: CarrierWebhookParams,
  headers: CARRIER_WEBHOOK_HEADERS,
  responses: {
    200: { description: 'Received (also when every scan was a duplicate)', schema: CarrierWebhookReceipt },
    400: {
      description:
        '`CARRIER_PAYLOAD_INVALID`: authenticated, but not the feed’s payload (or an unknown carrier); nothing was changed',
      schema: ErrorEnvelope,
    },
    401: {
      description:
        '`CARRIER_SIGNATURE_INVALID`: missing, malformed or wrong signature or token, or a stale signed timestamp; nothing was read',
      schema: ErrorEnvelope,
    },
    503: {
      description:
        '`CARRIER_WEBHOOK_NOT_CONFIGURED`: no secret is set for this carrier; the carrier retries later',
      schema: ErrorEnvelope,
    },
  },
});
