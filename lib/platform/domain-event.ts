import type { z } from 'zod';
import type { EventDefinition, EventMetadata } from '../contracts/events.ts';

/** An event raised by a use case, written to the outbox in the same transaction as its state change. */
export interface DomainEvent<E extends EventDefinition = EventDefinition> {
  readonly definition: E;
  readonly data: z.infer<E['data']>;
  readonly metadata: EventMetadata;
}

/**
 * Creates a domain event. `eventId` should name the state change (e.g. `product:{id}:v{version}`) so a
 * retried write produces the same id and consumers can dedupe on it.
 */
export function domainEvent<E extends EventDefinition>(
  definition: E,
  data: z.infer<E['data']>,
  meta: { eventId: string; correlationId: string; occurredAt: Date },
): DomainEvent<E> {
  return {
    definition,
    data: definition.data.parse(data) as z.infer<E['data']>,
    metadata: {
      eventId: meta.eventId,
      correlationId: meta.correlationId,
      occurredAt: meta.occurredAt.toISOString(),
      schemaVersion: definition.version,
    },
  };
}

/** Time, injected so tests and the sweepers can control it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
