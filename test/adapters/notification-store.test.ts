import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoNotificationStore } from '../../lib/adapters/dynamo/dynamo-notification-store.ts';
import { sharedClientZoneTables } from '../../lib/adapters/dynamo/zone-tables.ts';
import { InMemoryNotificationStore } from '../../lib/notifications/in-memory-notification-store.ts';
import { storefrontLinks } from '../../lib/notifications/links.ts';
import { LocalNotificationOutbox } from '../../lib/notifications/local-outbox.ts';
import { handleNotificationEvent, type NotificationDeps } from '../../lib/notifications/use-cases.ts';
import { TEST_ZONES, testTables } from '../support/dynamo.ts';
import { FixedClock } from '../support/fakes.ts';
import { describeNotificationStoreContract } from './notification-store.contract.ts';

type Tables = Awaited<ReturnType<typeof testTables>>;

describeNotificationStoreContract('in-memory', async () => new InMemoryNotificationStore());

let tables: Promise<Tables> | undefined;
const sharedTables = () => {
  tables ??= testTables();
  return tables;
};
const dynamoStore = (t: Tables) =>
  new DynamoNotificationStore({
    tables: sharedClientZoneTables(t.doc, t.names.commerce.zones),
    zones: TEST_ZONES,
  });

describeNotificationStoreContract('DynamoDB', async () => dynamoStore(await sharedTables()));

describe('DynamoNotificationStore', () => {
  let t: Tables;
  beforeAll(async () => {
    t = await sharedTables();
  });

  it("keeps a customer's notification data in their partition of the zone's commerce table", async () => {
    const store = dynamoStore(t);
    const claimed = await store.claim(
      {
        dedupeKey: 'notify:cust-part:shipped:shp-9:shipped:email',
        customerId: 'cust-part',
        zone: 'us',
        type: 'shipped',
        channel: 'email',
        subjectId: 'shp-9',
        sourceEventId: 'evt-9',
      },
      new Date('2026-03-02T10:00:00.000Z'),
      new Date('2026-03-02T10:05:00.000Z'),
    );
    if (claimed.kind !== 'claimed') throw new Error('expected a claim');
    await store.settle(
      claimed.claim,
      { status: 'sent', providerMessageId: 'ses-1' },
      new Date('2026-03-02T10:00:01.000Z'),
    );
    const { Item } = await t.doc.send(
      new GetCommand({
        TableName: t.names.commerce.zones.us,
        Key: { pk: 'CUSTOMER#cust-part', sk: 'NOTIFY#LOG#notify:cust-part:shipped:shp-9:shipped:email' },
      }),
    );
    expect(Item).toMatchObject({
      status: 'sent',
      providerMessageId: 'ses-1',
      channel: 'email',
      type: 'shipped',
    });
    // The log may expire (a year on); nothing else about the entry does.
    expect(Item?.expiresAt).toBe(Math.floor(Date.parse('2026-03-02T10:00:01.000Z') / 1000) + 400 * 24 * 3600);
    const { Items = [] } = await t.doc.send(
      new QueryCommand({
        TableName: t.names.commerce.zones.eu,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'CUSTOMER#cust-part' },
      }),
    );
    expect(Items).toEqual([]);
  });

  it('writes no empty map, which the local stream poller could not read back, and restores them on read', async () => {
    const store = dynamoStore(t);
    const prefs = {
      customerId: 'cust-empty',
      zone: 'eu',
      locale: 'en',
      timeZone: 'UTC',
      channels: {},
      contacts: {},
      consent: {},
      version: 1,
    };
    await store.put(prefs, 0);
    const { Item } = await t.doc.send(
      new GetCommand({
        TableName: t.names.commerce.zones.eu,
        Key: { pk: 'CUSTOMER#cust-empty', sk: 'NOTIFY#PREFERENCES' },
      }),
    );
    expect(Item).not.toHaveProperty('channels');
    expect(Item).not.toHaveProperty('consent');
    expect(await store.get('cust-empty', 'eu')).toEqual(prefs);
  });

  it('gives held messages no TTL: they must not vanish before they are sent', async () => {
    const store = dynamoStore(t);
    await store.defer(
      {
        type: 'delivered',
        customerId: 'cust-ttl',
        zone: 'eu',
        orderId: 'ord-1',
        subjectId: 'shp-1',
        status: 'delivered',
        occurredAt: '2026-03-02T10:00:00.000Z',
        sourceEventId: 'evt-1',
        details: {},
      },
      new Date('2026-03-03T06:00:00.000Z'),
      'eu-west-1',
      new Date('2026-03-02T22:30:00.000Z'),
    );
    const { Item } = await t.doc.send(
      new GetCommand({
        TableName: t.names.commerce.zones.eu,
        Key: { pk: 'CUSTOMER#cust-ttl', sk: 'NOTIFY#HELD#delivered#shp-1#delivered' },
      }),
    );
    expect(Item).toMatchObject({ notBefore: '2026-03-03T06:00:00.000Z', originRegion: 'eu-west-1' });
    expect(Item?.expiresAt).toBeUndefined();
  });

  it('sends one message per channel when the same event is handled many times at once', async () => {
    const store = dynamoStore(t);
    const clock = new FixedClock(new Date('2026-03-02T10:00:00.000Z'));
    const outbox = new LocalNotificationOutbox({ clock });
    // A slow provider widens the window in which duplicates overlap.
    const notifier = {
      send: async (message: Parameters<LocalNotificationOutbox['send']>[0]) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return outbox.send(message);
      },
    };
    const deps: NotificationDeps = {
      preferences: store,
      log: store,
      deferred: store,
      notifier,
      orders: { getOrder: async () => ({ orderNumber: 'V-1', email: 'claire@example.com', market: 'FR' }) },
      links: storefrontLinks('https://shop.example'),
      clock,
      region: 'eu-west-1',
      zones: TEST_ZONES,
    };
    await store.put(
      {
        customerId: 'cust-dup',
        zone: 'eu',
        locale: 'fr',
        timeZone: 'Europe/Paris',
        channels: { delivered: ['email', 'sms'] },
        contacts: { email: 'claire@example.com', phone: '+33612345678' },
        consent: { sms: { granted: true, source: 'account_settings', at: '2026-01-01T00:00:00.000Z' } },
        version: 1,
      },
      0,
    );
    const request = {
      type: 'delivered' as const,
      customerId: 'cust-dup',
      zone: 'eu',
      orderId: 'ord-dup',
      subjectId: 'shp-dup',
      status: 'delivered',
      occurredAt: '2026-03-02T09:59:00.000Z',
      sourceEventId: 'shipment:shp-dup:status:delivered',
      details: { carrier: 'ups' },
    };
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => handleNotificationEvent(deps, request)),
    );
    expect(
      outbox
        .list()
        .map((m) => m.channel)
        .sort(),
    ).toEqual(['email', 'sms']);
    const results = outcomes.flatMap((o) => o.deliveries.map((d) => d.result));
    expect(results.filter((r) => r === 'sent')).toHaveLength(2);
    // Those that found a send in progress ask for a redelivery, which then finds it settled.
    const retried = await Promise.all(
      outcomes.filter((o) => o.retry).map(() => handleNotificationEvent(deps, request)),
    );
    expect(retried.flatMap((o) => o.deliveries.map((d) => d.result)).every((r) => r === 'duplicate')).toBe(
      true,
    );
    expect(outbox.list()).toHaveLength(2);
  });
});
