import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderPlaced } from '../../lib/commerce/events.ts';
import type { LocalPlatform } from '../../lib/runtime/local/platform.ts';
import { ShipmentStatusChanged } from '../../lib/tracking/events.ts';
import { type Http, http, startTestPlatform } from '../support/local-platform.ts';
import { shopper } from '../support/shopper.ts';

const metadata = (eventId: string) => ({
  eventId,
  correlationId: eventId,
  occurredAt: new Date().toISOString(),
  schemaVersion: 1,
});

const orderPlaced = (customerId: string, orderId: string) => ({
  source: OrderPlaced.source,
  detailType: OrderPlaced.detailType,
  detail: JSON.stringify({
    data: {
      orderId,
      orderNumber: `V-${orderId}`,
      checkoutId: `chk-${orderId}`,
      zone: 'eu',
      market: 'FR',
      customerId,
      status: 'paid',
      total: { amount: 95000, currency: 'EUR' },
      lines: [{ sku: 'SKU-1', quantity: 1, locationId: 'roissy-warehouse' }],
      delivery: { method: 'standard', country: 'FR' },
    },
    metadata: metadata(`order:${orderId}:placed`),
  }),
});

const delivered = (customerId: string, orderId: string) => ({
  source: ShipmentStatusChanged.source,
  detailType: ShipmentStatusChanged.detailType,
  detail: JSON.stringify({
    data: {
      shipmentId: `shp-${orderId}`,
      orderId,
      customerId,
      zone: 'eu',
      carrier: 'dhl',
      service: 'express',
      trackingNumber: '00340434161094042557',
      signatureRequired: false,
      from: 'out_for_delivery',
      to: 'delivered',
      occurredAt: new Date().toISOString(),
      eventKey: `scan-${orderId}`,
    },
    metadata: metadata(`shipment:shp-${orderId}:status:delivered`),
  }),
});

/** `HH:MM` in UTC, `minutes` from now. */
const utcClock = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString().slice(11, 16);

describe('notifications on the local runtime', () => {
  let platform: LocalPlatform;
  let api: Http;

  beforeAll(async () => {
    platform = await startTestPlatform({ seed: false });
    api = http(platform.url);
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('puts each message in the outbox once, on the channels the customer chose', async () => {
    const claire = await shopper(api, 'claire-notify');
    const saved = await api('PUT', '/v1/me/notification-preferences', {
      token: claire.token,
      body: {
        locale: 'fr-FR',
        timeZone: 'Europe/Paris',
        channels: { order_confirmed: ['email', 'sms'], delivered: ['sms'] },
        contacts: { email: 'claire@example.com', phone: '+33612345678' },
        consent: { sms: { granted: true, source: 'account_settings' } },
      },
    });
    expect(saved.status, saved.text).toBe(201);

    await platform.deps.events.publish([
      orderPlaced('claire-notify', 'ord-n1'),
      delivered('claire-notify', 'ord-n1'),
    ]);
    // The bus and the queue deliver at least once: a copy of each event changes nothing.
    await platform.deps.events.publish([
      orderPlaced('claire-notify', 'ord-n1'),
      delivered('claire-notify', 'ord-n1'),
    ]);
    await platform.idle();

    const outbox = await api('GET', '/v1/dev/outbox?customerId=claire-notify');
    expect(outbox.status).toBe(200);
    expect(
      outbox.json.items.map((m: { type: string; channel: string; to: string }) => [m.type, m.channel, m.to]),
    ).toEqual([
      ['order_confirmed', 'email', 'claire@example.com'],
      ['order_confirmed', 'sms', '+33612345678'],
      ['delivered', 'sms', '+33612345678'],
    ]);
    expect(outbox.json.items[0].subject).toBe('Votre commande V-ord-n1 est confirmée');
  });

  it('sends nothing in quiet hours: the message waits for their end', async () => {
    const night = await shopper(api, 'night-owl');
    const saved = await api('PUT', '/v1/me/notification-preferences', {
      token: night.token,
      body: {
        locale: 'en',
        timeZone: 'UTC',
        quietHours: { start: utcClock(-60), end: utcClock(120) },
        channels: {},
        contacts: { email: 'owl@example.com' },
      },
    });
    expect(saved.status, saved.text).toBe(201);
    await platform.deps.events.publish([orderPlaced('night-owl', 'ord-n2')]);
    await platform.idle();
    expect((await api('GET', '/v1/dev/outbox?customerId=night-owl')).json.items).toEqual([]);
    const held = await platform.deps.notifications.deferred.due(
      platform.deps.region,
      new Date(Date.now() + 3 * 3_600_000),
      100,
    );
    expect(held.filter((h) => h.request.customerId === 'night-owl')).toHaveLength(1);
  });
});
