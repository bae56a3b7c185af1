import type { CommerceRepository } from '#lib/commerce/commerce-repository.ts';
import { orderView } from '#lib/commerce/order.ts';
import { type ReviewDeps, reviewOrder } from '#lib/commerce/review-order.ts';
import { getOrderRoute, listMyOrdersRoute, reviewOrderRoute } from '#lib/contracts/routes/checkout.ts';
import { NotFoundError } from '#lib/errors.ts';
import type { IdempotencyStore } from '#lib/platform/idempotency.ts';
import { awsCheckoutDeps } from '#lib/runtime/aws/commerce-deps.ts';
import { awsIdempotency } from '#lib/runtime/aws/deps.ts';
import { bind, httpRouter } from '#lib/runtime/http/http-handler.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';

const encodeCursor = (key: string) => Buffer.from(key, 'utf8').toString('base64url');
const decodeCursor = (cursor: string) => Buffer.from(cursor, 'base64url').toString('utf8');

export const makeHandler = (
  deps: ReviewDeps & { commerce: CommerceRepository; idempotency: IdempotencyStore },
) =>
  httpRouter(
    [
      bind(getOrderRoute, async ({ params, principal }) => {
        const order = await deps.commerce.getOrder(params.orderId);
        if (!order || (order.customerId !== principal.sub && !principal.staff)) {
          throw new NotFoundError('No such order');
        }
        return { status: 200, body: orderView(order, principal.staff) };
      }),
      bind(listMyOrdersRoute, async ({ query, principal }) => {
        const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
        if (cursor !== undefined && !cursor.startsWith('ORDER#')) throw new NotFoundError('Unknown cursor');
        const result = await deps.commerce.listOrders(principal.sub, query.limit, cursor);
        return {
          status: 200,
          body: {
            items: result.orders.map((o) => orderView(o, false)),
            nextCursor: result.nextCursor ? encodeCursor(result.nextCursor) : null,
          },
        };
      }),
      bind(reviewOrderRoute, async ({ params, body, principal }) => ({
        status: 200,
        body: orderView(await reviewOrder(deps, params.orderId, principal.sub, body), true),
      })),
    ],
    { idempotency: deps.idempotency, clock: deps.clock },
  );

export const handler = lambdaHandler(() =>
  makeHandler({ ...awsCheckoutDeps(), idempotency: awsIdempotency() }),
);
