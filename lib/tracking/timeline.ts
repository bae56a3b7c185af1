import { type DomainEvent, domainEvent } from '../platform/domain-event.ts';
import { ShipmentStatusChanged, shipmentRef, shipmentStatusEventId } from './events.ts';
import type { Shipment, TimelineEntry } from './shipment.ts';
import { isTerminal, STATUS_RANK, type TrackingStatus } from './status.ts';
import type { TrackingEvent } from './tracking-event.ts';

/**
 * Timeline order: event time, then journey order for scans stamped with the same instant, then the
 * event key, so that any two distinct scans have one order whatever order they arrived in.
 */
export function compareEntries(a: TimelineEntry, b: TimelineEntry): number {
  // Both are `toISOString` forms, whose text order is time order.
  if (a.occurredAt !== b.occurredAt) return a.occurredAt < b.occurredAt ? -1 : 1;
  const rank = STATUS_RANK[a.status] - STATUS_RANK[b.status];
  if (rank !== 0) return rank;
  return a.eventKey < b.eventKey ? -1 : a.eventKey > b.eventKey ? 1 : 0;
}

/** A shipment's status and the scan that set it. */
export interface CurrentStatus {
  readonly status: TrackingStatus;
  readonly at: string;
  /** Absent before the first scan. */
  readonly entry?: TimelineEntry;
}

/**
 * The status a sorted timeline says: the earliest terminal scan (delivered, returned to sender) if there
 * is one, else the latest scan, else `label_created` at `createdAt`. A pure function of the set of scans,
 * so every arrival order ends in the same status: an earlier-timed scan arriving late cannot override a
 * delivery, and a later exception (or the return leg's own delivery scan) is recorded without reverting it.
 */
export function statusOfTimeline(sorted: readonly TimelineEntry[], createdAt: string): CurrentStatus {
  const terminal = sorted.find((entry) => isTerminal(entry.status));
  const entry = terminal ?? sorted.at(-1);
  return entry
    ? { status: entry.status, at: entry.occurredAt, entry }
    : { status: 'label_created', at: createdAt };
}

/** What applying scans needs besides the shipment: when they are recorded, and a correlation id. */
export interface TimelineContext {
  readonly now: Date;
  /** Carried into emitted events, e.g. the webhook's request id. */
  readonly correlationId: string;
}

/** The outcome of one delivery's scans for one shipment. */
export interface TimelineUpdate {
  /** The shipment after the scans; the same object when none was new. */
  readonly shipment: Shipment;
  /** Whether anything must be written (then with a condition on the previous version). */
  readonly changed: boolean;
  readonly added: number;
  /** Scans already on the timeline (same event key): a carrier retry, a re-sent history. */
  readonly duplicates: number;
  /** Scans for another tracking number or carrier, which the caller should not have routed here. */
  readonly mismatched: number;
  /** ShipmentStatusChanged when the status differs from before the scans, else nothing. */
  readonly events: readonly DomainEvent[];
}

function entryOf(event: TrackingEvent, receivedAt: string): TimelineEntry {
  return {
    eventKey: event.eventKey,
    source: event.source,
    status: event.status,
    code: event.code,
    occurredAt: event.occurredAt,
    receivedAt,
    ...(event.description !== undefined ? { description: event.description } : {}),
    ...(event.localTime !== undefined ? { localTime: event.localTime } : {}),
    ...(event.location !== undefined ? { location: event.location } : {}),
  };
}

/** Where `entry` goes in a sorted timeline (after every entry that sorts before it). */
function insertionIndex(sorted: readonly TimelineEntry[], entry: TimelineEntry): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareEntries(sorted[mid]!, entry) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Applies one delivery's scans to a shipment: drops the ones already recorded (by event key: the first
 * copy recorded wins), inserts the others at their event time so that late scans land in place, and
 * re-derives the status (see {@link statusOfTimeline}). Emits ShipmentStatusChanged only when the status
 * after the delivery differs from the status before it: a delivery that carries a whole history (DHL) moves
 * the customer once, to where the parcel is now, not through every step it already took.
 *
 * Pure: persisting the result (conditional on `shipment.version`) and its event is the caller's.
 */
export function applyTrackingEvents(
  shipment: Shipment,
  scans: readonly TrackingEvent[],
  context: TimelineContext,
): TimelineUpdate {
  const known = new Set(shipment.events.map((e) => e.eventKey));
  const timeline = [...shipment.events];
  const receivedAt = context.now.toISOString();
  let added = 0;
  let duplicates = 0;
  let mismatched = 0;
  for (const scan of scans) {
    if (scan.trackingNumber !== shipment.trackingNumber || scan.carrier !== shipment.carrier) {
      mismatched += 1;
    } else if (known.has(scan.eventKey)) {
      duplicates += 1;
    } else {
      const entry = entryOf(scan, receivedAt);
      timeline.splice(insertionIndex(timeline, entry), 0, entry);
      known.add(scan.eventKey);
      added += 1;
    }
  }
  if (added === 0) return { shipment, changed: false, added, duplicates, mismatched, events: [] };

  const before = shipment.status;
  const after = statusOfTimeline(timeline, shipment.createdAt);
  const next: Shipment = {
    ...shipment,
    events: timeline,
    status: after.status,
    statusAt: after.at,
    updatedAt: receivedAt,
    version: shipment.version + 1,
  };
  const events: DomainEvent[] = [];
  const setter = after.entry;
  // A status change always has its scan: the timeline is not empty once a scan was added.
  if (setter && after.status !== before) {
    events.push(
      domainEvent(
        ShipmentStatusChanged,
        {
          ...shipmentRef(next),
          from: before,
          to: after.status,
          occurredAt: after.at,
          eventKey: setter.eventKey,
          ...(setter.location ? { location: setter.location } : {}),
          ...(setter.description ? { description: setter.description } : {}),
          ...(next.estimate ? { estimate: next.estimate } : {}),
        },
        {
          eventId: shipmentStatusEventId(next.shipmentId, after.status, after.at),
          correlationId: context.correlationId,
          occurredAt: new Date(after.at),
        },
      ),
    );
  }
  return { shipment: next, changed: true, added, duplicates, mismatched, events };
}
