import type { DomainEvent } from '../../platform/domain-event.ts';

/** Outbox items live a day: the stream relays them within seconds, and TTL cleans up after. */
const OUTBOX_TTL_SECONDS = 24 * 3600;

export const OUTBOX_PREFIX = 'OUTBOX#';

/** The stored shape of an outbox item, as the relay reads it from the stream. */
export interface OutboxItem {
  readonly pk: string;
  readonly sk: 'OUTBOX';
  readonly source: string;
  readonly detailType: string;
  /** The EventBridge `detail`, serialized: `{ data, metadata }`. */
  readonly detail: string;
  /** Replicas of a global table carry the item to every region; only the writing region relays it. */
  readonly originRegion: string;
  readonly expiresAt: number;
}

/** Builds the outbox item of a domain event, to put in the same transaction as its state change. */
export function outboxItem(event: DomainEvent, region: string, now: Date): OutboxItem {
  return {
    pk: `${OUTBOX_PREFIX}${event.metadata.eventId}`,
    sk: 'OUTBOX',
    source: event.definition.source,
    detailType: event.definition.detailType,
    detail: JSON.stringify({ data: event.data, metadata: event.metadata }),
    originRegion: region,
    expiresAt: Math.floor(now.getTime() / 1000) + OUTBOX_TTL_SECONDS,
  };
}
