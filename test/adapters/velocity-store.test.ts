import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoVelocityStore } from '../../lib/adapters/dynamo/dynamo-velocity-store.ts';
import { InMemoryVelocityStore } from '../../lib/risk/in-memory-velocity-store.ts';
import { testTables } from '../support/dynamo.ts';
import { FixedClock } from '../support/fakes.ts';
import { describeVelocityStoreContract, VELOCITY_EPOCH, velocityKey } from './velocity-store.contract.ts';

describeVelocityStoreContract('in memory', async () => new InMemoryVelocityStore());

const shared = testTables();
describeVelocityStoreContract('DynamoDB', async () => {
  const t = await shared;
  // One table for the suite, a fresh store per test: counters are told apart by a per-store id prefix.
  const store = new DynamoVelocityStore({ client: t.doc, tableName: t.names.idempotency.zones.eu as string });
  const prefix = `${Math.random().toString(36).slice(2)}:`;
  return {
    async hit(keys, now, attemptId) {
      const counts = await store.hit(
        keys.map((k) => ({ ...k, id: prefix + k.id })),
        now,
        attemptId,
      );
      return Object.fromEntries(
        Object.entries(counts).map(([id, count]) => [id.slice(prefix.length), count]),
      );
    },
  };
});

describe('DynamoVelocityStore', () => {
  it('keeps one item per counter and attempt, with the attempt time and a TTL one window later', async () => {
    const t = await testTables();
    const tableName = t.names.idempotency.zones.eu as string;
    const store = new DynamoVelocityStore({ client: t.doc, tableName });
    const now = new FixedClock(VELOCITY_EPOCH).now();

    await store.hit([velocityKey('risk:v1:ip:abc:3600', { weight: 2, member: 'cust-1' })], now, 'checkout:1');

    const { Item } = await t.doc.send(
      new GetCommand({ TableName: tableName, Key: { pk: 'VELOCITY#risk:v1:ip:abc:3600', sk: 'checkout:1' } }),
    );
    expect(Item).toEqual({
      pk: 'VELOCITY#risk:v1:ip:abc:3600',
      sk: 'checkout:1',
      at: now.getTime(),
      weight: 2,
      member: 'cust-1',
      expiresAt: now.getTime() / 1000 + 3600,
    });
  });

  it('counts a retry that comes after its first recording left the window as a new attempt', async () => {
    const t = await testTables();
    const store = new DynamoVelocityStore({
      client: t.doc,
      tableName: t.names.idempotency.zones.eu as string,
    });
    const clock = new FixedClock(VELOCITY_EPOCH);
    await store.hit([velocityKey('late', { windowSeconds: 60 })], clock.now(), 'a1');
    clock.advance(61_000);

    expect((await store.hit([velocityKey('late', { windowSeconds: 60 })], clock.now(), 'a1')).late).toEqual({
      total: 1,
      distinct: 0,
    });
  });
});
