import { z } from 'zod';
import { Availability } from '../../inventory/availability.ts';
import { Channel, LedgerEntry, ReservationId, StockPool, Transfer } from '../../inventory/stock.ts';
import { SetFenceRequest, SetStockRequest, TransferRequest } from '../../inventory/stock-admin.ts';
import { MarketCode } from '../../money/markets.ts';
import { Sku, Slug } from '../catalog.ts';
import { defineRoute, ErrorEnvelope, limitParam, page } from '../http.ts';

const PoolParams = z.strictObject({ sku: Sku, locationId: Slug });
const unknownLocation = {
  description: '`NOT_FOUND`: no such location (or, for a fence, no stock of the SKU there)',
  schema: ErrorEnvelope,
};

export const setStockRoute = defineRoute({
  method: 'PUT',
  path: '/v1/admin/stock/{sku}/{locationId}',
  operationId: 'setStock',
  summary: 'Record a stock take, receipt, return or correction at one location',
  description:
    'Either `{ onHand }` (the count found) or `{ adjustBy, reason, type }` (a signed change; receipts and ' +
    'returns are positive). The change lands on the shared remainder and is written to the ledger with the ' +
    'staff member as actor; channel and drop fences, reservations and allocations keep their units. ' +
    'Retrying with the same `Idempotency-Key` replays the answer and never applies a change twice.',
  tags: ['Inventory', 'Admin'],
  auth: 'staff',
  idempotent: true,
  params: PoolParams,
  body: SetStockRequest,
  responses: {
    200: { description: 'The pool after the change, with its fences', schema: StockPool },
    404: unknownLocation,
    409: {
      description: '`STOCK_COMMITTED`: fewer units would be left than are reserved, allocated or fenced',
      schema: ErrorEnvelope,
    },
  },
});

export const setChannelFenceRoute = defineRoute({
  method: 'PUT',
  path: '/v1/admin/stock/{sku}/{locationId}/fences/{channel}',
  operationId: 'setChannelFence',
  summary: "Size a sales channel's allocation on one pool",
  description:
    'Moves the difference between the fence and the shared remainder. `overflow` lets the channel sell ' +
    'from the shared remainder once its fence is empty. Drop fences belong to their drop and are not ' +
    'editable here. Setting the same size again leaves the counts as they are.',
  tags: ['Inventory', 'Admin'],
  auth: 'staff',
  params: PoolParams.extend({ channel: Channel }),
  body: SetFenceRequest,
  responses: {
    200: { description: 'The pool after the change, with its fences', schema: StockPool },
    404: unknownLocation,
    409: {
      description:
        '`STOCK_COMMITTED`: the shared remainder lacks the units to grow the fence, or its units are in use',
      schema: ErrorEnvelope,
    },
  },
});

export const dispatchTransferRoute = defineRoute({
  method: 'POST',
  path: '/v1/admin/stock/transfers',
  operationId: 'dispatchStockTransfer',
  summary: 'Send units from one location to another',
  description:
    "Takes the units off the source's shared remainder and on hand; they are in transit, on neither " +
    'location, until received. The transfer id derives from the `Idempotency-Key`, so a retry never ' +
    'dispatches twice.',
  tags: ['Inventory', 'Admin'],
  auth: 'staff',
  idempotent: true,
  body: TransferRequest,
  responses: {
    201: { description: 'The transfer, in transit', schema: Transfer },
    404: { description: '`NOT_FOUND`: no such source or destination', schema: ErrorEnvelope },
    409: {
      description: "`OUT_OF_STOCK`: the source's shared remainder lacks the units",
      schema: ErrorEnvelope,
    },
  },
});

export const receiveTransferRoute = defineRoute({
  method: 'POST',
  path: '/v1/admin/stock/transfers/{transferId}/receive',
  operationId: 'receiveStockTransfer',
  summary: "Book a transfer's units in at its destination",
  description: 'Receiving a transfer that is already received answers it unchanged.',
  tags: ['Inventory', 'Admin'],
  auth: 'staff',
  idempotent: true,
  params: z.strictObject({ transferId: ReservationId }),
  responses: {
    200: { description: 'The transfer, received', schema: Transfer },
    404: { description: '`NOT_FOUND`: no such transfer', schema: ErrorEnvelope },
  },
});

export const stockLedgerRoute = defineRoute({
  method: 'GET',
  path: '/v1/admin/stock/{sku}/{locationId}/ledger',
  operationId: 'getStockLedger',
  summary: "A pool's movements, oldest first",
  description:
    'Every movement of the pool with its signed counter changes, actor, reason and reference. Replaying ' +
    'all entries from zero rebuilds the pool.',
  tags: ['Inventory', 'Admin'],
  auth: 'staff',
  params: PoolParams,
  query: z.strictObject({
    after: z.string().min(1).max(400).optional().describe('The `nextCursor` of the previous page'),
    limit: limitParam(100, 50),
  }),
  responses: {
    200: { description: 'A page of ledger entries', schema: page(LedgerEntry) },
    404: unknownLocation,
  },
});

/** SKUs one availability request may ask about: a product page's variants, or a cart. */
export const MAX_AVAILABILITY_SKUS = 20;

const SkuList = z
  .string()
  .max(1000)
  .transform((value) => [
    ...new Set(
      value
        .split(',')
        .map((sku) => sku.trim())
        .filter(Boolean),
    ),
  ])
  .pipe(
    z
      .array(Sku)
      .min(1, { message: 'name at least one SKU' })
      .max(MAX_AVAILABILITY_SKUS, { message: `at most ${MAX_AVAILABILITY_SKUS} SKUs per request` }),
  );

export const getAvailabilityRoute = defineRoute({
  method: 'GET',
  path: '/v1/availability',
  operationId: 'getAvailability',
  summary: 'Available-to-promise of SKUs on a channel, per location of the market’s zone',
  description:
    'What the channel may sell of each SKU in the zone serving the market: its own allocation at each ' +
    'location, plus the shared stock when that allocation overflows or the channel has none (units ' +
    'allocated to other channels and to drops are never counted). Each location says whether the piece ' +
    'can be collected there, and `pickupLocations` lists those boutiques. A SKU without stock in the zone, ' +
    'or unknown to the inventory, is answered with zeros rather than 404: the catalog may list a piece ' +
    'before its stock arrives. Read from the nearest replica and cached for 5 seconds, so it can lag a ' +
    'sale by moments; checkout re-checks every unit when it reserves.',
  tags: ['Inventory'],
  auth: 'public',
  query: z.strictObject({
    sku: SkuList.describe(`Comma-separated SKUs, at most ${MAX_AVAILABILITY_SKUS}`),
    market: MarketCode,
    channel: Channel.default('web').describe('The sales channel whose allocation is counted'),
  }),
  responses: {
    200: { description: 'One entry per SKU asked for, in the order asked', schema: Availability },
  },
});
