/**
 * How a first-come drop spreads its stock over DynamoDB items.
 *
 * One item lives on one partition, which takes at most 1,000 write capacity units a second (adaptive
 * capacity can isolate a hot item but cannot lift that ceiling). A claim is one TransactWriteItems (the
 * shard's `available >= :q` decrement plus the entry), and a transaction charges two WCU per item
 * (prepare and commit), so one shard takes at most 500 claims a second. A claim whose condition fails
 * costs its WCU all the same, so the losers that arrive before the sold-out flag is up, and the
 * fall-through probes to other shards, spend the same budget, and random shard picks land unevenly.
 * Shards are therefore sized for 400 claims a second each (80 % of the ceiling), the headroom taking
 * the probes and the unevenness. Figures: /work/shared/PERFORMANCE.md §1 and §9b; the drop simulator
 * (`lib/drops/simulator`) models the same limits.
 *
 * @module
 */
import type { Drop, DropAdmission } from './drop.ts';

/** Options of {@link shardCount} and {@link admissionFor}. */
export interface ShardOptions {
  /**
   * Claims a second one shard is planned to take.
   * @default 400
   */
  readonly perShardWritesPerSecond?: number;
  /**
   * Most shards per item: a single BatchGetItem (100 keys) reads them all, and a loser's fall-through
   * never probes more.
   * @default 100
   */
  readonly max?: number;
}

/** Claims a second a shard is planned to take by default; see the module comment. */
export const DEFAULT_PER_SHARD_WRITES_PER_SECOND = 400;
/** Most shards an item gets by default. */
export const DEFAULT_MAX_SHARDS = 100;

function assertInteger(name: string, value: number, min: number): void {
  if (!(Number.isInteger(value) && value >= min)) {
    throw new RangeError(`${name} must be an integer of at least ${min}, got ${value}`);
  }
}

function settings(options: ShardOptions): { perShard: number; max: number } {
  const perShard = options.perShardWritesPerSecond ?? DEFAULT_PER_SHARD_WRITES_PER_SECOND;
  const max = options.max ?? DEFAULT_MAX_SHARDS;
  if (!(Number.isFinite(perShard) && perShard > 0)) {
    throw new RangeError(`perShardWritesPerSecond must be a positive number, got ${perShard}`);
  }
  assertInteger('max', max, 1);
  return { perShard, max };
}

/**
 * The number of shards an item of `units` needs so that no shard takes more than
 * `perShardWritesPerSecond` claims at `expectedArrivalsPerSecond`: ⌈rate ÷ per-shard⌉, at least 1, at
 * most `max` and at most one per unit (a shard holds at least one unit).
 * @throws RangeError on a negative or non-finite rate, or units that are not a positive integer
 */
export function shardCount(
  expectedArrivalsPerSecond: number,
  units: number,
  options: ShardOptions = {},
): number {
  const { perShard, max } = settings(options);
  if (!(Number.isFinite(expectedArrivalsPerSecond) && expectedArrivalsPerSecond >= 0)) {
    throw new RangeError(
      `expectedArrivalsPerSecond must be a non-negative number, got ${expectedArrivalsPerSecond}`,
    );
  }
  assertInteger('units', units, 1);
  const needed = Math.ceil(expectedArrivalsPerSecond / perShard);
  return Math.max(1, Math.min(needed, max, units));
}

/**
 * Splits `units` over `shards` as evenly as possible; the first `units mod shards` shards get one more.
 * The parts always add up to `units`.
 * @throws RangeError unless units is a non-negative integer and shards a positive one
 */
export function splitUnits(units: number, shards: number): number[] {
  assertInteger('units', units, 0);
  assertInteger('shards', shards, 1);
  const base = Math.floor(units / shards);
  const extra = units % shards;
  return Array.from({ length: shards }, (_, i) => base + (i < extra ? 1 : 0));
}

/** Claims a second `shards` shards are planned to take together. */
export function shardCapacity(shards: number, options: ShardOptions = {}): number {
  return shards * settings(options).perShard;
}

/**
 * Whether entries are claimed inside the request (`direct`) or queued for an admitter (`queue`).
 * A draw drop is always direct: an entry is a conditional put on its own item and nothing is hot. A
 * first-come drop queues when its expected arrivals exceed what its shards serve, which happens when
 * an item's shard count was capped (by `max`, or by having few units). Every arrival may want the same
 * item, so the item with the least capacity decides.
 */
export function admissionFor(
  drop: Pick<Drop, 'mode' | 'expectedArrivalsPerSecond'> & {
    readonly items: readonly { readonly shards: number }[];
  },
  options: ShardOptions = {},
): DropAdmission {
  if (drop.mode === 'draw') return 'direct';
  const capacity = Math.min(...drop.items.map((item) => shardCapacity(item.shards, options)));
  return drop.expectedArrivalsPerSecond > capacity ? 'queue' : 'direct';
}

/**
 * The order a claim tries an item's shards in: a random first shard spreads concurrent claims, then
 * the others in turn, so that a claim finds the last units wherever they are.
 * @param random a float in [0, 1), `Math.random` unless a test pins it
 */
export function shardProbeOrder(shards: number, random: () => number = Math.random): number[] {
  assertInteger('shards', shards, 1);
  const r = random();
  // A source outside [0, 1) must not produce a shard that does not exist.
  const first = Number.isFinite(r) ? Math.min(shards - 1, Math.max(0, Math.floor(r * shards))) : 0;
  return Array.from({ length: shards }, (_, i) => (first + i) % shards);
}
