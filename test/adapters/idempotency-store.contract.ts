import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { IdempotencyStore, StoredResponse } from '../../lib/platform/idempotency.ts';

// Near the real time, on a whole second: DynamoDB Local deletes items whose TTL has passed in real time.
export const T0 = new Date(Math.floor(Date.now() / 1000) * 1000);
export const at = (ms: number) => new Date(T0.getTime() + ms);
const LOCK_MS = 10_000;

export const storedResponse: StoredResponse = {
  status: 201,
  body: JSON.stringify({ checkoutId: 'chk_1', total: { amount: 125000, currency: 'EUR' } }),
  headers: { 'content-type': 'application/json; charset=utf-8', location: '/v1/checkouts/chk_1' },
};

/** Options a contract run passes to the store factory. */
export interface StoreOptions {
  readonly ttlSeconds?: number;
}

/** The behaviour every IdempotencyStore must have, whatever holds the records. */
export function describeIdempotencyStoreContract(
  name: string,
  make: (options?: StoreOptions) => Promise<IdempotencyStore>,
) {
  describe(`IdempotencyStore contract: ${name}`, () => {
    let store: IdempotencyStore;
    let key: string;
    beforeEach(async () => {
      store = await make();
      key = `rec-${randomUUID()}`;
    });

    it('starts the first request on a key and shows every later one the in-progress record', async () => {
      expect(await store.begin(key, 'fp-1', T0, at(LOCK_MS))).toEqual({ kind: 'started' });
      expect(await store.begin(key, 'fp-1', at(1), at(LOCK_MS + 1))).toEqual({
        kind: 'existing',
        record: { status: 'in_progress', fingerprint: 'fp-1', lockedUntil: at(LOCK_MS).toISOString() },
      });
    });

    it('starts exactly one of 50 concurrent begins on one key', async () => {
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, (_, i) => store.begin(key, 'fp-1', at(i), at(LOCK_MS))),
      );
      expect(outcomes.filter((o) => o.kind === 'started')).toHaveLength(1);
      const others = outcomes.filter((o) => o.kind === 'existing');
      expect(others).toHaveLength(49);
      for (const o of others) expect(o.record).toMatchObject({ status: 'in_progress', fingerprint: 'fp-1' });
    });

    it('keeps keys apart', async () => {
      expect((await store.begin(`${key}-a`, 'fp-1', T0, at(LOCK_MS))).kind).toBe('started');
      expect((await store.begin(`${key}-b`, 'fp-1', T0, at(LOCK_MS))).kind).toBe('started');
    });

    it('holds the lock up to and including lockedUntil', async () => {
      await store.begin(key, 'fp-1', T0, at(LOCK_MS));
      const outcome = await store.begin(key, 'fp-2', at(LOCK_MS), at(2 * LOCK_MS));
      expect(outcome).toMatchObject({
        kind: 'existing',
        record: { status: 'in_progress', fingerprint: 'fp-1' },
      });
    });

    it('lets a begin take over an in-progress record whose lock has expired', async () => {
      await store.begin(key, 'fp-1', T0, at(LOCK_MS));
      expect(await store.begin(key, 'fp-2', at(LOCK_MS + 1), at(2 * LOCK_MS))).toEqual({ kind: 'started' });
      expect(await store.begin(key, 'fp-1', at(LOCK_MS + 2), at(3 * LOCK_MS))).toEqual({
        kind: 'existing',
        record: { status: 'in_progress', fingerprint: 'fp-2', lockedUntil: at(2 * LOCK_MS).toISOString() },
      });
    });

    it('lets exactly one of 20 concurrent retries take over an expired lock', async () => {
      await store.begin(key, 'fp-1', T0, at(LOCK_MS));
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, () => store.begin(key, 'fp-1', at(LOCK_MS + 5), at(2 * LOCK_MS))),
      );
      expect(outcomes.filter((o) => o.kind === 'started')).toHaveLength(1);
    });

    it('returns the completed record, response included, to a begin after complete', async () => {
      await store.begin(key, 'fp-1', T0, at(LOCK_MS));
      await store.complete(key, 'fp-1', storedResponse, at(50));
      const later = at(2 * LOCK_MS);
      expect(await store.begin(key, 'fp-1', later, at(3 * LOCK_MS))).toEqual({
        kind: 'existing',
        record: { status: 'completed', fingerprint: 'fp-1', response: storedResponse },
      });
      // The fingerprint travels with the record so the caller can tell a replay from a reused key.
      expect(await store.begin(key, 'fp-other', later, at(3 * LOCK_MS))).toMatchObject({
        kind: 'existing',
        record: { status: 'completed', fingerprint: 'fp-1' },
      });
    });

    it('never lets an expired lock reopen a completed record', async () => {
      await store.begin(key, 'fp-1', T0, at(LOCK_MS));
      await store.complete(key, 'fp-1', storedResponse, at(50));
      const outcome = await store.begin(key, 'fp-1', at(10 * LOCK_MS), at(11 * LOCK_MS));
      expect(outcome).toMatchObject({ kind: 'existing', record: { status: 'completed' } });
    });

    it('keeps the answer of the execution that took over, not of the one whose lock expired', async () => {
      await store.begin(key, 'fp-1', T0, at(LOCK_MS));
      await store.begin(key, 'fp-2', at(LOCK_MS + 1), at(2 * LOCK_MS));
      await store.complete(key, 'fp-1', storedResponse, at(LOCK_MS + 2));
      expect(await store.begin(key, 'fp-3', at(LOCK_MS + 3), at(2 * LOCK_MS))).toMatchObject({
        kind: 'existing',
        record: { status: 'in_progress', fingerprint: 'fp-2' },
      });
    });

    it('lets a new begin start after abandon', async () => {
      await store.begin(key, 'fp-1', T0, at(LOCK_MS));
      await store.abandon(key);
      expect(await store.begin(key, 'fp-1', at(1), at(LOCK_MS))).toEqual({ kind: 'started' });
    });

    it('does not let abandon remove a completed record', async () => {
      await store.begin(key, 'fp-1', T0, at(LOCK_MS));
      await store.complete(key, 'fp-1', storedResponse, at(50));
      await store.abandon(key);
      expect(await store.begin(key, 'fp-1', at(60), at(LOCK_MS))).toMatchObject({
        kind: 'existing',
        record: { status: 'completed' },
      });
    });

    it('treats complete and abandon of an unknown key as no-ops', async () => {
      await expect(store.abandon(key)).resolves.toBeUndefined();
      await expect(store.complete(key, 'fp-1', storedResponse, T0)).resolves.toBeUndefined();
      expect(await store.begin(key, 'fp-1', T0, at(LOCK_MS))).toEqual({ kind: 'started' });
    });

    it('forgets records once ttlSeconds have passed since they were written', async () => {
      const short = await make({ ttlSeconds: 60 });
      await short.begin(key, 'fp-1', T0, at(LOCK_MS));
      await short.complete(key, 'fp-1', storedResponse, at(1_000));
      expect((await short.begin(key, 'fp-2', at(59_000), at(70_000))).kind).toBe('existing');
      expect(await short.begin(key, 'fp-2', at(62_000), at(70_000))).toEqual({ kind: 'started' });
    });
  });
}
