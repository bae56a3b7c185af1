import { z } from 'zod';
import { OrderView } from '../../commerce/order.ts';
import { CollectPickupRequest } from '../../commerce/pickup.ts';
import { defineRoute, ErrorEnvelope } from '../http.ts';

const OrderParams = z.strictObject({ orderId: z.string().min(1).max(64) });
const notFound = { description: 'No such order', schema: ErrorEnvelope };
const staffView = {
  description: 'The order as staff see it: everything but the pickup code',
  schema: OrderView,
};

export const markReadyForPickupRoute = defineRoute({
  method: 'POST',
  path: '/v1/admin/orders/{orderId}/pickup/ready',
  operationId: 'markReadyForPickup',
  summary: 'Mark a click-and-collect order ready at its boutique, issuing the shopper’s pickup code',
  description:
    'Only a paid or authorized order whose every piece is held at its boutique can be made ready. A six-digit ' +
    'code is issued and shown to the order’s owner only (`GET /v1/orders/{orderId}`), and `pickup.collectBy` ' +
    'is set (the boutique’s period, 14 days by default, never past a held authorization’s lapse); an order not ' +
    'collected by then is cancelled and refunded. Calling it again answers the order as it stands, except that ' +
    'a pickup locked by wrong codes gets a new code.',
  tags: ['Orders', 'Admin'],
  auth: 'staff',
  idempotent: true,
  params: OrderParams,
  responses: {
    200: staffView,
    404: notFound,
    409: {
      description:
        '`PICKUP_NOT_ALLOWED`: not a click-and-collect order, not paid or authorized, already collected, ' +
        'expired or cancelled, or its pieces are not at the boutique',
      schema: ErrorEnvelope,
    },
  },
});

export const collectPickupRoute = defineRoute({
  method: 'POST',
  path: '/v1/admin/orders/{orderId}/pickup/collect',
  operationId: 'collectPickup',
  summary: 'Hand a ready order over once the shopper’s pickup code matches',
  description:
    'A held authorization is captured first; then the order becomes `collected` and its units leave the ' +
    'boutique’s stock. Collecting a collected order answers it as it stands. After ' +
    '5 wrong codes every code is refused until staff mark the order ready again, which issues a new one.',
  tags: ['Orders', 'Admin'],
  auth: 'staff',
  idempotent: true,
  params: OrderParams,
  body: CollectPickupRequest,
  responses: {
    200: staffView,
    404: notFound,
    409: {
      description:
        '`PICKUP_NOT_READY` (not ready, expired or cancelled), `PICKUP_NOT_ALLOWED` (not click and collect) or ' +
        '`PICKUP_PAYMENT_UNAVAILABLE` (the authorization can no longer be captured)',
      schema: ErrorEnvelope,
    },
    422: {
      description: '`PICKUP_CODE_INVALID`; `details.attemptsLeft` says how many more codes may be tried',
      schema: ErrorEnvelope,
    },
    423: { description: '`PICKUP_CODE_LOCKED`: too many wrong codes', schema: ErrorEnvelope },
  },
});
