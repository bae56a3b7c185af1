import { z } from 'zod';
import { CarrierPayloadError } from '../errors.ts';
import { refineStatus, UPS_ACTIVITY_TYPES, UPS_REFINEMENTS } from '../status.ts';
import { clip, placeOf } from '../tracking-event.ts';
import { verifySharedToken } from '../verify.ts';
import { type CarrierAdapter, DeliveryCollector, scanEvent } from './adapter.ts';

/** UPS Track Alert sends the subscription's credential back in this header on every event. */
export const UPS_CREDENTIAL_HEADER = 'credential';

// Read loosely: UPS adds fields without notice (see the DHL adapter). Empty strings are UPS's "absent".
const UpsEvent = z.looseObject({
  trackingNumber: z.string().min(1),
  localActivityDate: z.string().nullish(),
  localActivityTime: z.string().nullish(),
  gmtActivityDate: z.string().nullish(),
  gmtActivityTime: z.string().nullish(),
  activityLocation: z
    .looseObject({
      city: z.string().nullish(),
      stateProvince: z.string().nullish(),
      postalCode: z.string().nullish(),
      country: z.string().nullish(),
    })
    .nullish(),
  activityStatus: z.looseObject({
    type: z.string().min(1),
    code: z.string().nullish(),
    description: z.string().nullish(),
  }),
});

const DATE = /^(\d{4})(\d{2})(\d{2})$/;
const TIME = /^(\d{2})(\d{2})(\d{2})?$/;

/** `20260303` + `141500` as `2026-03-03T14:15:00`, or undefined. */
function wallClock(date: string | null | undefined, time: string | null | undefined): string | undefined {
  const d = DATE.exec(date?.trim() ?? '');
  const t = TIME.exec(time?.trim() ?? '');
  if (!d || !t) return undefined;
  return `${d[1]}-${d[2]}-${d[3]}T${t[1]}:${t[2]}:${t[3] ?? '00'}`;
}

function utcInstant(wall: string | undefined): string | undefined {
  if (!wall) return undefined;
  const date = new Date(`${wall}Z`);
  // Rejects rolled-over values such as 20260231, which Date would quietly move into March.
  return Number.isNaN(date.getTime()) || !date.toISOString().startsWith(wall)
    ? undefined
    : date.toISOString();
}

/**
 * UPS Track Alert: one activity per delivery, `activityStatus.type` (I, D, X, P, M, O, RS…) with its code
 * and text, the GMT date and time (which order the timeline) and the local ones (kept for display).
 */
export const upsAdapter: CarrierAdapter = {
  slug: 'ups',
  name: 'UPS',
  headers: [
    {
      name: UPS_CREDENTIAL_HEADER,
      required: false,
      description: 'UPS: the credential set on the Track Alert subscription (required for `ups`)',
    },
  ],
  verify: (delivery, context) => verifySharedToken('ups', UPS_CREDENTIAL_HEADER, delivery, context),
  normalize(payload) {
    const parsed = UpsEvent.safeParse(payload);
    if (!parsed.success) throw new CarrierPayloadError('The body is not a UPS Track Alert event');
    const event = parsed.data;
    const out = new DeliveryCollector();
    const type = event.activityStatus.type.trim().toUpperCase();
    const base = Object.hasOwn(UPS_ACTIVITY_TYPES, type)
      ? UPS_ACTIVITY_TYPES[type as keyof typeof UPS_ACTIVITY_TYPES]
      : null;
    const occurredAt = utcInstant(wallClock(event.gmtActivityDate, event.gmtActivityTime));
    if (!base || !occurredAt) {
      out.skip();
      return out.result();
    }
    const statusCode = event.activityStatus.code?.trim();
    const where = event.activityLocation;
    const location = placeOf({
      city: where?.city,
      region: where?.stateProvince,
      postalCode: where?.postalCode,
      country: where?.country,
    });
    const description = clip(event.activityStatus.description, 500);
    const localTime = wallClock(event.localActivityDate, event.localActivityTime);
    out.add(
      scanEvent({
        source: 'ups',
        carrier: 'ups',
        trackingNumber: event.trackingNumber.trim(),
        status: refineStatus(base, description, UPS_REFINEMENTS),
        code: statusCode ? `${type}/${statusCode}` : type,
        occurredAt,
        ...(localTime ? { localTime } : {}),
        ...(description ? { description } : {}),
        ...(location ? { location } : {}),
      }),
    );
    return out.result();
  },
};
