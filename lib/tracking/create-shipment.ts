import { type DomainEvent, domainEvent } from '../platform/domain-event.ts';
import { ShipmentCreated, shipmentRef } from './events.ts';
import { NewShipment, type Shipment } from './shipment.ts';

/**
 * A shipment as booked: `label_created` with an empty timeline, version 1, and its ShipmentCreated event
 * (id `shipment:{id}:created`, so a retried fulfilment produces the same event).
 */
export function createShipment(
  input: NewShipment,
  context: { readonly now: Date; readonly correlationId: string },
): { shipment: Shipment; event: DomainEvent<typeof ShipmentCreated> } {
  const booked = NewShipment.parse(input);
  const now = context.now.toISOString();
  const shipment: Shipment = {
    ...booked,
    status: 'label_created',
    statusAt: now,
    events: [],
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  const event = domainEvent(
    ShipmentCreated,
    {
      ...shipmentRef(shipment),
      locationId: shipment.locationId,
      lines: shipment.lines,
      ...(shipment.estimate ? { estimate: shipment.estimate } : {}),
    },
    {
      eventId: `shipment:${shipment.shipmentId}:created`,
      correlationId: context.correlationId,
      occurredAt: context.now,
    },
  );
  return { shipment, event };
}
