import { type CheckoutDeps, checkoutView, startCheckout } from '#lib/commerce/start-checkout.ts';
import { getCheckoutRoute, startCheckoutRoute } from '#lib/contracts/routes/checkout.ts';
import { NotFoundError } from '#lib/errors.ts';
import type { IdempotencyStore } from '#lib/platform/idempotency.ts';
import { awsCheckoutDeps } from '#lib/runtime/aws/commerce-deps.ts';
import { awsDropStore, awsIdempotency, awsTransitModel } from '#lib/runtime/aws/deps.ts';
import { bind, httpRouter } from '#lib/runtime/http/http-handler.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';

export const makeHandler = (deps: CheckoutDeps & { idempotency: IdempotencyStore }) =>
  httpRouter(
    [
      bind(startCheckoutRoute, async ({ body, principal, idempotency, sourceIp, headers }) => {
        const checkout = await startCheckout(
          deps,
          {
            customerId: principal.sub,
            ip: sourceIp ?? '127.0.0.1',
            userAgent: headers['user-agent'],
            idempotency: idempotency!,
            staff: principal.staff,
          },
          body,
        );
        return { status: 201, body: checkoutView(checkout, principal.staff) };
      }),
      bind(getCheckoutRoute, async ({ params, principal }) => {
        const checkout = await deps.commerce.getCheckout(params.checkoutId);
        if (!checkout || (checkout.customerId !== principal.sub && !principal.staff)) {
          throw new NotFoundError('No such checkout');
        }
        return { status: 200, body: checkoutView(checkout, principal.staff) };
      }),
    ],
    { idempotency: deps.idempotency, clock: deps.clock },
  );

export const handler = lambdaHandler(() =>
  makeHandler({
    ...awsCheckoutDeps(),
    drops: awsDropStore(),
    idempotency: awsIdempotency(),
    transitModel: awsTransitModel(),
  }),
);
