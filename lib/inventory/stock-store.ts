import type { PoolLocationType, Reservation, ReservationLine, ReservationOwner, StockPool } from './stock.ts';

/** What {@link StockStore.reserve} takes. */
export interface ReserveRequest {
  /** Stable per checkout, so a retried checkout resumes its reservation instead of taking stock twice. */
  readonly reservationId: string;
  /** Lines naming the same pool are summed; at most 99 distinct pools. */
  readonly lines: readonly ReservationLine[];
  /** When the sweeper may give the stock back if the reservation is still unpaid. */
  readonly holdUntil: Date;
  readonly owner: ReservationOwner;
  readonly now: Date;
}

/** Options of {@link StockStore.setOnHand}. */
export interface SetOnHandOptions {
  /** Recorded on the pool so planning can prefer warehouses; kept as it was when omitted. */
  readonly locationType?: PoolLocationType;
}

/** Options of {@link StockStore.release}. */
export interface ReleaseOptions {
  /**
   * Release only a `held` reservation whose hold has passed at `now`, and answer false for any other.
   * The sweeper sets it: between listing expired holds and releasing one, a payment may have allocated
   * it, and a paid reservation must keep its stock.
   */
  readonly ifExpired?: boolean;
  /**
   * Release only a `held` reservation, and answer false for an allocated one. A declined attempt sets it:
   * the shopper's next attempt may have succeeded and allocated the units meanwhile, and its order must
   * keep them.
   */
  readonly ifHeld?: boolean;
}

/** Counters of the transactions a store ran, for load tests and metrics. */
export interface StockStoreStats {
  /** Transactions sent, retries included. */
  attempts: number;
  /** Transactions cancelled by contention and retried in place. */
  conflictRetries: number;
  /** Transactions cancelled because a condition failed (out of stock, a state changed). */
  conditionFailures: number;
}

/**
 * Stock pools and the reservations that move units between their counters. Every change keeps each
 * pool conserved (`onHand = available + reserved + allocated`, nothing negative) and is all or nothing
 * across the pools it touches.
 */
export interface StockStore {
  /** Every location's pool of each SKU (eventually consistent); SKUs without pools are absent. */
  pools(skus: readonly string[]): Promise<StockPool[]>;

  /**
   * Creates a pool or sets its on-hand count, keeping reserved and allocated units.
   * @throws StockCommittedError when `onHand` is below `reserved + allocated`
   */
  setOnHand(
    sku: string,
    locationId: string,
    zone: string,
    onHand: number,
    options?: SetOnHandOptions,
  ): Promise<StockPool>;

  /**
   * Holds every line's units in one atomic step, or none. Repeating a reservation with the same id and
   * lines answers the stored reservation without taking stock again.
   * @throws OutOfStockError naming the SKUs whose pools lack the units (or do not exist)
   * @throws ReservationConflictError when the id is taken by other lines or another owner
   * @throws ValidationError when the lines name more than 99 pools
   */
  reserve(request: ReserveRequest): Promise<Reservation>;

  get(reservationId: string): Promise<Reservation | undefined>;

  /**
   * Turns a paid reservation's units into allocated ones. Idempotent once allocated. A released
   * reservation (expired or cancelled before the payment arrived) takes its units again if they are
   * still available.
   * @throws OutOfStockError when a released reservation's units are gone; the payment must be refunded
   * @throws ReservationNotFoundError
   */
  allocate(reservationId: string, now: Date): Promise<Reservation>;

  /**
   * Gives a held or allocated reservation's units back to available. Answers false, changing nothing,
   * when it is already released (or, with `ifExpired`, not an expired hold; with `ifHeld`, not held).
   * @throws ReservationNotFoundError
   */
  release(reservationId: string, reason: string, now: Date, options?: ReleaseOptions): Promise<boolean>;

  /** Held reservations whose hold passed at `now`, earliest first, at most `limit`. */
  expiredHolds(now: Date, limit: number): Promise<Reservation[]>;
}
