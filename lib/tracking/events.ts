import { z } from 'zod';
import { defineEvent } from '../contracts/events.ts';
import { ShipmentEstimate, ShipmentLine } from './shipment.ts';
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
