import { createHash } from 'node:crypto';
import { z } from 'zod';
import { TrackingStatus } from './status.ts';

/**
 * The webhook feeds Vitrine reads, one per path of `POST /v1/webhooks/carriers/{carrier}`: three carriers'
 * own formats, and `generic`, Vitrine's documented format for aggregators and smaller carriers.
 */
export const CarrierSlug = z.enum(['dhl', 'fedex', 'ups', 'generic']);
export type CarrierSlug = z.infer<typeof CarrierSlug>;

/**
 * The carrier that moves a parcel, lower-case (`dhl`, `fedex`, `ups`, `colissimo`, `house-courier`):
 * a feed's own carrier, or the one a generic-format event names.
 */
export const CarrierName = z.string().regex(/^[a-z][a-z0-9-]{1,31}$/, 'carrier must be a lower-case slug');
export type CarrierName = z.infer<typeof CarrierName>;

/** A carrier's tracking number: letters, digits and dashes, as printed on the label. */
export const TrackingNumber = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9-]+$/);

/** Where a scan happened, as precisely as the carrier says. */
export const Place = z.strictObject({
  city: z.string().min(1).max(100).optional(),
  region: z.string().min(1).max(100).optional(),
  postalCode: z.string().min(1).max(20).optional(),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .optional()
    .describe('ISO 3166-1 alpha-2'),
  description: z.string().min(1).max(200).optional(),
});
export type Place = z.infer<typeof Place>;

/** A carrier scan in Vitrine's terms, whatever feed it came from. */
export const TrackingEvent = z.strictObject({
  eventKey: z
    .string()
    .min(1)
    .max(200)
    .describe(
      "Stable per scan: the carrier's event id, else a hash of carrier, tracking number, code and time",
    ),
  source: CarrierSlug,
  carrier: CarrierName,
  trackingNumber: TrackingNumber,
  status: TrackingStatus,
  code: z.string().min(1).max(64).describe("The carrier's own code, e.g. FedEx `DL` or UPS `X`"),
  description: z.string().max(500).optional(),
  occurredAt: z.iso.datetime().describe('When the scan happened, in UTC'),
  localTime: z
    .string()
    .max(40)
    .optional()
    .describe("The scan's time as the carrier wrote it, in the place's own time"),
  location: Place.optional(),
});
export type TrackingEvent = z.infer<typeof TrackingEvent>;

/**
 * A dedupe key for a scan the carrier gives no id to. Carriers re-send the same scan (DHL pushes the whole
 * history; every carrier retries), so the key must come from what identifies the scan, never from when
 * or how it arrived.
 */
export function derivedEventKey(parts: {
  readonly carrier: string;
  readonly trackingNumber: string;
  readonly code: string;
  readonly occurredAt: string;
  readonly location?: Place;
}): string {
  const where = parts.location ? [parts.location.postalCode ?? '', parts.location.city ?? ''] : [];
  const digest = createHash('sha256')
    .update(
      [parts.carrier, parts.trackingNumber, parts.code, parts.occurredAt, ...where]
        .map((p) => p.toLowerCase())
        .join('\u001f'),
    )
    .digest('hex')
    .slice(0, 32);
  return `${parts.carrier}:h:${digest}`;
}

const OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/;

/**
 * Reads a carrier timestamp as a UTC instant (`toISOString` form), or undefined when it is not one.
 * A timestamp without an offset is read as UTC: `Date` would otherwise read it in the Lambda's own zone.
 */
export function instantOf(text: string): string | undefined {
  const trimmed = text.trim();
  if (!OFFSET.test(trimmed) && !LOCAL_DATE_TIME.test(trimmed)) return undefined;
  // ISO 8601 allows `-0500`; Date.parse is only required to read `-05:00`.
  const normalized = trimmed.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const date = new Date(OFFSET.test(trimmed) ? normalized : `${trimmed}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** Carrier text cut to what the timeline keeps. */
export function clip(text: string | undefined | null, max: number): string | undefined {
  const trimmed = text?.trim();
  if (!trimmed) return undefined;
  return trimmed.length > max ? trimmed.slice(0, max) : trimmed;
}

/** A place from carrier fields, keeping what is well formed and dropping the rest. */
export function placeOf(fields: {
  readonly city?: string | null;
  readonly region?: string | null;
  readonly postalCode?: string | null;
  readonly country?: string | null;
  readonly description?: string | null;
}): Place | undefined {
  const country = fields.country?.trim().toUpperCase();
  const place: Place = {
    ...(clip(fields.city, 100) ? { city: clip(fields.city, 100) } : {}),
    ...(clip(fields.region, 100) ? { region: clip(fields.region, 100) } : {}),
    ...(clip(fields.postalCode, 20) ? { postalCode: clip(fields.postalCode, 20) } : {}),
    ...(country && /^[A-Z]{2}$/.test(country) ? { country } : {}),
    ...(clip(fields.description, 200) ? { description: clip(fields.description, 200) } : {}),
  };
  return Object.keys(place).length > 0 ? place : undefined;
}
