import { z } from 'zod';
import { CarrierPayloadError } from '../errors.ts';
import { TrackingStatus } from '../status.ts';
import { CarrierName, Place, TrackingNumber } from '../tracking-event.ts';
import { verifyTimestampedSignature } from '../verify.ts';
import { type CarrierAdapter, DeliveryCollector, scanEvent } from './adapter.ts';

/** The generic format's signature header: `t={unix seconds},v1={hex HMAC-SHA256 of "{t}.{raw body}"}`. */
export const GENERIC_SIGNATURE_HEADER = 'x-vitrine-signature';

/**
 * One scan in Vitrine's generic tracking format, for aggregators and carriers without an adapter of their
 * own. The sender maps its codes to Vitrine's statuses; `eventId` must be stable across retries.
 */
export const GenericTrackingEvent = z
  .strictObject({
    carrier: CarrierName.describe('The carrier moving the parcel, e.g. `colissimo`'),
    trackingNumber: TrackingNumber,
    eventId: z.string().min(1).max(128).describe("The sender's id for this scan, the same on every retry"),
    status: TrackingStatus,
    occurredAt: z.iso.datetime({ offset: true }).describe('When the scan happened, with its offset'),
    code: z.string().min(1).max(64).optional().describe("The carrier's own code, kept for support"),
    description: z.string().max(500).optional(),
    location: Place.optional(),
  })
  .meta({ id: 'GenericTrackingEvent' });
export type GenericTrackingEvent = z.infer<typeof GenericTrackingEvent>;

/** A generic delivery: one scan, or a batch of up to 100. */
export const GenericTrackingPayload = z.union([
  GenericTrackingEvent,
  z.strictObject({ events: z.array(GenericTrackingEvent).min(1).max(100) }),
]);
export type GenericTrackingPayload = z.infer<typeof GenericTrackingPayload>;

/**
 * Vitrine's generic format. Unlike the carriers' own payloads it is ours, so it is read strictly: a
 * delivery with an unknown field or status is refused whole (400) and the sender fixes it, rather than
 * half applied.
 */
export const genericAdapter: CarrierAdapter = {
  slug: 'generic',
  name: 'Generic (aggregators)',
  headers: [
    {
      name: GENERIC_SIGNATURE_HEADER,
      required: false,
      description:
        'Generic format: `t={unix seconds},v1={hex HMAC-SHA256 of "{t}.{raw body}"}`, refused when `t` is more than 300 s away (required for `generic`)',
    },
  ],
  verify: (delivery, context) =>
    verifyTimestampedSignature('generic', GENERIC_SIGNATURE_HEADER, delivery, context),
  normalize(payload) {
    const parsed = GenericTrackingPayload.safeParse(payload);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CarrierPayloadError('The body is not in the generic tracking format', {
        ...(issue ? { path: issue.path.join('.'), issue: issue.message } : {}),
      });
    }
    const events = 'events' in parsed.data ? parsed.data.events : [parsed.data];
    const out = new DeliveryCollector();
    for (const event of events) {
      out.add(
        scanEvent({
          source: 'generic',
          carrier: event.carrier,
          trackingNumber: event.trackingNumber,
          status: event.status,
          code: event.code ?? event.status,
          occurredAt: new Date(event.occurredAt).toISOString(),
          eventKey: `${event.carrier}:${event.eventId}`,
          localTime: event.occurredAt,
          ...(event.description ? { description: event.description } : {}),
          ...(event.location ? { location: event.location } : {}),
        }),
      );
    }
    return out.result();
  },
};
