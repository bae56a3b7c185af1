import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoIdempotencyStore } from '../../lib/adapters/dynamo/dynamo-idempotency-store.ts';
import { InMemoryIdempotencyStore } from '../../lib/platform/in-memory-idempotency-store.ts';
import { testTables } from '../support/dynamo.ts';
import { at, describeIdempotencyStoreContract, storedResponse, T0 } from './idempotency-store.contract.ts';

type Tables = Awaited<ReturnType<typeof testTables>>;

describeIdempotencyStoreContract('in-memory', async (options) => new InMemoryIdempotencyStore(options));

// One set of tables for the file: each contract test uses its own record key.
let tables: Promise<Tables> | undefined;
const sharedTables = () => {
  tables ??= testTables();
  return tables;
};
const tableName = (t: Tables) => t.names.idempotency.zones.eu as string;

describeIdempotencyStoreContract('DynamoDB', async (options) => {
  const t = await sharedTables();
  return new DynamoIdempotencyStore({ client: t.doc, tableName: tableName(t), ...options });
});

describe('DynamoIdempotencyStore', () => {
  let t: Tables;
  beforeAll(async () => {
    t = await sharedTables();
  });

  it('keeps one item per record under IDEMPOTENCY#<recordKey>, with the TTL in epoch seconds', async () => {
    const store = new DynamoIdempotencyStore({ client: t.doc, tableName: tableName(t), ttlSeconds: 3600 });
    await store.begin('shape', 'fp-1', T0, at(10_000));
    const key = { pk: 'IDEMPOTENCY#shape', sk: 'IDEMPOTENCY' };
    const { Item: locked } = await t.doc.send(new GetCommand({ TableName: tableName(t), Key: key }));
    expect(locked).toEqual({
      ...key,
      status: 'in_progress',
      fingerprint: 'fp-1',
      lockedUntil: at(10_000).toISOString(),
      expiresAt: T0.getTime() / 1000 + 3600,
    });

    await store.complete('shape', 'fp-1', storedResponse, at(2_000));
    const { Item: done } = await t.doc.send(new GetCommand({ TableName: tableName(t), Key: key }));
    expect(done).toEqual({
      ...key,
      status: 'completed',
      fingerprint: 'fp-1',
      response: storedResponse,
      expiresAt: T0.getTime() / 1000 + 2 + 3600,
    });
  });

  it('raises throttling instead of calling it a duplicate', async () => {
    const throttled = new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });
    const client = { send: async () => Promise.reject(throttled) } as unknown as Tables['doc'];
    const store = new DynamoIdempotencyStore({ client, tableName: 'x' });
    await expect(store.begin('k', 'fp', T0, at(1000))).rejects.toBe(throttled);
    await expect(store.complete('k', 'fp', storedResponse, T0)).rejects.toBe(throttled);
    await expect(store.abandon('k')).rejects.toBe(throttled);
  });
});
