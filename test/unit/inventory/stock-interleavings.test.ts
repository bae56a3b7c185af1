import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../../lib/errors.ts';
import { OutOfStockError, ReservationConflictError } from '../../../lib/inventory/errors.ts';
import { InMemoryStockStore } from '../../../lib/inventory/in-memory-stock-store.ts';
import {
  heldReservation,
  poolCounters,
  poolKey,
  poolViolations,
  type Reservation,
  replayLedger,
  reservationLines,
  type StockPool,
} from '../../../lib/inventory/stock.ts';
import type { ReserveRequest, StockStore } from '../../../lib/inventory/stock-store.ts';

const BASE = Date.parse('2026-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(BASE + minutes * 60_000);
const SKUS = ['SKU-A', 'SKU-B'];
const LOCATION = 'loc-a';
const ON_HAND = 3;
/** Units of each pool ring-fenced for clienteling (with overflow), when a run has fences. */
const FENCED = 1;
const FENCE = 'clienteling';
const IDS = ['r0', 'r1', 'r2'];
/** Payments arrive after every hold could have expired, so each one may race the sweeper. */
const PAID_AT = at(5);

/** The system under test and what the run observed, shared by the commands of one run. */
interface Run {
  readonly store: StockStore;
  readonly scheduler: fc.Scheduler;
  /** Whether the sweeper asks for `ifExpired`; switched off by a negative control. */
  readonly guardedSweeper: boolean;
  /** Whether pools carry a clienteling fence that some reservations draw on, and keep a ledger. */
  readonly fenced: boolean;
  readonly pending: Promise<unknown>[];
  /** Reservations some payment allocated. */
  readonly paid: Set<string>;
  /** Reservations someone released on purpose (a decline or a cancellation), not the sweeper. */
  readonly cancelled: Set<string>;
  readonly problems: string[];
}

type Model = Record<string, never>;

/** Starts `operation` at a moment the scheduler chooses, without waiting for it. */
function launch(
  run: Run,
  label: string,
  operation: () => Promise<unknown>,
  expected: (abstract new (...args: never[]) => Error)[] = [],
) {
  run.pending.push(
    run.scheduler
      .schedule(Promise.resolve(), label)
      .then(operation)
      .catch((error: unknown) => {
        if (!expected.some((type) => error instanceof type)) run.problems.push(`${label}: ${String(error)}`);
      }),
  );
}

class Reserve implements fc.AsyncCommand<Model, Run> {
  constructor(
    readonly id: string,
    readonly lines: { sku: string; quantity: number; fenced: boolean }[],
    readonly holdMinutes: number,
  ) {}
  check = () => true;
  async run(_: Model, run: Run) {
    launch(
      run,
      this.toString(),
      () =>
        run.store.reserve({
          reservationId: this.id,
          lines: this.lines.map(({ sku, quantity, fenced }) => ({
            sku,
            quantity,
            locationId: LOCATION,
            ...(fenced && run.fenced ? { fence: { key: FENCE, units: 1 } } : {}),
          })),
          holdUntil: at(this.holdMinutes),
          owner: { zone: 'eu', checkoutId: this.id },
          now: at(0),
        }),
      [OutOfStockError, ReservationConflictError],
    );
  }
  toString = () =>
    `reserve(${this.id}, ${this.lines.map((l) => `${l.sku}x${l.quantity}${l.fenced ? '(1 fenced)' : ''}`).join('+')}, hold ${this.holdMinutes}m)`;
}

class Allocate implements fc.AsyncCommand<Model, Run> {
  constructor(readonly id: string) {}
  check = () => true;
  async run(_: Model, run: Run) {
    launch(
      run,
      this.toString(),
      async () => {
        await run.store.allocate(this.id, PAID_AT);
        run.paid.add(this.id);
      },
      // Not reserved (yet), or paid after expiry with the units gone: the caller refunds.
      [NotFoundError, OutOfStockError],
    );
  }
  toString = () => `allocate(${this.id})`;
}

class Release implements fc.AsyncCommand<Model, Run> {
  constructor(readonly id: string) {}
  check = () => true;
  async run(_: Model, run: Run) {
    run.cancelled.add(this.id);
    launch(run, this.toString(), () => run.store.release(this.id, 'payment-declined', PAID_AT), [
      NotFoundError,
    ]);
  }
  toString = () => `release(${this.id})`;
}

/** The shipment of a paid reservation: its units leave the pool for good. */
class Fulfil implements fc.AsyncCommand<Model, Run> {
  constructor(readonly id: string) {}
  check = () => true;
  async run(_: Model, run: Run) {
    launch(
      run,
      this.toString(),
      () =>
        run.store.fulfil(this.id, { actor: { kind: 'system', id: 'wms' }, reason: 'shipped', now: PAID_AT }),
      // Not reserved, not paid (yet) or released: nothing to ship.
      [NotFoundError, ReservationConflictError],
    );
  }
  toString = () => `fulfil(${this.id})`;
}

/** One sweeper pass: list the expired holds, then (after a gap the scheduler may fill) release each. */
class Sweep implements fc.AsyncCommand<Model, Run> {
  constructor(readonly minutes: number) {}
  check = () => true;
  async run(_: Model, run: Run) {
    const now = at(this.minutes);
    launch(run, this.toString(), async () => {
      const expired = await run.store.expiredHolds(now, 10);
      await Promise.all(
        expired.map(async (r) => {
          await run.scheduler.schedule(Promise.resolve(), `sweep ${r.reservationId}`);
          await run.store.release(r.reservationId, 'hold-expired', now, { ifExpired: run.guardedSweeper });
        }),
      );
    });
  }
  toString = () => `sweep(at ${this.minutes}m)`;
}

/** A read at an arbitrary point: every pool must be conserved and non-negative whenever it is read. */
class ReadPools implements fc.AsyncCommand<Model, Run> {
  check = () => true;
  async run(_: Model, run: Run) {
    launch(run, this.toString(), async () => {
      for (const pool of await run.store.pools(SKUS)) {
        for (const violation of poolViolations(pool)) run.problems.push(`read ${pool.sku}: ${violation}`);
      }
    });
  }
  toString = () => 'readPools()';
}

const reserveArb = fc
  .record({
    id: fc.constantFrom(...IDS),
    lines: fc.array(
      fc.record({
        sku: fc.constantFrom(...SKUS),
        quantity: fc.integer({ min: 1, max: 2 }),
        fenced: fc.boolean(),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    holdMinutes: fc.integer({ min: 1, max: 3 }),
  })
  .map(({ id, lines, holdMinutes }) => new Reserve(id, lines, holdMinutes));
const allocateArb = fc.constantFrom(...IDS).map((id) => new Allocate(id));
// Reserves and payments are listed twice so that most histories create and pay reservations.
const paymentCommands = [
  reserveArb,
  reserveArb,
  allocateArb,
  allocateArb,
  fc.constantFrom(...IDS).map((id) => new Release(id)),
  fc.integer({ min: 0, max: 4 }).map((minutes) => new Sweep(minutes)),
  fc.constant(new ReadPools()),
];
const allCommands = fc.commands([...paymentCommands, fc.constantFrom(...IDS).map((id) => new Fulfil(id))], {
  maxCommands: 20,
  size: 'medium',
});
/** Without shipments, which would take paid reservations out of the sweeper's reach. */
const sweeperCommands = fc.commands(paymentCommands, { maxCommands: 20, size: 'medium' });
const reserveCommands = fc.commands([reserveArb, fc.constant(new ReadPools())], { maxCommands: 12 });

/** Waits for every launched operation, letting the scheduler release whatever they still wait on. */
async function settle(run: Run) {
  let done = false;
  const all = Promise.all(run.pending).then(() => {
    done = true;
  });
  while (!done) {
    await run.scheduler.waitAll();
    await new Promise((resolve) => setImmediate(resolve));
  }
  await all;
}

/**
 * After the run: each pool's counters equal the sum of the reservations in each state (open lines of
 * held ones reserved, of allocated ones allocated, fulfilled lines off on hand, the fenced parts of all
 * three out of the fence), and, with fences, the pool's ledger replays to it.
 */
async function finalProblems(run: Run): Promise<string[]> {
  const problems = [...run.problems];
  const reservations = (await Promise.all(IDS.map((id) => run.store.get(id)))).filter(
    (r): r is Reservation => r !== undefined,
  );
  const expected = new Map<
    string,
    { reserved: number; allocated: number; shipped: number; fenced: number }
  >();
  for (const r of reservations) {
    for (const line of r.lines) {
      const key = poolKey(line.sku, line.locationId);
      const sums = expected.get(key) ?? { reserved: 0, allocated: 0, shipped: 0, fenced: 0 };
      if (line.fulfilledAt) {
        // Shipped units left for good, fenced part included: the fence never gets them back.
        sums.shipped += line.quantity;
        sums.fenced += line.fence?.units ?? 0;
      } else if (r.status === 'held' || r.status === 'allocated') {
        sums[r.status === 'held' ? 'reserved' : 'allocated'] += line.quantity;
        sums.fenced += line.fence?.units ?? 0;
      }
      expected.set(key, sums);
    }
  }
  for (const pool of await run.store.pools(SKUS)) {
    const sums = expected.get(poolKey(pool.sku, pool.locationId)) ?? {
      reserved: 0,
      allocated: 0,
      shipped: 0,
      fenced: 0,
    };
    for (const violation of poolViolations(pool)) problems.push(`final ${pool.sku}: ${violation}`);
    if (pool.onHand !== ON_HAND - sums.shipped) {
      problems.push(`final ${pool.sku}: on hand ${pool.onHand}, but ${sums.shipped} of ${ON_HAND} shipped`);
    }
    if (pool.reserved !== sums.reserved || pool.allocated !== sums.allocated) {
      problems.push(
        `final ${pool.sku}: reserved/allocated ${pool.reserved}/${pool.allocated}, reservations say ${sums.reserved}/${sums.allocated}`,
      );
    }
    if (run.fenced) {
      const fence = pool.fences[FENCE]?.units;
      if (fence !== FENCED - sums.fenced) {
        problems.push(
          `final ${pool.sku}: fence holds ${fence}, reservations took ${sums.fenced} of ${FENCED}`,
        );
      }
      const replayed = replayLedger(
        (await run.store.ledger(pool.sku, pool.locationId, { limit: 1_000 })).entries,
      );
      if (!isDeepStrictEqual(replayed, poolCounters(pool))) {
        problems.push(`final ${pool.sku}: ledger replays to ${JSON.stringify(replayed)}`);
      }
    }
  }
  for (const id of run.paid) {
    const status = reservations.find((r) => r.reservationId === id)?.status;
    if (!run.cancelled.has(id) && status !== 'allocated' && status !== 'fulfilled') {
      problems.push(`${id} was paid but ended ${status}`);
    }
  }
  return problems;
}

async function seeded(store: StockStore, fenced: boolean): Promise<StockStore> {
  for (const sku of SKUS) {
    await store.setOnHand(sku, LOCATION, 'eu', ON_HAND);
    if (fenced) {
      await store.setFence({
        sku,
        locationId: LOCATION,
        key: FENCE,
        units: FENCED,
        overflow: true,
        actor: { kind: 'staff', id: 'staff-1' },
        reason: 'clienteling allocation',
        now: at(0),
      });
    }
  }
  return store;
}

function interleavingProperty(
  commands: fc.Arbitrary<Iterable<fc.AsyncCommand<Model, Run>>>,
  makeStore: (scheduler: fc.Scheduler) => StockStore,
  guardedSweeper: boolean,
  fenced = true,
) {
  return fc.asyncProperty(fc.scheduler(), commands, async (scheduler, cmds) => {
    const run: Run = {
      store: await seeded(makeStore(scheduler), fenced),
      scheduler,
      guardedSweeper,
      fenced,
      pending: [],
      paid: new Set(),
      cancelled: new Set(),
      problems: [],
    };
    await fc.scheduledModelRun(scheduler, () => ({ model: {}, real: run }), cmds);
    await settle(run);
    const problems = await finalProblems(run);
    if (problems.length > 0) throw new Error(problems.join('\n'));
  });
}

/**
 * Negative control: checks the stock, then decrements without a condition after a pause (a network
 * round trip in real life) in which other checkouts run. Only reserve and pools are needed.
 */
class CheckThenDecrementStore extends InMemoryStockStore {
  private readonly levels = new Map<string, StockPool>();
  private readonly held = new Map<string, Reservation>();
  constructor(private readonly pause: () => Promise<unknown>) {
    super();
  }
  override async setOnHand(sku: string, locationId: string, zone: string, onHand: number) {
    const pool = { sku, locationId, zone, onHand, reserved: 0, allocated: 0, available: onHand, fences: {} };
    this.levels.set(poolKey(sku, locationId), pool);
    return { ...pool };
  }
  override async pools() {
    return [...this.levels.values()].map((p) => ({ ...p }));
  }
  override async get(id: string) {
    return this.held.get(id);
  }
  override async reserve(request: ReserveRequest) {
    const lines = reservationLines(request.lines);
    if (this.held.has(request.reservationId)) return this.held.get(request.reservationId)!;
    const short = lines.filter(
      (l) => (this.levels.get(poolKey(l.sku, l.locationId))?.available ?? 0) < l.quantity,
    );
    if (short.length > 0) throw new OutOfStockError(short.map((l) => l.sku));
    await this.pause();
    for (const line of lines) {
      const pool = this.levels.get(poolKey(line.sku, line.locationId))!;
      pool.available -= line.quantity;
      pool.reserved += line.quantity;
    }
    const reservation = heldReservation(request, lines);
    this.held.set(request.reservationId, reservation);
    return reservation;
  }
}

describe('stock reservations under every interleaving (R5)', () => {
  it('keeps pools, fences and ledgers conserved and paid reservations allocated across 1,000 scheduled histories', async () => {
    await fc.assert(
      interleavingProperty(allCommands, () => new InMemoryStockStore(), true),
      { numRuns: 1_000 },
    );
  });

  it('negative control: finds the oversell of a check-then-decrement reserve within 1,000 runs', async () => {
    const details = await fc.check(
      interleavingProperty(
        reserveCommands,
        (scheduler) => new CheckThenDecrementStore(() => scheduler.schedule(Promise.resolve(), 'network')),
        true,
        // It keeps neither fences nor a ledger: only the oversell is under test.
        false,
      ),
      { numRuns: 1_000 },
    );
    console.log(`R5 negative control (unconditional decrement): found after ${details.numRuns} runs`);
    expect(details.failed).toBe(true);
    expect(String(details.errorInstance)).toMatch(/negative|reservations say/);
  });

  it('negative control: finds a sweeper without ifExpired releasing a paid reservation', async () => {
    const details = await fc.check(
      interleavingProperty(sweeperCommands, () => new InMemoryStockStore(), false),
      {
        numRuns: 1_000,
      },
    );
    console.log(`R5 negative control (unguarded sweeper): found after ${details.numRuns} runs`);
    expect(details.failed).toBe(true);
    expect(String(details.errorInstance)).toMatch(/was paid but ended released/);
  });
});
