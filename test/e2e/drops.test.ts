import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHandler as makeScheduler } from '../../functions/drops/drop-scheduler.ts';
import type { DynamoDropStore } from '../../lib/adapters/dynamo/dynamo-drop-store.ts';
import { runDraw, verifyDraw } from '../../lib/drops/draw.ts';
import type { CustomerTier, Drop } from '../../lib/drops/drop.ts';
import { DRAW_SETTLE_MILLIS, publishedDraws } from '../../lib/drops/use-cases.ts';
import { dropFenceKey } from '../../lib/inventory/stock.ts';
import type { LocalPlatform } from '../../lib/runtime/local/platform.ts';
import { percentile } from '../bench/stats.ts';
import { useOwnDynamoLocal } from '../support/dynamo.ts';
import { type Http, type HttpAnswer, http, startTestPlatform } from '../support/local-platform.ts';
import { inParallel } from '../support/parallel.ts';

// A load test: a DynamoDB Local of its own, so earlier files' work neither slows it nor skews its figures.
useOwnDynamoLocal();

const WAREHOUSE = 'roissy-warehouse';
const TERMINAL = new Set(['won', 'lost']);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('drops on the local runtime, over HTTP', () => {
  let platform: LocalPlatform;
  let api: Http;
  let staffToken: string;
  let skus = 0;

  beforeAll(async () => {
    platform = await startTestPlatform({ demoProducts: 8 });
    api = http(platform.url);
    const issued = await api('POST', '/v1/dev/token', { body: { sub: 'drop-staff', groups: ['staff'] } });
    expect(issued.status).toBe(200);
    staffToken = issued.json.token;
  });
  afterAll(async () => {
    await platform?.stop();
  });

  /** A pool of `onHand` units of a new SKU, and a drop of `units` of it created through the admin route. */
  async function newDrop(body: Record<string, unknown>, units: number, onHand = units + 5) {
    const sku = `DROP-E2E-${++skus}${randomUUID().slice(0, 4).toUpperCase()}`;
    await platform.deps.stock.setOnHand(sku, WAREHOUSE, 'eu', onHand, { locationType: 'warehouse' });
    const now = Date.now();
    const created = await api('POST', '/v1/admin/drops', {
      token: staffToken,
      headers: { 'idempotency-key': randomUUID() },
      body: {
        name: `E2E drop ${skus}`,
        items: [{ sku, locationId: WAREHOUSE, units }],
        window: {
          opensAt: new Date(now - 60_000).toISOString(),
          closesAt: new Date(now + 30 * 60_000).toISOString(),
        },
        channels: ['web', 'app'],
        perCustomerLimit: 1,
        mode: 'first_come',
        ...body,
      },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.json).not.toHaveProperty('seed');
    return { sku, drop: created.json as Drop };
  }

  const tokensFor = (prefix: string, count: number, tier?: (i: number) => CustomerTier) =>
    inParallel(
      Array.from({ length: count }, (_, i) => i),
      50,
      async (i) => {
        const sub = `${prefix}-${i}`;
        const { token } = await platform.deps.issuer.issue({
          sub,
          country: 'FR',
          ...(tier ? { tier: tier(i) } : {}),
        });
        return { sub, token };
      },
    );

  const enter = (dropId: string, token: string, sku: string) =>
    api('POST', `/v1/drops/${dropId}/entries`, {
      token,
      headers: { 'idempotency-key': randomUUID() },
      body: { sku, quantity: 1, channel: 'web' },
    });

  /** Polls the caller's entry until it is decided. */
  async function settled(dropId: string, token: string, deadline: number): Promise<HttpAnswer> {
    for (;;) {
      const mine = await api('GET', `/v1/drops/${dropId}/entries/me`, { token });
      if (mine.status !== 200 || TERMINAL.has(mine.json.status) || Date.now() > deadline) return mine;
      await sleep(250);
    }
  }

  const SHOPPERS = 5_000;
  const UNITS = 300;
  const CONCURRENCY = 100;

  it(`first come: ${SHOPPERS} shoppers at concurrency ${CONCURRENCY} for ${UNITS} units: exactly ${UNITS} won, none oversold`, async () => {
    const { sku, drop } = await newDrop({ expectedArrivalsPerSecond: 2_000 }, UNITS);
    expect(drop).toMatchObject({ admission: 'direct', items: [{ shards: 5 }] });
    const shoppers = await tokensFor('fc', SHOPPERS);
    const store = platform.deps.drops as DynamoDropStore;
    const before = { ...store.stats };

    const started = performance.now();
    const answers = await inParallel(shoppers, CONCURRENCY, async ({ token }) => {
      const sent = performance.now();
      let answer = await enter(drop.dropId, token, sku);
      if (answer.status === 202) answer = await settled(drop.dropId, token, Date.now() + 60_000);
      return { answer, ms: performance.now() - sent };
    });
    const seconds = (performance.now() - started) / 1000;

    const statuses: Record<string, number> = {};
    for (const { answer } of answers) {
      const key = `${answer.status} ${answer.json?.status ?? answer.json?.error?.code}`;
      statuses[key] = (statuses[key] ?? 0) + 1;
    }
    const latencies = answers.map((a) => a.ms);
    const stats = Object.fromEntries(
      Object.entries(store.stats).map(([k, v]) => [k, v - before[k as keyof typeof before]]),
    );
    console.log(
      `drops e2e: ${SHOPPERS} shoppers at concurrency ${CONCURRENCY} for ${UNITS} units in ${seconds.toFixed(1)} s ` +
        `(${(SHOPPERS / seconds).toFixed(0)} attempts/s): ${JSON.stringify(statuses)}, p50 ${percentile(latencies, 50).toFixed(0)} ms, ` +
        `p99 ${percentile(latencies, 99).toFixed(0)} ms; drop store ${JSON.stringify(stats)}`,
    );

    expect(answers.filter((a) => a.answer.status >= 500).map((a) => a.answer.text)).toEqual([]);
    const unfinished = answers.filter(
      (a) => !(a.answer.status === 201 && TERMINAL.has(a.answer.json.status)),
    );
    expect(unfinished.map((a) => `${a.answer.status} ${a.answer.text}`)).toEqual([]);
    expect(answers.filter((a) => a.answer.json.status === 'won')).toHaveLength(UNITS);

    const stored = (await platform.deps.drops.get(drop.dropId)) as Drop;
    expect(stored.soldOut).toBe(true);
    expect(await platform.deps.drops.shardBalances(stored, sku)).toEqual([0, 0, 0, 0, 0]);
    const entries = await platform.deps.drops.listEntries(stored);
    const won = entries.filter((e) => e.status === 'won');
    expect(won).toHaveLength(UNITS);
    expect(won.reduce((sum, e) => sum + e.quantity, 0)).toBe(UNITS);
    // One entry per customer, never above the limit.
    expect(new Set(entries.map((e) => e.entrantKey)).size).toBe(entries.length);
    expect(entries.filter((e) => e.quantity > drop.perCustomerLimit)).toEqual([]);
    // The fence is untouched: nothing is checked out yet, so every drop unit is still on it.
    const [pool] = await platform.deps.stock.pools([sku]);
    expect(pool?.fences[dropFenceKey(drop.dropId)]).toEqual({ units: UNITS, overflow: false });
    expect(pool).toMatchObject({ onHand: UNITS + 5, available: 5, reserved: 0, allocated: 0 });

    const lateToken = (await tokensFor('fc-late', 1))[0]!.token;
    const late = await enter(drop.dropId, lateToken, sku);
    expect(late.json).toMatchObject({ status: 'lost', reason: 'sold_out' });
    expect((await api('GET', `/v1/drops/${drop.dropId}/entries/me`, { token: lateToken })).json.status).toBe(
      'lost',
    );
    const view = await api('GET', `/v1/drops/${drop.dropId}`, { token: lateToken });
    expect(view.json).toMatchObject({ state: 'sold_out', items: [{ sku, remaining: 'sold_out' }] });
  }, 600_000);

  it('first come, queued admission: 400 shoppers for 40 units, the 40 earliest arrivals win', async () => {
    const { sku, drop } = await newDrop({ expectedArrivalsPerSecond: 20_000 }, 40);
    expect(drop.admission).toBe('queue');
    const shoppers = await tokensFor('q', 400);
    const accepted = await inParallel(shoppers, 40, ({ token }) => enter(drop.dropId, token, sku));
    expect(accepted.filter((a) => a.status !== 202).map((a) => a.text)).toEqual([]);
    for (const a of accepted) expect(a.headers.get('location')).toBe(`/v1/drops/${drop.dropId}/entries/me`);

    const deadline = Date.now() + 120_000;
    const decided = await inParallel(shoppers, 40, ({ token }) => settled(drop.dropId, token, deadline));
    expect(
      decided.filter((d) => d.status !== 200 || !TERMINAL.has(d.json.status)).map((d) => d.text),
    ).toEqual([]);
    expect(decided.filter((d) => d.json.status === 'won')).toHaveLength(40);

    const entries = await platform.deps.drops.listEntries(
      (await platform.deps.drops.get(drop.dropId)) as Drop,
    );
    const byArrival = [...entries].sort(
      (a, b) => a.arrivedAt.localeCompare(b.arrivedAt) || a.entrantKey.localeCompare(b.entrantKey),
    );
    const earliest = new Set(byArrival.slice(0, 40).map((e) => e.entrantKey));
    const winners = new Set(entries.filter((e) => e.status === 'won').map((e) => e.entrantKey));
    expect(winners).toEqual(earliest);
    expect(platform.queues.get('drops-dropAdmitter-dlq')?.peek() ?? []).toEqual([]);
  }, 300_000);

  it('draw: entries, close, draw from the committed seed; re-running the draw gives the same winners', async () => {
    const tiers: CustomerTier[] = ['standard', 'silver', 'gold', 'platinum'];
    const closesAt = Date.now() + 15_000;
    const { sku, drop } = await newDrop(
      {
        mode: 'draw',
        expectedArrivalsPerSecond: 100,
        window: {
          opensAt: new Date(Date.now() - 60_000).toISOString(),
          closesAt: new Date(closesAt).toISOString(),
        },
      },
      10,
    );
    expect(drop.seedHash).toMatch(/^[0-9a-f]{64}$/);
    const shoppers = await tokensFor('draw', 60, (i) => tiers[i % 4] as CustomerTier);
    const entered = await inParallel(shoppers, 20, ({ token }) => enter(drop.dropId, token, sku));
    expect(entered.map((e) => `${e.status} ${e.json.status ?? e.text}`)).toEqual(
      entered.map(() => '201 entered'),
    );
    await sleep(Math.max(0, closesAt - Date.now()));
    const refused = await enter(drop.dropId, (await tokensFor('draw-late', 1))[0]!.token, sku);
    expect(refused.json.error.code).toBe('DROP_CLOSED');

    // The scheduler draws once the window has closed and settled; call it as EventBridge would.
    await sleep(DRAW_SETTLE_MILLIS + 200);
    const report = await makeScheduler(platform.deps)();
    expect(report).toMatchObject({ drawn: 1, failed: 0 });

    const view = await api('GET', `/v1/drops/${drop.dropId}`, { token: shoppers[0]!.token });
    expect(view.json).toMatchObject({ state: 'drawn', seedHash: drop.seedHash });
    const seed: string = view.json.seed;
    expect(createHash('sha256').update(Buffer.from(seed, 'hex')).digest('hex')).toBe(drop.seedHash);

    const entries = await platform.deps.drops.listEntries(
      (await platform.deps.drops.get(drop.dropId)) as Drop,
    );
    expect(entries).toHaveLength(60);
    const rerun = runDraw({
      seed,
      units: 10,
      entries: entries.map(({ entrantKey, tier, quantity }) => ({ entrantKey, tier, quantity })),
    });
    const winners = entries.filter((e) => e.status === 'won');
    expect(new Set(winners.map((e) => e.entrantKey))).toEqual(
      new Set(rerun.winners.map((w) => w.entrantKey)),
    );
    expect(entries.filter((e) => e.status === 'waitlisted')).toHaveLength(50);
    for (const published of await publishedDraws(platform.deps, drop.dropId)) {
      expect(verifyDraw(published).valid).toBe(true);
    }
    const mine = await inParallel(shoppers, 20, ({ token }) =>
      api('GET', `/v1/drops/${drop.dropId}/entries/me`, { token }),
    );
    expect(mine.filter((m) => m.json.status === 'won')).toHaveLength(10);
    for (const m of mine.filter((x) => x.json.status === 'won')) expect(m.json.payBy).toBeDefined();

    // A second run changes nothing: the draw is revealed once.
    expect(await makeScheduler(platform.deps)()).toMatchObject({ drawn: 0 });
    expect((await api('GET', `/v1/drops/${drop.dropId}`, { token: shoppers[0]!.token })).json.seed).toBe(
      seed,
    );
  }, 120_000);
});
