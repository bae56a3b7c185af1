import type { EventPublisher, OutboundEvent } from '../../platform/event-publisher.ts';

/** The PutEvents request and answer, as EventBridge and the in-process bus both speak them. */
export interface PutEventsEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  EventBusName?: string;
}
export interface PutEventsOutput {
  FailedEntryCount?: number;
  Entries?: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
}
export type PutEvents = (entries: PutEventsEntry[]) => Promise<PutEventsOutput>;

/** PutEvents takes at most 10 entries a call. */
const MAX_ENTRIES = 10;

/** Publishes through anything that speaks PutEvents: EventBridge on AWS, the in-process bus locally. */
export class PutEventsPublisher implements EventPublisher {
  constructor(
    private readonly putEvents: PutEvents,
    private readonly busName?: string,
  ) {}

  async publish(events: readonly OutboundEvent[]): Promise<{ failed: number[] }> {
    const failed: number[] = [];
    for (let offset = 0; offset < events.length; offset += MAX_ENTRIES) {
      const chunk = events.slice(offset, offset + MAX_ENTRIES);
      const entries = chunk.map((e) => ({
        Source: e.source,
        DetailType: e.detailType,
        Detail: e.detail,
        ...(this.busName ? { EventBusName: this.busName } : {}),
      }));
      try {
        const out = await this.putEvents(entries);
        out.Entries?.forEach((entry, i) => {
          if (entry.ErrorCode) failed.push(offset + i);
        });
      } catch {
        chunk.forEach((_, i) => {
          failed.push(offset + i);
        });
      }
    }
    return { failed };
  }
}
