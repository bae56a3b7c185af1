import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DropEntryQueued } from '#lib/drops/events.ts';
import { admitQueuedEntries, DropCache, type DropDeps } from '#lib/drops/use-cases.ts';
import { awsClock, awsDropStore, awsLocations, awsStock } from '#lib/runtime/aws/deps.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';
import { metrics } from '#lib/runtime/observability.ts';
import { eventDataOf, sqsHandler } from '#lib/runtime/queue/sqs-handler.ts';

const entryQueued = eventDataOf(DropEntryQueued);

/**
 * Admits queued drop entries: the whole batch is claimed in arrival order (not message order), and
 * only the messages that failed are reported, so SQS redelivers those alone (then the DLQ).
 */
export const makeHandler = (deps: DropDeps) => {
  const drops: DropDeps = { ...deps, dropCache: deps.dropCache ?? new DropCache(deps.drops, deps.clock) };
  return sqsHandler({
    carries: 'a DropEntryQueued event',
    parse: entryQueued,
    handle: async (messages) => {
      const { failed } = await admitQueuedEntries(
        drops,
        messages.map(({ value }) => value),
      );
      metrics.addMetric('DropEntriesAdmitted', MetricUnit.Count, messages.length - failed.length);
      if (failed.length) metrics.addMetric('DropEntriesFailed', MetricUnit.Count, failed.length);
      return { failed: failed.map((index) => messages[index]?.messageId as string) };
    },
  });
};

export const handler = lambdaHandler(() =>
  makeHandler({ drops: awsDropStore(), stock: awsStock(), locations: awsLocations(), clock: awsClock() }),
);
