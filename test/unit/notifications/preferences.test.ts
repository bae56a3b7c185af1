import { describe, expect, it } from 'vitest';
import { ConsentRequiredError, ContactMissingError } from '../../../lib/notifications/errors.ts';
import {
  applyPreferencesInput,
  NotificationPreferencesInput as InputSchema,
  type NotificationPreferencesInput,
  samePreferences,
} from '../../../lib/notifications/preferences.ts';

const owner = { customerId: 'cust-1', zone: 'eu' };
const t1 = new Date('2026-03-01T10:00:00.000Z');
const t2 = new Date('2026-03-05T10:00:00.000Z');

const input = (overrides: Partial<NotificationPreferencesInput> = {}): NotificationPreferencesInput => ({
  locale: 'fr-FR',
  timeZone: 'Europe/Paris',
  quietHours: { start: '22:00', end: '07:00' },
  channels: { shipped: ['email', 'sms'], delivered: ['sms'] },
  contacts: { email: 'claire@example.com', phone: '+33612345678' },
  consent: { sms: { granted: true, source: 'account_settings' } },
  ...overrides,
});

describe('NotificationPreferencesInput', () => {
  it.each([
    ['an unknown top-level key', { ...input(), marketing: true }],
    ['an unknown notification type', { ...input(), channels: { promotions: ['email'] } }],
    ['an unknown channel', { ...input(), channels: { shipped: ['fax'] } }],
    ['a channel listed twice', { ...input(), channels: { shipped: ['sms', 'sms'] } }],
    ['an unknown key inside contacts', { ...input(), contacts: { email: 'a@b.co', fax: '1' } }],
    ['a phone number that is not E.164', { ...input(), contacts: { phone: '06 12 34 56 78' } }],
    ['an unknown time zone', { ...input(), timeZone: 'Mars/Olympus_Mons' }],
    ['quiet hours that start when they end', { ...input(), quietHours: { start: '22:00', end: '22:00' } }],
    ['a quiet hour past 23:59', { ...input(), quietHours: { start: '24:00', end: '07:00' } }],
    [
      'a consent with its own timestamp',
      { ...input(), consent: { sms: { granted: true, source: 'checkout', at: 'x' } } },
    ],
    [
      'a consent from an unknown source',
      { ...input(), consent: { sms: { granted: true, source: 'guess' } } },
    ],
    ['a malformed locale', { ...input(), locale: 'French' }],
  ])('rejects %s', (_label, body) => {
    expect(InputSchema.safeParse(body).success).toBe(false);
  });

  it('accepts the example, and a body without quiet hours or consent', () => {
    expect(InputSchema.safeParse(input()).success).toBe(true);
    const { quietHours: _q, consent: _c, ...minimal } = input({ channels: {} });
    expect(InputSchema.safeParse(minimal).success).toBe(true);
  });
});

describe('applyPreferencesInput', () => {
  it('stamps each consent decision with the time it was received', () => {
    const saved = applyPreferencesInput(undefined, input(), owner, t1);
    expect(saved).toMatchObject({
      customerId: 'cust-1',
      zone: 'eu',
      version: 1,
      consent: { sms: { granted: true, source: 'account_settings', at: t1.toISOString() } },
    });
  });

  it('keeps the original stamp when a decision is repeated, and a record the body leaves out', () => {
    const first = applyPreferencesInput(undefined, input(), owner, t1);
    const replay = applyPreferencesInput(first, input(), owner, t2);
    expect(replay.consent.sms?.at).toBe(t1.toISOString());
    expect(samePreferences(first, replay)).toBe(true);
    const { consent: _omitted, ...withoutConsent } = input();
    const later = applyPreferencesInput(first, withoutConsent, owner, t2);
    expect(later.consent.sms).toEqual(first.consent.sms);
  });

  it('records a withdrawal with its own time', () => {
    const first = applyPreferencesInput(undefined, input(), owner, t1);
    const withdrawn = applyPreferencesInput(
      first,
      input({
        channels: { shipped: ['email'] },
        consent: { sms: { granted: false, source: 'client_service' } },
      }),
      owner,
      t2,
    );
    expect(withdrawn.consent.sms).toEqual({ granted: false, source: 'client_service', at: t2.toISOString() });
    expect(samePreferences(first, withdrawn)).toBe(false);
  });

  it('refuses a chosen channel without consent, or whose consent was withdrawn', () => {
    expect(() => applyPreferencesInput(undefined, input({ consent: {} }), owner, t1)).toThrow(
      ConsentRequiredError,
    );
    const withdrawnEmail = input({
      channels: { shipped: ['email'] },
      consent: { email: { granted: false, source: 'account_settings' } },
    });
    expect(() => applyPreferencesInput(undefined, withdrawnEmail, owner, t1)).toThrow(/withdrawn/);
  });

  it('refuses SMS, push or WhatsApp without a contact point, and allows email without one', () => {
    const error = (() => {
      try {
        applyPreferencesInput(
          undefined,
          input({
            channels: { delivered: ['push'] },
            consent: { push: { granted: true, source: 'app_prompt' } },
          }),
          owner,
          t1,
        );
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ContactMissingError);
    expect((error as ContactMissingError).details).toEqual({ channel: 'push', types: ['delivered'] });
    expect(() =>
      applyPreferencesInput(undefined, input({ channels: { shipped: ['email'] }, contacts: {} }), owner, t1),
    ).not.toThrow();
  });

  it('says the same thing whatever the order of keys DynamoDB hands back', () => {
    const first = applyPreferencesInput(undefined, input(), owner, t1);
    const reversed = <T extends object>(value: T): T =>
      Object.fromEntries(Object.entries(value).reverse()) as T;
    const reordered = {
      ...reversed(first),
      contacts: reversed(first.contacts),
      channels: reversed(first.channels),
      quietHours: reversed(first.quietHours ?? { start: '', end: '' }),
    };
    expect(Object.keys(reordered)).not.toEqual(Object.keys(first));
    expect(samePreferences(first, reordered)).toBe(true);
  });
});
