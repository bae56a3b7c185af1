import type {
  LedgerEntry,
  PoolLocationType,
  Reservation,
  ReservationLine,
  ReservationOwner,
  StockActor,
  StockPool,
  Transfer,
} from './stock.ts';

/** Who moved stock and why: recorded on every ledger entry the movement writes. */
export interface Movement {
  readonly actor: StockActor;
  readonly reason: string;
  /** What caused it, e.g. a reservation, transfer or drop id. */
  readonly reference?: string;
  readonly now: Date;
}

/** What {@link StockStore.reserve} takes. */
export interface ReserveRequest {
  /** Stable per checkout, so a retried checkout resumes its reservation instead of taking stock twice. */
  readonly reservationId: string;
  /** Lines naming the same pool are summed; at most 49 distinct pools (MAX_RESERVATION_POOLS). */
  readonly lines: readonly ReservationLine[];
  /** When the sweeper may give the stock back if the reservation is still unpaid. */
  readonly holdUntil: Date;
  readonly owner: ReservationOwner;
  readonly now: Date;
  /** Recorded on the ledger; @default { kind: 'checkout', id: owner.checkoutId } */
  readonly actor?: StockActor;
}

/**
 * What {@link StockStore.adjust} takes: either an absolute count (`onHand`, a stock take) or a signed
 * change (`by`, a receipt, return or correction). The change lands on the shared remainder.
 */
export interface AdjustRequest extends Movement {
  readonly sku: string;
  readonly locationId: string;
  /** The location's zone, recorded when the pool is created. */
  readonly zone: string;
  readonly locationType?: PoolLocationType;
  readonly type: 'receipt' | 'adjustment' | 'return';
  readonly onHand?: number;
  readonly by?: number;
}

/** What {@link StockStore.setFence} takes. */
export interface FenceRequest extends Movement {
  readonly sku: string;
  readonly locationId: string;
  /** A channel name or `dropFenceKey(dropId)`. */
  readonly key: string;
  /** The fence's new size; the difference moves between the fence and the shared remainder. */
  readonly units: number;
  /** Whether sales on this channel may draw on the shared remainder once the fence is empty. */
  readonly overflow: boolean;
}

/** What {@link StockStore.dispatchTransfer} takes. */
export interface TransferRequest extends Movement {
  /** Stable per request (derived from the Idempotency-Key) so a retry does not move stock twice. */
  readonly transferId: string;
  readonly sku: string;
  readonly fromLocationId: string;
  readonly toLocationId: string;
  readonly quantity: number;
}

/** A page of a pool's ledger, oldest first. */
export interface LedgerPage {
  readonly entries: LedgerEntry[];
  /** Pass back as `after` for the next page; absent on the last. */
  readonly next?: string;
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
 * pool conserved (`onHand = available + Σ fences + reserved + allocated`, nothing negative), is all or
 * nothing across the pools it touches, and writes one ledger entry per pool in the same atomic step.
 */
export interface StockStore {
  /** Every location's pool of each SKU (eventually consistent); SKUs without pools are absent. */
  pools(skus: readonly string[]): Promise<StockPool[]>;

  /**
   * Creates a pool or sets its on-hand count, keeping reserved and allocated units: an `adjustment`
   * by the system. Seeding and tests use it; staff go through {@link adjust}.
   * @throws StockCommittedError when `onHand` is below what is reserved, allocated or fenced
   */
  setOnHand(
    sku: string,
    locationId: string,
    zone: string,
    onHand: number,
    options?: SetOnHandOptions,
  ): Promise<StockPool>;

  /**
   * Receipts, returns, corrections and stock takes: changes on hand and the shared remainder by the
   * same amount, with a ledger entry, creating the pool if needed. Concurrent reservations are never
   * lost: the write is conditional on the counters it read. Answers the pool as the change left the
   * counters it read (movements that landed meanwhile are not in it).
   * @throws StockCommittedError when the change would take the shared remainder below zero
   * @throws ValidationError for neither or both of `onHand` and `by`, or a non-integer
   */
  adjust(request: AdjustRequest): Promise<StockPool>;

  /**
   * Sets a fence's size, moving the difference from or to the shared remainder. Answers the pool as
   * the change left the counters it read.
   * @throws StockCommittedError when the remainder lacks the units to grow the fence, or the fence
   * holds fewer free units than it would shrink by
   * @throws ValidationError for an unknown pool
   */
  setFence(request: FenceRequest): Promise<StockPool>;

  /**
   * Takes units off the source pool's shared remainder and on hand, into transit. Idempotent on the
   * transfer id (same request: the stored transfer; other lines: ReservationConflictError).
   * @throws OutOfStockError when the source lacks the units
   */
  dispatchTransfer(request: TransferRequest): Promise<Transfer>;

  /**
   * Puts an in-transit transfer's units on the destination's on hand and shared remainder, creating
   * the pool if needed. Idempotent once received.
   * @throws NotFoundError for an unknown transfer
   */
  receiveTransfer(transferId: string, movement: Movement): Promise<Transfer>;

  getTransfer(transferId: string): Promise<Transfer | undefined>;

  /**
   * Marks an allocated reservation's lines at the given locations (all when omitted) as gone: shipped
   * or collected. Their units leave `allocated` and `onHand` (a `shipment` movement). Idempotent per
   * line; the reservation becomes `fulfilled` once every line is.
   * @throws ReservationNotFoundError
   * @throws ReservationConflictError when the reservation is not allocated
   */
  fulfil(reservationId: string, movement: Movement, locationIds?: readonly string[]): Promise<Reservation>;

  /** A pool's ledger, oldest first, a page at a time (at most `limit`, default 100). */
  ledger(sku: string, locationId: string, options?: { after?: string; limit?: number }): Promise<LedgerPage>;

  /**
   * Holds every line's units in one atomic step, or none. Repeating a reservation with the same id and
   * lines answers the stored reservation without taking stock again.
   * @throws OutOfStockError naming the SKUs whose pools lack the units (or do not exist)
   * @throws ReservationConflictError when the id is taken by other lines or another owner
   * @throws ValidationError when the lines name more than 49 pools, or a fenced part exceeds its line
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
   * Gives a held or allocated reservation's units back where they came from (its fence, the shared
   * remainder); lines already fulfilled stay gone. Answers false, changing nothing,
   * when it is already released (or, with `ifExpired`, not an expired hold; with `ifHeld`, not held).
   * @throws ReservationNotFoundError
   */
  release(reservationId: string, reason: string, now: Date, options?: ReleaseOptions): Promise<boolean>;

  /** Held reservations whose hold passed at `now`, earliest first, at most `limit`. */
  expiredHolds(now: Date, limit: number): Promise<Reservation[]>;
}

/**
 * The adjustment {@link StockStore.setOnHand} stands for: a stock take by the system. Both stores
 * implement `setOnHand` with it, so seeding and tests leave the same ledger entries as staff do.
 */
export function setOnHandAdjustment(
  sku: string,
  locationId: string,
  zone: string,
  onHand: number,
  options: SetOnHandOptions = {},
): AdjustRequest {
  return {
    sku,
    locationId,
    zone,
    ...(options.locationType ? { locationType: options.locationType } : {}),
    type: 'adjustment',
    onHand,
    actor: { kind: 'system', id: 'set-on-hand' },
    reason: 'on hand set',
    now: new Date(),
  };
}
