import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { demoLocations } from '../../../lib/demo/locations.ts';
import { runDraw, verifyDraw } from '../../../lib/drops/draw.ts';
import { type CreateDropRequest, type CustomerTier, entrantKey } from '../../../lib/drops/drop.ts';
import { DropEntryQueued } from '../../../lib/drops/events.ts';
import { InMemoryDropStore } from '../../../lib/drops/in-memory-drop-store.ts';
import {
  admitQueuedEntries,
  createDrop,
  DropAlreadyEnteredError,
  DropCache,
  type DropDeps,
  DropHoldInUseError,
  DropHomeRegionsDifferError,
  DropNotWonError,
  DropStockUnavailableError,
  dropHoldForCheckout,
  dropStaffView,
  enterDrop,
  getDropView,
  HOLD_GRACE_MILLIS,
  markEntryPurchased,
  myDropEntry,
  publishedDraws,
  runDropScheduler,
  SETTLED_SWEEP_DAYS,
} from '../../../lib/drops/use-cases.ts';
import { UnknownReferenceError } from '../../../lib/errors.ts';
import { InMemoryStockStore } from '../../../lib/inventory/in-memory-stock-store.ts';
import { dropFenceKey } from '../../../lib/inventory/stock.ts';
import { StaticLocations } from '../../support/commerce-fakes.ts';
import { FixedClock } from '../../support/fakes.ts';

const SKU = 'AUR-DROP-01';
const OTHER_SKU = 'AUR-DROP-02';
const WAREHOUSE = 'roissy-warehouse';
const BOUTIQUE = 'paris-saint-honore';
const START = new Date('2026-03-01T10:00:00.000Z');
const minutes = (n: number) => new Date(START.getTime() + n * 60_000).toISOString();

function request(overrides: Partial<CreateDropRequest> = {}): CreateDropRequest {
  return {
    name: 'Comète',
    items: [{ sku: SKU, locationId: WAREHOUSE, units: 3 }],
    window: { opensAt: minutes(10), closesAt: minutes(70) },
    channels: ['web', 'app'],
    earlyAccess: [{ tier: 'gold', opensAt: minutes(5) }],
    perCustomerLimit: 1,
    mode: 'first_come',
    expectedArrivalsPerSecond: 800,
    payWithinMinutes: 30,
    ...overrides,
  };
}

describe('drop use cases', () => {
  let clock: FixedClock;
  let drops: InMemoryDropStore;
  let stock: InMemoryStockStore;
  let deps: DropDeps;
  let operations = 0;

  beforeEach(async () => {
    clock = new FixedClock(START);
    drops = new InMemoryDropStore();
    stock = new InMemoryStockStore();
    await stock.setOnHand(SKU, WAREHOUSE, 'eu', 10, { locationType: 'warehouse' });
    await stock.setOnHand(OTHER_SKU, BOUTIQUE, 'eu', 2, { locationType: 'boutique' });
    deps = {
      drops,
      stock,
      locations: new StaticLocations(demoLocations()),
      clock,
      dropCache: new DropCache(drops, clock),
      random: () => 0,
      sleep: async () => undefined,
    };
  });

  const create = (body: CreateDropRequest = request(), key = `op-${++operations}`) =>
    createDrop(deps, { request: body, staffId: 'staff-1', operation: { scope: 'staff-1', key } });

  const enter = (
    dropId: string,
    sub: string,
    options: {
      tier?: CustomerTier;
      quantity?: number;
      sku?: string;
      channel?: 'web' | 'boutique';
      key?: string;
    } = {},
  ) =>
    enterDrop(deps, {
      dropId,
      sub,
      tier: options.tier ?? 'standard',
      zone: 'eu',
      request: {
        sku: options.sku ?? SKU,
        quantity: options.quantity ?? 1,
        channel: options.channel ?? 'web',
      },
      operation: { scope: sub, key: options.key ?? `${sub}-entry` },
    });

  /** Moves the clock to an instant (ISO), as the tests' clock only goes forward. */
  const at = (instant: string) => clock.advance(Date.parse(instant) - clock.now().getTime());

  describe('createDrop', () => {
    it('fences the units on their pool, shards them and never shows the seed before the draw', async () => {
      const drop = await create(request({ mode: 'draw' }));
      const [pool] = await stock.pools([SKU]);
      expect(pool?.fences[dropFenceKey(drop.dropId)]).toEqual({ units: 3, overflow: false });
      expect(pool?.available).toBe(7);
      expect(drop.seedHash).toMatch(/^[0-9a-f]{64}$/);
      expect(dropStaffView(drop)).not.toHaveProperty('seed');
      expect(await drops.seedOf(drop.dropId)).toMatch(/^[0-9a-f]{64}$/);

      const shardDrop = await create();
      expect(await drops.shardBalances(shardDrop, SKU)).toEqual([2, 1]);
    });

    it('answers the same drop to a retried operation without fencing twice', async () => {
      const first = await create(request(), 'same');
      const again = await create(request(), 'same');
      expect(again.dropId).toBe(first.dropId);
      const [pool] = await stock.pools([SKU]);
      expect(pool?.fences[dropFenceKey(first.dropId)]?.units).toBe(3);
      expect(pool?.available).toBe(7);
    });

    it('refuses a pool that lacks the units and undoes the fences already set', async () => {
      const body = request({
        items: [
          { sku: SKU, locationId: WAREHOUSE, units: 3 },
          { sku: OTHER_SKU, locationId: BOUTIQUE, units: 5 },
        ],
      });
      await expect(create(body)).rejects.toBeInstanceOf(DropStockUnavailableError);
      const pools = await stock.pools([SKU, OTHER_SKU]);
      for (const pool of pools) {
        expect(Object.values(pool.fences).every((fence) => fence.units === 0)).toBe(true);
      }
      expect(pools.map((pool) => pool.available)).toEqual([10, 2]);
      expect(await drops.activeDrops()).toEqual([]);
    });

    it('refuses unknown locations and items in two home regions', async () => {
      await expect(
        create(request({ items: [{ sku: SKU, locationId: 'atlantis', units: 1 }] })),
      ).rejects.toBeInstanceOf(UnknownReferenceError);
      await stock.setOnHand(OTHER_SKU, 'london-new-bond-street', 'eu', 2, { locationType: 'boutique' });
      await expect(
        create(
          request({
            items: [
              { sku: SKU, locationId: WAREHOUSE, units: 1 },
              { sku: OTHER_SKU, locationId: 'london-new-bond-street', units: 1 },
            ],
          }),
        ),
      ).rejects.toBeInstanceOf(DropHomeRegionsDifferError);
    });
  });

  describe('enterDrop rules', () => {
    it('opens early to the early-access tier and higher, then to everyone, and closes at closesAt', async () => {
      const drop = await create();
      await expect(enter(drop.dropId, 'a')).rejects.toMatchObject({
        code: 'DROP_NOT_OPEN',
        details: { opensAt: minutes(10) },
      });
      at(minutes(5));
      expect((await enter(drop.dropId, 'platinum-client', { tier: 'platinum' })).status).toBe('won');
      await expect(enter(drop.dropId, 'b', { tier: 'silver' })).rejects.toMatchObject({
        code: 'DROP_NOT_OPEN',
      });
      at(minutes(10));
      expect((await enter(drop.dropId, 'c')).status).toBe('won');
      at(minutes(70));
      await expect(enter(drop.dropId, 'd')).rejects.toMatchObject({ code: 'DROP_CLOSED', status: 409 });
    });

    it('answers 4xx for ineligible tiers and channels, unknown SKUs and quantities over the limit', async () => {
      const drop = await create(request({ eligibleTiers: ['gold', 'platinum'], earlyAccess: [] }));
      at(minutes(10));
      await expect(enter(drop.dropId, 'a')).rejects.toMatchObject({
        code: 'DROP_NOT_ELIGIBLE',
        status: 403,
        details: { reason: 'tier' },
      });
      await expect(enter(drop.dropId, 'b', { tier: 'gold', channel: 'boutique' })).rejects.toMatchObject({
        code: 'DROP_NOT_ELIGIBLE',
        details: { reason: 'channel' },
      });
      await expect(enter(drop.dropId, 'c', { tier: 'gold', sku: 'NOPE-123' })).rejects.toMatchObject({
        code: 'DROP_SKU_UNKNOWN',
        status: 422,
      });
      await expect(enter(drop.dropId, 'd', { tier: 'gold', quantity: 2 })).rejects.toMatchObject({
        code: 'DROP_LIMIT_EXCEEDED',
        status: 422,
      });
      await expect(enter('drp_unknown1', 'e')).rejects.toMatchObject({ status: 404 });
      expect(await drops.listEntries(drop)).toEqual([]);
    });

    it('takes one entry per customer: a second is DROP_ALREADY_ENTERED with the entry, a retry resumes', async () => {
      const drop = await create();
      at(minutes(10));
      const won = await enter(drop.dropId, 'a', { key: 'k1' });
      expect(won).toMatchObject({ status: 'won', payBy: minutes(40) });
      expect(await enter(drop.dropId, 'a', { key: 'k1' })).toEqual(won);
      const second = await enter(drop.dropId, 'a', { key: 'k2' }).catch((error: unknown) => error);
      expect(second).toBeInstanceOf(DropAlreadyEnteredError);
      expect((second as DropAlreadyEnteredError).details.entry).toMatchObject({ status: 'won', sku: SKU });
      expect((await stock.pools([SKU]))[0]?.fences[dropFenceKey(drop.dropId)]?.units).toBe(3);
    });
  });

  describe('first come, direct admission', () => {
    it('hands out exactly the units, then answers lost, and after the sold-out flag writes nothing', async () => {
      const drop = await create();
      at(minutes(10));
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await enter(drop.dropId, `shopper-${i}`));
      expect(answers.map((a) => a.status)).toEqual(['won', 'won', 'won', 'lost', 'lost']);
      expect(await drops.shardBalances(drop, SKU)).toEqual([0, 0]);
      expect((await drops.get(drop.dropId))?.soldOut).toBe(true);

      const writes = drops.stats.writes;
      const attempts = drops.stats.attempts;
      const late = await enter(drop.dropId, 'late-shopper');
      expect(late).toEqual({
        dropId: drop.dropId,
        sku: SKU,
        quantity: 1,
        status: 'lost',
        reason: 'sold_out',
      });
      expect(drops.stats.writes).toBe(writes);
      expect(drops.stats.attempts).toBe(attempts);
      expect(await drops.getEntry(drop.dropId, entrantKey(drop.dropId, 'late-shopper'))).toBeUndefined();
      expect(await myDropEntry(deps, { dropId: drop.dropId, sub: 'late-shopper' })).toMatchObject({
        status: 'lost',
        reason: 'sold_out',
      });
      expect(await myDropEntry(deps, { dropId: drop.dropId, sub: 'shopper-0' })).toMatchObject({
        status: 'won',
      });
      const view = await getDropView(deps, {
        dropId: drop.dropId,
        caller: { tier: 'standard', channel: 'web' },
      });
      expect(view).toMatchObject({ state: 'sold_out', items: [{ sku: SKU, remaining: 'sold_out' }] });
    });

    it('serves a quantity spread over several shards in one claim', async () => {
      const drop = await create(request({ perCustomerLimit: 3 }));
      at(minutes(10));
      expect(await drops.shardBalances(drop, SKU)).toEqual([2, 1]);
      expect(await enter(drop.dropId, 'big', { quantity: 3 })).toMatchObject({ status: 'won', quantity: 3 });
      expect(await drops.shardBalances(drop, SKU)).toEqual([0, 0]);
    });

    it('404s the caller without an entry while the drop still has stock', async () => {
      const drop = await create();
      at(minutes(10));
      await enter(drop.dropId, 'a');
      await expect(myDropEntry(deps, { dropId: drop.dropId, sub: 'b' })).rejects.toMatchObject({
        status: 404,
      });
    });
  });

  describe('first come, queue admission', () => {
    it('queues entries with their event, and the admitter claims in arrival order, once', async () => {
      const drop = await create(request({ expectedArrivalsPerSecond: 50_000 }));
      expect(drop.admission).toBe('queue');
      at(minutes(10));
      const subs = ['q0', 'q1', 'q2', 'q3', 'q4'];
      for (const sub of subs) {
        expect(await enter(drop.dropId, sub)).toMatchObject({ status: 'queued' });
        clock.advance(1);
      }
      const events = drops.events.filter((e) => e.definition === DropEntryQueued);
      expect(events).toHaveLength(5);
      // Delivered out of order and split over batches, the earliest three still win.
      const refs = events.map((e) => e.data as { dropId: string; entrantKey: string; arrivedAt: string });
      const { failed } = await admitQueuedEntries(deps, [refs[4], refs[1], refs[3]] as typeof refs);
      expect(failed).toEqual([]);
      expect(await admitQueuedEntries(deps, [refs[0], refs[2], refs[1]] as typeof refs)).toEqual({
        failed: [],
      });
      const statuses = await Promise.all(subs.map((sub) => myDropEntry(deps, { dropId: drop.dropId, sub })));
      expect(statuses.map((s) => s.status)).toEqual(['won', 'won', 'won', 'lost', 'lost']);
    });
  });

  describe('draw', () => {
    async function drawnDrop(entrants: number, units: number) {
      const drop = await create(
        request({ mode: 'draw', items: [{ sku: SKU, locationId: WAREHOUSE, units }], earlyAccess: [] }),
      );
      at(minutes(10));
      const tiers: CustomerTier[] = ['standard', 'silver', 'gold', 'platinum'];
      for (let i = 0; i < entrants; i++) {
        expect(await enter(drop.dropId, `entrant-${i}`, { tier: tiers[i % 4] })).toMatchObject({
          status: 'entered',
        });
      }
      at(minutes(70.1));
      const report = await runDropScheduler(deps);
      expect(report).toMatchObject({ drawn: 1, failed: 0 });
      return drop;
    }

    it('draws winners from the committed seed, reveals it, and anyone can re-run the draw', async () => {
      const drop = await drawnDrop(12, 4);
      const drawn = await drops.get(drop.dropId);
      expect(drawn?.drawnAt).toBeDefined();
      const seed = drawn?.seed as string;
      expect(createHash('sha256').update(Buffer.from(seed, 'hex')).digest('hex')).toBe(drop.seedHash);

      const entries = await drops.listEntries(drop);
      const rerun = runDraw({
        seed,
        units: 4,
        entries: entries.map(({ entrantKey: key, tier, quantity }) => ({ entrantKey: key, tier, quantity })),
      });
      const won = entries.filter((e) => e.status === 'won').map((e) => e.entrantKey);
      expect(new Set(won)).toEqual(new Set(rerun.winners.map((w) => w.entrantKey)));
      expect(entries.filter((e) => e.status === 'waitlisted')).toHaveLength(8);
      for (const published of await publishedDraws(deps, drop.dropId)) {
        expect(verifyDraw(published)).toEqual({ valid: true, problems: [] });
      }
      const view = await getDropView(deps, { dropId: drop.dropId });
      expect(view).toMatchObject({ state: 'drawn', seed, seedHash: drop.seedHash });

      const writes = drops.stats.writes;
      expect(await runDropScheduler(deps)).toMatchObject({ drawn: 0 });
      expect(drops.stats.writes).toBe(writes);
    });

    it('passes an unpaid hold to the next waitlisted entry, and leaves a paid one alone', async () => {
      const drop = await drawnDrop(6, 2);
      const entries = await drops.listEntries(drop);
      const [paid, unpaid] = entries.filter((e) => e.status === 'won');
      const next = entries
        .filter((e) => e.status === 'waitlisted')
        .sort((a, b) => a.drawRank! - b.drawRank!)[0];
      await markEntryPurchased(deps, drop.dropId, paid!.entrantKey);

      at(new Date(Date.parse(unpaid!.payBy!) + HOLD_GRACE_MILLIS - 1000).toISOString());
      expect(await runDropScheduler(deps)).toMatchObject({ expired: 0 });
      clock.advance(2000);
      expect(await runDropScheduler(deps)).toMatchObject({ expired: 1, promoted: 1 });
      expect((await drops.getEntry(drop.dropId, unpaid!.entrantKey))?.status).toBe('expired');
      expect((await drops.getEntry(drop.dropId, paid!.entrantKey))?.status).toBe('purchased');
      expect(await drops.getEntry(drop.dropId, next!.entrantKey)).toMatchObject({
        status: 'won',
        payBy: new Date(clock.now().getTime() + 30 * 60_000).toISOString(),
      });
    });
  });

  describe('holds and checkout', () => {
    it('binds a won entry to one checkout and answers what to reserve from the fence', async () => {
      const drop = await create();
      at(minutes(10));
      await enter(drop.dropId, 'winner');
      const hold = await dropHoldForCheckout(deps, {
        dropId: drop.dropId,
        sub: 'winner',
        checkoutId: 'chk_1',
        now: clock.now(),
      });
      expect(hold).toEqual({
        lines: [{ sku: SKU, quantity: 1 }],
        fenceKey: dropFenceKey(drop.dropId),
        locationId: WAREHOUSE,
        holdUntil: minutes(40),
      });
      expect(
        await dropHoldForCheckout(deps, {
          dropId: drop.dropId,
          sub: 'winner',
          checkoutId: 'chk_1',
          now: clock.now(),
        }),
      ).toEqual(hold);
      await expect(
        dropHoldForCheckout(deps, {
          dropId: drop.dropId,
          sub: 'winner',
          checkoutId: 'chk_2',
          now: clock.now(),
        }),
      ).rejects.toBeInstanceOf(DropHoldInUseError);
      await expect(
        dropHoldForCheckout(deps, {
          dropId: drop.dropId,
          sub: 'nobody',
          checkoutId: 'chk_3',
          now: clock.now(),
        }),
      ).rejects.toBeInstanceOf(DropNotWonError);
      expect(await markEntryPurchased(deps, drop.dropId, entrantKey(drop.dropId, 'winner'))).toMatchObject({
        status: 'purchased',
      });
      expect(
        await dropHoldForCheckout(deps, {
          dropId: drop.dropId,
          sub: 'winner',
          checkoutId: 'chk_1',
          now: clock.now(),
        }),
      ).toEqual(hold);
    });

    it('returns an unpaid first-come hold to its shard and clears the sold-out flag', async () => {
      const drop = await create(
        request({ items: [{ sku: SKU, locationId: WAREHOUSE, units: 1 }], expectedArrivalsPerSecond: 300 }),
      );
      at(minutes(10));
      expect((await enter(drop.dropId, 'first')).status).toBe('won');
      expect((await enter(drop.dropId, 'second')).status).toBe('lost');
      expect((await drops.get(drop.dropId))?.soldOut).toBe(true);
      at(new Date(Date.parse(minutes(40)) + HOLD_GRACE_MILLIS + 1).toISOString());
      expect(await runDropScheduler(deps)).toMatchObject({ expired: 1, returned: 1 });
      expect((await drops.get(drop.dropId))?.soldOut).toBe(false);
      expect(await drops.shardBalances(drop, SKU)).toEqual([1]);
      expect((await enter(drop.dropId, 'third')).status).toBe('won');
      expect((await stock.pools([SKU]))[0]?.fences[dropFenceKey(drop.dropId)]?.units).toBe(1);
    });

    it('settles a drop once its window closed and no hold is left', async () => {
      const drop = await create();
      at(minutes(10));
      await enter(drop.dropId, 'payer');
      await markEntryPurchased(deps, drop.dropId, entrantKey(drop.dropId, 'payer'));
      expect(await runDropScheduler(deps)).toMatchObject({ settled: 0 });
      at(minutes(71));
      const fenced = (await stock.pools([SKU]))[0]?.fences[dropFenceKey(drop.dropId)]?.units ?? 0;
      const availableBefore = (await stock.pools([SKU]))[0]?.available ?? 0;
      expect(fenced).toBeGreaterThan(0);
      expect(await runDropScheduler(deps)).toMatchObject({ settled: 1, released: fenced });
      expect(await drops.activeDrops()).toEqual([]);
      // The drop is over: what it never sold is for sale again, and nothing stays ring-fenced.
      const after = (await stock.pools([SKU]))[0];
      expect(after?.fences[dropFenceKey(drop.dropId)]?.units ?? 0).toBe(0);
      expect(after?.available).toBe(availableBefore + fenced);
      expect(await runDropScheduler(deps)).toMatchObject({ settled: 0, released: 0 });
    });

    it('gives a piece refunded after the drop settled back to the shared stock, not its empty fence', async () => {
      const drop = await create();
      at(minutes(10));
      await enter(drop.dropId, 'payer');
      // The winner's checkout takes the unit from the drop's fence and the order allocates it.
      const fence = { key: dropFenceKey(drop.dropId), units: 1 };
      await stock.reserve({
        reservationId: 'chk_eu_payer',
        lines: [{ sku: SKU, locationId: WAREHOUSE, quantity: 1, fence }],
        holdUntil: new Date(minutes(40)),
        owner: { zone: 'eu', checkoutId: 'chk_eu_payer' },
        now: new Date(minutes(11)),
      });
      await stock.allocate('chk_eu_payer', new Date(minutes(12)));
      await markEntryPurchased(deps, drop.dropId, entrantKey(drop.dropId, 'payer'));
      at(minutes(71));
      expect(await runDropScheduler(deps)).toMatchObject({ settled: 1, released: 2 });
      expect((await drops.get(drop.dropId))?.settledAt).toBe(minutes(71));
      const settled = (await stock.pools([SKU]))[0]!;
      expect(settled).toMatchObject({ allocated: 1, fences: { [fence.key]: { units: 0 } } });

      // Cancelled and refunded days later: the release puts the unit back where it came from.
      at(minutes(5 * 24 * 60));
      await stock.release('chk_eu_payer', 'refunded', new Date(minutes(5 * 24 * 60)));
      expect((await stock.pools([SKU]))[0]?.fences[fence.key]?.units).toBe(1);
      expect(await runDropScheduler(deps)).toMatchObject({ drops: 0, settled: 0, released: 1 });
      const restocked = (await stock.pools([SKU]))[0]!;
      expect(restocked).toMatchObject({ allocated: 0, available: settled.available + 1 });
      expect(restocked.fences[fence.key]?.units).toBe(0);
      expect(await runDropScheduler(deps)).toMatchObject({ released: 0 });
      // Long after the return window, settled drops are no longer swept.
      at(minutes((SETTLED_SWEEP_DAYS + 1) * 24 * 60));
      expect(await drops.settledDrops(new Date(minutes(60 * 24 * 60)))).toEqual([]);
    });
  });
});
