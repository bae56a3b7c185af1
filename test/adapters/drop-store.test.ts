import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../lib/adapters/dynamo/document-client.ts';
import { DynamoDropStore } from '../../lib/adapters/dynamo/dynamo-drop-store.ts';
import {
  type CreateDropRequest,
  type Drop,
  type DropEntry,
  entrantKey,
  newDrop,
} from '../../lib/drops/drop.ts';
import { DropDrawn, DropEntryQueued } from '../../lib/drops/events.ts';
import { InMemoryDropStore } from '../../lib/drops/in-memory-drop-store.ts';
import { DropContentionError, type DropStore } from '../../lib/drops/ports.ts';
import { shardProbeOrder } from '../../lib/drops/shards.ts';
import { domainEvent } from '../../lib/platform/domain-event.ts';
import { LOCAL_CREDENTIALS } from '../../lib/runtime/local/dynamo-local.ts';
import { testTables, useOwnDynamoLocal } from '../support/dynamo.ts';
import { inParallel } from '../support/parallel.ts';

// A load test: a DynamoDB Local of its own, so earlier files' work neither slows it nor skews its figures.
useOwnDynamoLocal();

const NOW = new Date('2026-03-01T10:00:00.000Z');
const SKU = 'AUR-DROP-01';
const PAY_BY = '2026-03-01T10:30:00.000Z';

function dropOf(overrides: Partial<CreateDropRequest> = {}, units = 5): Drop {
  const request: CreateDropRequest = {
    name: 'Contract drop',
    items: [{ sku: SKU, locationId: 'roissy-warehouse', units }],
    window: { opensAt: '2026-03-01T09:00:00.000Z', closesAt: '2026-03-01T11:00:00.000Z' },
    channels: ['web'],
    earlyAccess: [],
    perCustomerLimit: 2,
    mode: 'first_come',
    expectedArrivalsPerSecond: 800,
    payWithinMinutes: 30,
    ...overrides,
  };
  const seed = request.mode === 'draw' ? 'ab'.repeat(32) : undefined;
  return newDrop(request, {
    dropId: `drp_${randomBytes(8).toString('hex')}`,
    now: NOW,
    ...(seed ? { seed } : {}),
  });
}

function entryOf(drop: Drop, sub: string, overrides: Partial<DropEntry> = {}): DropEntry {
  return {
    entrantKey: entrantKey(drop.dropId, sub),
    dropId: drop.dropId,
    sku: SKU,
    quantity: 1,
    zone: 'eu',
    tier: 'standard',
    status: drop.mode === 'draw' ? 'entered' : 'queued',
    arrivedAt: NOW.toISOString(),
    ...overrides,
  };
}

/** The behaviour every DropStore shares. */
function dropStoreContract(name: string, makeStore: () => Promise<DropStore>) {
  describe(`${name} (DropStore contract)`, () => {
    let store: DropStore;
    beforeAll(async () => {
      store = await makeStore();
    });

    it('creates a drop with its shards once; a second create answers the stored drop', async () => {
      const drop = dropOf();
      expect(drop.items[0]?.shards).toBe(2);
      expect(await store.create(drop, {})).toMatchObject({ created: true });
      expect(await store.shardBalances(drop, SKU)).toEqual([3, 2]);
      const again = await store.create({ ...drop, name: 'Another name' }, {});
      expect(again).toMatchObject({ created: false, drop: { name: 'Contract drop' } });
      expect(await store.get(drop.dropId)).toEqual(drop);
      expect((await store.activeDrops()).map((d) => d.dropId)).toContain(drop.dropId);
      const settledAt = new Date('2026-03-01T11:05:00.000Z');
      await store.settle(drop.dropId, settledAt);
      expect((await store.activeDrops()).map((d) => d.dropId)).not.toContain(drop.dropId);
      // Settled once: a second settle keeps the first time, and the drop is listed from that time on.
      await store.settle(drop.dropId, new Date('2026-03-02T00:00:00.000Z'));
      expect(await store.get(drop.dropId)).toEqual({ ...drop, settledAt: settledAt.toISOString() });
      const settled = (since: string) =>
        store.settledDrops(new Date(since)).then((drops) => drops.map((d) => d.dropId));
      expect(await settled('2026-03-01T11:00:00.000Z')).toContain(drop.dropId);
      expect(await settled('2026-03-01T11:06:00.000Z')).not.toContain(drop.dropId);
    });

    it('takes one entry per customer and tells a resumed request from a second one', async () => {
      const drop = dropOf();
      await store.create(drop, {});
      const entry = entryOf(drop, 'a');
      expect(await store.addEntry(drop, entry, { requestKey: 'r1' })).toEqual({ added: true, entry });
      expect(await store.addEntry(drop, entry, { requestKey: 'r1' })).toEqual({
        added: false,
        existing: entry,
        sameRequest: true,
      });
      expect(await store.addEntry(drop, { ...entry, quantity: 2 }, { requestKey: 'r2' })).toMatchObject({
        added: false,
        existing: { quantity: 1 },
        sameRequest: false,
      });
      expect(await store.getEntry(drop.dropId, entry.entrantKey)).toEqual(entry);
      expect(await store.getEntry(drop.dropId, entrantKey(drop.dropId, 'nobody'))).toBeUndefined();
    });

    it('claims from the first shard with the units, across shards, and never decides an entry twice', async () => {
      const drop = dropOf();
      await store.create(drop, {});
      const a = entryOf(drop, 'a', { quantity: 2 });
      await store.addEntry(drop, a);
      expect(await store.claim(drop, a, { shards: [1, 0], payBy: PAY_BY, now: NOW })).toEqual({
        kind: 'won',
        entry: { ...a, status: 'won', payBy: PAY_BY, shard: 1 },
      });
      expect(await store.claim(drop, a, { shards: [0], payBy: PAY_BY, now: NOW })).toMatchObject({
        kind: 'decided',
        entry: { status: 'won' },
      });
      expect(await store.shardBalances(drop, SKU)).toEqual([3, 0]);

      const b = entryOf(drop, 'b', { quantity: 2 });
      await store.addEntry(drop, b);
      expect(await store.claim(drop, b, { shards: [1], payBy: PAY_BY, now: NOW })).toEqual({
        kind: 'refused',
      });
      const c = entryOf(drop, 'c', { quantity: 3 });
      await store.addEntry(drop, c);
      expect(
        await store.claimParts(drop, c, {
          parts: [
            { shard: 0, units: 2 },
            { shard: 1, units: 1 },
          ],
          payBy: PAY_BY,
          now: NOW,
        }),
      ).toEqual({ kind: 'refused' });
      expect(await store.markLost(drop, c, NOW)).toMatchObject({ status: 'lost' });
      expect(await store.markLost(drop, a, NOW)).toMatchObject({ status: 'won' });
      expect(await store.shardBalances(drop, SKU)).toEqual([3, 0]);
    });

    it('enters and claims in one write: the entry won with its hold, the shard decremented', async () => {
      const drop = dropOf();
      await store.create(drop, {});
      const a = entryOf(drop, 'a', { quantity: 2 });
      const won = { ...a, status: 'won', payBy: PAY_BY, shard: 1 };
      expect(
        await store.enterAndClaim(drop, a, { shard: 1, payBy: PAY_BY, now: NOW, requestKey: 'r1' }),
      ).toEqual({ kind: 'won', entry: won });
      expect(await store.getEntry(drop.dropId, a.entrantKey)).toEqual(won);
      expect(await store.shardBalances(drop, SKU)).toEqual([3, 0]);
      expect(await store.dueHolds(drop, new Date('2026-03-01T10:31:00.000Z'), 10)).toEqual([won]);
      // Decided as a claimed entry is: listed, never queued, never claimed or lost again.
      expect(await store.listEntries(drop)).toEqual([won]);
      expect(await store.queuedEntries(drop, '2026-03-01T12:00:00.000Z', 10)).toEqual([]);
      expect(await store.claim(drop, a, { shards: [0], payBy: PAY_BY, now: NOW })).toMatchObject({
        kind: 'decided',
        entry: { status: 'won' },
      });
      expect(await store.markLost(drop, a, NOW)).toEqual(won);
      expect(await store.bindCheckout(drop, a.entrantKey, 'chk_1', NOW)).toMatchObject({ bound: true });
      expect(await store.shardBalances(drop, SKU)).toEqual([3, 0]);
    });

    it('answers an existing entry with whether this request wrote it, and writes nothing', async () => {
      const drop = dropOf();
      await store.create(drop, {});
      const a = entryOf(drop, 'a');
      const request = { shard: 0, payBy: PAY_BY, now: NOW, requestKey: 'r1' };
      const first = await store.enterAndClaim(drop, a, request);
      expect(first).toMatchObject({ kind: 'won' });
      const won = first.kind === 'won' ? first.entry : undefined;
      expect(await store.enterAndClaim(drop, a, request)).toEqual({
        kind: 'exists',
        existing: won,
        sameRequest: true,
      });
      expect(
        await store.enterAndClaim(drop, { ...a, quantity: 2 }, { ...request, requestKey: 'r2' }),
      ).toEqual({ kind: 'exists', existing: won, sameRequest: false });
      const { requestKey: _none, ...anonymous } = request;
      expect(await store.enterAndClaim(drop, a, anonymous)).toMatchObject({
        kind: 'exists',
        sameRequest: false,
      });
      // The request key is kept as addEntry keeps it.
      expect(await store.addEntry(drop, a, { requestKey: 'r1' })).toEqual({
        added: false,
        existing: won,
        sameRequest: true,
      });
      expect(await store.shardBalances(drop, SKU)).toEqual([2, 2]);

      // A queued entry (put by an earlier attempt) is answered as it stands, even on a short shard.
      const b = entryOf(drop, 'b');
      await store.addEntry(drop, b, { requestKey: 'rb' });
      await store.enterAndClaim(drop, entryOf(drop, 'c', { quantity: 2 }), { ...request, shard: 1 });
      expect(await store.shardBalances(drop, SKU)).toEqual([2, 0]);
      expect(await store.enterAndClaim(drop, b, { ...request, shard: 1, requestKey: 'rb' })).toEqual({
        kind: 'exists',
        existing: b,
        sameRequest: true,
      });
      expect(await store.getEntry(drop.dropId, b.entrantKey)).toEqual(b);
      expect(await store.shardBalances(drop, SKU)).toEqual([2, 0]);
    });

    it('writes nothing when the shard is short', async () => {
      const drop = dropOf();
      await store.create(drop, {});
      const a = entryOf(drop, 'a', { quantity: 2 });
      const request = { shard: 1, payBy: PAY_BY, now: NOW, requestKey: 'r1' };
      expect(await store.enterAndClaim(drop, entryOf(drop, 'b', { quantity: 2 }), request)).toMatchObject({
        kind: 'won',
      });
      expect(await store.enterAndClaim(drop, a, request)).toEqual({ kind: 'short' });
      expect(await store.getEntry(drop.dropId, a.entrantKey)).toBeUndefined();
      expect(await store.shardBalances(drop, SKU)).toEqual([3, 0]);
      expect(await store.dueHolds(drop, new Date('2026-03-01T10:31:00.000Z'), 10)).toHaveLength(1);
      // Nothing of the refused attempt is left: the entry can still be put, or won on another shard.
      expect(await store.enterAndClaim(drop, a, { ...request, shard: 0 })).toMatchObject({
        kind: 'won',
        entry: { shard: 0, status: 'won' },
      });
      expect(await store.shardBalances(drop, SKU)).toEqual([1, 0]);
    });

    it('never hands out more than a shard holds, nor two units to one customer, all at once', async () => {
      const drop = dropOf({ expectedArrivalsPerSecond: 100 }, 10);
      expect(drop.items[0]?.shards).toBe(1);
      await store.create(drop, {});
      const request = { shard: 0, payBy: PAY_BY, now: NOW };
      const subs = Array.from({ length: 60 }, (_, i) => `rush-${i}`);
      const outcomes = await inParallel(subs, 60, (sub, i) =>
        store.enterAndClaim(drop, entryOf(drop, sub), { ...request, requestKey: `r${i}` }),
      );
      expect(outcomes.filter((o) => o.kind === 'won')).toHaveLength(10);
      expect(outcomes.filter((o) => o.kind === 'short')).toHaveLength(50);
      expect(await store.shardBalances(drop, SKU)).toEqual([0]);
      const entries = await store.listEntries(drop);
      expect(entries).toHaveLength(10);
      expect(entries.every((e) => e.status === 'won' && e.shard === 0)).toBe(true);
      expect(await store.dueHolds(drop, new Date('2026-03-01T10:31:00.000Z'), 100)).toHaveLength(10);

      // One customer pressing many times with different keys gets one entry and one unit.
      const other = dropOf({ expectedArrivalsPerSecond: 100 }, 10);
      await store.create(other, {});
      const presses = await inParallel(
        Array.from({ length: 20 }, (_, i) => i),
        20,
        (i) => store.enterAndClaim(other, entryOf(other, 'eager'), { ...request, requestKey: `k${i}` }),
      );
      expect(presses.filter((o) => o.kind === 'won')).toHaveLength(1);
      expect(presses.filter((o) => o.kind === 'exists' && !o.sameRequest)).toHaveLength(19);
      expect(await store.shardBalances(other, SKU)).toEqual([9]);
    });

    it('lists entries by arrival, queued ones apart, and writes the queued event with the entry', async () => {
      const drop = dropOf({ expectedArrivalsPerSecond: 5_000 });
      await store.create(drop, {});
      const arrivals = ['10:00:03', '10:00:01', '10:00:02'].map((t, i) =>
        entryOf(drop, `s${i}`, { arrivedAt: `2026-03-01T${t}.000Z` }),
      );
      for (const entry of arrivals) {
        const event = domainEvent(
          DropEntryQueued,
          {
            dropId: drop.dropId,
            entrantKey: entry.entrantKey,
            sku: SKU,
            quantity: 1,
            arrivedAt: entry.arrivedAt,
          },
          { eventId: `queued:${entry.entrantKey}`, correlationId: drop.dropId, occurredAt: NOW },
        );
        expect((await store.addEntry(drop, entry, { event })).added).toBe(true);
      }
      await store.markLost(drop, arrivals[1]!, NOW);
      expect((await store.listEntries(drop)).map((e) => e.arrivedAt)).toEqual([
        '2026-03-01T10:00:01.000Z',
        '2026-03-01T10:00:02.000Z',
        '2026-03-01T10:00:03.000Z',
      ]);
      expect(
        (await store.queuedEntries(drop, '2026-03-01T10:00:02.000Z', 10)).map((e) => e.entrantKey),
      ).toEqual([arrivals[2]!.entrantKey]);
      expect(await store.queuedEntries(drop, '2026-03-01T10:00:09.000Z', 10)).toHaveLength(2);
    });

    it('records a draw once, reveals its seed once, and passes an expired hold down the waitlist', async () => {
      const drop = dropOf({ mode: 'draw' }, 1);
      await store.create(drop, { seed: 'ab'.repeat(32) });
      expect(await store.seedOf(drop.dropId)).toBe('ab'.repeat(32));
      const [w, x, y] = ['w', 'x', 'y'].map((sub) => entryOf(drop, sub));
      for (const entry of [w, x, y]) await store.addEntry(drop, entry!);
      expect(await store.recordDraw(drop, w!, { status: 'won', drawRank: 1, payBy: PAY_BY })).toBe(true);
      expect(await store.recordDraw(drop, w!, { status: 'won', drawRank: 1, payBy: PAY_BY })).toBe(false);
      expect(await store.recordDraw(drop, y!, { status: 'waitlisted', drawRank: 3 })).toBe(true);
      expect(await store.recordDraw(drop, x!, { status: 'waitlisted', drawRank: 2 })).toBe(true);

      const event = domainEvent(
        DropDrawn,
        {
          dropId: drop.dropId,
          seedHash: drop.seedHash!,
          seed: 'ab'.repeat(32),
          drawnAt: NOW.toISOString(),
          winners: 1,
          waitlisted: 2,
        },
        { eventId: `drawn:${drop.dropId}`, correlationId: drop.dropId, occurredAt: NOW },
      );
      expect(await store.revealDraw(drop, 'ab'.repeat(32), NOW, event)).toBe(true);
      expect(await store.revealDraw(drop, 'ab'.repeat(32), NOW, event)).toBe(false);
      expect(await store.get(drop.dropId)).toMatchObject({
        seed: 'ab'.repeat(32),
        drawnAt: NOW.toISOString(),
      });

      expect(await store.dueHolds(drop, new Date(PAY_BY), 10)).toEqual([]);
      const [due] = await store.dueHolds(drop, new Date('2026-03-01T10:31:00.000Z'), 10);
      expect(due?.entrantKey).toBe(w!.entrantKey);
      const waitlist = await store.waitlist(drop, SKU, 10);
      expect(waitlist.map((e) => e.entrantKey)).toEqual([x!.entrantKey, y!.entrantKey]);
      const later = '2026-03-01T11:05:00.000Z';
      expect(
        await store.expireHold(drop, due!, { kind: 'waitlist', promote: [waitlist[0]!], payBy: later }, NOW),
      ).toBe(true);
      expect(await store.expireHold(drop, due!, { kind: 'waitlist', promote: [], payBy: later }, NOW)).toBe(
        false,
      );
      expect(await store.getEntry(drop.dropId, w!.entrantKey)).toMatchObject({ status: 'expired' });
      expect(await store.getEntry(drop.dropId, x!.entrantKey)).toMatchObject({ status: 'won', payBy: later });
      expect((await store.waitlist(drop, SKU, 10)).map((e) => e.entrantKey)).toEqual([y!.entrantKey]);
      expect(
        (await store.dueHolds(drop, new Date('2026-03-01T12:00:00.000Z'), 10)).map((e) => e.entrantKey),
      ).toEqual([x!.entrantKey]);
    });

    it('returns an expired first-come hold to its shard and clears sold out', async () => {
      const drop = dropOf({}, 1);
      await store.create(drop, {});
      const a = entryOf(drop, 'a');
      await store.addEntry(drop, a);
      const won = await store.claim(drop, a, { shards: [0], payBy: PAY_BY, now: NOW });
      await store.setSoldOut(drop.dropId, true);
      expect((await store.get(drop.dropId))?.soldOut).toBe(true);
      const [due] = await store.dueHolds(drop, new Date('2026-03-01T10:31:00.000Z'), 10);
      expect(due).toEqual(won.kind === 'won' ? won.entry : undefined);
      expect(await store.expireHold(drop, due!, { kind: 'shard', shard: 0 }, NOW)).toBe(true);
      expect(await store.shardBalances(drop, SKU)).toEqual([1]);
      expect((await store.get(drop.dropId))?.soldOut).toBe(false);
      expect(await store.dueHolds(drop, new Date('2026-03-01T12:00:00.000Z'), 10)).toEqual([]);
    });

    it('binds a won entry to one checkout before its pay-by, and marks it purchased', async () => {
      const drop = dropOf();
      await store.create(drop, {});
      const a = entryOf(drop, 'a');
      await store.addEntry(drop, a);
      await store.claim(drop, a, { shards: [0], payBy: PAY_BY, now: NOW });
      expect(await store.bindCheckout(drop, a.entrantKey, 'chk_1', NOW)).toMatchObject({
        bound: true,
        entry: { checkoutId: 'chk_1' },
      });
      expect(await store.bindCheckout(drop, a.entrantKey, 'chk_1', NOW)).toMatchObject({ bound: true });
      expect(await store.bindCheckout(drop, a.entrantKey, 'chk_2', NOW)).toMatchObject({
        bound: false,
        entry: { checkoutId: 'chk_1' },
      });
      expect(await store.bindCheckout(drop, a.entrantKey, 'chk_1', new Date(PAY_BY))).toMatchObject({
        bound: false,
      });
      expect(await store.markPurchased(drop, a.entrantKey, NOW)).toMatchObject({ status: 'purchased' });
      expect(await store.markPurchased(drop, a.entrantKey, NOW)).toMatchObject({ status: 'purchased' });
      expect(await store.dueHolds(drop, new Date('2026-03-01T12:00:00.000Z'), 10)).toEqual([]);
      expect(await store.markPurchased(drop, entrantKey(drop.dropId, 'nobody'), NOW)).toBeUndefined();
    });

    it('frees a won entry from the checkout it is bound to, and from no other', async () => {
      const drop = dropOf();
      await store.create(drop, {});
      const a = entryOf(drop, 'a');
      await store.addEntry(drop, a);
      await store.claim(drop, a, { shards: [0], payBy: PAY_BY, now: NOW });
      await store.bindCheckout(drop, a.entrantKey, 'chk_1', NOW);
      expect(await store.unbindCheckout(drop, a.entrantKey, 'chk_other')).toMatchObject({
        checkoutId: 'chk_1',
      });
      const freed = await store.unbindCheckout(drop, a.entrantKey, 'chk_1');
      expect(freed).toMatchObject({ status: 'won', payBy: PAY_BY });
      expect(freed).not.toHaveProperty('checkoutId');
      expect(await store.unbindCheckout(drop, a.entrantKey, 'chk_1')).not.toHaveProperty('checkoutId');
      expect(await store.bindCheckout(drop, a.entrantKey, 'chk_2', NOW)).toMatchObject({
        bound: true,
        entry: { checkoutId: 'chk_2' },
      });
      // A purchased entry keeps the checkout that paid for it.
      await store.markPurchased(drop, a.entrantKey, NOW);
      expect(await store.unbindCheckout(drop, a.entrantKey, 'chk_2')).toMatchObject({
        status: 'purchased',
        checkoutId: 'chk_2',
      });
    });

    it("counts a payment method's units once per entrant and never past its limit, even all at once", async () => {
      const drop = dropOf();
      await store.create(drop, {});
      const claim = (sub: string, units = 1, methodKey = 'card-a', limit = 3) =>
        store.claimPaymentMethod(drop, { methodKey, entrantKey: entrantKey(drop.dropId, sub), units, limit });

      const subs = Array.from({ length: 40 }, (_, i) => `shopper-${i}`);
      const outcomes = await inParallel(subs, 40, (sub) => claim(sub));
      const allowed = subs.filter((_, i) => outcomes[i]?.allowed);
      expect(allowed).toHaveLength(3);
      expect(outcomes.filter((o) => !o.allowed).every((o) => o.used === 3)).toBe(true);
      // The same entrant again gets its first answer, and is not counted twice.
      for (const sub of allowed) expect(await claim(sub)).toMatchObject({ allowed: true, used: 3 });
      const refused = subs.find((sub) => !allowed.includes(sub))!;
      expect(await claim(refused)).toEqual({ allowed: false, used: 3 });
      // Another card, and the same card in another drop, are counted apart.
      expect(await claim(refused, 1, 'card-b')).toEqual({ allowed: true, used: 1 });
      const other = dropOf();
      await store.create(other, {});
      expect(
        await store.claimPaymentMethod(other, {
          methodKey: 'card-a',
          entrantKey: entrantKey(other.dropId, refused),
          units: 1,
          limit: 3,
        }),
      ).toEqual({ allowed: true, used: 1 });
      // Units that no count can make room for are refused, except to the entrant already counted.
      expect(await claim('greedy', 4, 'card-c')).toEqual({ allowed: false, used: 0 });
      expect(await claim('pair', 2, 'card-d')).toEqual({ allowed: true, used: 2 });
      expect(await claim('pair', 2, 'card-d', 1)).toEqual({ allowed: true, used: 2 });
    });
  });
}

dropStoreContract('InMemoryDropStore', async () => new InMemoryDropStore());

let tables: Awaited<ReturnType<typeof testTables>>;
beforeAll(async () => {
  tables = await testTables();
});
afterAll(() => {
  tables?.client.destroy();
  tables?.doc.destroy();
});
const dynamoStore = (client = tables.doc) =>
  new DynamoDropStore({ client, tableName: tables.names.inventory.global as string, region: 'eu-west-1' });

dropStoreContract('DynamoDropStore', async () => dynamoStore());

describe('DynamoDropStore under a burst', () => {
  const CLAIMS = 2_000;
  const UNITS = 300;
  const DOUBLE_SUBMITTERS = 200;
  const CONCURRENCY = 200;

  it(`${CLAIMS} concurrent claims for ${UNITS} units across shards: exactly ${UNITS} won, no unit or entry twice`, async () => {
    // Enough sockets that the claims reach DynamoDB at once instead of queueing in the SDK.
    const client = createDocumentClient({
      endpoint: tables.endpoint,
      region: 'eu-west-1',
      credentials: LOCAL_CREDENTIALS,
      requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: CONCURRENCY }) },
    });
    const store = dynamoStore(client);
    const drop = dropOf({ expectedArrivalsPerSecond: 2_000, perCustomerLimit: 1 }, UNITS);
    expect(drop.items[0]?.shards).toBe(5);
    await store.create(drop, {});
    // Some customers press twice: both attempts race for the one entry.
    const subs = Array.from({ length: CLAIMS - DOUBLE_SUBMITTERS }, (_, i) => `burst-${i}`);
    const attempts = [...subs, ...subs.slice(0, DOUBLE_SUBMITTERS)];

    // As the handlers' per-container flag: once every shard refused, later claims write nothing.
    let soldOut = false;
    const started = performance.now();
    const outcomes = await inParallel(attempts, CONCURRENCY, async (sub, i) => {
      const entry = entryOf(drop, sub);
      const added = await store.addEntry(drop, entry, { requestKey: `request-${i}` });
      if (!added.added) return 'duplicate';
      if (soldOut) {
        await store.markLost(drop, entry, NOW);
        return 'lost';
      }
      const claimed = await store.claim(drop, entry, {
        shards: shardProbeOrder(drop.items[0]!.shards),
        payBy: PAY_BY,
        now: NOW,
      });
      if (claimed.kind === 'won') return 'won';
      soldOut = true;
      await store.markLost(drop, entry, NOW);
      return 'lost';
    });
    client.destroy();
    const seconds = (performance.now() - started) / 1000;
    const count = (kind: string) => outcomes.filter((o) => o === kind).length;
    console.log(
      `drop store burst: ${CLAIMS} claims for ${UNITS} units over ${drop.items[0]?.shards} shards in ${seconds.toFixed(1)} s ` +
        `(${(CLAIMS / seconds).toFixed(0)} claims/s): won ${count('won')}, lost ${count('lost')}, duplicate ${count('duplicate')}; ` +
        `store stats ${JSON.stringify(store.stats)}`,
    );

    expect(count('won')).toBe(UNITS);
    expect(count('duplicate')).toBe(DOUBLE_SUBMITTERS);
    const balances = await store.shardBalances(drop, SKU);
    expect(balances.every((units) => units === 0)).toBe(true);
    expect(balances.reduce((sum, units) => sum + units, 0)).toBe(0);
    const entries = await store.listEntries(drop);
    expect(entries).toHaveLength(subs.length);
    expect(new Set(entries.map((e) => e.entrantKey)).size).toBe(subs.length);
    expect(entries.filter((e) => e.status === 'won')).toHaveLength(UNITS);
    expect(entries.filter((e) => e.status === 'queued')).toEqual([]);
    const holds = await store.dueHolds(drop, new Date('2026-03-02T00:00:00.000Z'), 1_000);
    expect(holds).toHaveLength(UNITS);
  }, 120_000);

  /**
   * One direct entry attempt as the use case makes it: the entry and the first shard's units in one
   * transaction; when that shard is short (or too contended), put the entry, then claim the others.
   */
  async function attempt(store: DynamoDropStore, drop: Drop, sub: string, requestKey: string) {
    const entry = entryOf(drop, sub);
    const [first = 0, ...others] = shardProbeOrder(drop.items[0]!.shards);
    let rest = others;
    try {
      const entered = await store.enterAndClaim(drop, entry, {
        shard: first,
        payBy: PAY_BY,
        now: NOW,
        requestKey,
      });
      if (entered.kind === 'exists') return 'duplicate';
      if (entered.kind === 'won') return 'won';
    } catch (error) {
      if (!(error instanceof DropContentionError)) throw error;
      rest = [...others, first];
    }
    const added = await store.addEntry(drop, entry, { requestKey });
    if (!added.added) return 'duplicate';
    if (rest.length === 0) return 'lost';
    const claimed = await store.claim(drop, entry, { shards: rest, payBy: PAY_BY, now: NOW });
    return claimed.kind === 'won' ? 'won' : 'lost';
  }

  it('R1, the last unit: 200 concurrent claims for 1 unit, exactly one wins', async () => {
    const store = dynamoStore();
    const drop = dropOf({ expectedArrivalsPerSecond: 2_000 }, 1);
    await store.create(drop, {});
    const outcomes = await inParallel(
      Array.from({ length: 200 }, (_, i) => i),
      50,
      (i) => attempt(store, drop, `last-${i}`, `r${i}`),
    );
    expect(outcomes.filter((o) => o === 'won')).toHaveLength(1);
    expect(await store.shardBalances(drop, SKU)).toEqual([0]);
  });

  it('R17 (a): 200 concurrent entries by one customer with different keys make one entry and one unit', async () => {
    const store = dynamoStore();
    const drop = dropOf({ expectedArrivalsPerSecond: 2_000, perCustomerLimit: 1 }, 10);
    await store.create(drop, {});
    const outcomes = await inParallel(
      Array.from({ length: 200 }, (_, i) => i),
      50,
      (i) => attempt(store, drop, 'eager-customer', `key-${i}`),
    );
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(199);
    expect(outcomes.filter((o) => o === 'won')).toHaveLength(1);
    expect((await store.shardBalances(drop, SKU)).reduce((sum, units) => sum + units, 0)).toBe(9);
    expect(await store.listEntries(drop)).toHaveLength(1);
  });
});
