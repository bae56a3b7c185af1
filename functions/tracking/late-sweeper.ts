import { awsCommerce } from '#lib/runtime/aws/commerce-deps.ts';
import { awsClock, awsLocations, awsTransitModel, shipmentStore } from '#lib/runtime/aws/deps.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';
import { logger } from '#lib/runtime/observability.ts';
import { type LateSweepDeps, sweepLateShipments } from '#lib/tracking/use-cases.ts';

export const makeHandler = (deps: LateSweepDeps) => async () => {
  const report = await sweepLateShipments(deps);
  if (report.late > 0) logger.info('late shipments reported', { checked: report.checked, late: report.late });
  if (report.failed.length > 0)
    logger.warn('shipments left for the next late check', { failed: report.failed });
  return report;
};

export const handler = lambdaHandler(() =>
  makeHandler({
    shipments: shipmentStore(),
    commerce: awsCommerce(),
    locations: awsLocations(),
    clock: awsClock(),
    transitModel: awsTransitModel(),
  }),
);
