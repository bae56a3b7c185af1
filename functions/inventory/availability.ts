import { getAvailabilityRoute } from '#lib/contracts/routes/inventory.ts';
import { type AvailabilityDeps, getAvailability } from '#lib/inventory/availability.ts';
import { awsLocations, awsStock, awsZoneOfMarket } from '#lib/runtime/aws/deps.ts';
import { httpHandler, ok } from '#lib/runtime/http/http-handler.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';

export const makeHandler = (deps: AvailabilityDeps) =>
  httpHandler(getAvailabilityRoute, async ({ query }) =>
    ok(await getAvailability(deps, { skus: query.sku, market: query.market, channel: query.channel }), {
      // Stock moves with every sale: a short shared cache absorbs a busy product page without promising stale units for long.
      'cache-control': 'public, max-age=5',
    }),
  );

export const handler = lambdaHandler(() =>
  makeHandler({
    stock: awsStock(),
    locations: awsLocations(),
    zoneOfMarket: awsZoneOfMarket(),
  }),
);
