import { z } from 'zod';

export const EventMetadata = z.strictObject({
  eventId: z.string().min(1),
  correlationId: z.string().min(1),
  occurredAt: z.iso.datetime(),
  schemaVersion: z.number().int().positive(),
});
export type EventMetadata = z.infer<typeof EventMetadata>;

/**
 * One event type, declared once and used by the producer (outbox), the consumers, the CDK rules and the
 * local bus. `source` is `vitrine.<context>`; `detailType` is PascalCase past tense.
 */
export interface EventDefinition<T extends z.ZodType = z.ZodType> {
  readonly source: `vitrine.${string}`;
  readonly detailType: string;
  readonly version: number;
  readonly data: T;
  /** The EventBridge `detail` schema: `{ data, metadata }`. */
  readonly detail: z.ZodObject<{ data: T; metadata: typeof EventMetadata }>;
}

export type EventDetail<E extends EventDefinition> = z.infer<E['detail']>;

export function defineEvent<T extends z.ZodType>(def: {
  source: `vitrine.${string}`;
  detailType: string;
  version: number;
  data: T;
}): EventDefinition<T> {
  if (!/^[A-Z][A-Za-z]+$/.test(def.detailType)) {
    throw new Error(`event ${def.detailType}: detail-type must be PascalCase past tense, e.g. OrderPlaced`);
  }
  return { ...def, detail: z.strictObject({ data: def.data, metadata: EventMetadata }) };
}

/** An EventBridge event pattern (the subset Vitrine's rules and local bus use). */
export type EventPattern = Record<string, unknown>;

/** The pattern that matches exactly one declared event type. */
export function patternOf(...events: EventDefinition[]): EventPattern {
  return {
    source: [...new Set(events.map((e) => e.source))],
    'detail-type': [...new Set(events.map((e) => e.detailType))],
  };
}
