import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import {
  type DeliveredRef,
  type LearnFromDeliveryDeps,
  learnFromDelivery,
} from '#lib/delivery/lane-history.ts';
import { awsCommerce } from '#lib/runtime/aws/commerce-deps.ts';
import { awsLaneHistory, awsLocations, shipmentStore } from '#lib/runtime/aws/deps.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';
import { logger, metrics, tracer } from '#lib/runtime/observability.ts';
import { ShipmentStatusChanged } from '#lib/tracking/events.ts';

/**
 * The delivery a ShipmentStatusChanged event (the EventBridge envelope in an SQS body) reports; null for
 * another status change, undefined when the body is not such an event.
 */
function deliveryOf(body: string): DeliveredRef | null | undefined {
  try {
    const envelope = JSON.parse(body) as { detail?: unknown };
    const parsed = ShipmentStatusChanged.detail.safeParse(envelope.detail);
    if (!parsed.success) return undefined;
    const { data } = parsed.data;
    if (data.to !== 'delivered') return null;
    return {
      zone: data.zone,
      shipmentId: data.shipmentId,
      orderId: data.orderId,
      deliveredAt: new Date(data.occurredAt),
    };
  } catch {
    return undefined;
  }
}

/**
 * Counts each delivered shipment's transit on its lane, for the delivery-date model. Counting is once per
 * shipment, so duplicates and redeliveries change nothing; a shipment or order not readable yet fails its
 * message, for SQS to redeliver (then the DLQ).
 */
export const makeHandler = (deps: LearnFromDeliveryDeps) =>
  middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer))
    .use(logMetrics(metrics))
    .handler(async (event) => {
      const failures: string[] = [];
      let recorded = 0;
      for (const record of event.Records) {
        const delivery = deliveryOf(record.body);
        if (delivery === undefined) {
          logger.error('Not a ShipmentStatusChanged event; it goes to the dead-letter queue', {
            messageId: record.messageId,
          });
          failures.push(record.messageId);
          continue;
        }
        // The rule only forwards deliveries; any other status has nothing to learn.
        if (delivery === null) continue;
        try {
          const learned = await learnFromDelivery(deps, delivery);
          if (learned.outcome === 'recorded') recorded++;
          if (learned.outcome === 'skipped') {
            logger.info('Delivery not counted on a lane', {
              shipmentId: delivery.shipmentId,
              reason: learned.reason,
            });
          }
        } catch (error) {
          logger.warn('Counting a delivery failed; the message will be redelivered', {
            messageId: record.messageId,
            shipmentId: delivery.shipmentId,
            error,
          });
          failures.push(record.messageId);
        }
      }
      metrics.addMetric('LaneDeliveriesRecorded', MetricUnit.Count, recorded);
      return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
    }) as unknown as (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export const handler = lambdaHandler(() =>
  makeHandler({
    shipments: shipmentStore(),
    commerce: awsCommerce(),
    locations: awsLocations(),
    laneHistory: awsLaneHistory(),
  }),
);
