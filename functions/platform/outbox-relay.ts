import type { DynamoDBRecord } from 'aws-lambda';
import type { OutboxItem } from '#lib/adapters/dynamo/outbox.ts';
import type { EventPublisher } from '#lib/platform/event-publisher.ts';
import { awsEventPublisher, awsRegion } from '#lib/runtime/aws/deps.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';
import { newImageOf, streamHandler } from '#lib/runtime/stream/stream-handler.ts';

/**
 * Relays outbox items from a table stream to the bus. Global-table replicas stream every item in every
 * region; only the region that wrote an item relays it, so each event is published once per write.
 */
export const makeHandler = (deps: { events: EventPublisher; region: string }) =>
  streamHandler(async (records) => {
    const pending: { record: DynamoDBRecord; item: OutboxItem }[] = [];
    for (const record of records) {
      const item = newImageOf(record) as OutboxItem | undefined;
      if (record.eventName !== 'INSERT' || !item?.pk?.startsWith('OUTBOX#')) continue;
      if (item.originRegion !== deps.region) continue;
      pending.push({ record, item });
    }
    const { failed } = await deps.events.publish(
      pending.map(({ item }) => ({ source: item.source, detailType: item.detailType, detail: item.detail })),
    );
    // Retrying from the first failure keeps per-stream order; consumers dedupe on the event id.
    const first = Math.min(...failed);
    return { failed: Number.isFinite(first) ? pending.slice(first).map((p) => p.record) : [] };
  });

export const handler = lambdaHandler(() => makeHandler({ events: awsEventPublisher(), region: awsRegion() }));
