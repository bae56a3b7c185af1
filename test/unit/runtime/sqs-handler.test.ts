import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEvent } from '../../../lib/contracts/events.ts';
import { lambdaContext } from '../../../lib/runtime/local/lambda-context.ts';
import { eventDataOf, oneByOne, sqsHandler } from '../../../lib/runtime/queue/sqs-handler.ts';

const Pinged = defineEvent({
  source: 'vitrine.test',
  detailType: 'Pinged',
  version: 1,
  data: z.strictObject({ n: z.number().int() }),
});

/** An SQS message whose body is the EventBridge event of `data` (or the raw `body`). */
const message = (messageId: string, data: unknown, body?: string) => ({
  messageId,
  body:
    body ??
    JSON.stringify({
      source: Pinged.source,
      'detail-type': Pinged.detailType,
      detail: {
        data,
        metadata: {
          eventId: messageId,
          correlationId: 'c',
          occurredAt: '2026-11-23T00:00:00.000Z',
          schemaVersion: 1,
        },
      },
    }),
});

const batch = (...records: ReturnType<typeof message>[]) => ({ Records: records }) as unknown as SQSEvent;
const context = lambdaContext('sqs-handler-test', 30);
const pinged = eventDataOf(Pinged);

describe('sqsHandler', () => {
  it('hands readable messages over together and reports failures in batch order', async () => {
    const seen: number[] = [];
    const handler = sqsHandler({
      carries: 'a Pinged event',
      parse: pinged,
      handle: async (messages) => {
        seen.push(...messages.map((m) => m.value.n));
        // The handler reports the later message first.
        return { failed: ['m-4', 'm-1'] };
      },
    });
    const response = await handler(
      batch(
        message('m-1', { n: 1 }),
        message('m-2', null, 'not json'),
        message('m-3', { n: 'three' }),
        message('m-4', { n: 4 }),
        message('m-5', { n: 5 }),
      ),
      context,
    );
    expect(seen).toEqual([1, 4, 5]);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m-1', 'm-2', 'm-3', 'm-4']);
  });

  it('never calls the handler for a batch of junk', async () => {
    let calls = 0;
    const handler = sqsHandler({
      carries: 'a Pinged event',
      parse: pinged,
      handle: async () => {
        calls++;
        return { failed: [] };
      },
    });
    expect(await handler(batch(message('m-1', null, '{}')), context)).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm-1' }],
    });
    expect(calls).toBe(0);
  });
});

describe('oneByOne', () => {
  it('handles messages in order and redelivers the ones that threw or asked to be retried', async () => {
    const order: number[] = [];
    const handle = oneByOne<{ n: number }>(async ({ n }) => {
      order.push(n);
      if (n === 2) throw new Error('store unavailable');
      if (n === 3) return 'retry';
      return undefined;
    }, 'Pinging failed');
    const outcome = await handle([1, 2, 3, 4].map((n) => ({ messageId: `m-${n}`, value: { n } })));
    expect(order).toEqual([1, 2, 3, 4]);
    expect(outcome).toEqual({ failed: ['m-2', 'm-3'] });
  });
});
