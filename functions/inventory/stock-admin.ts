import {
  dispatchTransferRoute,
  receiveTransferRoute,
  setChannelFenceRoute,
  setStockRoute,
  stockLedgerRoute,
} from '#lib/contracts/routes/inventory.ts';
import { MalformedRequestError } from '#lib/errors.ts';
import {
  dispatchTransfer,
  receiveTransfer,
  type StockAdminDeps,
  setChannelFence,
  setStock,
  staffActor,
  stockLedger,
} from '#lib/inventory/stock-admin.ts';
import type { IdempotencyStore } from '#lib/platform/idempotency.ts';
import { awsClock, awsIdempotency, awsLocations, awsStock } from '#lib/runtime/aws/deps.ts';
import { bind, httpRouter } from '#lib/runtime/http/http-handler.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';

// The store's position is opaque to callers: it travels as base64url so it survives a query string.
const encodeCursor = (position: string) => Buffer.from(position, 'utf8').toString('base64url');
function decodeCursor(cursor: string): string {
  const position = Buffer.from(cursor, 'base64url').toString('utf8');
  if (position.length === 0 || encodeCursor(position) !== cursor) {
    throw new MalformedRequestError('Unknown ledger cursor; pass the nextCursor of the previous page');
  }
  return position;
}

export const makeHandler = (deps: StockAdminDeps & { idempotency: IdempotencyStore }) =>
  httpRouter(
    [
      bind(setStockRoute, async ({ params, body, principal }) => ({
        status: 200,
        body: await setStock(deps, staffActor(principal.sub), params, body),
      })),
      bind(setChannelFenceRoute, async ({ params, body, principal }) => ({
        status: 200,
        body: await setChannelFence(deps, staffActor(principal.sub), params, body),
      })),
      bind(dispatchTransferRoute, async ({ body, principal, idempotency }) => ({
        status: 201,
        body: await dispatchTransfer(deps, staffActor(principal.sub), idempotency!, body),
      })),
      bind(receiveTransferRoute, async ({ params, principal }) => ({
        status: 200,
        body: await receiveTransfer(deps, staffActor(principal.sub), params.transferId),
      })),
      bind(stockLedgerRoute, async ({ params, query }) => {
        const page = await stockLedger(deps, params, {
          limit: query.limit,
          ...(query.after ? { after: decodeCursor(query.after) } : {}),
        });
        return {
          status: 200,
          body: { items: page.entries, nextCursor: page.next ? encodeCursor(page.next) : null },
        };
      }),
    ],
    { idempotency: deps.idempotency, clock: deps.clock },
  );

export const handler = lambdaHandler(() =>
  makeHandler({
    stock: awsStock(),
    locations: awsLocations(),
    clock: awsClock(),
    idempotency: awsIdempotency(),
  }),
);
