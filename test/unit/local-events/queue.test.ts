import { createHash } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalQueue, md5OfMessageAttributes } from '../../../lib/runtime/local/events/queue.ts';

const T0 = new Date('2026-03-01T10:00:00.000Z').getTime();
const tick = (ms: number) => vi.advanceTimersByTimeAsync(ms);

/** A handler that records every record it sees and runs `behaviour` on each batch. */
function recorder(behaviour: (event: SQSEvent) => unknown = () => undefined) {
  const batches: SQSRecord[][] = [];
  const handler = vi.fn(async (event: SQSEvent) => {
    batches.push(event.Records);
    return behaviour(event);
  });
  return { handler, batches, bodies: () => batches.flat().map((r) => r.body) };
}

describe('LocalQueue', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('hands the handler records shaped exactly like Lambda SQS events', async () => {
    const queue = new LocalQueue({ name: 'orders-inventory', region: 'eu-west-3', account: '123456789012' });
    const { handler, batches } = recorder();
    queue.attachConsumer(handler);

    const sent = queue.send('{"orderId":"o-1"}', {
      MessageAttributes: {
        correlationId: { DataType: 'String', StringValue: 'c-1' },
        blob: { DataType: 'Binary', BinaryValue: Buffer.from('hi') },
      },
    });
    await tick(0);
    await queue.idle();

    const record = batches[0]?.[0] as SQSRecord;
    expect(record).toEqual({
      messageId: sent.MessageId,
      receiptHandle: expect.any(String),
      body: '{"orderId":"o-1"}',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(T0),
        SenderId: expect.any(String),
        ApproximateFirstReceiveTimestamp: String(T0),
      },
      messageAttributes: {
        correlationId: { stringValue: 'c-1', stringListValues: [], binaryListValues: [], dataType: 'String' },
        blob: { binaryValue: 'aGk=', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      },
      md5OfBody: createHash('md5').update('{"orderId":"o-1"}').digest('hex'),
      md5OfMessageAttributes: sent.MD5OfMessageAttributes,
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-3:123456789012:orders-inventory',
      awsRegion: 'eu-west-3',
    });
    expect(sent.MD5OfMessageBody).toBe(record.md5OfBody);
    expect(queue.url).toBe('https://sqs.eu-west-3.amazonaws.com/123456789012/orders-inventory');
  });

  it('leaves md5OfMessageAttributes out when there are no attributes', async () => {
    const queue = new LocalQueue({ name: 'q' });
    const { handler, batches } = recorder();
    queue.attachConsumer(handler);
    expect(queue.send('x')).not.toHaveProperty('MD5OfMessageAttributes');
    await tick(0);
    expect(batches[0]?.[0]).not.toHaveProperty('md5OfMessageAttributes');
    expect(batches[0]?.[0]?.messageAttributes).toEqual({});
  });

  it('never calls the handler inside send()', async () => {
    const queue = new LocalQueue({ name: 'q' });
    const { handler } = recorder();
    queue.attachConsumer(handler);
    queue.send('x');
    await Promise.resolve();
    expect(handler).not.toHaveBeenCalled();
    await tick(0);
    expect(handler).toHaveBeenCalledOnce();
  });

  it('batches up to batchSize and deletes what succeeded', async () => {
    const queue = new LocalQueue({ name: 'q' });
    const { handler, batches } = recorder();
    queue.attachConsumer(handler, { batchSize: 10 });
    for (let i = 0; i < 25; i++) queue.send(`m-${i}`);
    await tick(0);
    await queue.drain();
    expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(queue.size).toBe(0);
  });

  it('waits up to maxBatchingWindowMs for a full batch', async () => {
    const queue = new LocalQueue({ name: 'q' });
    const { handler, batches } = recorder();
    queue.attachConsumer(handler, { batchSize: 5, maxBatchingWindowMs: 1000 });
    queue.send('a');
    await tick(400);
    queue.send('b');
    await tick(599);
    expect(handler).not.toHaveBeenCalled();
    await tick(1);
    expect(batches.map((b) => b.map((r) => r.body))).toEqual([['a', 'b']]);

    for (const body of ['c', 'd', 'e', 'f', 'g']) queue.send(body);
    await tick(0);
    expect(batches[1]?.map((r) => r.body)).toEqual(['c', 'd', 'e', 'f', 'g']);
  });

  it('retries a whole batch after the visibility timeout when the handler throws', async () => {
    const onHandlerError = vi.fn();
    const queue = new LocalQueue({ name: 'q', visibilityTimeoutMs: 30_000, onHandlerError });
    let calls = 0;
    const { handler, batches } = recorder(() => {
      calls++;
      if (calls === 1) throw new Error('downstream unavailable');
    });
    queue.attachConsumer(handler);
    queue.send('a');
    queue.send('b');
    await tick(0);
    expect(onHandlerError).toHaveBeenCalledWith(expect.any(Error), [expect.any(String), expect.any(String)]);
    expect(queue.peek().map((m) => m.visible)).toEqual([false, false]);

    await tick(29_999);
    expect(handler).toHaveBeenCalledTimes(1);
    await tick(1);
    expect(handler).toHaveBeenCalledTimes(2);
    expect(batches[1]?.map((r) => [r.body, r.attributes.ApproximateReceiveCount])).toEqual([
      ['a', '2'],
      ['b', '2'],
    ]);
    expect(batches[1]?.[0]?.attributes.ApproximateFirstReceiveTimestamp).toBe(String(T0));
    expect(batches[1]?.[0]?.receiptHandle).not.toBe(batches[0]?.[0]?.receiptHandle);
    await queue.drain();
  });

  it('retries only the reported batch item failures, then dead-letters poison messages (R11)', async () => {
    const dlq = new LocalQueue({ name: 'q-dlq' });
    const queue = new LocalQueue({
      name: 'q',
      visibilityTimeoutMs: 1000,
      redrivePolicy: { deadLetterQueue: dlq, maxReceiveCount: 3 },
    });
    const poison = new Set(['m-2', 'm-5', 'm-8']);
    const processed = new Map<string, number>();
    const { handler } = recorder((event): SQSBatchResponse => {
      const batchItemFailures = [];
      for (const record of event.Records) {
        if (poison.has(record.body)) batchItemFailures.push({ itemIdentifier: record.messageId });
        else processed.set(record.body, (processed.get(record.body) ?? 0) + 1);
      }
      return { batchItemFailures };
    });
    queue.attachConsumer(handler, { batchSize: 10 });
    for (let i = 0; i < 10; i++) queue.send(`m-${i}`);

    await tick(0);
    expect(queue.size).toBe(3);
    await tick(1000);
    await tick(1000);
    expect(dlq.size).toBe(0);
    await tick(1000);
    await queue.drain();

    const receivesOf = (body: string) =>
      handler.mock.calls.flatMap(([event]) => event.Records).filter((r) => r.body === body).length;
    expect([...processed.values()]).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect([...poison].map(receivesOf)).toEqual([3, 3, 3]);
    expect(handler.mock.calls.slice(1).every(([event]) => event.Records.length === 3)).toBe(true);
    expect(
      dlq
        .peek()
        .map((m) => m.body)
        .sort(),
    ).toEqual([...poison].sort());
    expect(dlq.peek()[0]?.deadLetterQueueSourceArn).toBe(queue.arn);
  });

  it('feeds dead letters to the DLQ consumer with the original id and a fresh receive count', async () => {
    const dlq = new LocalQueue({ name: 'q-dlq' });
    const queue = new LocalQueue({
      name: 'q',
      visibilityTimeoutMs: 100,
      redrivePolicy: { deadLetterQueue: dlq, maxReceiveCount: 1 },
    });
    const { handler: failing } = recorder(() => {
      throw new Error('poison');
    });
    queue.attachConsumer(failing);
    const dead = recorder();
    dlq.attachConsumer(dead.handler);
    const { MessageId } = queue.send('poison', {
      MessageAttributes: { kind: { DataType: 'String', StringValue: 'x' } },
    });
    vi.spyOn(console, 'error').mockImplementation(() => undefined);

    await tick(0);
    await tick(100);
    // The dead letter's hand-off to the DLQ consumer is one more (fake) timer tick.
    await tick(1);
    await dlq.drain();

    const record = dead.batches[0]?.[0] as SQSRecord;
    expect(record.messageId).toBe(MessageId);
    expect(record.attributes.ApproximateReceiveCount).toBe('1');
    expect(record.attributes.DeadLetterQueueSourceArn).toBe(queue.arn);
    expect(record.attributes.SentTimestamp).toBe(String(T0));
    expect(record.messageAttributes.kind?.stringValue).toBe('x');
    expect(record.eventSourceARN).toBe(dlq.arn);
  });

  it('treats an unknown or empty item identifier as a failure of the whole batch', async () => {
    const queue = new LocalQueue({ name: 'q', visibilityTimeoutMs: 1000 });
    const responses: unknown[] = [
      { batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] },
      { batchItemFailures: [{ itemIdentifier: '' }] },
      { batchItemFailures: 'nonsense' },
      { batchItemFailures: [] },
    ];
    const { handler } = recorder(() => responses.shift());
    queue.attachConsumer(handler);
    queue.send('a');
    queue.send('b');
    await tick(0);
    await tick(1000);
    await tick(1000);
    expect(queue.size).toBe(2);
    await tick(1000);
    expect(queue.size).toBe(0);
    expect(handler.mock.calls.map(([event]) => event.Records.length)).toEqual([2, 2, 2, 2]);
  });

  it('counts null or missing batchItemFailures as success', async () => {
    const queue = new LocalQueue({ name: 'q' });
    const responses: unknown[] = [{ batchItemFailures: null }, {}, 'ok'];
    queue.attachConsumer(recorder(() => responses.shift()).handler, { batchSize: 1 });
    queue.send('a');
    queue.send('b');
    queue.send('c');
    await tick(0);
    await queue.drain();
    expect(queue.size).toBe(0);
  });

  it('ignores batchItemFailures without ReportBatchItemFailures, deleting the whole batch (F10)', async () => {
    const queue = new LocalQueue({ name: 'q' });
    const { handler } = recorder((event) => ({
      batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })),
    }));
    queue.attachConsumer(handler, { reportBatchItemFailures: false });
    queue.send('a');
    await tick(0);
    await queue.drain();
    expect(handler).toHaveBeenCalledOnce();
  });

  it('redelivers a message whose handler outlives the visibility timeout, and the stale delete is ignored', async () => {
    const queue = new LocalQueue({ name: 'q', visibilityTimeoutMs: 1000 });
    let release: (() => void) | undefined;
    const { handler, batches } = recorder(
      (event) =>
        event.Records[0]?.body === 'slow' &&
        event.Records[0]?.attributes.ApproximateReceiveCount === '1' &&
        new Promise<void>((resolve) => {
          release = resolve;
        }),
    );
    queue.attachConsumer(handler, { maxConcurrency: 2 });
    queue.send('slow');
    await tick(0);
    await tick(1000);
    expect(batches.map((b) => b[0]?.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
    expect(queue.size).toBe(0);

    queue.send('next');
    await tick(0);
    release?.();
    await queue.drain();
    expect(batches.map((b) => b[0]?.body)).toEqual(['slow', 'slow', 'next']);
  });

  it('keeps a message whose late delete carries a stale receipt handle', async () => {
    const queue = new LocalQueue({ name: 'q', visibilityTimeoutMs: 1000 });
    let release: (() => void) | undefined;
    let calls = 0;
    const { handler } = recorder(() => {
      calls++;
      if (calls === 1) {
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      }
      throw new Error('second attempt fails');
    });
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    queue.attachConsumer(handler, { maxConcurrency: 2 });
    queue.send('m');
    await tick(0);
    await tick(1000);
    release?.();
    await queue.idle();
    expect(queue.peek().map((m) => m.receiveCount)).toEqual([2]);
  });

  it('runs up to maxConcurrency batches at once', async () => {
    const queue = new LocalQueue({ name: 'q' });
    let running = 0;
    let peak = 0;
    queue.attachConsumer(
      async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 10));
        running--;
      },
      { batchSize: 1, maxConcurrency: 3 },
    );
    for (let i = 0; i < 7; i++) queue.send(`m-${i}`);
    await tick(0);
    expect(running).toBe(3);
    await tick(30);
    await queue.drain();
    expect(peak).toBe(3);
  });

  it('holds delayed messages back', async () => {
    const queue = new LocalQueue({ name: 'q', delaySeconds: 2 });
    const { handler, bodies } = recorder();
    queue.attachConsumer(handler);
    queue.send('queue-delay');
    queue.send('own-delay', { DelaySeconds: 5 });
    queue.send('no-delay', { DelaySeconds: 0 });
    await tick(0);
    expect(bodies()).toEqual(['no-delay']);
    await tick(2000);
    expect(bodies()).toEqual(['no-delay', 'queue-delay']);
    await tick(3000);
    expect(bodies()).toEqual(['no-delay', 'queue-delay', 'own-delay']);
  });

  it('resolves idle() without a consumer and drain() only once the queue is empty', async () => {
    const queue = new LocalQueue({ name: 'q', visibilityTimeoutMs: 1000 });
    queue.send('a');
    await queue.idle();

    let attempts = 0;
    const consumer = queue.attachConsumer(() => {
      attempts++;
      if (attempts === 1) throw new Error('once');
    });
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    let drained = false;
    const drain = queue.drain().then(() => {
      drained = true;
    });
    await tick(0);
    await queue.idle();
    expect(drained).toBe(false);
    await tick(1000);
    await drain;
    expect(attempts).toBe(2);

    consumer.detach();
    queue.send('b');
    await tick(0);
    expect(attempts).toBe(2);
    await queue.idle();
  });

  it('stops polling on stop() after running batches finish', async () => {
    const queue = new LocalQueue({ name: 'q' });
    let finished = false;
    queue.attachConsumer(async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      finished = true;
    });
    queue.send('a');
    await tick(0);
    const stopped = queue.stop();
    await tick(100);
    await stopped;
    expect(finished).toBe(true);
    queue.send('b');
    await tick(1000);
    expect(queue.peek().map((m) => m.body)).toEqual(['b']);
  });

  it('rejects settings SQS and Lambda would reject', () => {
    expect(() => new LocalQueue({ name: 'q', delaySeconds: 901 })).toThrow(/delaySeconds/);
    const dlq = new LocalQueue({ name: 'dlq' });
    expect(
      () => new LocalQueue({ name: 'q', redrivePolicy: { deadLetterQueue: dlq, maxReceiveCount: 0 } }),
    ).toThrow(/maxReceiveCount/);
    const queue = new LocalQueue({ name: 'q' });
    expect(() => queue.send('')).toThrow(/non-empty/);
    expect(() => queue.send('x', { DelaySeconds: -1 })).toThrow(/DelaySeconds/);
    expect(() => queue.attachConsumer(vi.fn(), { batchSize: 11 })).toThrow(/maxBatchingWindowMs/);
    expect(() => queue.attachConsumer(vi.fn(), { batchSize: 0 })).toThrow(/batchSize/);
    expect(() => queue.attachConsumer(vi.fn(), { maxConcurrency: 0 })).toThrow(/maxConcurrency/);
  });
});

describe('md5OfMessageAttributes', () => {
  it('does not depend on the order attributes are given in', () => {
    const a = { DataType: 'String', StringValue: 'x' };
    const b = { DataType: 'Number', StringValue: '42' };
    expect(md5OfMessageAttributes({ a, b })).toBe(md5OfMessageAttributes({ b, a }));
  });

  it('covers names, types, transport and values', () => {
    const base = md5OfMessageAttributes({ a: { DataType: 'String', StringValue: 'x' } });
    expect(md5OfMessageAttributes({ b: { DataType: 'String', StringValue: 'x' } })).not.toBe(base);
    expect(md5OfMessageAttributes({ a: { DataType: 'String.custom', StringValue: 'x' } })).not.toBe(base);
    expect(md5OfMessageAttributes({ a: { DataType: 'String', BinaryValue: Buffer.from('x') } })).not.toBe(
      base,
    );
    expect(md5OfMessageAttributes({ a: { DataType: 'String', StringValue: 'y' } })).not.toBe(base);
  });

  it('hashes the length-prefixed encoding SQS documents', () => {
    const u32 = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(n);
      return b;
    };
    const expected = createHash('md5')
      .update(
        Buffer.concat([
          u32(1),
          Buffer.from('a'),
          u32(6),
          Buffer.from('String'),
          Buffer.from([1]),
          u32(1),
          Buffer.from('x'),
        ]),
      )
      .digest('hex');
    expect(md5OfMessageAttributes({ a: { DataType: 'String', StringValue: 'x' } })).toBe(expected);
  });
});
