import type { HeaderDefinition } from '../../contracts/http.ts';
import type { TrackingStatus } from '../status.ts';
import { type CarrierSlug, derivedEventKey, type Place, TrackingEvent } from '../tracking-event.ts';
import type { CarrierWebhookDelivery, VerificationContext } from '../verify.ts';

/** What one verified delivery says: its scans in Vitrine's terms, and how many scans it could not use. */
export interface NormalizedDelivery {
  readonly events: readonly TrackingEvent[];
  /** Scans with a code no table maps, or a time or tracking number that cannot be read. */
  readonly ignored: number;
}

/**
 * One webhook feed: how it proves where it came from, and how its payload becomes tracking events.
 * `verify` throws before anything is read; `normalize` is only given a verified body.
 */
export interface CarrierAdapter {
  readonly slug: CarrierSlug;
  readonly name: string;
  /** The headers the feed authenticates with, for the route's documentation. */
  readonly headers: readonly HeaderDefinition[];
  verify(delivery: CarrierWebhookDelivery, context: VerificationContext): void;
  normalize(payload: unknown): NormalizedDelivery;
}

/** The fields an adapter reads from a scan; the event key is derived when the carrier gives no id. */
export interface ScanFields {
  readonly source: CarrierSlug;
  readonly carrier: string;
  readonly trackingNumber: string;
  readonly status: TrackingStatus;
  readonly code: string;
  readonly occurredAt: string;
  readonly eventKey?: string;
  readonly description?: string;
  readonly localTime?: string;
  readonly location?: Place;
}

/** A scan as a tracking event, or undefined when a field is out of bounds (the scan is then ignored). */
export function scanEvent(fields: ScanFields): TrackingEvent | undefined {
  const parsed = TrackingEvent.safeParse({
    ...fields,
    eventKey:
      fields.eventKey ??
      derivedEventKey({
        carrier: fields.carrier,
        trackingNumber: fields.trackingNumber,
        code: fields.code,
        occurredAt: fields.occurredAt,
        ...(fields.location ? { location: fields.location } : {}),
      }),
  });
  return parsed.success ? parsed.data : undefined;
}

/** Collects scans, counting the ones that could not be used. */
export class DeliveryCollector {
  private readonly events: TrackingEvent[] = [];
  private ignored = 0;

  add(event: TrackingEvent | undefined): void {
    if (event) this.events.push(event);
    else this.ignored += 1;
  }

  skip(): void {
    this.ignored += 1;
  }

  result(): NormalizedDelivery {
    return { events: this.events, ignored: this.ignored };
  }
}
