import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  type DeliveredRef,
  type LearnFromDeliveryDeps,
  learnFromDelivery,
} from '#lib/delivery/lane-history.ts';
import { awsCommerce } from '#lib/runtime/aws/commerce-deps.ts';
import { awsLaneHistory, awsLocations, shipmentStore } from '#lib/runtime/aws/deps.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';
import { logger, metrics } from '#lib/runtime/observability.ts';
import { eventDataOf, oneByOne, sqsHandler } from '#lib/runtime/queue/sqs-handler.ts';
import { ShipmentStatusChanged } from '#lib/tracking/events.ts';

const statusChanged = eventDataOf(ShipmentStatusChanged);

/** The delivery a ShipmentStatusChanged event reports; null for another status change. */
function deliveryOf(body: unknown): DeliveredRef | null | undefined {
  const data = statusChanged(body);
  if (!data) return undefined;
  if (data.to !== 'delivered') return null;
  return {
    zone: data.zone,
    shipmentId: data.shipmentId,
    orderId: data.orderId,
    deliveredAt: new Date(data.occurredAt),
  };
}

/**
 * Counts each delivered shipment's transit on its lane, for the delivery-date model. Counting is once per
 * shipment, so duplicates and redeliveries change nothing; a shipment or order not readable yet fails its
 * message, for SQS to redeliver (then the DLQ).
 */
export const makeHandler = (deps: LearnFromDeliveryDeps) =>
  sqsHandler({
    carries: 'a ShipmentStatusChanged event',
    parse: deliveryOf,
    handle: async (messages) => {
      let recorded = 0;
      const outcome = await oneByOne<(typeof messages)[number]['value']>(async (delivery) => {
        // The rule only forwards deliveries; any other status has nothing to learn.
        if (delivery === null) return;
        const learned = await learnFromDelivery(deps, delivery);
        if (learned.outcome === 'recorded') recorded++;
        if (learned.outcome === 'skipped') {
          logger.info('Delivery not counted on a lane', {
            shipmentId: delivery.shipmentId,
            reason: learned.reason,
          });
        }
      }, 'Counting a delivery failed')(messages);
      metrics.addMetric('LaneDeliveriesRecorded', MetricUnit.Count, recorded);
      return outcome;
    },
  });

export const handler = lambdaHandler(() =>
  makeHandler({
    shipments: shipmentStore(),
    commerce: awsCommerce(),
    locations: awsLocations(),
    laneHistory: awsLaneHistory(),
  }),
);
