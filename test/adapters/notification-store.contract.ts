import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { VersionConflictError } from '../../lib/errors.ts';
import type { NotificationRequest } from '../../lib/notifications/decide.ts';
import type {
  DeferredNotifications,
  LogEntryDetails,
  NotificationLog,
  PreferencesRepository,
} from '../../lib/notifications/ports.ts';
import { defaultPreferences } from '../../lib/notifications/preferences.ts';

export type NotificationStore = PreferencesRepository & NotificationLog & DeferredNotifications;

const T0 = new Date('2026-03-02T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

const entry = (customerId: string, channel: 'email' | 'sms' = 'email'): LogEntryDetails => ({
  dedupeKey: `notify:${customerId}:delivered:shp-1:delivered:${channel}`,
  customerId,
  zone: 'eu',
  type: 'delivered',
  channel,
  subjectId: 'shp-1',
  sourceEventId: 'evt-1',
});

const held = (customerId: string, status = 'delivered'): NotificationRequest => ({
  type: 'delivered',
  customerId,
  zone: 'eu',
  orderId: 'ord-1',
  subjectId: 'shp-1',
  status,
  occurredAt: T0.toISOString(),
  sourceEventId: 'evt-1',
  details: { carrier: 'dhl', estimate: { earliest: '2026-03-03', latest: '2026-03-04' } },
});

/** The behaviour every notification store shares; each test uses customers of its own. */
export function describeNotificationStoreContract(name: string, make: () => Promise<NotificationStore>) {
  const customer = () => `cust-${randomUUID()}`;

  describe(`notification store contract: ${name}`, () => {
    it('stores preferences per customer and zone, writing only over the version read', async () => {
      const store = await make();
      const id = customer();
      expect(await store.get(id, 'eu')).toBeUndefined();
      const prefs = {
        ...defaultPreferences(id, 'eu', { email: 'a@example.com' }),
        quietHours: { start: '22:00', end: '07:00' },
        consent: { sms: { granted: true, source: 'checkout' as const, at: T0.toISOString() } },
        version: 1,
      };
      await store.put(prefs, 0);
      expect(await store.get(id, 'eu')).toEqual(prefs);
      expect(await store.get(id, 'us')).toBeUndefined();
      await expect(store.put({ ...prefs, version: 2 }, 0)).rejects.toBeInstanceOf(VersionConflictError);
      await store.put({ ...prefs, locale: 'ja', version: 2 }, 1);
      expect((await store.get(id, 'eu'))?.locale).toBe('ja');
    });

    it('lets exactly one of many concurrent claims win a key', async () => {
      const store = await make();
      const details = entry(customer());
      const outcomes = await Promise.all(
        Array.from({ length: 12 }, () => store.claim(details, T0, at(300_000))),
      );
      expect(outcomes.filter((o) => o.kind === 'claimed')).toHaveLength(1);
      expect(outcomes.filter((o) => o.kind === 'busy')).toHaveLength(11);
    });

    it('answers settled once sent, and keeps separate keys apart', async () => {
      const store = await make();
      const id = customer();
      const email = await store.claim(entry(id), T0, at(300_000));
      if (email.kind !== 'claimed') throw new Error('expected a claim');
      expect((await store.claim(entry(id, 'sms'), T0, at(300_000))).kind).toBe('claimed');
      await store.settle(email.claim, { status: 'sent', providerMessageId: 'm-1' }, at(1000));
      expect(await store.claim(entry(id), at(2000), at(302_000))).toEqual({
        kind: 'settled',
        status: 'sent',
      });
    });

    it('gives a released key back, but only to its holder', async () => {
      const store = await make();
      const details = entry(customer());
      const first = await store.claim(details, T0, at(300_000));
      if (first.kind !== 'claimed') throw new Error('expected a claim');
      await store.release({ ...first.claim, token: 'someone-else' });
      expect((await store.claim(details, T0, at(300_000))).kind).toBe('busy');
      await store.release(first.claim);
      expect((await store.claim(details, at(1000), at(301_000))).kind).toBe('claimed');
    });

    it('marks a claim whose lease ran out unsettled as uncertain, once, and never hands it out again', async () => {
      const store = await make();
      const details = entry(customer());
      const first = await store.claim(details, T0, at(300_000));
      expect(first.kind).toBe('claimed');
      const late = await Promise.all([1, 2, 3].map(() => store.claim(details, at(300_001), at(600_000))));
      expect(late.filter((o) => o.kind === 'settled' && o.discovered)).toHaveLength(1);
      expect(late.every((o) => o.kind === 'settled' && o.status === 'uncertain')).toBe(true);
      expect(await store.claim(details, at(900_000), at(1_200_000))).toEqual({
        kind: 'settled',
        status: 'uncertain',
      });
    });

    it('records a rejection as settled', async () => {
      const store = await make();
      const details = entry(customer());
      const claimed = await store.claim(details, T0, at(300_000));
      if (claimed.kind !== 'claimed') throw new Error('expected a claim');
      await store.settle(claimed.claim, { status: 'rejected', reason: 'message_rejected' }, at(10));
      expect(await store.claim(details, at(20), at(300_020))).toEqual({
        kind: 'settled',
        status: 'rejected',
      });
    });

    it('holds a message once, hands it to its own region when due, and forgets it when removed', async () => {
      const store = await make();
      const id = customer();
      await store.defer(held(id), at(3_600_000), 'eu-west-1', T0);
      // A duplicate keeps the first time.
      await store.defer(held(id), at(7_200_000), 'eu-west-1', T0);
      const mine = async (now: Date) =>
        (await store.due('eu-west-1', now, 1000)).filter((d) => d.request.customerId === id);
      expect(await mine(at(3_599_999))).toEqual([]);
      const due = await mine(at(3_600_000));
      expect(due).toEqual([{ request: held(id), notBefore: at(3_600_000).toISOString() }]);
      expect(
        (await store.due('eu-central-1', at(3_600_000), 1000)).filter((d) => d.request.customerId === id),
      ).toEqual([]);

      await store.reschedule(due[0]!, at(10_800_000));
      expect(await mine(at(7_200_000))).toEqual([]);
      const moved = await mine(at(10_800_000));
      expect(moved).toHaveLength(1);
      await store.remove(due[0]!); // stale: the item moved since
      expect(await mine(at(10_800_000))).toHaveLength(1);
      await store.remove(moved[0]!);
      expect(await mine(at(99_000_000))).toEqual([]);
    });

    it('answers the earliest held messages first, up to the limit', async () => {
      const store = await make();
      const ids = [customer(), customer(), customer()];
      await store.defer(held(ids[0]!), at(3000), 'eu-west-1', T0);
      await store.defer(held(ids[1]!), at(1000), 'eu-west-1', T0);
      await store.defer(held(ids[2]!), at(2000), 'eu-west-1', T0);
      const due = (await store.due('eu-west-1', at(5000), 1000)).filter((d) =>
        ids.includes(d.request.customerId),
      );
      expect(due.map((d) => d.request.customerId)).toEqual([ids[1], ids[2], ids[0]]);
    });
  });
}
