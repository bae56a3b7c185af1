import { BatchWriteCommand, GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoStockStore, reservationItem } from '../../lib/adapters/dynamo/dynamo-stock-store.ts';
import { Prng } from '../../lib/demo/prng.ts';
import { OutOfStockError } from '../../lib/inventory/errors.ts';
import {
  dropFenceKey,
  heldReservation,
  poolKey,
  type Reservation,
  type ReservationLine,
  type StockPool,
  sumLines,
} from '../../lib/inventory/stock.ts';
import { testTables, useOwnDynamoLocal } from '../support/dynamo.ts';
import { expectConserved, expectLedgerReplays, NOW, reserveRequest } from './stock-store.contract.ts';

// A load test: a DynamoDB Local of its own, so earlier files' work neither slows it nor skews its figures.
useOwnDynamoLocal();

/** Runs `count` tasks with at most `concurrency` in flight, settling each like `Promise.allSettled`. */
async function runLimited<T>(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<T>,
): Promise<PromiseSettledResult<T>[]> {
  const results = new Array<PromiseSettledResult<T>>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      try {
        results[index] = { status: 'fulfilled', value: await task(index) };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

/** Times each call, for p50/p99. */
function timed<T>(latencies: number[], work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  return work().finally(() => latencies.push(performance.now() - start));
}

const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

const ms = (value: number) => `${value.toFixed(1)} ms`;

const rejections = (results: readonly PromiseSettledResult<unknown>[]) =>
  results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));

describe('stock under concurrency (DynamoDB Local)', () => {
  let t: Awaited<ReturnType<typeof testTables>>;
  let tableName: string;
  const store = () => new DynamoStockStore({ client: t.doc, tableName });

  beforeAll(async () => {
    t = await testTables();
    tableName = t.names.inventory.global as string;
  });

  /** Every reservation item of the table, for checks that must not trust the store's own reads. */
  const scanReservations = async (prefix: string): Promise<Reservation[]> => {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await t.doc.send(
        new ScanCommand({
          TableName: tableName,
          ConsistentRead: true,
          FilterExpression: 'begins_with(pk, :prefix)',
          ExpressionAttributeValues: { ':prefix': `RESERVATION#${prefix}` },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items as Reservation[];
  };

  const putAll = async (items: Record<string, unknown>[]) => {
    for (let i = 0; i < items.length; i += 25) {
      let pending = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      while (pending.length > 0) {
        const out = await t.doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
        pending = (out.UnprocessedItems?.[tableName] ?? []) as typeof pending;
      }
    }
  };

  const lastUnitRace = async (sku: string, units: number, attempts: number, concurrency: number) => {
    const s = store();
    await s.setOnHand(sku, 'roissy-warehouse', 'eu', units, { locationType: 'warehouse' });
    const latencies: number[] = [];
    const started = performance.now();
    const results = await runLimited(attempts, concurrency, (i) =>
      timed(latencies, () =>
        s.reserve(
          reserveRequest(`${sku}-${i}`, [{ sku, locationId: 'roissy-warehouse', quantity: 1 }], {
            owner: { zone: 'eu', checkoutId: `chk-${sku}-${i}` },
          }),
        ),
      ),
    );
    const elapsed = performance.now() - started;
    const errors = rejections(results);
    const summary = {
      attempts,
      concurrency,
      units,
      successes: results.length - errors.length,
      outOfStock: errors.filter((e) => e instanceof OutOfStockError).length,
      otherErrors: errors.filter((e) => !(e instanceof OutOfStockError)).length,
      transactions: s.stats.attempts,
      conflictRetries: s.stats.conflictRetries,
      conditionFailures: s.stats.conditionFailures,
      p50: ms(percentile(latencies, 50)),
      p99: ms(percentile(latencies, 99)),
      elapsed: ms(elapsed),
    };
    console.log(`R1 ${sku}: ${JSON.stringify(summary)}`);
    const [pool] = await s.pools([sku]);
    return { summary, errors, pool: pool!, reservations: await scanReservations(`${sku}-`) };
  };

  it('R1: 1,000 checkouts at concurrency 100 for 25 units sell exactly 25', async () => {
    const { summary, errors, pool, reservations } = await lastUnitRace('DROP-25', 25, 1_000, 100);
    expect(errors.filter((e) => !(e instanceof OutOfStockError))).toEqual([]);
    expect(summary.successes).toBe(25);
    expect(summary.outOfStock).toBe(975);
    expect(errors.every((e) => (e as OutOfStockError).details.skus.join() === 'DROP-25')).toBe(true);
    expect(reservations).toHaveLength(25);
    expect(pool).toMatchObject({ onHand: 25, available: 0, reserved: 25, allocated: 0 });
    expectConserved([pool]);
  });

  it('R1: 200 checkouts at concurrency 100 for the last unit sell exactly 1', async () => {
    const { summary, errors, pool, reservations } = await lastUnitRace('LAST-1', 1, 200, 100);
    expect(errors.filter((e) => !(e instanceof OutOfStockError))).toEqual([]);
    expect(summary.successes).toBe(1);
    expect(summary.outOfStock).toBe(199);
    expect(reservations).toHaveLength(1);
    expect(pool).toMatchObject({ onHand: 1, available: 0, reserved: 1 });
  });

  it('R1: 200 concurrent entries for a 25-unit drop fence sell exactly 25 and leave the remainder alone', async () => {
    const s = store();
    const sku = 'DROP-FENCE-25';
    const key = dropFenceKey('drp_launch');
    const staff = { actor: { kind: 'staff' as const, id: 'staff-1' }, reason: 'drop stock', now: NOW };
    await s.adjust({ sku, locationId: 'roissy-warehouse', zone: 'eu', type: 'receipt', by: 40, ...staff });
    await s.setFence({ sku, locationId: 'roissy-warehouse', key, units: 25, overflow: false, ...staff });
    const latencies: number[] = [];
    const results = await runLimited(200, 200, (i) =>
      timed(latencies, () =>
        s.reserve(
          reserveRequest(
            `${sku}-${i}`,
            [{ sku, locationId: 'roissy-warehouse', quantity: 1, fence: { key, units: 1 } }],
            {
              owner: { zone: 'eu', checkoutId: `chk-${sku}-${i}` },
              actor: { kind: 'drop', id: 'drp_launch' },
            },
          ),
        ),
      ),
    );
    const errors = rejections(results);
    const [pool] = await s.pools([sku]);
    console.log(
      `R1 drop fence: ${JSON.stringify({
        attempts: 200,
        concurrency: 200,
        fenced: 25,
        successes: results.length - errors.length,
        outOfStock: errors.filter((e) => e instanceof OutOfStockError).length,
        transactions: s.stats.attempts,
        conflictRetries: s.stats.conflictRetries,
        p50: ms(percentile(latencies, 50)),
        p99: ms(percentile(latencies, 99)),
      })}`,
    );
    expect(errors.filter((e) => !(e instanceof OutOfStockError))).toEqual([]);
    expect(results.length - errors.length).toBe(25);
    expect(await scanReservations(`${sku}-`)).toHaveLength(25);
    expect(pool).toMatchObject({ onHand: 40, available: 15, reserved: 25, fences: { [key]: { units: 0 } } });
    await expectLedgerReplays(s, [pool!]);
  });

  it('R1 negative control: a read-then-unconditional-decrement oversells under the same load', async () => {
    const sku = 'NAIVE-25';
    await store().setOnHand(sku, 'roissy-warehouse', 'eu', 25);
    const key = { pk: `POOL#${sku}`, sk: 'LOC#roissy-warehouse' };
    // The check happens in the application, the write trusts it: the bug every oversell report shares.
    const naiveReserve = async () => {
      const { Item } = await t.doc.send(
        new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
      );
      if ((Item?.available as number) < 1) throw new OutOfStockError([sku]);
      await t.doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: 'SET available = available - :q, reserved = reserved + :q',
          ExpressionAttributeValues: { ':q': 1 },
        }),
      );
    };
    // 300 attempts rather than 1,000: the oversell happens in the first wave of 100 concurrent reads.
    const results = await runLimited(300, 100, naiveReserve);
    const successes = results.filter((r) => r.status === 'fulfilled').length;
    // Raw read: the store itself refuses to parse a pool with negative stock.
    const { Item: pool } = await t.doc.send(
      new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
    );
    const oversold = successes - 25;
    console.log(
      `R1 negative control: ${JSON.stringify({ attempts: 300, concurrency: 100, units: 25, successes, oversold, available: pool?.available })}`,
    );
    expect(oversold).toBeGreaterThan(0);
    expect(pool?.available).toBeLessThan(0);
    await expect(store().pools([sku])).rejects.toThrow();
  });

  it('R2: 500 multi-line carts with shared SKUs are reserved whole or not at all', async () => {
    const s = store();
    const rng = new Prng(2026);
    const skus = Array.from({ length: 8 }, (_, i) => `BUNDLE-${i}`);
    const locations = ['roissy-warehouse', 'paris-saint-honore'];
    const initial = new Map<string, StockPool>();
    for (const sku of skus) {
      for (const locationId of locations) {
        const pool = await s.setOnHand(sku, locationId, 'eu', rng.int(8, 30));
        initial.set(poolKey(sku, locationId), pool);
      }
    }
    // Carts of 2-5 lines; most repeat a SKU (two lines of one item, or a bundle holding it again).
    const carts: ReservationLine[][] = Array.from({ length: 500 }, () => {
      const lines: ReservationLine[] = [];
      const count = rng.int(2, 5);
      while (lines.length < count) {
        const previous = lines[rng.int(0, lines.length - 1)];
        lines.push(
          previous && rng.chance(0.4)
            ? { ...previous, quantity: rng.int(1, 2) }
            : { sku: rng.pick(skus), locationId: rng.pick(locations), quantity: rng.int(1, 2) },
        );
      }
      return lines;
    });

    const latencies: number[] = [];
    const results = await runLimited(carts.length, 50, (i) =>
      timed(latencies, () => s.reserve(reserveRequest(`cart-${i}`, carts[i]!))),
    );
    const errors = rejections(results);
    expect(errors.filter((e) => !(e instanceof OutOfStockError))).toEqual([]);

    const stored = new Map((await scanReservations('cart-')).map((r) => [r.reservationId, r]));
    const reservedPerPool = new Map<string, number>();
    let partial = 0;
    results.forEach((result, i) => {
      const cart = carts[i]!;
      const reservation = stored.get(`cart-${i}`);
      if (result.status === 'rejected') {
        if (reservation) partial++;
        const named = (result.reason as OutOfStockError).details.skus;
        expect(named.every((sku) => cart.some((l) => l.sku === sku))).toBe(true);
        return;
      }
      if (!reservation || JSON.stringify(reservation.lines) !== JSON.stringify(sumLines(cart))) partial++;
      for (const line of sumLines(cart)) {
        const key = poolKey(line.sku, line.locationId);
        reservedPerPool.set(key, (reservedPerPool.get(key) ?? 0) + line.quantity);
      }
    });
    const pools = await s.pools(skus);
    let oversold = 0;
    for (const pool of pools) {
      const key = poolKey(pool.sku, pool.locationId);
      expect(pool.onHand).toBe(initial.get(key)?.onHand);
      expect(pool.reserved).toBe(reservedPerPool.get(key) ?? 0);
      oversold += Math.max(0, pool.reserved - pool.onHand);
    }
    const reservedCarts = results.length - errors.length;
    console.log(
      `R2: ${JSON.stringify({
        carts: carts.length,
        withSharedSku: carts.filter((c) => sumLines(c).length < c.length).length,
        reserved: reservedCarts,
        outOfStock: errors.length,
        partial,
        oversold,
        transactions: s.stats.attempts,
        conflictRetries: s.stats.conflictRetries,
        conditionFailures: s.stats.conditionFailures,
        p50: ms(percentile(latencies, 50)),
        p99: ms(percentile(latencies, 99)),
      })}`,
    );
    expect(partial).toBe(0);
    expect(oversold).toBe(0);
    expect(reservedCarts).toBeGreaterThan(20);
    expect(errors.length).toBeGreaterThan(20);
    expectConserved(pools);
  });

  it('R3: 300 expiring holds raced by payments, declines and the sweeper settle exactly once', async () => {
    const s = store();
    const rng = new Prng(7);
    const skus = ['HOLD-A', 'HOLD-B', 'HOLD-C'];
    const holdUntil = new Date(NOW.getTime() + 15 * 60_000);
    const ids = Array.from({ length: 300 }, (_, i) => `exp-${i}`);
    // The holds are written as reserve() leaves them, in batches: 300 transactions of set-up would
    // take DynamoDB Local longer than the race under test.
    await putAll(
      ids.map((id, i) =>
        reservationItem(
          heldReservation({ reservationId: id, holdUntil, owner: { zone: 'eu', checkoutId: id }, now: NOW }, [
            { sku: skus[i % 3]!, locationId: 'roissy-warehouse', quantity: 1 },
          ]),
        ),
      ),
    );
    for (const sku of skus) {
      await s.setOnHand(sku, 'roissy-warehouse', 'eu', 100);
      await t.doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: `POOL#${sku}`, sk: 'LOC#roissy-warehouse' },
          UpdateExpression: 'SET available = available - :n, reserved = reserved + :n',
          ExpressionAttributeValues: { ':n': 100 },
        }),
      );
    }
    expectConserved(await s.pools(skus));
    const due = new Date(holdUntil.getTime() + 60_000);

    // Two thirds get a (late) payment, one third a decline; fresh checkouts compete for released units.
    const payments = ids.map((id, i) => ({
      id,
      kind: i % 3 === 2 ? ('decline' as const) : ('pay' as const),
    }));
    const fresh = Array.from({ length: 60 }, (_, i) => ({ id: `fresh-${i}`, kind: 'fresh' as const }));
    const operations = rng.sample([...payments, ...fresh], payments.length + fresh.length);
    const releases = new Map<string, number>();
    const countRelease = (id: string, released: boolean) => {
      if (released) releases.set(id, (releases.get(id) ?? 0) + 1);
    };

    const sweeper = async () => {
      let passes = 0;
      for (; passes < 100; passes++) {
        const expired = await s.expiredHolds(due, 25);
        if (expired.length === 0) break;
        await Promise.all(
          expired.map(async (r) =>
            countRelease(
              r.reservationId,
              await s.release(r.reservationId, 'hold-expired', due, { ifExpired: true }),
            ),
          ),
        );
      }
      return passes;
    };
    const [passes, outcomes] = await Promise.all([
      sweeper(),
      runLimited(operations.length, 40, async (i) => {
        const op = operations[i]!;
        if (op.kind === 'pay') return s.allocate(op.id, due);
        if (op.kind === 'decline')
          return countRelease(op.id, await s.release(op.id, 'payment-declined', due));
        return s.reserve(
          reserveRequest(op.id, [{ sku: rng.pick(skus), locationId: 'roissy-warehouse', quantity: 1 }], {
            holdUntil: new Date(due.getTime() + 15 * 60_000),
            now: due,
          }),
        );
      }),
    ]);

    const unexpected = outcomes.flatMap((r, i) =>
      r.status === 'rejected' && !(r.reason instanceof OutOfStockError) ? [[operations[i], r.reason]] : [],
    );
    expect(unexpected).toEqual([]);

    const final = new Map((await scanReservations('')).map((r) => [r.reservationId, r]));
    let doubleReleases = 0;
    let compensated = 0;
    let paidAllocated = 0;
    outcomes.forEach((outcome, i) => {
      const op = operations[i]!;
      const reservation = final.get(op.id);
      if (op.kind === 'fresh') return;
      if ((releases.get(op.id) ?? 0) > 1) doubleReleases++;
      if (op.kind === 'decline') {
        expect(reservation?.status).toBe('released');
        expect(releases.get(op.id)).toBe(1);
      } else if (outcome.status === 'fulfilled') {
        expect(reservation?.status).toBe('allocated');
        paidAllocated++;
      } else {
        // Paid after the hold expired and the units went to someone else: the caller refunds.
        expect(reservation?.status).toBe('released');
        compensated++;
      }
    });

    const pools = await s.pools(skus);
    expectConserved(pools);
    for (const pool of pools) {
      const holding = [...final.values()].filter((r) => r.lines[0]?.sku === pool.sku);
      expect(pool.reserved).toBe(holding.filter((r) => r.status === 'held').length);
      expect(pool.allocated).toBe(holding.filter((r) => r.status === 'allocated').length);
    }
    expect(ids.filter((id) => final.get(id)?.status === 'held')).toEqual([]);
    expect(await s.expiredHolds(due, 500)).toEqual([]);
    console.log(
      `R3: ${JSON.stringify({
        holds: ids.length,
        paidAllocated,
        compensated,
        declined: payments.filter((p) => p.kind === 'decline').length,
        releases: [...releases.values()].reduce((a, b) => a + b, 0),
        freshReserved: outcomes.filter((o, i) => operations[i]!.kind === 'fresh' && o.status === 'fulfilled')
          .length,
        doubleReleases,
        negativePools: pools.filter((p) => p.available < 0 || p.reserved < 0 || p.allocated < 0).length,
        sweeperPasses: passes,
        transactions: s.stats.attempts,
        conflictRetries: s.stats.conflictRetries,
        conditionFailures: s.stats.conditionFailures,
      })}`,
    );
    expect(doubleReleases).toBe(0);
  });
});
