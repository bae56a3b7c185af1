import { beforeEach, describe, expect, it } from 'vitest';
import { makeHandler } from '../../functions/notifications/preferences.ts';
import {
  getNotificationPreferencesRoute,
  putNotificationPreferencesRoute,
} from '../../lib/contracts/routes/notifications.ts';
import { InMemoryNotificationStore } from '../../lib/notifications/in-memory-notification-store.ts';
import { apiEvent, customerClaims, invoke } from '../support/api-event.ts';
import { FixedClock } from '../support/fakes.ts';

const claims = { ...customerClaims, 'custom:country': 'FR', email: 'claire@example.com' };

const body = {
  locale: 'fr-FR',
  timeZone: 'Europe/Paris',
  quietHours: { start: '22:00', end: '07:00' },
  channels: { shipped: ['email', 'sms'], delivered: ['sms'], out_for_delivery: [] },
  contacts: { email: 'claire@example.com', phone: '+33612345678' },
  consent: { sms: { granted: true, source: 'account_settings' } },
};

describe('/v1/me/notification-preferences', () => {
  let store: InMemoryNotificationStore;
  let clock: FixedClock;
  let handler: ReturnType<typeof makeHandler>;

  beforeEach(() => {
    store = new InMemoryNotificationStore();
    clock = new FixedClock();
    handler = makeHandler({
      notifications: { preferences: store, clock, zoneOfCountry: (c) => (c === 'US' ? 'us' : 'eu') },
    });
  });

  const get = (extra: Parameters<typeof apiEvent>[1] = {}) =>
    invoke(handler, apiEvent(getNotificationPreferencesRoute, { claims, ...extra }));
  const put = (payload: unknown, extra: Parameters<typeof apiEvent>[1] = {}) =>
    invoke(handler, apiEvent(putNotificationPreferencesRoute, { body: payload, claims, ...extra }));

  it('answers the defaults, version 0, before anything is saved', async () => {
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('"0"');
    expect(res.json).toMatchObject({
      customerId: 'cust-1',
      zone: 'eu',
      version: 0,
      channels: {},
      contacts: { email: 'claire@example.com' },
    });
  });

  it('creates with 201, answers 200 to a replay without writing, and reads back what was saved', async () => {
    const created = await put(body);
    expect(created.status).toBe(201);
    expect(created.headers.etag).toBe('"1"');
    expect(created.json.consent.sms).toEqual({
      granted: true,
      source: 'account_settings',
      at: '2026-03-01T10:00:00.000Z',
    });
    clock.advance(60_000);
    const replay = await put(body);
    expect(replay.status).toBe(200);
    expect(replay.json).toEqual(created.json);
    expect((await get()).json).toEqual(created.json);
    expect(store.preferences.get('eu#cust-1')?.version).toBe(1);
  });

  it('answers 412 for a stale If-Match and 400 for one that is not a version', async () => {
    await put(body);
    const stale = await put({ ...body, locale: 'en' }, { headers: { 'If-Match': '"0"' } });
    expect(stale.status).toBe(412);
    expect(stale.json.error.code).toBe('PRECONDITION_FAILED');
    expect((await put(body, { headers: { 'If-Match': 'latest' } })).status).toBe(400);
    expect((await put({ ...body, locale: 'en' }, { headers: { 'If-Match': '"1"' } })).json.version).toBe(2);
  });

  it('answers 422 for a channel without consent or without an address', async () => {
    const noConsent = await put({ ...body, consent: {} });
    expect(noConsent.status).toBe(422);
    expect(noConsent.json.error).toMatchObject({
      code: 'CONSENT_REQUIRED',
      details: { channel: 'sms', types: ['shipped', 'delivered'] },
    });
    const noPhone = await put({ ...body, contacts: { email: 'claire@example.com' } });
    expect(noPhone.status).toBe(422);
    expect(noPhone.json.error.code).toBe('CONTACT_MISSING');
  });

  it.each([
    ['an unknown key', { ...body, marketingOptIn: true }],
    [
      'an unknown key inside quiet hours',
      { ...body, quietHours: { start: '22:00', end: '07:00', days: [] } },
    ],
    [
      'an unknown key inside a consent',
      { ...body, consent: { sms: { granted: true, source: 'checkout', at: 'now' } } },
    ],
    ['a phone that is not E.164', { ...body, contacts: { phone: '0612345678' } }],
  ])('answers 400 for %s', async (_label, payload) => {
    const res = await put(payload);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('VALIDATION_FAILED');
    expect(store.preferences.size).toBe(0);
  });

  it('keeps each customer to their own preferences, and needs a signed-in customer', async () => {
    await put(body);
    const other = await get({ claims: { sub: 'cust-2', scope: 'vitrine/customer' } });
    expect(other.json).toMatchObject({ customerId: 'cust-2', version: 0 });
    expect((await invoke(handler, apiEvent(getNotificationPreferencesRoute))).status).toBe(401);
  });
});
