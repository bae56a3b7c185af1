import { ValidationError } from '../errors.ts';
import {
  OutOfStockError,
  ReservationConflictError,
  ReservationNotFoundError,
  TransferNotFoundError,
} from './errors.ts';
import {
  adjustmentChange,
  adjustmentRefused,
  applyDelta,
  assertAdjustable,
  assertFence,
  assertReservationId,
  assertTransfer,
  checkoutContext,
  compare,
  deltaFits,
  fenceRefused,
  fulfilled,
  fulfilmentTargets,
  heldReservation,
  type LedgerContext,
  type LedgerEntry,
  type LinePlace,
  ledgerEntry,
  ledgerLimit,
  ledgerPosition,
  lineDelta,
  type MovementType,
  noDelta,
  openLines,
  type PoolDelta,
  poolKey,
  type Reservation,
  type ReservationLine,
  reservationLines,
  resumeReservation,
  type StockPool,
  sameTransfer,
  type Transfer,
} from './stock.ts';
import {
  type AdjustRequest,
  type FenceRequest,
  type LedgerPage,
  type Movement,
  type ReleaseOptions,
  type ReserveRequest,
  type SetOnHandOptions,
  type StockStore,
  type StockStoreStats,
  setOnHandAdjustment,
  type TransferRequest,
} from './stock-store.ts';

/** A change of one pool and the ledger entry recording it, applied together or not at all. */
interface PoolChange {
  readonly pool: StockPool;
  readonly type: MovementType;
  readonly delta: PoolDelta;
  readonly context: LedgerContext;
}

/**
 * A {@link StockStore} in memory, for unit tests of checkout and the local tools. Operations run one at
 * a time in call order, so each is atomic the way a DynamoDB transaction is: every check is made before
 * any pool changes, and each change writes its ledger entries in the same step.
 */
export class InMemoryStockStore implements StockStore {
  readonly stats: StockStoreStats = { attempts: 0, conflictRetries: 0, conditionFailures: 0 };
  private readonly poolsByKey = new Map<string, StockPool>();
  private readonly ledgers = new Map<string, LedgerEntry[]>();
  private readonly reservations = new Map<string, Reservation>();
  private readonly transfers = new Map<string, Transfer>();
  private tail: Promise<unknown> = Promise.resolve();

  async pools(skus: readonly string[]): Promise<StockPool[]> {
    const wanted = new Set(skus);
    return this.exclusive(() =>
      [...this.poolsByKey.values()]
        .filter((pool) => wanted.has(pool.sku))
        .sort((a, b) => compare(a.sku, b.sku) || compare(a.locationId, b.locationId))
        .map((pool) => structuredClone(pool)),
    );
  }

  async setOnHand(
    sku: string,
    locationId: string,
    zone: string,
    onHand: number,
    options: SetOnHandOptions = {},
  ): Promise<StockPool> {
    return this.adjust(setOnHandAdjustment(sku, locationId, zone, onHand, options));
  }

  async adjust(request: AdjustRequest): Promise<StockPool> {
    assertAdjustable(request);
    return this.exclusive(() => {
      this.stats.attempts++;
      const key = poolKey(request.sku, request.locationId);
      const existing = this.poolsByKey.get(key);
      const change = adjustmentChange(request, existing?.onHand ?? 0);
      if ((existing?.available ?? 0) + change < 0) {
        this.stats.conditionFailures++;
        throw adjustmentRefused(request, existing, change);
      }
      const pool: StockPool = existing ?? {
        sku: request.sku,
        locationId: request.locationId,
        zone: request.zone,
        onHand: 0,
        reserved: 0,
        allocated: 0,
        available: 0,
        fences: {},
      };
      this.commit(
        [
          {
            pool,
            type: request.type,
            delta: { ...noDelta(), onHand: change, available: change },
            context: request,
          },
        ],
        () => {
          if (request.locationType) pool.locationType = request.locationType;
          this.poolsByKey.set(key, pool);
        },
      );
      return structuredClone(pool);
    });
  }

  async setFence(request: FenceRequest): Promise<StockPool> {
    assertFence(request);
    return this.exclusive(() => {
      this.stats.attempts++;
      const pool = this.poolsByKey.get(poolKey(request.sku, request.locationId));
      if (!pool) {
        throw new ValidationError(`${request.locationId} holds no stock of ${request.sku} to fence`, {
          sku: request.sku,
          locationId: request.locationId,
        });
      }
      const change = request.units - (pool.fences[request.key]?.units ?? 0);
      if (change > pool.available) {
        this.stats.conditionFailures++;
        throw fenceRefused(request, pool.available);
      }
      const units = pool.fences[request.key]?.units ?? 0;
      this.commit(
        [
          {
            pool,
            type: 'fence',
            delta: { ...noDelta(), available: -change, fences: { [request.key]: change } },
            context: request,
          },
        ],
        () => {
          pool.fences[request.key] = { units, overflow: request.overflow };
        },
      );
      return structuredClone(pool);
    });
  }

  async dispatchTransfer(request: TransferRequest): Promise<Transfer> {
    assertTransfer(request);
    return this.exclusive(() => {
      this.stats.attempts++;
      const existing = this.transfers.get(request.transferId);
      if (existing) {
        this.stats.conditionFailures++;
        if (sameTransfer(existing, request)) return structuredClone(existing);
        throw new ReservationConflictError(
          `Transfer ${request.transferId} already exists for another SKU, route or quantity`,
        );
      }
      const source = this.poolsByKey.get(poolKey(request.sku, request.fromLocationId));
      const delta = { ...noDelta(), onHand: -request.quantity, available: -request.quantity };
      if (!source || !deltaFits(source, delta)) {
        this.stats.conditionFailures++;
        throw new OutOfStockError([request.sku]);
      }
      const transfer: Transfer = {
        transferId: request.transferId,
        sku: request.sku,
        fromLocationId: request.fromLocationId,
        toLocationId: request.toLocationId,
        quantity: request.quantity,
        status: 'in_transit',
        actor: request.actor,
        reason: request.reason,
        dispatchedAt: request.now.toISOString(),
      };
      this.commit(
        [
          {
            pool: source,
            type: 'transfer_out',
            delta,
            context: { ...request, reference: request.transferId },
          },
        ],
        () => this.transfers.set(transfer.transferId, transfer),
      );
      return structuredClone(transfer);
    });
  }

  async receiveTransfer(transferId: string, movement: Movement): Promise<Transfer> {
    return this.exclusive(() => {
      const transfer = this.transfers.get(transferId);
      if (!transfer) throw new TransferNotFoundError(`Transfer ${transferId} does not exist`, { transferId });
      if (transfer.status === 'received') return structuredClone(transfer);
      this.stats.attempts++;
      const key = poolKey(transfer.sku, transfer.toLocationId);
      const source = this.poolsByKey.get(poolKey(transfer.sku, transfer.fromLocationId));
      const destination: StockPool = this.poolsByKey.get(key) ?? {
        sku: transfer.sku,
        locationId: transfer.toLocationId,
        // Nothing here knows the destination's zone; a transfer rarely leaves its source's.
        zone: source?.zone ?? 'unknown',
        onHand: 0,
        reserved: 0,
        allocated: 0,
        available: 0,
        fences: {},
      };
      this.commit(
        [
          {
            pool: destination,
            type: 'transfer_in',
            delta: { ...noDelta(), onHand: transfer.quantity, available: transfer.quantity },
            context: { ...movement, reference: transferId },
          },
        ],
        () => this.poolsByKey.set(key, destination),
      );
      const received: Transfer = { ...transfer, status: 'received', receivedAt: movement.now.toISOString() };
      this.transfers.set(transferId, received);
      return structuredClone(received);
    });
  }

  async getTransfer(transferId: string): Promise<Transfer | undefined> {
    return this.exclusive(() => {
      const transfer = this.transfers.get(transferId);
      return transfer && structuredClone(transfer);
    });
  }

  async reserve(request: ReserveRequest): Promise<Reservation> {
    assertReservationId(request.reservationId);
    const lines = reservationLines(request.lines);
    return this.exclusive(() => {
      this.stats.attempts++;
      const existing = this.reservations.get(request.reservationId);
      if (existing) {
        this.stats.conditionFailures++;
        return resumeReservation(existing, lines, request);
      }
      const context = {
        actor: request.actor ?? { kind: 'checkout' as const, id: request.owner.checkoutId },
        reason: 'reserved',
        reference: request.reservationId,
        now: request.now,
      };
      this.commit(this.lineChanges(lines, 'pool', 'reserved', 'reservation', context));
      const reservation = heldReservation(request, lines);
      this.reservations.set(reservation.reservationId, reservation);
      return structuredClone(reservation);
    });
  }

  async get(reservationId: string): Promise<Reservation | undefined> {
    return this.exclusive(() => {
      const reservation = this.reservations.get(reservationId);
      return reservation && structuredClone(reservation);
    });
  }

  async allocate(reservationId: string, now: Date): Promise<Reservation> {
    return this.exclusive(() => {
      const reservation = this.mustGet(reservationId);
      if (reservation.status === 'allocated' || reservation.status === 'fulfilled') {
        return structuredClone(reservation);
      }
      this.stats.attempts++;
      const from = reservation.status === 'held' ? 'reserved' : 'pool';
      this.commit(
        this.lineChanges(openLines(reservation), from, 'allocated', 'allocation', {
          ...checkoutContext(reservation, 'paid', now),
        }),
      );
      const { releaseReason, ...rest } = reservation;
      const allocated: Reservation = { ...rest, status: 'allocated', updatedAt: now.toISOString() };
      this.reservations.set(reservationId, allocated);
      return structuredClone(allocated);
    });
  }

  async release(
    reservationId: string,
    reason: string,
    now: Date,
    options: ReleaseOptions = {},
  ): Promise<boolean> {
    return this.exclusive(() => {
      const reservation = this.mustGet(reservationId);
      if (reservation.status === 'released' || reservation.status === 'fulfilled') return false;
      if (options.ifExpired && (reservation.status !== 'held' || reservation.holdUntil > now.toISOString())) {
        return false;
      }
      if (options.ifHeld && reservation.status !== 'held') return false;
      this.stats.attempts++;
      this.commit(
        this.lineChanges(
          openLines(reservation),
          reservation.status === 'held' ? 'reserved' : 'allocated',
          'pool',
          'release',
          checkoutContext(reservation, reason, now),
        ),
      );
      this.reservations.set(reservationId, {
        ...reservation,
        status: 'released',
        releaseReason: reason,
        updatedAt: now.toISOString(),
      });
      return true;
    });
  }

  async fulfil(
    reservationId: string,
    movement: Movement,
    locationIds?: readonly string[],
  ): Promise<Reservation> {
    return this.exclusive(() => {
      const reservation = this.mustGet(reservationId);
      const targets = fulfilmentTargets(reservation, locationIds);
      if (reservation.status === 'fulfilled' || targets.length === 0) return structuredClone(reservation);
      if (reservation.status !== 'allocated') {
        throw new ReservationConflictError(
          `Reservation ${reservationId} is ${reservation.status}; only allocated stock can be fulfilled`,
        );
      }
      this.stats.attempts++;
      this.commit(
        this.lineChanges(targets, 'allocated', 'shipped', 'shipment', {
          ...movement,
          reference: movement.reference ?? reservationId,
        }),
      );
      const next = fulfilled(reservation, targets, movement.now);
      this.reservations.set(reservationId, next);
      return structuredClone(next);
    });
  }

  async ledger(
    sku: string,
    locationId: string,
    options: { after?: string; limit?: number } = {},
  ): Promise<LedgerPage> {
    const limit = ledgerLimit(options.limit);
    return this.exclusive(() => {
      const after = options.after;
      const entries = (this.ledgers.get(poolKey(sku, locationId)) ?? [])
        .map((entry) => ({ entry, position: ledgerPosition(entry) }))
        .filter(({ position }) => after === undefined || position > after)
        .sort((a, b) => compare(a.position, b.position));
      const page = entries.slice(0, limit);
      const last = page.at(-1);
      return {
        entries: page.map(({ entry }) => structuredClone(entry)),
        ...(entries.length > limit && last ? { next: last.position } : {}),
      };
    });
  }

  async expiredHolds(now: Date, limit: number): Promise<Reservation[]> {
    const at = now.toISOString();
    return this.exclusive(() =>
      [...this.reservations.values()]
        .filter((r) => r.status === 'held' && r.holdUntil <= at)
        .sort((a, b) => compare(a.holdUntil, b.holdUntil) || compare(a.reservationId, b.reservationId))
        .slice(0, limit)
        .map((r) => structuredClone(r)),
    );
  }

  /** Runs `work` after every operation called before it has finished. */
  private exclusive<T>(work: () => T): Promise<T> {
    const run = this.tail.then(work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private mustGet(reservationId: string): Reservation {
    const reservation = this.reservations.get(reservationId);
    if (!reservation) throw new ReservationNotFoundError(`Reservation ${reservationId} does not exist`);
    return reservation;
  }

  /**
   * The changes that move each line's units between two places.
   * @throws OutOfStockError naming every line whose pool cannot take its change, before anything moves
   */
  private lineChanges(
    lines: readonly ReservationLine[],
    from: LinePlace,
    to: LinePlace,
    type: MovementType,
    context: LedgerContext,
  ): PoolChange[] {
    const changes = lines.map((line) => ({
      line,
      pool: this.poolsByKey.get(poolKey(line.sku, line.locationId)),
      delta: lineDelta(line, from, to),
    }));
    const short = changes.filter(({ pool, delta }) => !deltaFits(pool, delta));
    if (short.length > 0) {
      this.stats.conditionFailures++;
      throw new OutOfStockError(short.map(({ line }) => line.sku));
    }
    return changes.map(({ pool, delta }) => ({ pool: pool as StockPool, type, delta, context }));
  }

  /**
   * Applies checked changes and appends their ledger entries. The entries are built first, so that one
   * the ledger refuses (a reason too long) leaves everything as it was; `prepare` then runs (a new pool
   * is stored, a fence created) before the counters move.
   */
  private commit(changes: readonly PoolChange[], prepare?: () => void): void {
    const entries = changes.map((change) =>
      ledgerEntry(change.pool, change.type, change.delta, change.context),
    );
    prepare?.();
    changes.forEach((change, i) => {
      applyDelta(change.pool, change.delta);
      const key = poolKey(change.pool.sku, change.pool.locationId);
      const ledger = this.ledgers.get(key) ?? [];
      ledger.push(entries[i] as LedgerEntry);
      this.ledgers.set(key, ledger);
    });
  }
}
