import { createShipmentRoute, getOrderTrackingRoute } from '#lib/contracts/routes/tracking.ts';
import type { IdempotencyStore } from '#lib/platform/idempotency.ts';
import { awsCheckoutDeps } from '#lib/runtime/aws/commerce-deps.ts';
import { awsIdempotency, awsTransitModel, shipmentStore } from '#lib/runtime/aws/deps.ts';
import { bind, httpRouter } from '#lib/runtime/http/http-handler.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';
import { type BookShipmentDeps, bookShipment, orderTracking } from '#lib/tracking/use-cases.ts';

export const makeHandler = (deps: BookShipmentDeps & { idempotency: IdempotencyStore }) =>
  httpRouter(
    [
      bind(createShipmentRoute, async ({ params, body, principal, idempotency, requestId }) => {
        const booked = await bookShipment(deps, {
          orderId: params.orderId,
          staff: principal.sub,
          request: body,
          // The route is idempotent, so the key is always there; scoped, so two callers' keys never meet.
          ...(idempotency ? { idempotencyKey: `${idempotency.scope}\n${idempotency.key}` } : {}),
          correlationId: requestId,
        });
        return { status: booked.created ? 201 : 200, body: booked.shipment };
      }),
      bind(getOrderTrackingRoute, async ({ params, principal }) => ({
        status: 200,
        body: await orderTracking(deps, { orderId: params.orderId, viewer: principal }),
      })),
    ],
    { idempotency: deps.idempotency, clock: deps.clock },
  );

export const handler = lambdaHandler(() =>
  makeHandler({
    ...awsCheckoutDeps(),
    shipments: shipmentStore(),
    idempotency: awsIdempotency(),
    transitModel: awsTransitModel(),
  }),
);
