import { z } from 'zod';
import { CarrierPayloadError } from '../errors.ts';
import { DHL_REFINEMENTS, DHL_STATUS_CODES, refineStatus } from '../status.ts';
import { clip, instantOf, placeOf } from '../tracking-event.ts';
import { verifySharedToken } from '../verify.ts';
import { type CarrierAdapter, DeliveryCollector, scanEvent } from './adapter.ts';

/**
 * The header DHL's push sends the token we chose at subscription in: Shipment Tracking – Unified – Push
 * authenticates hooks with an `ApiKeyAuthentication` of our own header name and token.
 */
export const DHL_TOKEN_HEADER = 'x-dhl-webhook-token';

// Carrier payloads are read loosely, unlike Vitrine's own request schemas: carriers add fields without
// notice, and refusing a delivery for a new field would lose the scans in it.
const DhlAddress = z.looseObject({
  countryCode: z.string().nullish(),
  postalCode: z.string().nullish(),
  addressLocality: z.string().nullish(),
});

const DhlEvent = z.looseObject({
  timestamp: z.string(),
  location: z.looseObject({ address: DhlAddress.nullish() }).nullish(),
  statusCode: z.string().nullish(),
  status: z.string().nullish(),
  description: z.string().nullish(),
});
type DhlEvent = z.infer<typeof DhlEvent>;

const DhlShipment = z.looseObject({
  id: z.string().min(1),
  service: z.string().nullish(),
  status: z.unknown().optional(),
  events: z.array(z.unknown()).nullish(),
});

/** The push body: the tracking API's `shipments[]` with each shipment's events, newest first. */
const DhlPush = z.looseObject({ shipments: z.array(z.unknown()).min(1) });

function dhlScan(trackingNumber: string, raw: unknown) {
  const parsed = DhlEvent.safeParse(raw);
  if (!parsed.success) return undefined;
  const event: DhlEvent = parsed.data;
  const occurredAt = instantOf(event.timestamp);
  const code = event.statusCode?.trim().toLowerCase() ?? '';
  // Own keys only: `constructor` or `toString` must not read as a status.
  const base = Object.hasOwn(DHL_STATUS_CODES, code)
    ? DHL_STATUS_CODES[code as keyof typeof DHL_STATUS_CODES]
    : null;
  if (!occurredAt || !base) return undefined;
  const text = [event.status, event.description].filter(Boolean).join(' ');
  const address = event.location?.address;
  const location = placeOf({
    city: address?.addressLocality,
    postalCode: address?.postalCode,
    country: address?.countryCode,
  });
  const description = clip(event.description ?? event.status, 500);
  return scanEvent({
    source: 'dhl',
    carrier: 'dhl',
    trackingNumber,
    status: refineStatus(base, text, DHL_REFINEMENTS),
    code,
    occurredAt,
    localTime: clip(event.timestamp, 40),
    ...(description ? { description } : {}),
    ...(location ? { location } : {}),
  });
}

/**
 * DHL Shipment Tracking – Unified – Push. Each shipment carries its events (often the whole history:
 * dedupe makes the repeats harmless); a shipment without events contributes its latest `status`.
 * `statusCode` gives the class (pre-transit, transit, delivered, failure, unknown), the free text sharpens
 * it (see DHL_REFINEMENTS).
 */
export const dhlAdapter: CarrierAdapter = {
  slug: 'dhl',
  name: 'DHL',
  headers: [
    {
      name: DHL_TOKEN_HEADER,
      required: false,
      description: 'DHL: the token set on the push subscription (required for `dhl`)',
    },
  ],
  verify: (delivery, context) => verifySharedToken('dhl', DHL_TOKEN_HEADER, delivery, context),
  normalize(payload) {
    const push = DhlPush.safeParse(payload);
    if (!push.success) throw new CarrierPayloadError('The body is not a DHL tracking push');
    const out = new DeliveryCollector();
    for (const rawShipment of push.data.shipments) {
      const shipment = DhlShipment.safeParse(rawShipment);
      if (!shipment.success) {
        out.skip();
        continue;
      }
      const { id, events, status } = shipment.data;
      const scans = events && events.length > 0 ? events : status ? [status] : [];
      for (const scan of scans) out.add(dhlScan(id.trim(), scan));
    }
    return out.result();
  },
};
