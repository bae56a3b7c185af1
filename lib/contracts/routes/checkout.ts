import { z } from 'zod';
import { CheckoutRequest, CheckoutView } from '../../commerce/checkout.ts';
import { OrderView } from '../../commerce/order.ts';
import { ReviewRequest } from '../../commerce/review-order.ts';
import { defineRoute, ErrorEnvelope, limitParam, page } from '../http.ts';

const CheckoutParams = z.strictObject({ checkoutId: z.string().min(1).max(64) });
const OrderParams = z.strictObject({ orderId: z.string().min(1).max(64) });
const notFound = {
  description: 'No such record among the caller’s (or the caller is not its owner)',
  schema: ErrorEnvelope,
};

export const startCheckoutRoute = defineRoute({
  method: 'POST',
  path: '/v1/checkouts',
  operationId: 'startCheckout',
  summary: 'Price the cart, screen risk, reserve its stock and create the PaymentIntent',
  description:
    'The cart must belong to the caller (claim it first). The answer carries the totals, the risk decision, ' +
    '`payment.clientSecret` for Stripe Elements and `reservation.holdUntil`, the time until which the stock ' +
    'is held. Risk `decline` answers 201 with status `declined` and no payment. Retrying with the same ' +
    '`Idempotency-Key` resumes or replays; it never reserves or charges twice. ' +
    '`deliveryPromise` says, before payment, whether the order is handed over only against a signature ' +
    '(`signature.required`; `reasons`: a parcel worth `signature.threshold` or more, or a watch or fine ' +
    'jewellery) and when it should arrive: a window per parcel (one per location the stock ships from) and ' +
    'for the whole order, in the destination’s local dates; for click and collect, the boutique and ' +
    '`pickup.readyBy`. Show `signature.message` before the shopper pays. When `signature.pickupAlternative` ' +
    'is true, also offer to collect the order in a boutique instead (`pickupLocations` of ' +
    '`GET /v1/availability`); choosing one is a new checkout with `pickupLocationId` and a new ' +
    '`Idempotency-Key`, and the stock held by this one is released when its hold ends unpaid.',
  tags: ['Checkout'],
  auth: 'customer',
  idempotent: true,
  body: CheckoutRequest,
  responses: {
    201: { description: 'The checkout', schema: CheckoutView },
    404: {
      description: 'No such cart among the caller’s, or no such drop (`dropId`)',
      schema: ErrorEnvelope,
    },
    409: {
      description:
        '`OUT_OF_STOCK` (details.skus names them), `CART_CHECKED_OUT`, the key is in use, or with `dropId`: ' +
        '`DROP_NOT_WON` (no won entry), `DROP_HOLD_IN_USE` (another checkout holds the won units), ' +
        '`DROP_HOLD_EXPIRED` (past the pay-by time)',
      schema: ErrorEnvelope,
    },
    422: {
      description:
        '`SKU_NOT_AVAILABLE`, `CART_EMPTY`, `UNSUPPORTED_DESTINATION`, `SHIPPING_METHOD_UNAVAILABLE`, `PICKUP_LOCATION_UNAVAILABLE` (with `dropId`: not where the won units are), `DROP_CART_MISMATCH` (the cart is not exactly the won SKU and quantity), or the key was used with another body',
      schema: ErrorEnvelope,
    },
  },
});

export const getCheckoutRoute = defineRoute({
  method: 'GET',
  path: '/v1/checkouts/{checkoutId}',
  operationId: 'getCheckout',
  summary: 'A checkout of the caller (staff: any, with the risk reasons)',
  tags: ['Checkout'],
  auth: 'customer',
  params: CheckoutParams,
  responses: { 200: { description: 'The checkout', schema: CheckoutView }, 404: notFound },
});

export const stripeWebhookRoute = defineRoute({
  method: 'POST',
  path: '/v1/webhooks/stripe',
  operationId: 'receiveStripeWebhook',
  summary: 'Stripe events (signature-verified over the raw body)',
  description:
    'Verifies `Stripe-Signature` before reading anything, dedupes on the event id and applies forward-only ' +
    'state changes, so duplicates and any delivery order end in the same state. Unhandled event types are acknowledged.',
  tags: ['Webhooks'],
  auth: 'signature',
  headers: [
    {
      name: 'Stripe-Signature',
      required: true,
      description: "Stripe's `t=…,v1=…` signature of the raw body",
    },
  ],
  responses: {
    200: {
      description: 'Received (also for duplicates)',
      schema: z.strictObject({ received: z.literal(true), duplicate: z.boolean() }),
    },
    400: {
      description: 'Bad or stale signature, or not a Stripe event; nothing was changed',
      schema: ErrorEnvelope,
    },
  },
});

export const getOrderRoute = defineRoute({
  method: 'GET',
  path: '/v1/orders/{orderId}',
  operationId: 'getOrder',
  summary: 'An order of the caller (staff: any, with risk assessment and review)',
  tags: ['Orders'],
  auth: 'customer',
  params: OrderParams,
  responses: { 200: { description: 'The order', schema: OrderView }, 404: notFound },
});

export const listMyOrdersRoute = defineRoute({
  method: 'GET',
  path: '/v1/me/orders',
  operationId: 'listMyOrders',
  summary: "The caller's orders, newest first",
  tags: ['Orders'],
  auth: 'customer',
  query: z.strictObject({
    limit: limitParam(50, 20),
    cursor: z.string().max(200).optional(),
  }),
  responses: { 200: { description: 'A page of orders', schema: page(OrderView) } },
});

export const reviewOrderRoute = defineRoute({
  method: 'POST',
  path: '/v1/admin/orders/{orderId}/review',
  operationId: 'reviewOrder',
  summary: 'Approve (capture) or reject (cancel, release stock) an order whose funds are held',
  tags: ['Orders', 'Admin'],
  auth: 'staff',
  idempotent: true,
  params: OrderParams,
  body: ReviewRequest,
  responses: {
    200: { description: 'The order after the decision', schema: OrderView },
    404: notFound,
    409: {
      description: '`ORDER_NOT_REVIEWABLE`: funds are not held, or another decision was made',
      schema: ErrorEnvelope,
    },
  },
});
