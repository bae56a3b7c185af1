/**
 * Below this many units of a pool's shared remainder the pool counts as low, unless the pool names its
 * own `lowStockThreshold`. Two, not zero: merchandisers want to hear before the last piece goes.
 */
export const DEFAULT_LOW_STOCK_THRESHOLD = 2;

/** The count of crossings the stock watch emits, and each region alarms on. */
export const LOW_STOCK_METRIC = 'LowStockCrossings';

/** The part of a stored pool the low-stock watch reads; the attribute names of the pool item. */
export interface PoolImage {
  readonly sku: string;
  readonly locationId: string;
  /** The shared remainder, what every channel may still sell. */
  readonly available: number;
  /** The pool's own threshold, set by merchandising on pieces that need an earlier warning. */
  readonly lowStockThreshold?: unknown;
}

/** One change of one pool, as a stream record carries it. */
export interface PoolChange {
  /** The stream record's id: a redelivered record carries the same id. */
  readonly eventId: string;
  /** Absent when the change created the pool. */
  readonly before?: PoolImage;
  /** Absent when the change removed the pool. */
  readonly after?: PoolImage;
}

/** A pool whose shared remainder went from at or above its threshold to below it. */
export interface LowStockCrossing {
  readonly eventId: string;
  readonly sku: string;
  readonly locationId: string;
  readonly threshold: number;
  /** The shared remainder before the change. */
  readonly before: number;
  /** The shared remainder after it. */
  readonly available: number;
  /** Nothing of the shared remainder is left. */
  readonly depleted: boolean;
}

/**
 * The threshold a pool is held to: its own `lowStockThreshold` when that is a non-negative integer
 * (zero turns the warning off), the default otherwise. A malformed value falls back rather than
 * silencing the warning.
 */
export function lowStockThreshold(image: PoolImage, fallback = DEFAULT_LOW_STOCK_THRESHOLD): number {
  const own = image.lowStockThreshold;
  return typeof own === 'number' && Number.isInteger(own) && own >= 0 ? own : fallback;
}

/**
 * Whether one change took a pool below its threshold. Only a downward crossing counts: a pool that is
 * already low and sells another piece, a restock, or a pool created low (nothing crossed) do not. The
 * threshold after the change applies to both sides, so raising a threshold alone is not a crossing.
 */
export function lowStockCrossing(
  change: PoolChange,
  fallback = DEFAULT_LOW_STOCK_THRESHOLD,
): LowStockCrossing | undefined {
  const { before, after } = change;
  if (!before || !after) return undefined;
  const threshold = lowStockThreshold(after, fallback);
  if (!(before.available >= threshold && after.available < threshold)) return undefined;
  return {
    eventId: change.eventId,
    sku: after.sku,
    locationId: after.locationId,
    threshold,
    before: before.available,
    available: after.available,
    depleted: after.available <= 0,
  };
}

/**
 * Ids seen lately, forgetting the oldest beyond `capacity`: enough to drop a stream batch that is
 * delivered again after a retry, with bounded memory in a long-lived function.
 */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    this.ids.delete(id);
    this.ids.add(id);
    // A Set iterates in insertion order, so its first entry is the oldest.
    while (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value as string;
      this.ids.delete(oldest);
    }
  }
}

/** Options of {@link lowStockCrossings}. */
export interface LowStockOptions {
  /** @default DEFAULT_LOW_STOCK_THRESHOLD */
  readonly defaultThreshold?: number;
  /**
   * Changes already counted by earlier calls; updated with this call's. Streams deliver at least once,
   * so without it a retried batch would count its crossings twice.
   * @default - a fresh set: only duplicates within `changes` are dropped
   */
  readonly seen?: RecentIds;
}

/** The crossings among a batch of changes, each stream record counted once however often it arrives. */
export function lowStockCrossings(
  changes: readonly PoolChange[],
  options: LowStockOptions = {},
): LowStockCrossing[] {
  const seen = options.seen ?? new RecentIds(Math.max(1, changes.length));
  const crossings: LowStockCrossing[] = [];
  for (const change of changes) {
    if (seen.has(change.eventId)) continue;
    seen.add(change.eventId);
    const crossing = lowStockCrossing(change, options.defaultThreshold);
    if (crossing) crossings.push(crossing);
  }
  return crossings;
}
