import { z } from 'zod';
import { CarrierPayloadError } from '../errors.ts';
import {
  FEDEX_ATTEMPT_EXCEPTION_CODES,
  FEDEX_EVENT_TYPES,
  FEDEX_REFINEMENTS,
  refineStatus,
  type TrackingStatus,
} from '../status.ts';
import { clip, instantOf, placeOf } from '../tracking-event.ts';
import { verifyBodySignature } from '../verify.ts';
import { type CarrierAdapter, DeliveryCollector, scanEvent } from './adapter.ts';

/**
 * The header FedEx Advanced Integrated Visibility signs in: HMAC-SHA256 of the raw body keyed with the
 * security token given when the webhook was set up. FedEx's guide names it `fdx-signature`; both names
 * are read.
 */
export const FEDEX_SIGNATURE_HEADERS = ['x-fedex-signature', 'fdx-signature'] as const;

// Read loosely: FedEx adds fields to scans without notice (see the DHL adapter).
const FedexScan = z.looseObject({
  date: z.string(),
  eventType: z.string().min(1),
  eventDescription: z.string().nullish(),
  exceptionCode: z.string().nullish(),
  exceptionDescription: z.string().nullish(),
  scanLocation: z
    .looseObject({
      city: z.string().nullish(),
      stateOrProvinceCode: z.string().nullish(),
      postalCode: z.string().nullish(),
      countryCode: z.string().nullish(),
    })
    .nullish(),
});
type FedexScan = z.infer<typeof FedexScan>;

/** One package's push: its tracking number and scan events (FedEx may send them out of order). */
const FedexPush = z.looseObject({
  trackingNumber: z.string().min(1),
  scanEvents: z.array(z.unknown()),
});

function statusOf(scan: FedexScan, eventType: string): TrackingStatus | undefined {
  const base = Object.hasOwn(FEDEX_EVENT_TYPES, eventType) ? FEDEX_EVENT_TYPES[eventType] : undefined;
  if (!base) return undefined;
  const exceptionCode = scan.exceptionCode?.trim() ?? '';
  if (eventType === 'DE' && FEDEX_ATTEMPT_EXCEPTION_CODES.has(exceptionCode)) return 'delivery_attempted';
  const text = [scan.eventDescription, scan.exceptionDescription].filter(Boolean).join(' ');
  return refineStatus(base, text, FEDEX_REFINEMENTS);
}

function fedexScan(trackingNumber: string, raw: unknown) {
  const parsed = FedexScan.safeParse(raw);
  if (!parsed.success) return undefined;
  const scan = parsed.data;
  const eventType = scan.eventType.trim().toUpperCase();
  const status = statusOf(scan, eventType);
  const occurredAt = instantOf(scan.date);
  if (!status || !occurredAt) return undefined;
  const exceptionCode = scan.exceptionCode?.trim();
  const where = scan.scanLocation;
  const location = placeOf({
    city: where?.city,
    region: where?.stateOrProvinceCode,
    postalCode: where?.postalCode,
    country: where?.countryCode,
  });
  const description = clip(
    [scan.eventDescription, scan.exceptionDescription].filter((s) => s?.trim()).join(': '),
    500,
  );
  return scanEvent({
    source: 'fedex',
    carrier: 'fedex',
    trackingNumber,
    status,
    code: exceptionCode ? `${eventType}/${exceptionCode}` : eventType,
    occurredAt,
    localTime: clip(scan.date, 40),
    ...(description ? { description } : {}),
    ...(location ? { location } : {}),
  });
}

/**
 * FedEx Advanced Integrated Visibility: `trackingNumber` and `scanEvents[]` with two-letter `eventType`
 * codes (PU, AR, DP, OD, DL, DE, CD…), `date` with its offset and `scanLocation`.
 */
export const fedexAdapter: CarrierAdapter = {
  slug: 'fedex',
  name: 'FedEx',
  headers: [
    {
      name: FEDEX_SIGNATURE_HEADERS[0],
      required: false,
      description:
        'FedEx: base64 HMAC-SHA256 of the raw body keyed with the security token (required for `fedex`; `fdx-signature` is read too)',
    },
  ],
  verify: (delivery, context) => verifyBodySignature('fedex', FEDEX_SIGNATURE_HEADERS, delivery, context),
  normalize(payload) {
    const push = FedexPush.safeParse(payload);
    if (!push.success) throw new CarrierPayloadError('The body is not a FedEx tracking push');
    const out = new DeliveryCollector();
    for (const scan of push.data.scanEvents) out.add(fedexScan(push.data.trackingNumber.trim(), scan));
    return out.result();
  },
};
