import {
  devAuthenticatePayment,
  devConfirmPayment,
} from '#lib/adapters/local-payments/dev-confirm-payment.ts';
import type { LocalPaymentGateway } from '#lib/adapters/local-payments/local-payment-gateway.ts';
import { ConfigError } from '#lib/config/config.ts';
import { devAuthenticatePaymentRoute, devConfirmPaymentRoute } from '#lib/contracts/routes/dev.ts';
import { httpRouter, ok } from '#lib/runtime/http/http-handler.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';

export const makeHandler = (deps: {
  localPayments: Pick<LocalPaymentGateway, 'confirm' | 'completeAction'>;
}) => {
  const confirm = devConfirmPayment(deps.localPayments);
  const authenticate = devAuthenticatePayment(deps.localPayments);
  return httpRouter([
    [devConfirmPaymentRoute, async ({ params, body }) => ok(await confirm(params, body))],
    [devAuthenticatePaymentRoute, async ({ params, body }) => ok(await authenticate(params, body))],
  ]);
};

/** Never deployed: on AWS the shopper confirms with Stripe itself. */
export const handler = lambdaHandler(() => {
  throw new ConfigError('The dev payment routes exist only in the local runtime');
});
