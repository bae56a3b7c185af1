import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { OrderPlaced } from '#lib/commerce/events.ts';
import { entrantKey } from '#lib/drops/drop.ts';
import { type DropDeps, markEntryPurchased } from '#lib/drops/use-cases.ts';
import { awsClock, awsDropStore } from '#lib/runtime/aws/deps.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';
import { logger, metrics, tracer } from '#lib/runtime/observability.ts';

/** The drop and buyer an OrderPlaced event (the EventBridge envelope in an SQS body) names, or undefined. */
function dropOrderOf(body: string): { dropId?: string; customerId: string; orderId: string } | undefined {
  try {
    const envelope = JSON.parse(body) as { detail?: unknown };
    const parsed = OrderPlaced.detail.safeParse(envelope.detail);
    return parsed.success ? parsed.data.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Marks drop entries purchased as their orders are placed. Marking is conditional on the entry being
 * won (or expired, when the payment beat the sweeper), so duplicates and redeliveries change nothing;
 * only the messages that failed are reported, for SQS to redeliver (then the DLQ).
 */
export const makeHandler = (deps: Pick<DropDeps, 'drops' | 'clock'>) =>
  middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer))
    .use(logMetrics(metrics))
    .handler(async (event) => {
      const failures: string[] = [];
      let purchased = 0;
      for (const record of event.Records) {
        const order = dropOrderOf(record.body);
        if (!order) {
          logger.error('Not an OrderPlaced event; it goes to the dead-letter queue', {
            messageId: record.messageId,
          });
          failures.push(record.messageId);
          continue;
        }
        // The rule only forwards orders of drops; anything else has nothing to mark.
        if (!order.dropId) continue;
        try {
          const entry = await markEntryPurchased(
            deps,
            order.dropId,
            entrantKey(order.dropId, order.customerId),
          );
          if (entry?.status === 'purchased') purchased++;
          else {
            // A paid order whose entry is not purchasable (none, lost): nothing to retry, but staff look.
            logger.warn('The order of a drop matches no won entry', {
              orderId: order.orderId,
              dropId: order.dropId,
              status: entry?.status,
            });
          }
        } catch (error) {
          logger.error('Marking a drop entry purchased failed; the message will be redelivered', {
            messageId: record.messageId,
            error,
          });
          failures.push(record.messageId);
        }
      }
      metrics.addMetric('DropOrdersApplied', MetricUnit.Count, purchased);
      return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
    }) as unknown as (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export const handler = lambdaHandler(() => makeHandler({ drops: awsDropStore(), clock: awsClock() }));
