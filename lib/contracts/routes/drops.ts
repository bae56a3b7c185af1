import { z } from 'zod';
import { CreateDropRequest, DrawSeed, Drop, DropEntryRequest, DropId, DropView } from '../../drops/drop.ts';
import { DropEntryView } from '../../drops/use-cases.ts';
import { Channel, FenceKey } from '../../inventory/stock.ts';
import { defineRoute, ErrorEnvelope } from '../http.ts';

const DropParams = z.strictObject({ dropId: DropId });
const notFound = { description: 'No such drop', schema: ErrorEnvelope };

/** The staff view of a drop: its stored form and fence, never its seed before the draw. */
export const DropStaffView = Drop.omit({ seed: true })
  .extend({
    fenceKey: FenceKey.describe('The fence holding the drop’s units on each item’s pool'),
    seed: DrawSeed.optional().describe('Revealed once the draw has run'),
  })
  .meta({ id: 'DropStaffView' });

export const createDropRoute = defineRoute({
  method: 'POST',
  path: '/v1/admin/drops',
  operationId: 'createDrop',
  summary: 'Create a drop: fence its units, shard its stock and commit its draw seed',
  description:
    'Each item’s units are ring-fenced on its pool (fence `drop_<id>`, no overflow), so no other channel ' +
    'can sell them. First-come drops split each item over shards sized for `expectedArrivalsPerSecond` and ' +
    'choose direct or queued admission; draw drops publish `seedHash`, the SHA-256 of a secret seed revealed ' +
    'after the draw. Retrying with the same `Idempotency-Key` answers the same drop.',
  tags: ['Drops', 'Admin'],
  auth: 'staff',
  idempotent: true,
  body: CreateDropRequest,
  responses: {
    201: { description: 'The drop', schema: DropStaffView },
    409: {
      description: '`DROP_STOCK_UNAVAILABLE`: a pool lacks the free units (nothing was fenced)',
      schema: ErrorEnvelope,
    },
    422: {
      description:
        '`UNKNOWN_REFERENCE` (a location), `DROP_HOME_REGIONS_DIFFER`, or the key was used with another body',
      schema: ErrorEnvelope,
    },
  },
});

export const getDropRoute = defineRoute({
  method: 'GET',
  path: '/v1/drops/{dropId}',
  operationId: 'getDrop',
  summary: 'A drop: its window, state, remaining stock in bands and the caller’s eligibility',
  description:
    'Needs a signed-in customer, because the answer carries the caller’s eligibility (tier and channel) and ' +
    'API Gateway’s Cognito authorizer cannot be optional on one route. Stock is given in bands ' +
    '(`plenty`, `limited`, `few`, `sold_out`), never as counts. Once a draw has run, the view reveals its seed.',
  tags: ['Drops'],
  auth: 'customer',
  params: DropParams,
  query: z.strictObject({
    channel: Channel.default('web').describe('The storefront channel asking, for eligibility'),
  }),
  responses: { 200: { description: 'The drop', schema: DropView }, 404: notFound },
});

export const enterDropRoute = defineRoute({
  method: 'POST',
  path: '/v1/drops/{dropId}/entries',
  operationId: 'enterDrop',
  summary: 'Enter a drop (once per customer)',
  description:
    'First come, direct admission: the stock is claimed at once and the answer is 201 `won` (with `payBy`) or ' +
    '`lost`. First come, queued admission: 202 `queued`; poll `GET /v1/drops/{dropId}/entries/me`. Draw: 201 ' +
    '`entered`; winners are drawn when the window closes. Once a drop is sold out, entries are answered ' +
    '`lost` without being recorded.',
  tags: ['Drops'],
  auth: 'customer',
  idempotent: true,
  params: DropParams,
  body: DropEntryRequest,
  responses: {
    201: { description: 'The entry, decided (`won`, `lost`) or entered in the draw', schema: DropEntryView },
    202: { description: 'The entry, queued for admission in arrival order', schema: DropEntryView },
    403: {
      description: '`DROP_NOT_ELIGIBLE`: the caller’s tier or channel may not enter',
      schema: ErrorEnvelope,
    },
    404: notFound,
    409: {
      description:
        '`DROP_NOT_OPEN` (`details.opensAt`), `DROP_CLOSED`, `DROP_ALREADY_ENTERED` (`details.entry`), `DROP_CONTENDED`, or the key is in use',
      schema: ErrorEnvelope,
    },
    422: {
      description: '`DROP_SKU_UNKNOWN`, `DROP_LIMIT_EXCEEDED`, or the key was used with another body',
      schema: ErrorEnvelope,
    },
  },
});

export const getMyDropEntryRoute = defineRoute({
  method: 'GET',
  path: '/v1/drops/{dropId}/entries/me',
  operationId: 'getMyDropEntry',
  summary: 'The caller’s entry in a drop',
  description:
    'Where the entry stands: `queued`, `entered`, `won` (pay before `payBy`), `purchased`, `lost`, ' +
    '`waitlisted` or `expired`. A caller without an entry in a sold-out first-come drop is answered `lost`.',
  tags: ['Drops'],
  auth: 'customer',
  params: DropParams,
  responses: {
    200: { description: 'The entry', schema: DropEntryView },
    404: { description: 'No such drop, or the caller has no entry in it', schema: ErrorEnvelope },
  },
});
