import { z } from 'zod';
import { defineEvent } from '../contracts/events.ts';
import { type Shipment, ShipmentEstimate, ShipmentLine } from './shipment.ts';
import { TrackingStatus } from './status.ts';
import { CarrierName, Place } from './tracking-event.ts';

const ShipmentRef = {
  shipmentId: z.string(),
  orderId: z.string(),
  customerId: z.string(),
  zone: z.string(),
  carrier: CarrierName,
  service: z.string(),
  trackingNumber: z.string(),
  signatureRequired: z.boolean(),
};

/** The fields every shipment event carries, taken from the shipment. */
export function shipmentRef(shipment: Pick<Shipment, keyof typeof ShipmentRef>) {
  const { shipmentId, orderId, customerId, zone, carrier, service, trackingNumber, signatureRequired } =
    shipment;
  return { shipmentId, orderId, customerId, zone, carrier, service, trackingNumber, signatureRequired };
}

/** A parcel was booked with a carrier for (part of) an order: its label exists, it has not moved yet. */
export const ShipmentCreated = defineEvent({
  source: 'vitrine.fulfilment',
  detailType: 'ShipmentCreated',
  version: 1,
  data: z.strictObject({
    ...ShipmentRef,
    locationId: z.string(),
    lines: z.array(ShipmentLine),
    estimate: ShipmentEstimate.optional(),
  }),
});

/**
 * A shipment's current status changed (see `applyTrackingEvents`). `occurredAt` is the carrier's time
 * of the scan that set `to`. Consumers dedupe on the metadata's `eventId`, which names the shipment, the
 * status and that time, so the same change recorded twice is one event.
 */
export const ShipmentStatusChanged = defineEvent({
  source: 'vitrine.fulfilment',
  detailType: 'ShipmentStatusChanged',
  version: 1,
  data: z.strictObject({
    ...ShipmentRef,
    from: TrackingStatus,
    to: TrackingStatus,
    occurredAt: z.iso.datetime(),
    eventKey: z.string().describe('The scan that set the status'),
    location: Place.optional(),
    description: z.string().optional(),
    estimate: ShipmentEstimate.optional(),
  }),
});

/** The event id of a status change: one per shipment, status and scan time. */
export const shipmentStatusEventId = (shipmentId: string, status: TrackingStatus, occurredAt: string) =>
  `shipment:${shipmentId}:status:${status}:${occurredAt}`;

/**
 * A shipment still on its way after the last day of its promised window (the destination's local date),
 * found by the late check even when no scan arrives. Once per window: `missed` is the window that passed,
 * `estimate` the one promised next, and the event id names the shipment and the missed window's last day.
 */
export const ShipmentWindowMissed = defineEvent({
  source: 'vitrine.fulfilment',
  detailType: 'ShipmentWindowMissed',
  version: 1,
  data: z.strictObject({
    ...ShipmentRef,
    status: TrackingStatus.describe('Where the parcel is: its status when the window was found missed'),
    statusAt: z.iso.datetime(),
    missed: ShipmentEstimate,
    estimate: ShipmentEstimate.describe('The window promised from now on'),
    detectedAt: z.iso.datetime(),
  }),
});

/** The event id of a missed window: one per shipment and window, whoever notices it. */
export const shipmentWindowMissedEventId = (shipmentId: string, latest: string) =>
  `shipment:${shipmentId}:window-missed:${latest}`;
