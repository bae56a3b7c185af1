import { beforeEach, describe, expect, it } from 'vitest';
import type { VelocityKey, VelocityStore } from '../../lib/risk/velocity-store.ts';
import { FixedClock } from '../support/fakes.ts';

const HOUR = 3600;
/**
 * Later than any wall clock the suite runs under: DynamoDB Local enforces TTL, and would sweep away hits
 * whose `expiresAt` is already past in real time.
 */
export const VELOCITY_EPOCH = new Date('2099-03-01T10:00:00.000Z');

/** A counter key; counter ids get a per-test prefix so stores sharing a table never see each other's hits. */
export function velocityKey(
  id: string,
  extra: { windowSeconds?: number; weight?: number; member?: string } = {},
): VelocityKey {
  return { id, windowSeconds: HOUR, weight: 1, ...extra };
}

/** The behaviour every VelocityStore must have, whatever stores it. */
export function describeVelocityStoreContract(name: string, make: () => Promise<VelocityStore>) {
  describe(`VelocityStore contract: ${name}`, () => {
    let store: VelocityStore;
    let clock: FixedClock;
    beforeEach(async () => {
      store = await make();
      clock = new FixedClock(VELOCITY_EPOCH);
    });

    it('counts the attempts in the window, this one included', async () => {
      expect((await store.hit([velocityKey('ip')], clock.now(), 'a1')).ip).toEqual({ total: 1, distinct: 0 });
      clock.advance(10 * 60_000);
      expect((await store.hit([velocityKey('ip')], clock.now(), 'a2')).ip).toEqual({ total: 2, distinct: 0 });
    });

    it('lets a hit expire exactly one window later', async () => {
      await store.hit([velocityKey('ip')], clock.now(), 'a1');

      clock.advance(HOUR * 1000 - 1);
      expect((await store.hit([velocityKey('ip')], clock.now(), 'a2')).ip?.total).toBe(2);
      clock.advance(1);
      expect((await store.hit([velocityKey('ip')], clock.now(), 'a3')).ip?.total).toBe(2);
    });

    it('counts a retried attempt once', async () => {
      await store.hit([velocityKey('email')], clock.now(), 'checkout:1:pay:1');
      clock.advance(1000);

      expect((await store.hit([velocityKey('email')], clock.now(), 'checkout:1:pay:1')).email?.total).toBe(1);
      expect((await store.hit([velocityKey('email')], clock.now(), 'checkout:1:pay:2')).email?.total).toBe(2);
    });

    it('keeps a retried attempt at its first time, so retries cannot keep it alive', async () => {
      await store.hit([velocityKey('ip')], clock.now(), 'a1');
      clock.advance(HOUR * 1000 - 1000);
      await store.hit([velocityKey('ip')], clock.now(), 'a1');
      clock.advance(1000);

      expect((await store.hit([velocityKey('ip')], clock.now(), 'a2')).ip).toEqual({ total: 1, distinct: 0 });
    });

    it('sums weights and counts distinct members', async () => {
      const now = clock.now();
      await store.hit([velocityKey('units', { weight: 2, member: 'c1' })], now, 'a1');
      await store.hit([velocityKey('units', { weight: 3, member: 'c2' })], now, 'a2');

      expect((await store.hit([velocityKey('units', { weight: 1, member: 'c1' })], now, 'a3')).units).toEqual(
        {
          total: 6,
          distinct: 2,
        },
      );
    });

    it('keeps counters apart by id and applies each its own window', async () => {
      const keys = [
        velocityKey('short', { windowSeconds: 60 }),
        velocityKey('long', { windowSeconds: 86_400 }),
      ];
      await store.hit(keys, clock.now(), 'a1');
      clock.advance(120_000);

      expect(await store.hit(keys, clock.now(), 'a2')).toEqual({
        short: { total: 1, distinct: 0 },
        long: { total: 2, distinct: 0 },
      });
    });

    it('answers an entry for every key, and nothing for keys it was not given', async () => {
      await store.hit([velocityKey('other')], clock.now(), 'a1');
      const counts = await store.hit([velocityKey('first'), velocityKey('second')], clock.now(), 'a2');

      expect(Object.keys(counts).sort()).toEqual(['first', 'second']);
    });

    it('lets no two racing attempts both read the count from before the other', async () => {
      const racers = 12;
      const results = await Promise.all(
        Array.from({ length: racers }, (_, i) => store.hit([velocityKey('hot')], clock.now(), `race-${i}`)),
      );
      const totals = results.map((r) => r.hot?.total ?? 0);

      expect(Math.max(...totals)).toBe(racers);
      expect(Math.min(...totals)).toBeGreaterThanOrEqual(1);
      expect((await store.hit([velocityKey('hot')], clock.now(), 'after')).hot?.total).toBe(racers + 1);
    });
  });
}
