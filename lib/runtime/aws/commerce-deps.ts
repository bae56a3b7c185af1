import { DynamoCommerceRepository } from '../../adapters/dynamo/dynamo-commerce-repository.ts';
import { type ZoneTableMap, zoneTablesFrom } from '../../adapters/dynamo/zone-tables.ts';
import { lazyStripeClient } from '../../adapters/stripe/stripe-client.ts';
import { StripePaymentGateway } from '../../adapters/stripe/stripe-payment-gateway.ts';
import { checkoutCartsFrom } from '../../commerce/checkout-carts.ts';
import type { CheckoutDeps } from '../../commerce/start-checkout.ts';
import { systemClock } from '../../platform/domain-event.ts';
import { tableEnvVar } from '../../platform/tables.ts';
import { once } from '../lambda-handler.ts';
import {
  awsCarts,
  awsDocumentClient,
  awsLocations,
  awsProducts,
  awsRegion,
  awsStock,
  awsVelocity,
} from './deps.ts';

import { requireEnv } from './env.ts';
import { paymentsSecret } from './secrets.ts';

const commerceTables = /* @__PURE__ */ once(
  () => JSON.parse(requireEnv(tableEnvVar('commerce'))) as ZoneTableMap,
);

export const awsCommerce = /* @__PURE__ */ once(
  () =>
    new DynamoCommerceRepository({
      tables: zoneTablesFrom(commerceTables(), { region: awsRegion(), localClient: awsDocumentClient() }),
      zones: Object.keys(commerceTables()),
      region: awsRegion(),
      clock: systemClock,
    }),
);

export const awsPayments = /* @__PURE__ */ once(
  () =>
    new StripePaymentGateway({
      client: lazyStripeClient({ secretKey: async () => (await paymentsSecret()).secretKey }),
    }),
);

/** The webhook endpoint's signing secrets, from the payments secret. */
export const awsWebhookSecrets = async (): Promise<readonly string[]> =>
  (await paymentsSecret()).webhookSecrets;

/** Everything the checkout, order, webhook and sweeper functions share. */
export const awsCheckoutDeps = /* @__PURE__ */ once(
  (): CheckoutDeps => ({
    commerce: awsCommerce(),
    checkoutCarts: checkoutCartsFrom(awsCarts(), systemClock),
    products: awsProducts(),
    stock: awsStock(),
    locations: awsLocations(),
    payments: awsPayments(),
    velocity: awsVelocity(),
    clock: systemClock,
    region: awsRegion(),
  }),
);
