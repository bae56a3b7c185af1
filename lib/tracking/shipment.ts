import { z } from 'zod';
import { TrackingStatus } from './status.ts';
import { CarrierName, CarrierSlug, Place, TrackingNumber } from './tracking-event.ts';

/** What a parcel holds: the order's units allocated to one location, as packed. */
export const ShipmentLine = z.strictObject({
  sku: z.string().min(1).max(64),
  quantity: z.number().int().positive(),
});
export type ShipmentLine = z.infer<typeof ShipmentLine>;

/**
 * The delivery window promised for a shipment, in the destination's calendar days, with the share of
 * comparable deliveries that arrived inside it.
 */
export const ShipmentEstimate = z.strictObject({
  earliest: z.iso.date(),
  latest: z.iso.date(),
  confidence: z.number().gt(0).max(1),
  basis: z.enum(['learned', 'default']),
  revisedAt: z.iso.datetime(),
});
export type ShipmentEstimate = z.infer<typeof ShipmentEstimate>;

/** One scan on a shipment's timeline. The tracking number and carrier are the shipment's own. */
export const TimelineEntry = z.strictObject({
  eventKey: z.string().min(1).max(200),
  source: CarrierSlug,
  status: TrackingStatus,
  code: z.string().min(1).max(64),
  description: z.string().max(500).optional(),
  occurredAt: z.iso.datetime(),
  localTime: z.string().max(40).optional(),
  location: Place.optional(),
  receivedAt: z.iso.datetime().describe('When Vitrine first recorded the scan'),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

/**
 * One parcel: created on fulfilment from an order's allocation at one location, then moved along by
 * carrier scans. `events` is the timeline in event-time order; `status` and `statusAt` are derived from it
 * (see `applyTrackingEvents`), `label_created` at `createdAt` until the first scan. Personal data (it names
 * the customer's order and, through scans, their town): stored in the order's residency zone.
 */
export const Shipment = z
  .strictObject({
    shipmentId: z.string().min(1).max(64),
    orderId: z.string().min(1).max(64),
    customerId: z.string().min(1).max(128),
    zone: z.string().min(1).max(16),
    locationId: z.string().min(1).max(64).describe('Where the parcel was packed and leaves from'),
    lines: z.array(ShipmentLine).min(1),
    carrier: CarrierName,
    service: z.string().min(1).max(64).describe("The carrier's service, e.g. `express`"),
    trackingNumber: TrackingNumber,
    labelRef: z.string().min(1).max(200).describe("The carrier's label or consignment reference"),
    signatureRequired: z.boolean(),
    status: TrackingStatus,
    statusAt: z.iso.datetime().describe('The event time of the scan that set `status`'),
    events: z.array(TimelineEntry),
    estimate: ShipmentEstimate.optional(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    version: z.number().int().positive(),
  })
  .meta({ id: 'Shipment' });
export type Shipment = z.infer<typeof Shipment>;

/** What fulfilment knows when it books a parcel with a carrier. */
export const NewShipment = Shipment.pick({
  shipmentId: true,
  orderId: true,
  customerId: true,
  zone: true,
  locationId: true,
  lines: true,
  carrier: true,
  service: true,
  trackingNumber: true,
  labelRef: true,
  signatureRequired: true,
  estimate: true,
});
export type NewShipment = z.infer<typeof NewShipment>;
