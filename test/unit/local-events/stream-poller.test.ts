import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../../lib/runtime/local/dynamo-local.ts';
import {
  DynamoStreamPoller,
  type DynamoStreamPollerProps,
} from '../../../lib/runtime/local/events/stream-poller.ts';

let dynamo: DynamoDBClient;
let streams: DynamoDBStreamsClient;
const pollers: DynamoStreamPoller[] = [];

beforeAll(() => {
  // The run's one DynamoDB Local; every table here has a random name, so files never collide.
  const endpoint = inject('dynamoEndpoint');
  dynamo = new DynamoDBClient({
    endpoint,
    region: 'eu-west-1',
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
  streams = new DynamoDBStreamsClient({ endpoint, region: 'eu-west-1', credentials: LOCAL_CREDENTIALS });
});

afterAll(() => {
  dynamo?.destroy();
  streams?.destroy();
});

afterEach(async () => {
  await Promise.all(pollers.splice(0).map((poller) => poller.stop()));
});

async function createTable(): Promise<string> {
  const name = `t${randomUUID().replaceAll('-', '')}`;
  await dynamo.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  return name;
}

const put = (table: string, pk: string, extra: Record<string, unknown> = {}) =>
  dynamo.send(
    new PutItemCommand({ TableName: table, Item: { pk: { S: pk }, sk: { S: 'A' }, ...extra } as never }),
  );

async function startPoller(
  props: Omit<DynamoStreamPollerProps, 'client' | 'pollIntervalMs'>,
): Promise<DynamoStreamPoller> {
  const poller = new DynamoStreamPoller({ client: streams, pollIntervalMs: 20, ...props });
  pollers.push(poller);
  await poller.start();
  return poller;
}

/** A handler spy that keeps the pk of every record of every batch. */
function recorder(behaviour: (event: DynamoDBStreamEvent, call: number) => unknown = () => undefined) {
  const batches: string[][] = [];
  const handler = vi.fn(async (event: DynamoDBStreamEvent) => {
    batches.push(event.Records.map((r) => r.dynamodb?.Keys?.pk?.S as string));
    return behaviour(event, batches.length);
  });
  return { handler, batches };
}

const pkOf = (record: DynamoDBRecord) => record.dynamodb?.Keys?.pk?.S;

describe('DynamoStreamPoller', () => {
  it('delivers INSERT, MODIFY and REMOVE records shaped exactly like Lambda', async () => {
    const table = await createTable();
    const events: DynamoDBStreamEvent[] = [];
    const poller = await startPoller({ tableName: table, handler: (event) => void events.push(event) });

    const before = Math.floor(Date.now() / 1000);
    await put(table, 'PRODUCT#1', {
      price: { N: '120' },
      photo: { B: Buffer.from('png') },
      tags: { SS: ['a', 'b'] },
    });
    await dynamo.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: { S: 'PRODUCT#1' }, sk: { S: 'A' } },
        UpdateExpression: 'SET price = :p',
        ExpressionAttributeValues: { ':p': { N: '150' } },
      }),
    );
    await dynamo.send(
      new DeleteItemCommand({ TableName: table, Key: { pk: { S: 'PRODUCT#1' }, sk: { S: 'A' } } }),
    );
    await poller.idle();

    const records = events.flatMap((e) => e.Records);
    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    const [insert, modify, remove] = records as [DynamoDBRecord, DynamoDBRecord, DynamoDBRecord];
    expect(insert).toEqual({
      eventID: expect.any(String),
      eventName: 'INSERT',
      eventVersion: expect.stringMatching(/^1\.\d$/),
      eventSource: 'aws:dynamodb',
      awsRegion: 'eu-west-1',
      dynamodb: {
        ApproximateCreationDateTime: expect.any(Number),
        Keys: { pk: { S: 'PRODUCT#1' }, sk: { S: 'A' } },
        NewImage: {
          pk: { S: 'PRODUCT#1' },
          sk: { S: 'A' },
          price: { N: '120' },
          photo: { B: Buffer.from('png').toString('base64') },
          tags: { SS: ['a', 'b'] },
        },
        SequenceNumber: expect.stringMatching(/^\d+$/),
        SizeBytes: expect.any(Number),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN: poller.arn,
    });
    // Epoch seconds, as Lambda sends them; DynamoDB (Local) rounds them down, to the minute here.
    expect(insert.dynamodb?.ApproximateCreationDateTime).toBeGreaterThanOrEqual(before - 60);
    expect(insert.dynamodb?.ApproximateCreationDateTime).toBeLessThan(before + 60);
    expect(modify.dynamodb?.OldImage?.price).toEqual({ N: '120' });
    expect(modify.dynamodb?.NewImage?.price).toEqual({ N: '150' });
    expect(remove.dynamodb?.OldImage?.pk).toEqual({ S: 'PRODUCT#1' });
    expect(remove.dynamodb).not.toHaveProperty('NewImage');
    expect(poller.arn).toContain(`table/${table}/stream/`);
  });

  it('applies the filter criteria to each record as Lambda sees it', async () => {
    const table = await createTable();
    const { handler, batches } = recorder();
    const poller = await startPoller({
      tableName: table,
      handler,
      filter: { eventName: ['INSERT'], dynamodb: { Keys: { pk: { S: [{ prefix: 'OUTBOX#' }] } } } },
    });
    await put(table, 'OUTBOX#1');
    await put(table, 'PRODUCT#1');
    await put(table, 'OUTBOX#1', { v: { N: '2' } });
    await put(table, 'OUTBOX#2');
    await poller.idle();
    expect(batches.flat()).toEqual(['OUTBOX#1', 'OUTBOX#2']);
  });

  it('batches up to batchSize in stream order', async () => {
    const table = await createTable();
    for (let i = 1; i <= 7; i++) await put(table, `P#${i}`);
    const { handler, batches } = recorder();
    const poller = await startPoller({ tableName: table, handler, batchSize: 3 });
    await poller.idle();
    expect(batches).toEqual([['P#1', 'P#2', 'P#3'], ['P#4', 'P#5', 'P#6'], ['P#7']]);
  });

  it('starts at LATEST when asked, skipping what was written before start()', async () => {
    const table = await createTable();
    await put(table, 'OLD#1');
    const { handler, batches } = recorder();
    const poller = await startPoller({ tableName: table, handler, startingPosition: 'LATEST' });
    await put(table, 'NEW#1');
    await poller.idle();
    expect(batches.flat()).toEqual(['NEW#1']);
  });

  it('retries from the first reported batch item failure, keeping earlier records checkpointed', async () => {
    const table = await createTable();
    for (let i = 1; i <= 5; i++) await put(table, `P#${i}`);
    const { handler, batches } = recorder((event, call) => {
      if (call > 1) return { batchItemFailures: [] };
      const failed = event.Records.filter((r) => pkOf(r) === 'P#3' || pkOf(r) === 'P#5');
      return {
        batchItemFailures: failed.map((r) => ({ itemIdentifier: r.dynamodb?.SequenceNumber as string })),
      };
    });
    const poller = await startPoller({ tableName: table, handler });
    await poller.idle();
    expect(batches).toEqual([
      ['P#1', 'P#2', 'P#3', 'P#4', 'P#5'],
      ['P#3', 'P#4', 'P#5'],
    ]);
  });

  it('treats an unknown item identifier as a failure of the whole batch', async () => {
    const table = await createTable();
    await put(table, 'P#1');
    await put(table, 'P#2');
    const { handler, batches } = recorder((_, call) =>
      call === 1 ? { batchItemFailures: [{ itemIdentifier: 'not-a-sequence-number' }] } : undefined,
    );
    const poller = await startPoller({ tableName: table, handler });
    await poller.idle();
    expect(batches).toEqual([
      ['P#1', 'P#2'],
      ['P#1', 'P#2'],
    ]);
  });

  it('bisects a throwing batch to isolate a poison record, then hands it to onFailure', async () => {
    const table = await createTable();
    for (let i = 1; i <= 8; i++) await put(table, `P#${i}`);
    const processed: string[] = [];
    const handler = vi.fn(async (event: DynamoDBStreamEvent) => {
      const pks = event.Records.map(pkOf) as string[];
      if (pks.includes('P#6')) throw new Error('poison');
      processed.push(...pks);
    });
    const onFailure = vi.fn();
    const poller = await startPoller({ tableName: table, handler, onFailure, maxRetryAttempts: 2 });
    await poller.idle();

    expect(processed).toEqual(['P#1', 'P#2', 'P#3', 'P#4', 'P#5', 'P#7', 'P#8']);
    expect(onFailure).toHaveBeenCalledOnce();
    const [records, failure] = onFailure.mock.calls[0] as [
      DynamoDBRecord[],
      { error: Error; attempts: number },
    ];
    expect(records.map(pkOf)).toEqual(['P#6']);
    expect(failure.error.message).toBe('poison');
    // 8 → 4 → 2 → 1 are splits (free), then the single record is retried twice.
    expect(failure.attempts).toBe(6);
  });

  it('without bisect, retries the whole batch a bounded number of times, then moves on', async () => {
    const table = await createTable();
    await put(table, 'P#1');
    await put(table, 'P#2');
    const { handler, batches } = recorder((_, call) => {
      if (call <= 4) throw new Error('down');
    });
    const onFailure = vi.fn();
    const poller = await startPoller({
      tableName: table,
      handler,
      onFailure,
      bisectBatchOnFunctionError: false,
      maxRetryAttempts: 3,
    });
    await poller.idle();
    expect(batches).toEqual([
      ['P#1', 'P#2'],
      ['P#1', 'P#2'],
      ['P#1', 'P#2'],
      ['P#1', 'P#2'],
    ]);
    expect(onFailure.mock.calls[0]?.[0].map(pkOf)).toEqual(['P#1', 'P#2']);

    await put(table, 'P#3');
    await poller.idle();
    expect(batches.at(-1)).toEqual(['P#3']);
  });

  it('gives every invocation its own copy of the records', async () => {
    const table = await createTable();
    await put(table, 'P#1');
    const seen: string[] = [];
    const poller = await startPoller({
      tableName: table,
      handler: (event) => {
        const record = event.Records[0] as DynamoDBRecord;
        seen.push(pkOf(record) as string);
        if (seen.length === 1) {
          (record.dynamodb?.Keys?.pk as { S: string }).S = 'MUTATED';
          throw new Error('retry me');
        }
      },
      onError: () => undefined,
    });
    await poller.idle();
    expect(seen).toEqual(['P#1', 'P#1']);
  });

  it('fails fast on a table without a stream and on idle() before start()', async () => {
    const poller = new DynamoStreamPoller({ client: streams, tableName: 'no-such-table', handler: vi.fn() });
    await expect(poller.idle()).rejects.toThrow(/before start/);
    await expect(poller.start()).rejects.toThrow(/has no stream/);
    expect(() => new DynamoStreamPoller({ client: streams, handler: vi.fn() })).toThrow(
      /streamArn or tableName/,
    );
  });
});
