import type { z } from 'zod';
import { OrderPlaced, ReadyForPickup } from '../commerce/events.ts';
import type { EventDefinition, EventMetadata } from '../contracts/events.ts';
import { ShipmentStatusChanged, ShipmentWindowMissed } from '../tracking/events.ts';
import { isTerminal } from '../tracking/status.ts';
import type { NotificationRequest } from './decide.ts';

/** Turns one bus event into the messages it calls for (none, one or several). */
export interface NotificationTrigger<E extends EventDefinition = EventDefinition> {
  readonly event: E;
  readonly requests: (data: z.infer<E['data']>, metadata: EventMetadata) => NotificationRequest[];
}

const trigger = <E extends EventDefinition>(
  event: E,
  requests: NotificationTrigger<E>['requests'],
): NotificationTrigger => ({ event, requests }) as unknown as NotificationTrigger;

const orderConfirmed: NotificationTrigger<typeof OrderPlaced>['requests'] = (data, metadata) => [
  {
    type: 'order_confirmed',
    customerId: data.customerId,
    zone: data.zone,
    orderId: data.orderId,
    subjectId: data.orderId,
    status: 'placed',
    occurredAt: metadata.occurredAt,
    sourceEventId: metadata.eventId,
    details: { orderNumber: data.orderNumber },
  },
];

const readyForPickup: NotificationTrigger<typeof ReadyForPickup>['requests'] = (data, metadata) => [
  {
    type: 'ready_for_pickup',
    customerId: data.customerId,
    zone: data.zone,
    orderId: data.orderId,
    subjectId: data.orderId,
    // Each reissued code is news of its own; its event id names the issue.
    status: data.reissued ? `code_reissued@${metadata.eventId}` : 'ready',
    occurredAt: metadata.occurredAt,
    sourceEventId: metadata.eventId,
    details: {
      orderNumber: data.orderNumber,
      locationId: data.locationId,
      collectBy: data.collectBy,
      reissued: data.reissued,
    },
  },
];

/**
 * Shipment moments. `shipped` and `delivered` happen once per parcel; a parcel can go out for delivery
 * and miss its recipient on several days, so those carry the scan's time. A parcel still moving after
 * the last day of its window is late, once per promised window: a revised window can be missed again.
 */
const shipmentMoments: NotificationTrigger<typeof ShipmentStatusChanged>['requests'] = (data, metadata) => {
  const base = {
    customerId: data.customerId,
    zone: data.zone,
    orderId: data.orderId,
    subjectId: data.shipmentId,
    occurredAt: data.occurredAt,
    sourceEventId: metadata.eventId,
    details: {
      carrier: data.carrier,
      trackingNumber: data.trackingNumber,
      signatureRequired: data.signatureRequired,
      ...(data.estimate
        ? { estimate: { earliest: data.estimate.earliest, latest: data.estimate.latest } }
        : {}),
    },
  };
  switch (data.to) {
    case 'picked_up':
    case 'in_transit':
      if (data.from === 'label_created') return [{ ...base, type: 'shipped', status: 'shipped' }];
      break;
    case 'out_for_delivery':
      return [{ ...base, type: 'out_for_delivery', status: `out_for_delivery@${data.occurredAt}` }];
    case 'delivery_attempted':
      return [{ ...base, type: 'delivery_attempted', status: `attempted@${data.occurredAt}` }];
    case 'delivered':
      return [{ ...base, type: 'delivered', status: 'delivered' }];
  }
  const latest = data.estimate?.latest;
  if (latest && !isTerminal(data.to) && data.occurredAt.slice(0, 10) > latest) {
    return [{ ...base, type: 'late', status: `late@${latest}` }];
  }
  return [];
};

/**
 * The late check's finding that a parcel missed its window without a scan saying so. Same type, subject
 * and status as the late message a scan would raise, so the customer hears it once per window whichever
 * comes first; the details give the missed window's dates.
 */
const windowMissed: NotificationTrigger<typeof ShipmentWindowMissed>['requests'] = (data, metadata) => [
  {
    type: 'late',
    customerId: data.customerId,
    zone: data.zone,
    orderId: data.orderId,
    subjectId: data.shipmentId,
    status: `late@${data.missed.latest}`,
    occurredAt: data.detectedAt,
    sourceEventId: metadata.eventId,
    details: {
      carrier: data.carrier,
      trackingNumber: data.trackingNumber,
      signatureRequired: data.signatureRequired,
      estimate: { earliest: data.missed.earliest, latest: data.missed.latest },
    },
  },
];

/** Every event that may notify a customer, and what it says. Adding an event type is one line here. */
export const NOTIFICATION_TRIGGERS: readonly NotificationTrigger[] = [
  trigger(OrderPlaced, orderConfirmed),
  trigger(ReadyForPickup, readyForPickup),
  trigger(ShipmentStatusChanged, shipmentMoments),
  trigger(ShipmentWindowMissed, windowMissed),
];

/** The events the notifier subscribes to. */
export const NOTIFICATION_EVENTS: readonly EventDefinition[] = NOTIFICATION_TRIGGERS.map((t) => t.event);

/**
 * The messages an EventBridge event (as SQS carries it) calls for; `[]` for an event no trigger knows,
 * undefined when a known event fails its schema.
 */
export function notificationRequestsOf(envelope: {
  readonly source?: unknown;
  readonly 'detail-type'?: unknown;
  readonly detail?: unknown;
}): NotificationRequest[] | undefined {
  const found = NOTIFICATION_TRIGGERS.find(
    (t) => t.event.source === envelope.source && t.event.detailType === envelope['detail-type'],
  );
  if (!found) return [];
  const parsed = found.event.detail.safeParse(envelope.detail);
  if (!parsed.success) return undefined;
  return found.requests(parsed.data.data, parsed.data.metadata);
}
