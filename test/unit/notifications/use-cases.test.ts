import { beforeEach, describe, expect, it } from 'vitest';
import { PreconditionFailedError } from '../../../lib/errors.ts';
import { DeliveryNotSentError, DeliveryRejectedError } from '../../../lib/notifications/errors.ts';
import { InMemoryNotificationStore } from '../../../lib/notifications/in-memory-notification-store.ts';
import { storefrontLinks } from '../../../lib/notifications/links.ts';
import { LocalNotificationOutbox } from '../../../lib/notifications/local-outbox.ts';
import type { Notifier, OutboundMessage } from '../../../lib/notifications/ports.ts';
import {
  getNotificationPreferences,
  handleNotificationEvent,
  type NotificationDeps,
  type PreferencesDeps,
  putNotificationPreferences,
  sendDueNotifications,
} from '../../../lib/notifications/use-cases.ts';
import { FixedClock } from '../../support/fakes.ts';
import { prefs, request, T0 } from './fixtures.ts';

const order = { orderNumber: 'V-24-000123', email: 'order@example.com', market: 'FR' };

/** A notifier that fails as told, then hands over to the outbox. */
class ScriptedNotifier implements Notifier {
  readonly failures: unknown[] = [];
  constructor(readonly outbox: LocalNotificationOutbox) {}
  async send(message: OutboundMessage) {
    const failure = this.failures.shift();
    if (failure) throw failure;
    return this.outbox.send(message);
  }
}

describe('handleNotificationEvent', () => {
  let clock: FixedClock;
  let store: InMemoryNotificationStore;
  let outbox: LocalNotificationOutbox;
  let notifier: ScriptedNotifier;
  let deps: NotificationDeps;

  beforeEach(() => {
    clock = new FixedClock(new Date(T0));
    store = new InMemoryNotificationStore();
    outbox = new LocalNotificationOutbox({ clock });
    notifier = new ScriptedNotifier(outbox);
    deps = {
      preferences: store,
      log: store,
      deferred: store,
      notifier,
      orders: { getOrder: async (id) => (id === 'ord-1' ? order : undefined) },
      locations: {
        get: async () => ({ name: 'Paris Avenue Montaigne boutique', timezone: 'Europe/Paris' }),
      },
      links: storefrontLinks('https://shop.example'),
      clock,
      region: 'eu-west-1',
      zones: ['eu', 'us'],
    };
  });

  it('sends on every chosen channel once, in the customer’s language, however often the event comes', async () => {
    await store.put(prefs(), 0);
    const first = await handleNotificationEvent(deps, request());
    expect(first.deliveries.map((d) => [d.channel, d.result])).toEqual([
      ['email', 'sent'],
      ['sms', 'sent'],
    ]);
    const [email, sms] = outbox.list();
    expect(email).toMatchObject({
      to: 'claire@example.com',
      locale: 'fr',
      subject: 'Votre commande V-24-000123 a été livrée',
    });
    expect(sms).toMatchObject({
      to: '+33612345678',
      body: expect.stringContaining('https://shop.example/account/orders/ord-1'),
    });
    expect(sms?.body.length).toBeLessThan(email?.body.length ?? 0);

    const again = await Promise.all([1, 2, 3].map(() => handleNotificationEvent(deps, request())));
    expect(again.flatMap((o) => o.deliveries.map((d) => d.result))).toEqual(Array(6).fill('duplicate'));
    expect(outbox.list()).toHaveLength(2);
  });

  it('emails a customer without preferences at the order’s address, in the market’s language', async () => {
    const outcome = await handleNotificationEvent(deps, request({ type: 'shipped', status: 'shipped' }));
    expect(outcome.plan).toBe('deliver');
    expect(outbox.list()).toEqual([
      expect.objectContaining({
        channel: 'email',
        to: 'order@example.com',
        locale: 'fr',
        subject: 'Votre commande V-24-000123 est en route',
      }),
    ]);
  });

  it('finds preferences saved in another zone than the order’s', async () => {
    await store.put(prefs({ zone: 'us', contacts: { email: 'us@example.com' }, channels: {} }), 0);
    await handleNotificationEvent(deps, request());
    expect(outbox.list()[0]?.to).toBe('us@example.com');
  });

  it('holds the message through quiet hours, then the sweep sends it once', async () => {
    await store.put(prefs({ quietHours: { start: '22:00', end: '07:00' } }), 0);
    clock.advance(12.5 * 3_600_000); // 23:30 in Paris
    const held = await handleNotificationEvent(deps, request());
    expect(held).toMatchObject({ plan: 'defer', deferredUntil: '2026-03-03T06:00:00.000Z', retry: false });
    await handleNotificationEvent(deps, request()); // a duplicate holds nothing twice
    expect(store.held.size).toBe(1);

    clock.advance(3 * 3_600_000);
    expect((await sendDueNotifications(deps)).due).toBe(0);
    expect(outbox.list()).toEqual([]);

    clock.advance(5 * 3_600_000); // 07:30 in Paris
    const sweep = await sendDueNotifications(deps);
    expect(sweep.outcomes.flatMap((o) => o.deliveries.map((d) => d.result))).toEqual(['sent', 'sent']);
    expect(store.held.size).toBe(0);
    expect(outbox.list().map((m) => m.sentAt)).toEqual([
      '2026-03-03T06:30:00.000Z',
      '2026-03-03T06:30:00.000Z',
    ]);
    expect((await sendDueNotifications(deps)).due).toBe(0);
  });

  it('re-reads the preferences when a held message is due: a consent withdrawn meanwhile is honoured', async () => {
    await store.put(prefs({ quietHours: { start: '22:00', end: '07:00' } }), 0);
    clock.advance(12.5 * 3_600_000); // 23:30 in Paris
    await handleNotificationEvent(deps, request());
    const saved = (await store.get('cust-1', 'eu'))!;
    await store.put(
      {
        ...saved,
        channels: { delivered: ['email'] },
        consent: { sms: { granted: false, source: 'account_settings', at: '2026-03-02T23:00:00.000Z' } },
        version: 2,
      },
      1,
    );
    clock.advance(8 * 3_600_000);
    await sendDueNotifications(deps);
    expect(outbox.list().map((m) => m.channel)).toEqual(['email']);
  });

  it('records a rejection for good, and retries only what certainly did not leave', async () => {
    await store.put(prefs(), 0);
    notifier.failures.push(
      new DeliveryRejectedError('bad address', 'message_rejected'),
      new DeliveryNotSentError('throttled', 'too_many_requests'),
    );
    const first = await handleNotificationEvent(deps, request());
    expect(first.deliveries.map((d) => [d.channel, d.result, d.reason])).toEqual([
      ['email', 'rejected', 'message_rejected'],
      ['sms', 'retry', 'too_many_requests'],
    ]);
    expect(first.retry).toBe(true);
    const second = await handleNotificationEvent(deps, request());
    expect(second.deliveries.map((d) => d.result)).toEqual(['duplicate', 'sent']);
    expect(second.retry).toBe(false);
    expect(outbox.list().map((m) => m.channel)).toEqual(['sms']);
  });

  it('never resends a message whose sender died mid-call: it becomes uncertain once the lease runs out', async () => {
    await store.put(prefs({ channels: { delivered: ['email'] } }), 0);
    notifier.failures.push(new Error('socket hang up'));
    const first = await handleNotificationEvent(deps, request());
    expect(first.deliveries).toEqual([
      expect.objectContaining({ result: 'retry', reason: 'outcome_unknown' }),
    ]);

    clock.advance(60_000);
    const early = await handleNotificationEvent(deps, request());
    expect(early.deliveries).toEqual([
      expect.objectContaining({ result: 'retry', reason: 'claimed_elsewhere' }),
    ]);

    clock.advance(5 * 60_000);
    const late = await handleNotificationEvent(deps, request());
    expect(late.deliveries).toEqual([expect.objectContaining({ result: 'uncertain' })]);
    expect(late.retry).toBe(false);
    const after = await handleNotificationEvent(deps, request());
    expect(after.deliveries).toEqual([expect.objectContaining({ result: 'duplicate', reason: 'uncertain' })]);
    expect(outbox.list()).toEqual([]);
  });

  it('names the pickup boutique and links a failed attempt to rescheduling and pickup points', async () => {
    // The customer lives in Tokyo; the deadline is the boutique's, in Paris time.
    await store.put(prefs({ locale: 'en-GB', channels: {}, timeZone: 'Asia/Tokyo' }), 0);
    await handleNotificationEvent(
      deps,
      request({
        type: 'ready_for_pickup',
        subjectId: 'ord-1',
        status: 'ready',
        details: {
          orderNumber: 'V-24-000123',
          locationId: 'paris-avenue-montaigne',
          collectBy: '2026-03-16T18:00:00.000Z',
        },
      }),
    );
    await handleNotificationEvent(deps, request({ type: 'delivery_attempted', status: 'attempted@x' }));
    const [pickup, attempt] = outbox.list();
    expect(pickup?.body).toContain('at Paris Avenue Montaigne boutique');
    expect(pickup?.body).toContain('16 March 2026');
    expect(pickup?.body).toContain('19:00');
    expect(attempt?.body).toContain(
      'https://shop.example/account/orders/ord-1/shipments/shp-1/delivery?option=reschedule',
    );
    expect(attempt?.body).toContain('option=pickup-point');
  });
});

describe('notification preferences', () => {
  let store: InMemoryNotificationStore;
  let deps: PreferencesDeps;
  const caller = { customerId: 'cust-1', country: 'FR', email: 'claire@example.com' };
  const body = {
    locale: 'fr-FR',
    timeZone: 'Europe/Paris',
    channels: { delivered: ['email', 'sms'] as ('email' | 'sms')[] },
    contacts: { email: 'claire@example.com', phone: '+33612345678' },
    consent: { sms: { granted: true, source: 'account_settings' as const } },
  };

  beforeEach(() => {
    store = new InMemoryNotificationStore();
    deps = { preferences: store, clock: new FixedClock(), zoneOfCountry: (c) => (c === 'US' ? 'us' : 'eu') };
  });

  it('answers the defaults with the account email until something is saved', async () => {
    expect(await getNotificationPreferences(deps, caller)).toMatchObject({
      version: 0,
      zone: 'eu',
      channels: {},
      contacts: { email: 'claire@example.com' },
      consent: {},
    });
  });

  it('saves in the customer’s zone, and a replay changes nothing', async () => {
    const created = await putNotificationPreferences(deps, caller, body);
    expect(created).toMatchObject({ created: true, preferences: { version: 1, zone: 'eu' } });
    const replay = await putNotificationPreferences(deps, caller, body);
    expect(replay).toMatchObject({ created: false, preferences: { version: 1 } });
    expect(
      (await putNotificationPreferences(deps, { ...caller, country: 'US' }, body)).preferences.zone,
    ).toBe('us');
  });

  it('writes only over the version named in If-Match', async () => {
    await putNotificationPreferences(deps, caller, body);
    await expect(
      putNotificationPreferences(deps, caller, { ...body, locale: 'en' }, 0),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(
      (await putNotificationPreferences(deps, caller, { ...body, locale: 'en' }, 1)).preferences.version,
    ).toBe(2);
  });
});
