import { z } from 'zod';
import { CARRIER_WEBHOOK_HEADERS } from '../../tracking/carriers/index.ts';
import { Shipment } from '../../tracking/shipment.ts';
import { CarrierSlug } from '../../tracking/tracking-event.ts';
import { CreateShipmentRequest, OrderTracking } from '../../tracking/use-cases.ts';
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
        '`CARRIER_PAYLOAD_INVALID`: authenticated, but not the feed’s payload; `VALIDATION_FAILED`: a carrier path Vitrine has no feed for. Nothing was changed',
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

const OrderParams = z.strictObject({ orderId: z.string().min(1).max(64) });

export const createShipmentRoute = defineRoute({
  method: 'POST',
  path: '/v1/admin/orders/{orderId}/shipments',
  operationId: 'createShipment',
  summary: 'Book a parcel of a shipped order with its carrier label',
  description:
    'Staff book a parcel packed at one location: by default every unit of the order held there and not yet ' +
    'shipped, or the `lines` given (a subset of those). A held authorization is captured first, then the units ' +
    'leave the location’s stock (a `shipment` movement), then the shipment is written with ShipmentCreated; ' +
    'each step is idempotent and the shipment id derives from the Idempotency-Key, so a retry after a failure ' +
    'books one parcel and captures once. `signatureRequired` applies the signature rule to the parcel (its ' +
    'paid value against the market’s threshold, or a watch or fine-jewellery piece in it), and `estimate` is ' +
    'the delivery window from the location to the address’s postal area.',
  tags: ['Orders', 'Admin', 'Tracking'],
  auth: 'staff',
  idempotent: true,
  params: OrderParams,
  body: CreateShipmentRequest,
  responses: {
    201: { description: 'The parcel, booked', schema: Shipment },
    200: {
      description: 'The same parcel, already booked by an earlier attempt of this operation',
      schema: Shipment,
    },
    404: { description: 'No such order', schema: ErrorEnvelope },
    409: {
      description:
        '`ORDER_IS_PICKUP` (collected in a boutique instead), `ORDER_NOT_SHIPPABLE` (pending, under review, ' +
        'cancelled or refunded), `TRACKING_NUMBER_IN_USE` (on another shipment) or ' +
        '`SHIPMENT_PAYMENT_UNAVAILABLE` (the authorization can no longer be captured)',
      schema: ErrorEnvelope,
    },
    422: {
      description:
        '`SHIPMENT_LINES_INVALID`: units the order does not hold at the location, or already shipped, ' +
        'including by another booking made at the same moment (of two bookings for the same units, one ' +
        'is written and the other refused); `details.lines` says what is still unshipped of each',
      schema: ErrorEnvelope,
    },
  },
});

export const getOrderTrackingRoute = defineRoute({
  method: 'GET',
  path: '/v1/orders/{orderId}/tracking',
  operationId: 'getOrderTracking',
  summary: 'Where an order’s parcels are: timelines, delivery windows, signature and pickup',
  description:
    'For the order’s owner or staff; any other caller gets 404, as for an order that does not exist. Each ' +
    'parcel carries its scans in event-time order, its delivery window with its confidence, whether it is ' +
    'late (still on its way after the window’s last day) and whether it needs a signature. A click-and-collect ' +
    'order shows its boutique, status and collect-by time; the pickup code only to its owner, while ready.',
  tags: ['Orders', 'Tracking'],
  auth: 'customer',
  params: OrderParams,
  responses: {
    200: { description: 'The order’s tracking', schema: OrderTracking },
    404: { description: 'No such order (or not the caller’s)', schema: ErrorEnvelope },
  },
});
