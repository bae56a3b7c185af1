import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DropEntryQueued } from '#lib/drops/events.ts';
import { admitQueuedEntries, DropCache, type DropDeps, type QueuedEntryRef } from '#lib/drops/use-cases.ts';
import { awsClock, awsDropStore, awsLocations, awsStock } from '#lib/runtime/aws/deps.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';
import { logger, metrics, tracer } from '#lib/runtime/observability.ts';

/** The DropEntryQueued event an SQS message carries (the EventBridge envelope), or undefined. */
function queuedEntryOf(body: string): QueuedEntryRef | undefined {
  try {
    const envelope = JSON.parse(body) as { detail?: unknown };
    const parsed = DropEntryQueued.detail.safeParse(envelope.detail);
    return parsed.success ? parsed.data.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Admits queued drop entries: the whole batch is claimed in arrival order (not message order), and
 * only the messages that failed are reported, so SQS redelivers those alone (then the DLQ).
 */
export const makeHandler = (deps: DropDeps) => {
  const drops: DropDeps = { ...deps, dropCache: deps.dropCache ?? new DropCache(deps.drops, deps.clock) };
  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer))
    .use(logMetrics(metrics))
    .handler(async (event) => {
      const refs: { ref: QueuedEntryRef; messageId: string }[] = [];
      const failures: string[] = [];
      for (const record of event.Records) {
        const ref = queuedEntryOf(record.body);
        if (ref) refs.push({ ref, messageId: record.messageId });
        else {
          logger.error('Not a DropEntryQueued event; it goes to the dead-letter queue', {
            messageId: record.messageId,
          });
          failures.push(record.messageId);
        }
      }
      const { failed } = await admitQueuedEntries(
        drops,
        refs.map(({ ref }) => ref),
      );
      for (const index of failed) failures.push(refs[index]?.messageId as string);
      metrics.addMetric('DropEntriesAdmitted', MetricUnit.Count, refs.length - failed.length);
      if (failures.length) metrics.addMetric('DropEntriesFailed', MetricUnit.Count, failures.length);
      return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
    }) as unknown as (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
};

export const handler = lambdaHandler(() =>
  makeHandler({ drops: awsDropStore(), stock: awsStock(), locations: awsLocations(), clock: awsClock() }),
);
