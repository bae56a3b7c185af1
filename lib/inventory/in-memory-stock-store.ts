import { ValidationError } from '../errors.ts';
import { OutOfStockError, ReservationNotFoundError, StockCommittedError } from './errors.ts';
import {
  assertReservationId,
  compare,
  heldReservation,
  poolKey,
  type Reservation,
  type ReservationLine,
  reservationLines,
  resumeReservation,
  type StockPool,
} from './stock.ts';
import type {
  ReleaseOptions,
  ReserveRequest,
  SetOnHandOptions,
  StockStore,
  StockStoreStats,
} from './stock-store.ts';

/**
 * A {@link StockStore} in memory, for unit tests of checkout and the local tools. Operations run one at
 * a time in call order, so each is atomic the way a DynamoDB transaction is.
 */
export class InMemoryStockStore implements StockStore {
  readonly stats: StockStoreStats = { attempts: 0, conflictRetries: 0, conditionFailures: 0 };
  private readonly poolsByKey = new Map<string, StockPool>();
  private readonly reservations = new Map<string, Reservation>();
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
    if (!Number.isInteger(onHand) || onHand < 0) {
      throw new ValidationError('On hand must be a non-negative integer', { onHand });
    }
    return this.exclusive(() => {
      const key = poolKey(sku, locationId);
      const existing = this.poolsByKey.get(key);
      const reserved = existing?.reserved ?? 0;
      const allocated = existing?.allocated ?? 0;
      if (onHand < reserved + allocated) {
        throw new StockCommittedError(
          `${sku} at ${locationId} has ${reserved + allocated} units committed; on hand cannot be ${onHand}`,
          { reserved, allocated },
        );
      }
      const locationType = options.locationType ?? existing?.locationType;
      const pool: StockPool = {
        sku,
        locationId,
        zone,
        ...(locationType ? { locationType } : {}),
        onHand,
        reserved,
        allocated,
        available: onHand - reserved - allocated,
      };
      this.poolsByKey.set(key, pool);
      return structuredClone(pool);
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
      this.takeAvailable(lines);
      for (const line of lines) {
        const pool = this.pool(line);
        pool.available -= line.quantity;
        pool.reserved += line.quantity;
      }
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
      if (reservation.status === 'allocated') return structuredClone(reservation);
      this.stats.attempts++;
      if (reservation.status === 'held') {
        for (const line of reservation.lines) {
          const pool = this.pool(line);
          pool.reserved -= line.quantity;
          pool.allocated += line.quantity;
        }
      } else {
        this.takeAvailable(reservation.lines);
        for (const line of reservation.lines) {
          const pool = this.pool(line);
          pool.available -= line.quantity;
          pool.allocated += line.quantity;
        }
      }
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
      if (reservation.status === 'released') return false;
      if (options.ifExpired && (reservation.status !== 'held' || reservation.holdUntil > now.toISOString())) {
        return false;
      }
      if (options.ifHeld && reservation.status !== 'held') return false;
      this.stats.attempts++;
      for (const line of reservation.lines) {
        const pool = this.pool(line);
        pool.available += line.quantity;
        if (reservation.status === 'held') pool.reserved -= line.quantity;
        else pool.allocated -= line.quantity;
      }
      this.reservations.set(reservationId, {
        ...reservation,
        status: 'released',
        releaseReason: reason,
        updatedAt: now.toISOString(),
      });
      return true;
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

  private pool(line: ReservationLine): StockPool {
    const pool = this.poolsByKey.get(poolKey(line.sku, line.locationId));
    if (!pool) throw new Error(`Pool ${line.sku} at ${line.locationId} vanished under a reservation`);
    return pool;
  }

  /** Checks every line before any pool changes, so a short line leaves all of them untouched. */
  private takeAvailable(lines: readonly ReservationLine[]): void {
    const short = lines.filter(
      (line) => (this.poolsByKey.get(poolKey(line.sku, line.locationId))?.available ?? 0) < line.quantity,
    );
    if (short.length > 0) {
      this.stats.conditionFailures++;
      throw new OutOfStockError(short.map((line) => line.sku));
    }
  }
}
