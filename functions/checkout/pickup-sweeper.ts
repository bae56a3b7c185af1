import { type PickupSweepDeps, sweepUncollected } from '#lib/commerce/pickup.ts';
import { awsCheckoutDeps, awsCommerce } from '#lib/runtime/aws/commerce-deps.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';
import { logger } from '#lib/runtime/observability.ts';

export const makeHandler = (deps: PickupSweepDeps) => async () => {
  const report = await sweepUncollected(deps);
  if (report.expired > 0 || report.settled > 0) {
    logger.info('uncollected pickups swept', { expired: report.expired, settled: report.settled });
  }
  if (report.failed.length > 0) logger.warn('pickups left for the next sweep', { failed: report.failed });
  return report;
};

export const handler = lambdaHandler(() => makeHandler({ ...awsCheckoutDeps(), commerce: awsCommerce() }));
