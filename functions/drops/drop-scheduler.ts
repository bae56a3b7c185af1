import { DropCache, type DropDeps, runDropScheduler } from '#lib/drops/use-cases.ts';
import { awsClock, awsDropStore, awsLocations, awsStock } from '#lib/runtime/aws/deps.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';
import { logger } from '#lib/runtime/observability.ts';

/**
 * Every minute: draws drops whose window closed and reveals their seeds, claims entries left queued,
 * expires unpaid holds and passes their units on, settles finished drops.
 */
export const makeHandler = (deps: DropDeps) => {
  const drops: DropDeps = { ...deps, dropCache: deps.dropCache ?? new DropCache(deps.drops, deps.clock) };
  return async () => {
    const report = await runDropScheduler(drops, {
      onError: (dropId, error) =>
        logger.error('A drop could not be processed; next run retries', { dropId, error }),
    });
    if (report.drawn || report.expired || report.admitted || report.settled || report.failed) {
      logger.info('Drops processed', { ...report });
    }
    return report;
  };
};

export const handler = lambdaHandler(() =>
  makeHandler({ drops: awsDropStore(), stock: awsStock(), locations: awsLocations(), clock: awsClock() }),
);
