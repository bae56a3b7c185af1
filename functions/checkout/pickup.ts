import { orderView } from '#lib/commerce/order.ts';
import { collectPickup, markReadyForPickup, type PickupDeps } from '#lib/commerce/pickup.ts';
import { collectPickupRoute, markReadyForPickupRoute } from '#lib/contracts/routes/pickup.ts';
import type { IdempotencyStore } from '#lib/platform/idempotency.ts';
import { awsCheckoutDeps } from '#lib/runtime/aws/commerce-deps.ts';
import { awsIdempotency } from '#lib/runtime/aws/deps.ts';
import { bind, httpRouter } from '#lib/runtime/http/http-handler.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';

// Answers are staff views: the pickup code is never in them, nor in the idempotency records that keep them.
export const makeHandler = (deps: PickupDeps & { idempotency: IdempotencyStore }) =>
  httpRouter(
    [
      bind(markReadyForPickupRoute, async ({ params, principal }) => ({
        status: 200,
        body: orderView(await markReadyForPickup(deps, params.orderId, principal.sub), true),
      })),
      bind(collectPickupRoute, async ({ params, body, principal }) => ({
        status: 200,
        body: orderView(await collectPickup(deps, params.orderId, principal.sub, body), true),
      })),
    ],
    { idempotency: deps.idempotency, clock: deps.clock },
  );

export const handler = lambdaHandler(() =>
  makeHandler({ ...awsCheckoutDeps(), idempotency: awsIdempotency() }),
);
