import { type SweepDeps, sweepExpiredHolds } from '#lib/commerce/sweep-holds.ts';
import { awsCheckoutDeps } from '#lib/runtime/aws/commerce-deps.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';
import { logger } from '#lib/runtime/observability.ts';

export const makeHandler = (deps: SweepDeps) => async () => {
  const report = await sweepExpiredHolds(deps);
  if (report.expired > 0) logger.info('expired stock holds swept', { ...report });
  return report;
};

export const handler = lambdaHandler(() => makeHandler(awsCheckoutDeps()));
