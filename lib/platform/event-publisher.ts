/** An event ready for the bus: EventBridge's PutEvents entry, minus the bus name. */
export interface OutboundEvent {
  readonly source: string;
  readonly detailType: string;
  /** Serialized `{ data, metadata }`. */
  readonly detail: string;
}

export interface EventPublisher {
  /** Publishes in order; resolves with the indexes of the events the bus did not accept. */
  publish(events: readonly OutboundEvent[]): Promise<{ failed: number[] }>;
}
