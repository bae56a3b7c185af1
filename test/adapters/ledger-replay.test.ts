import { isDeepStrictEqual } from 'node:util';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoStockStore } from '../../lib/adapters/dynamo/dynamo-stock-store.ts';
import { Prng } from '../../lib/demo/prng.ts';
import { NotFoundError } from '../../lib/errors.ts';
import {
  OutOfStockError,
  ReservationConflictError,
  StockCommittedError,
  StockContentionError,
} from '../../lib/inventory/errors.ts';
import { InMemoryStockStore } from '../../lib/inventory/in-memory-stock-store.ts';
import {
  dropFenceKey,
  type FenceKey,
  poolCounters,
  poolKey,
  poolViolations,
  Reservation,
  type ReservationLine,
  replayLedger,
} from '../../lib/inventory/stock.ts';
import type { StockStore } from '../../lib/inventory/stock-store.ts';
import { testTables, useOwnDynamoLocal } from '../support/dynamo.ts';
import { wholeLedger } from './stock-store.contract.ts';

// A load test: a DynamoDB Local of its own, so earlier files' work neither slows it nor skews its figures.
useOwnDynamoLocal();

const MOVEMENTS = 10_000;
const DYNAMO_MOVEMENTS = 4_000;
const IN_FLIGHT = 32;
const SEED = 4242;
const NOW = Date.parse('2026-03-01T10:00:00.000Z');
const SKUS = Array.from({ length: 10 }, (_, i) => `LEDGER-${String(i).padStart(2, '0')}`);
const LOCATIONS = ['roissy-warehouse', 'paris-saint-honore'];
const FENCES: FenceKey[] = ['clienteling', 'web', dropFenceKey('drp_replay')];
const STAFF = { kind: 'staff' as const, id: 'staff-replay' };

/** One step of the sequence: what to call, decided up front so both stores get the same requests. */
type Step =
  | { kind: 'receipt'; sku: string; locationId: string; by: number; type: 'receipt' | 'return' }
  | { kind: 'correction'; sku: string; locationId: string; by: number }
  | { kind: 'stockTake'; sku: string; locationId: string; onHand: number }
  | { kind: 'fence'; sku: string; locationId: string; key: string; units: number; overflow: boolean }
  | { kind: 'reserve'; id: string; lines: ReservationLine[] }
  | { kind: 'allocate'; id: string }
  | { kind: 'release'; id: string; ifExpired: boolean }
  | { kind: 'fulfil'; id: string; locationIds?: string[] }
  | { kind: 'dispatch'; id: string; sku: string; from: string; to: string; quantity: number }
  | { kind: 'receive'; id: string };

/**
 * A seeded random history over 20 pools: every pool opens with a receipt, then reservations (some
 * drawing on fences), payments, releases (some by the sweeper), shipments, stock counts, corrections,
 * fence changes and transfers, each naming earlier reservations and transfers by id.
 */
function movements(count: number): Step[] {
  const rng = new Prng(SEED);
  const pool = () => ({ sku: rng.pick(SKUS), locationId: rng.pick(LOCATIONS) });
  const steps: Step[] = SKUS.flatMap((sku) =>
    LOCATIONS.map((locationId) => ({
      kind: 'receipt' as const,
      sku,
      locationId,
      by: rng.int(30, 80),
      type: 'receipt' as const,
    })),
  );
  const reservations: string[] = [];
  const locationsOf = new Map<string, string[]>();
  const transfers: string[] = [];
  const earlier = (ids: string[]) => ids[Math.max(0, ids.length - 1 - rng.int(0, 40))] ?? 'none';
  while (steps.length < count) {
    const i = steps.length;
    const roll = rng.next();
    if (roll < 0.3) {
      // One line per pool: a pool's units can come from one fence per reservation.
      const lines = new Map<string, ReservationLine>();
      for (let n = rng.int(1, 3); n > 0; n--) {
        const quantity = rng.int(1, 2);
        const at = pool();
        lines.set(poolKey(at.sku, at.locationId), {
          ...at,
          quantity,
          ...(rng.chance(0.2) ? { fence: { key: rng.pick(FENCES), units: rng.int(1, quantity) } } : {}),
        });
      }
      const id = `rsv-${i}`;
      reservations.push(id);
      locationsOf.set(
        id,
        [...lines.values()].map((line) => line.locationId),
      );
      steps.push({ kind: 'reserve', id, lines: [...lines.values()] });
    } else if (roll < 0.46) {
      steps.push({ kind: 'allocate', id: earlier(reservations) });
    } else if (roll < 0.56) {
      steps.push({ kind: 'release', id: earlier(reservations), ifExpired: rng.chance(0.5) });
    } else if (roll < 0.64) {
      const id = earlier(reservations);
      const shipping = locationsOf.get(id);
      steps.push({
        kind: 'fulfil',
        id,
        ...(shipping && rng.chance(0.5) ? { locationIds: [rng.pick(shipping)] } : {}),
      });
    } else if (roll < 0.76) {
      steps.push({
        kind: 'receipt',
        ...pool(),
        by: rng.int(4, 14),
        type: rng.chance(0.7) ? 'receipt' : 'return',
      });
    } else if (roll < 0.8) {
      steps.push({ kind: 'correction', ...pool(), by: rng.int(-4, 2) });
    } else if (roll < 0.83) {
      steps.push({ kind: 'stockTake', ...pool(), onHand: rng.int(20, 80) });
    } else if (roll < 0.91) {
      steps.push({
        kind: 'fence',
        ...pool(),
        key: rng.pick(FENCES),
        units: rng.int(0, 6),
        overflow: rng.chance(0.5),
      });
    } else if (roll < 0.96) {
      const from = rng.pick(LOCATIONS);
      const id = `trf-${i}`;
      transfers.push(id);
      steps.push({
        kind: 'dispatch',
        id,
        sku: rng.pick(SKUS),
        from,
        to: LOCATIONS.find((l) => l !== from) as string,
        quantity: rng.int(1, 4),
      });
    } else {
      steps.push({ kind: 'receive', id: earlier(transfers) });
    }
  }
  return steps;
}

/** Runs one step at logical time `i` (10 ms apart, so holds expire during the run). */
async function apply(store: StockStore, step: Step, i: number): Promise<unknown> {
  const now = new Date(NOW + i * 10);
  const movement = { actor: STAFF, reason: `step ${i}`, now };
  switch (step.kind) {
    case 'receipt':
      return store.adjust({ ...step, zone: 'eu', ...movement });
    case 'correction':
      return store.adjust({ ...step, zone: 'eu', type: 'adjustment', ...movement });
    case 'stockTake':
      return store.adjust({ ...step, zone: 'eu', type: 'adjustment', ...movement });
    case 'fence':
      return store.setFence({ ...step, ...movement });
    case 'reserve':
      return store.reserve({
        reservationId: step.id,
        lines: step.lines,
        holdUntil: new Date(now.getTime() + 5_000),
        owner: { zone: 'eu', checkoutId: `chk-${step.id}` },
        now,
      });
    case 'allocate':
      return store.allocate(step.id, now);
    case 'release':
      return store.release(step.id, step.ifExpired ? 'hold_expired' : 'order_cancelled', now, {
        ifExpired: step.ifExpired,
      });
    case 'fulfil':
      return store.fulfil(step.id, { ...movement, reason: 'shipped' }, step.locationIds);
    case 'dispatch':
      return store.dispatchTransfer({
        transferId: step.id,
        sku: step.sku,
        fromLocationId: step.from,
        toLocationId: step.to,
        quantity: step.quantity,
        ...movement,
      });
    case 'receive':
      return store.receiveTransfer(step.id, movement);
  }
}

/** The refusals a valid request may meet in a random history; anything else fails the run. */
const REFUSALS = [
  ['outOfStock', OutOfStockError],
  ['committed', StockCommittedError],
  ['notFound', NotFoundError],
  ['notAllocated', ReservationConflictError],
  ['contended', StockContentionError],
] as const;

/**
 * Runs every step with at most `inFlight` at once, counting outcomes by kind. The pools' opening
 * receipts land first: a fence on a pool that does not exist yet is a malformed request, not a refusal.
 */
async function replayRun(store: StockStore, steps: readonly Step[], inFlight: number) {
  const refused: Record<string, number> = {};
  const unexpected: string[] = [];
  let applied = 0;
  let next = 0;
  const worker = async (until: number) => {
    while (next < until) {
      const i = next++;
      const step = steps[i] as Step;
      try {
        await apply(store, step, i);
        applied++;
      } catch (error) {
        const known = REFUSALS.find(([, type]) => error instanceof type);
        if (!known) unexpected.push(`${i} ${JSON.stringify(step)}: ${String(error)}`);
        else refused[`${step.kind}:${known[0]}`] = (refused[`${step.kind}:${known[0]}`] ?? 0) + 1;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, () => worker(SKUS.length * LOCATIONS.length)));
  await Promise.all(Array.from({ length: inFlight }, () => worker(steps.length)));
  return { applied, refused, unexpected, seconds: (performance.now() - started) / 1000 };
}

/**
 * Every pool's ledger against the pool, and every pool against the reservations that hold its units:
 * what is reserved and allocated must be exactly what held and allocated reservations still hold.
 */
async function audit(store: StockStore, reservations: () => Promise<(Reservation | undefined)[]>) {
  const pools = await store.pools(SKUS);
  const problems: string[] = [];
  let entries = 0;
  for (const pool of pools) {
    for (const violation of poolViolations(pool))
      problems.push(`${pool.sku}@${pool.locationId}: ${violation}`);
    const ledger = await wholeLedger(store, pool.sku, pool.locationId, 1_000);
    entries += ledger.length;
    const replayed = replayLedger(ledger);
    if (!isDeepStrictEqual(replayed, poolCounters(pool))) {
      problems.push(
        `${pool.sku}@${pool.locationId}: ledger replays to ${JSON.stringify(replayed)}, pool holds ${JSON.stringify(poolCounters(pool))}`,
      );
    }
  }
  const held = new Map<string, { reserved: number; allocated: number }>();
  for (const reservation of await reservations()) {
    if (!reservation || reservation.status === 'released' || reservation.status === 'fulfilled') continue;
    for (const line of reservation.lines) {
      if (line.fulfilledAt) continue;
      const key = poolKey(line.sku, line.locationId);
      const sums = held.get(key) ?? { reserved: 0, allocated: 0 };
      sums[reservation.status === 'held' ? 'reserved' : 'allocated'] += line.quantity;
      held.set(key, sums);
    }
  }
  for (const pool of pools) {
    const sums = held.get(poolKey(pool.sku, pool.locationId)) ?? { reserved: 0, allocated: 0 };
    if (sums.reserved !== pool.reserved || sums.allocated !== pool.allocated) {
      problems.push(
        `${pool.sku}@${pool.locationId}: reserved/allocated ${pool.reserved}/${pool.allocated}, reservations hold ${sums.reserved}/${sums.allocated}`,
      );
    }
  }
  return { pools, entries, problems };
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** Every reservation the steps tried to make, as the store holds it (undefined when refused). */
function storedReservations(store: StockStore, steps: readonly Step[]) {
  return async () => {
    const ids = steps.flatMap((step) => (step.kind === 'reserve' ? [step.id] : []));
    const found: (Reservation | undefined)[] = [];
    for (let i = 0; i < ids.length; i += 64) {
      found.push(...(await Promise.all(ids.slice(i, i + 64).map((id) => store.get(id)))));
    }
    return found;
  };
}

async function replayScenario(
  label: string,
  store: StockStore,
  count: number,
  reservations?: () => Promise<(Reservation | undefined)[]>,
) {
  const steps = movements(count);
  const run = await replayRun(store, steps, IN_FLIGHT);
  const auditStarted = performance.now();
  const checked = await audit(store, reservations ?? storedReservations(store, steps));
  const auditSeconds = (performance.now() - auditStarted) / 1000;
  const refusals = total(run.refused);
  console.log(
    `ledger replay (${label}): ${steps.length} movements, ${run.applied} applied, ${refusals} refused, ` +
      `${checked.pools.length} pools, ${checked.entries} ledger entries, ${IN_FLIGHT} in flight, ` +
      `${run.seconds.toFixed(1)} s (audit ${auditSeconds.toFixed(1)} s); refusals ${JSON.stringify(run.refused)}`,
  );
  expect(run.unexpected).toEqual([]);
  expect(run.applied + refusals).toBe(count);
  expect(checked.pools).toHaveLength(SKUS.length * LOCATIONS.length);
  expect(checked.problems).toEqual([]);
  // A history this long must have exercised every kind of movement, not refused them all.
  const ledgerTypes = new Set<string>();
  for (const pool of checked.pools.slice(0, 4)) {
    for (const entry of await wholeLedger(store, pool.sku, pool.locationId, 1_000))
      ledgerTypes.add(entry.type);
  }
  expect([...ledgerTypes].sort()).toEqual(
    [
      'adjustment',
      'allocation',
      'fence',
      'receipt',
      'release',
      'reservation',
      'return',
      'shipment',
      'transfer_in',
      'transfer_out',
    ].sort(),
  );
  return { run, checked };
}

describe('ledger replay', () => {
  it('rebuilds every pool from its ledger after 10,000 random movements in memory', async () => {
    const { checked } = await replayScenario('in memory', new InMemoryStockStore(), MOVEMENTS);
    expect(checked.entries).toBeGreaterThan(MOVEMENTS / 2);
  });

  // The adapter's own ledger writes, under concurrency, on a shorter history: DynamoDB Local spends
  // milliseconds of CPU on every request, and 10,000 movements took from 70 s on a quiet 2-core machine to
  // over 260 s on a busy one. The same generator makes the history, so the kinds of movement are the same.
  it(`rebuilds every pool from its ledger after ${DYNAMO_MOVEMENTS.toLocaleString('en')} concurrent movements on DynamoDB Local`, async () => {
    const t = await testTables();
    const tableName = t.names.inventory.global as string;
    const store = new DynamoStockStore({ client: t.doc, tableName });
    // One scan reads every reservation in a few pages, where a get per id would take thousands.
    const scanned = async () => {
      const found: Reservation[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await t.doc.send(
          new ScanCommand({
            TableName: tableName,
            ConsistentRead: true,
            FilterExpression: 'begins_with(pk, :prefix)',
            ExpressionAttributeValues: { ':prefix': 'RESERVATION#' },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        found.push(...(page.Items ?? []).map((item) => Reservation.parse(item)));
        start = page.LastEvaluatedKey;
      } while (start);
      return found;
    };
    await replayScenario('DynamoDB Local', store, DYNAMO_MOVEMENTS, scanned);
  }, 300_000);
});
