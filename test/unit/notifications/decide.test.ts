import { describe, expect, it } from 'vitest';
import { dedupeKey, planNotification } from '../../../lib/notifications/decide.ts';
import { defaultPreferences } from '../../../lib/notifications/preferences.ts';
import { prefs, request, T0 } from './fixtures.ts';

const now = new Date(T0); // 11:00 in Paris

describe('planNotification', () => {
  it('sends once per chosen channel, to its contact point, under one dedupe key per channel', () => {
    const plan = planNotification(request(), prefs(), now);
    expect(plan).toEqual({
      kind: 'deliver',
      deliveries: [
        {
          channel: 'email',
          to: 'claire@example.com',
          dedupeKey: 'notify:cust-1:delivered:shp-1:delivered:email',
        },
        { channel: 'sms', to: '+33612345678', dedupeKey: 'notify:cust-1:delivered:shp-1:delivered:sms' },
      ],
      skipped: [],
    });
  });

  it('names the message by customer, type, subject, status and channel', () => {
    expect(dedupeKey(request({ type: 'out_for_delivery', status: 'out_for_delivery@x' }), 'push')).toBe(
      'notify:cust-1:out_for_delivery:shp-1:out_for_delivery@x:push',
    );
  });

  it('never uses SMS, push or WhatsApp without a recorded grant', () => {
    const plan = planNotification(
      request(),
      prefs({
        channels: { delivered: ['sms', 'push', 'whatsapp'] },
        contacts: { phone: '+33612345678', whatsapp: '+33612345678', pushTokenRef: 'endpoint/1' },
        consent: {},
      }),
      now,
    );
    expect(plan).toEqual({
      kind: 'drop',
      reason: 'no_channel',
      skipped: [
        { channel: 'sms', reason: 'no_consent' },
        { channel: 'push', reason: 'no_consent' },
        { channel: 'whatsapp', reason: 'no_consent' },
      ],
    });
  });

  it('sends service email without a recorded grant, but never after the customer withdrew it', () => {
    const allowed = planNotification(
      request(),
      prefs({ channels: { delivered: ['email'] }, consent: {} }),
      now,
    );
    expect(allowed.kind).toBe('deliver');
    const withdrawn = planNotification(
      request(),
      prefs({
        channels: { delivered: ['email', 'sms'] },
        consent: {
          email: { granted: false, source: 'account_settings', at: T0 },
          sms: { granted: false, source: 'app_prompt', at: T0 },
        },
      }),
      now,
    );
    expect(withdrawn).toMatchObject({
      kind: 'drop',
      reason: 'no_channel',
      skipped: [
        { channel: 'email', reason: 'consent_withdrawn' },
        { channel: 'sms', reason: 'consent_withdrawn' },
      ],
    });
  });

  it('skips a consented channel without an address and still sends on the others', () => {
    const plan = planNotification(request(), prefs({ contacts: { email: 'claire@example.com' } }), now);
    expect(plan).toMatchObject({
      kind: 'deliver',
      deliveries: [{ channel: 'email' }],
      skipped: [{ channel: 'sms', reason: 'no_contact' }],
    });
  });

  it('uses email for a type without chosen channels, and nothing for a type turned off', () => {
    expect(planNotification(request({ type: 'shipped', status: 'shipped' }), prefs(), now)).toMatchObject({
      kind: 'deliver',
      deliveries: [{ channel: 'email' }],
    });
    expect(planNotification(request(), prefs({ channels: { delivered: [] } }), now)).toEqual({
      kind: 'drop',
      reason: 'no_channel',
      skipped: [],
    });
  });

  it('defers every channel to the end of the quiet hours in the customer’s time zone', () => {
    const night = new Date('2026-03-02T22:30:00.000Z'); // 23:30 in Paris
    const plan = planNotification(request(), prefs({ quietHours: { start: '22:00', end: '07:30' } }), night);
    expect(plan).toEqual({ kind: 'defer', notBefore: new Date('2026-03-03T06:30:00.000Z'), skipped: [] });
    const tokyo = planNotification(
      request(),
      prefs({ quietHours: { start: '22:00', end: '07:30' }, timeZone: 'Asia/Tokyo' }),
      night, // 07:30 in Tokyo: over
    );
    expect(tokyo.kind).toBe('deliver');
  });

  it('does not defer what nobody could receive', () => {
    const night = new Date('2026-03-02T22:30:00.000Z');
    const plan = planNotification(
      request(),
      prefs({ quietHours: { start: '22:00', end: '07:00' }, channels: { delivered: ['push'] } }),
      night,
    );
    expect(plan).toMatchObject({ kind: 'drop', reason: 'no_channel' });
  });

  it('drops "out for delivery" once it is no longer news, even when quiet hours would hold it', () => {
    const ofd = request({ type: 'out_for_delivery', status: 'out_for_delivery@x', occurredAt: T0 });
    expect(
      planNotification(ofd, prefs({ channels: {} }), new Date('2026-03-02T23:00:00.000Z')),
    ).toMatchObject({
      kind: 'drop',
      reason: 'stale',
    });
    // 20:00 in Paris, quiet until 09:00 the next day: 14 hours after the scan.
    const evening = request({
      type: 'out_for_delivery',
      status: 'out_for_delivery@y',
      occurredAt: '2026-03-02T19:00:00.000Z',
    });
    expect(
      planNotification(
        evening,
        prefs({ channels: {}, quietHours: { start: '19:30', end: '09:00' } }),
        new Date('2026-03-02T19:00:00.000Z'),
      ),
    ).toMatchObject({ kind: 'drop', reason: 'stale' });
    // Other types wait for the morning whatever their age.
    expect(planNotification(request({ occurredAt: '2026-02-20T10:00:00.000Z' }), prefs(), now).kind).toBe(
      'deliver',
    );
  });

  it('plans email only for a customer without preferences, to the address given', () => {
    const defaults = defaultPreferences('cust-1', 'eu', { email: 'claire@example.com' });
    expect(planNotification(request(), defaults, now)).toMatchObject({
      kind: 'deliver',
      deliveries: [{ channel: 'email', to: 'claire@example.com' }],
    });
    expect(planNotification(request(), defaultPreferences('cust-1', 'eu'), now)).toMatchObject({
      kind: 'drop',
      skipped: [{ channel: 'email', reason: 'no_contact' }],
    });
  });
});
