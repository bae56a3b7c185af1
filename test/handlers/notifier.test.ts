import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeHandler as makeOutboxRoute } from '../../functions/dev/dev-outbox.ts';
import { makeHandler as makeSweeper } from '../../functions/notifications/deferred-notifier.ts';
import { makeHandler as makeNotifier } from '../../functions/notifications/notifier.ts';
import { OrderPlaced } from '../../lib/commerce/events.ts';
import { devOutboxRoute } from '../../lib/contracts/routes/dev.ts';
import { InMemoryNotificationStore } from '../../lib/notifications/in-memory-notification-store.ts';
import { storefrontLinks } from '../../lib/notifications/links.ts';
import { LocalNotificationOutbox } from '../../lib/notifications/local-outbox.ts';
import type { NotificationDeps } from '../../lib/notifications/use-cases.ts';
import { lambdaContext } from '../../lib/runtime/local/lambda-context.ts';
import { ShipmentStatusChanged } from '../../lib/tracking/events.ts';
import { apiEvent, invoke } from '../support/api-event.ts';
import { FixedClock } from '../support/fakes.ts';

const ctx = lambdaContext('notifier', 30);

let sequence = 0;
function record(body: unknown): SQSRecord {
  sequence++;
  return {
    messageId: `msg-${sequence}`,
    receiptHandle: `rh-${sequence}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'AIDA',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:000000000000:notifications-notifier',
    awsRegion: 'eu-west-1',
  };
}

/** An EventBridge event as the rule hands it to SQS. */
const busEvent = (source: string, detailType: string, data: unknown, eventId: string) => ({
  version: '0',
  id: `bus-${eventId}`,
  'detail-type': detailType,
  source,
  account: '000000000000',
  time: '2026-03-02T10:00:00Z',
  region: 'eu-west-1',
  resources: [],
  detail: {
    data,
    metadata: { eventId, correlationId: 'corr', occurredAt: '2026-03-02T10:00:00.000Z', schemaVersion: 1 },
  },
});

const orderPlaced = (orderId: string) =>
  busEvent(
    OrderPlaced.source,
    OrderPlaced.detailType,
    {
      orderId,
      orderNumber: `V-${orderId}`,
      checkoutId: 'chk-1',
      zone: 'eu',
      market: 'FR',
      customerId: 'cust-1',
      status: 'paid',
      total: { amount: 120000, currency: 'EUR' },
      lines: [{ sku: 'SKU-1', quantity: 1, locationId: 'paris' }],
      delivery: { method: 'standard', country: 'FR' },
    },
    `order:${orderId}:placed`,
  );

const delivered = busEvent(
  ShipmentStatusChanged.source,
  ShipmentStatusChanged.detailType,
  {
    shipmentId: 'shp-1',
    orderId: 'ord-1',
    customerId: 'cust-1',
    zone: 'eu',
    carrier: 'fedex',
    service: 'priority',
    trackingNumber: '7777',
    signatureRequired: true,
    from: 'out_for_delivery',
    to: 'delivered',
    occurredAt: '2026-03-02T09:58:00.000Z',
    eventKey: 'scan-9',
  },
  'shipment:shp-1:status:delivered:2026-03-02T09:58:00.000Z',
);

const sqs = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

describe('notifier (SQS consumer)', () => {
  let clock: FixedClock;
  let store: InMemoryNotificationStore;
  let outbox: LocalNotificationOutbox;
  let deps: NotificationDeps;

  beforeEach(() => {
    clock = new FixedClock(new Date('2026-03-02T10:00:00.000Z'));
    store = new InMemoryNotificationStore();
    outbox = new LocalNotificationOutbox({ clock });
    deps = {
      preferences: store,
      log: store,
      deferred: store,
      notifier: outbox,
      orders: {
        getOrder: async (orderId) => ({
          orderNumber: `V-${orderId}`,
          email: 'order@example.com',
          market: 'FR',
        }),
      },
      links: storefrontLinks('https://shop.example'),
      clock,
      region: 'eu-west-1',
      zones: ['eu'],
    };
  });

  it('sends each event’s message once, however many copies SQS delivers', async () => {
    const handler = makeNotifier({ notifications: deps });
    const result = await handler(
      sqs(record(orderPlaced('ord-1')), record(orderPlaced('ord-1')), record(delivered), record(delivered)),
      ctx,
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(outbox.list().map((m) => [m.type, m.subject])).toEqual([
      ['order_confirmed', 'Votre commande V-ord-1 est confirmée'],
      ['delivered', 'Votre commande V-ord-1 a été livrée'],
    ]);
    await handler(sqs(record(delivered)), ctx);
    expect(outbox.list()).toHaveLength(2);
  });

  it('reports only the messages that failed: a malformed body, and a send that may be retried', async () => {
    const handler = makeNotifier({
      notifications: {
        ...deps,
        notifier: {
          send: async (message) => {
            if (message.customerId === 'cust-1' && message.type === 'order_confirmed') {
              const { DeliveryNotSentError } = await import('../../lib/notifications/errors.ts');
              throw new DeliveryNotSentError('throttled', 'throttled');
            }
            return outbox.send(message);
          },
        },
      },
    });
    const bad = record('{not json');
    const invalid = record({ ...delivered, detail: { data: { shipmentId: 'x' }, metadata: {} } });
    const throttled = record(orderPlaced('ord-2'));
    const fine = record(delivered);
    const ignored = record(busEvent('vitrine.catalog', 'ProductUpserted', {}, 'p-1'));
    const result = await handler(sqs(bad, invalid, throttled, fine, ignored), ctx);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [bad.messageId, invalid.messageId, throttled.messageId].sort(),
    );
    expect(outbox.list().map((m) => m.type)).toEqual(['delivered']);
  });

  it('holds messages through quiet hours; the scheduled sweep sends them when they end', async () => {
    await store.put(
      {
        customerId: 'cust-1',
        zone: 'eu',
        locale: 'de-DE',
        timeZone: 'Europe/Berlin',
        quietHours: { start: '08:00', end: '12:00' },
        channels: {},
        contacts: { email: 'claire@example.com' },
        consent: {},
        version: 1,
      },
      0,
    );
    const handler = makeNotifier({ notifications: deps });
    expect((await handler(sqs(record(delivered)), ctx)).batchItemFailures).toEqual([]);
    expect(outbox.list()).toEqual([]);

    const sweep = makeSweeper({ notifications: deps });
    expect(await sweep()).toEqual({ due: 0, failed: 0 });
    clock.advance(60 * 60_000); // 12:00 in Berlin
    expect(await sweep()).toEqual({ due: 1, failed: 0 });
    expect(outbox.list()).toEqual([
      expect.objectContaining({
        to: 'claire@example.com',
        subject: 'Ihre Bestellung V-ord-1 wurde zugestellt',
        sentAt: '2026-03-02T11:00:00.000Z',
      }),
    ]);
  });
});

describe('GET /v1/dev/outbox', () => {
  it('lists what was sent, filtered by customer, type and channel, the latest with a limit', async () => {
    const outbox = new LocalNotificationOutbox({ clock: new FixedClock() });
    const base = {
      dedupeKey: 'k',
      to: 'a@example.com',
      locale: 'en',
      subject: 's',
      body: 'b',
    };
    await outbox.send({ ...base, customerId: 'cust-1', type: 'shipped', channel: 'email' });
    await outbox.send({ ...base, customerId: 'cust-1', type: 'delivered', channel: 'sms' });
    await outbox.send({ ...base, customerId: 'cust-2', type: 'delivered', channel: 'email' });
    const handler = makeOutboxRoute({ notificationOutbox: outbox });
    const list = async (query: Record<string, string>) =>
      (await invoke(handler, apiEvent(devOutboxRoute, { query }))).json.items as { messageId: string }[];
    expect((await list({})).map((m) => m.messageId)).toEqual([
      'local-000001',
      'local-000002',
      'local-000003',
    ]);
    expect((await list({ customerId: 'cust-1' })).map((m) => m.messageId)).toEqual([
      'local-000001',
      'local-000002',
    ]);
    expect((await list({ type: 'delivered', channel: 'email' })).map((m) => m.messageId)).toEqual([
      'local-000003',
    ]);
    expect((await list({ limit: '1' })).map((m) => m.messageId)).toEqual(['local-000003']);
    expect((await invoke(handler, apiEvent(devOutboxRoute, { query: { type: 'marketing' } }))).status).toBe(
      400,
    );
  });
});
