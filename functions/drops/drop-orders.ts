import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { OrderPlaced } from '#lib/commerce/events.ts';
import { entrantKey } from '#lib/drops/drop.ts';
import { type DropDeps, markEntryPurchased } from '#lib/drops/use-cases.ts';
import { awsClock, awsDropStore } from '#lib/runtime/aws/deps.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';
import { logger, metrics } from '#lib/runtime/observability.ts';
import { eventDataOf, oneByOne, sqsHandler } from '#lib/runtime/queue/sqs-handler.ts';

const orderPlaced = eventDataOf(OrderPlaced);

/**
 * Marks drop entries purchased as their orders are placed. Marking is conditional on the entry being
 * won (or expired, when the payment beat the sweeper), so duplicates and redeliveries change nothing;
 * only the messages that failed are reported, for SQS to redeliver (then the DLQ).
 */
export const makeHandler = (deps: Pick<DropDeps, 'drops' | 'clock'>) =>
  sqsHandler({
    carries: 'an OrderPlaced event',
    parse: orderPlaced,
    handle: async (messages) => {
      let purchased = 0;
      const outcome = await oneByOne<(typeof messages)[number]['value']>(async (order) => {
        // The rule only forwards orders of drops; anything else has nothing to mark.
        if (!order.dropId) return;
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
      }, 'Marking a drop entry purchased failed')(messages);
      metrics.addMetric('DropOrdersApplied', MetricUnit.Count, purchased);
      return outcome;
    },
  });

export const handler = lambdaHandler(() => makeHandler({ drops: awsDropStore(), clock: awsClock() }));
