import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { LocationDirectory } from '../commerce/ports.ts';
import { Sku } from '../contracts/catalog.ts';
import {
  ConflictError,
  NotFoundError,
  UnknownReferenceError,
  UnprocessableError,
  ValidationError,
} from '../errors.ts';
import { homeRegionOf } from '../inventory/home-region.ts';
import { type Channel, dropFenceKey } from '../inventory/stock.ts';
import type { StockStore } from '../inventory/stock-store.ts';
import { type Clock, domainEvent } from '../platform/domain-event.ts';
import { DEFAULT_TIER_WEIGHTS, newSeed, promoteFromWaitlist, runDraw } from './draw.ts';
import {
  type CreateDropRequest,
  type CustomerTier,
  type Drop,
  type DropEntry,
  type DropEntryRequest,
  DropEntryStatus,
  DropId,
  type DropView,
  dropItem,
  dropView,
  entrantKey,
  newDrop,
  type PublishedDraw,
  payByFor,
  paymentMethodKey,
  paymentMethodLimitOf,
  Sha256Hex,
} from './drop.ts';
import { assertMayEnter } from './eligibility.ts';
import { DropDrawn, DropEntryQueued } from './events.ts';
import { DropContentionError, type DropStore, type ShardPart } from './ports.ts';
import { shardProbeOrder } from './shards.ts';

/** How long a container trusts what it read of a drop (its sold-out flag, units left). */
export const DROP_CACHE_MILLIS = 1_000;
/**
 * A won hold expires this long after its `payBy`: a payment confirmed just before the deadline has
 * its order placed (and the entry marked purchased) a few seconds later, and must not lose the unit.
 */
export const HOLD_GRACE_MILLIS = 60_000;
/**
 * The draw runs this long after the window closes, so that entries written in the last instant are
 * visible in the (eventually consistent) index the draw reads.
 */
export const DRAW_SETTLE_MILLIS = 5_000;
/**
 * The admitter waits until the newest entry of a batch is this old before claiming, so that entries
 * which arrived earlier but committed later are in the index, and are claimed first.
 */
export const ADMIT_SETTLE_MILLIS = 2_000;
/** Queued entries this old were missed by their admission (a crash between put and claim): the scheduler claims them. */
export const STRAGGLER_MILLIS = 60_000;

/** What the drop use cases need. */
export interface DropDeps {
  readonly drops: DropStore;
  readonly stock: StockStore;
  readonly locations: LocationDirectory;
  readonly clock: Clock;
  /**
   * This container's short-lived view of drops.
   * @default - none: every call reads the store
   */
  readonly dropCache?: DropCache;
  /** @default Math.random */
  readonly random?: () => number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** There is no drop with this id. */
export class DropNotFoundError extends NotFoundError {}

/** The customer already has an entry in this drop; `details.entry` is where it stands. */
export class DropAlreadyEnteredError extends ConflictError {
  override readonly code = 'DROP_ALREADY_ENTERED';
  declare readonly details: { entry: DropEntryView };

  constructor(entry: DropEntry) {
    super(`You have already entered drop ${entry.dropId}`, { entry: entryView(entry) });
  }
}

/** The drop's pools lack the units to fence; nothing was fenced. */
export class DropStockUnavailableError extends ConflictError {
  override readonly code = 'DROP_STOCK_UNAVAILABLE';
}

/** A drop's items must share one home region: its shards and entries are written there. */
export class DropHomeRegionsDifferError extends UnprocessableError {
  override readonly code = 'DROP_HOME_REGIONS_DIFFER';
}

/** The customer holds no won entry in the drop (none, lost, waitlisted, expired). */
export class DropNotWonError extends ConflictError {
  override readonly code = 'DROP_NOT_WON';
}

/** The won entry is already bound to another checkout. */
export class DropHoldInUseError extends ConflictError {
  override readonly code = 'DROP_HOLD_IN_USE';
}

/** The drop has not been drawn (or is not a draw drop), so there is nothing to publish yet. */
export class DropNotDrawnError extends ConflictError {
  override readonly code = 'DROP_NOT_DRAWN';
}

/** The won entry's pay-by deadline has passed. */
export class DropHoldExpiredError extends ConflictError {
  override readonly code = 'DROP_HOLD_EXPIRED';
}

/** An entry as its owner sees it. `reason: sold_out`: the drop sold out before this customer entered. */
export const DropEntryView = z
  .strictObject({
    dropId: DropId,
    entrantKey: Sha256Hex.optional().describe('Find yourself in the published draw with it'),
    sku: Sku.optional().describe('Absent when the drop sold out before the customer entered'),
    quantity: z.number().int().optional(),
    status: DropEntryStatus,
    arrivedAt: z.iso.datetime().optional(),
    payBy: z.iso.datetime().optional().describe('Won: pay before this, or the units pass on'),
    checkoutId: z.string().optional(),
    drawRank: z.number().int().optional(),
    reason: z.enum(['sold_out']).optional(),
  })
  .meta({ id: 'DropEntryView' });
export type DropEntryView = z.infer<typeof DropEntryView>;

/** The owner's view of an entry. */
export function entryView(entry: DropEntry): DropEntryView {
  return {
    dropId: entry.dropId,
    entrantKey: entry.entrantKey,
    sku: entry.sku,
    quantity: entry.quantity,
    status: entry.status,
    arrivedAt: entry.arrivedAt,
    ...(entry.payBy && (entry.status === 'won' || entry.status === 'purchased')
      ? { payBy: entry.payBy }
      : {}),
    ...(entry.checkoutId ? { checkoutId: entry.checkoutId } : {}),
    ...(entry.drawRank !== undefined ? { drawRank: entry.drawRank } : {}),
  };
}

const soldOutView = (dropId: string, asked?: { sku: string; quantity: number }): DropEntryView => ({
  dropId,
  ...asked,
  status: 'lost',
  reason: 'sold_out',
});

/** The staff view of a drop: everything stored, the fence its units sit in, never the seed before the draw. */
export function dropStaffView(drop: Drop): Omit<Drop, 'seed'> & { fenceKey: string; seed?: string } {
  const { seed, ...rest } = drop;
  return { ...rest, fenceKey: dropFenceKey(drop.dropId), ...(seed && drop.drawnAt ? { seed } : {}) };
}

/**
 * A container's view of drops, trusted for {@link DROP_CACHE_MILLIS}: under a drop's burst every entry
 * needs the drop (window, sold-out flag), and one read a second per container keeps the drop item cool.
 * Concurrent misses share one read. What this container itself learns (it set the flag, a SKU ran out)
 * is remembered at once.
 */
export class DropCache {
  private readonly drops = new Map<string, { at: number; drop: Promise<Drop | undefined> }>();
  /** Units left per SKU; `complete` when every item was read together, not just one noted. */
  private readonly left = new Map<string, { at: number; units: Record<string, number>; complete: boolean }>();

  constructor(
    private readonly store: DropStore,
    private readonly clock: Clock,
    private readonly ttlMs = DROP_CACHE_MILLIS,
  ) {}

  get(dropId: string): Promise<Drop | undefined> {
    const now = this.clock.now().getTime();
    const hit = this.drops.get(dropId);
    if (hit && now - hit.at < this.ttlMs) return hit.drop;
    const forget = () => {
      if (this.drops.get(dropId)?.drop === drop) this.drops.delete(dropId);
    };
    const drop: Promise<Drop | undefined> = this.store.get(dropId).then(
      (found) => {
        // Only drops that exist are kept: one created a moment ago elsewhere must not 404 for a second.
        if (!found) forget();
        return found;
      },
      (error: unknown) => {
        forget();
        throw error;
      },
    );
    this.drops.set(dropId, { at: now, drop });
    return drop;
  }

  /** Units left per SKU of a first-come drop (sum of its shards). */
  async remaining(drop: Drop): Promise<Record<string, number>> {
    const now = this.clock.now().getTime();
    const hit = this.left.get(drop.dropId);
    if (hit?.complete && now - hit.at < this.ttlMs) return { ...hit.units };
    const units = await unitsLeft(this.store, drop);
    this.left.set(drop.dropId, { at: now, units, complete: true });
    return { ...units };
  }

  /** Units left of a SKU as last seen, while fresh. */
  knownLeft(dropId: string, sku: string): number | undefined {
    const hit = this.left.get(dropId);
    return hit && this.clock.now().getTime() - hit.at < this.ttlMs ? hit.units[sku] : undefined;
  }

  /** Records what this container just read of one SKU's shards. */
  noteLeft(dropId: string, sku: string, units: number): void {
    const now = this.clock.now().getTime();
    const hit = this.left.get(dropId);
    if (hit && now - hit.at < this.ttlMs) hit.units[sku] = units;
    else this.left.set(dropId, { at: now, units: { [sku]: units }, complete: false });
  }

  /** Records a drop as this container just changed it. */
  remember(drop: Drop): void {
    this.drops.set(drop.dropId, { at: this.clock.now().getTime(), drop: Promise.resolve(drop) });
  }
}

async function unitsLeft(store: DropStore, drop: Drop): Promise<Record<string, number>> {
  if (drop.mode !== 'first_come') return {};
  const perItem = await Promise.all(
    drop.items.map(async (item) => [item.sku, sum(await store.shardBalances(drop, item.sku))] as const),
  );
  return Object.fromEntries(perItem);
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

async function readDrop(deps: DropDeps, dropId: string): Promise<Drop> {
  const drop = DropId.safeParse(dropId).success
    ? await (deps.dropCache ? deps.dropCache.get(dropId) : deps.drops.get(dropId))
    : undefined;
  if (!drop) throw new DropNotFoundError(`No drop ${dropId}`);
  return drop;
}

/** The caller's idempotent operation (scope and `Idempotency-Key`), from which ids are derived. */
export interface Operation {
  readonly scope: string;
  readonly key: string;
}

/** The drop id an admin creation derives from its operation, so a retry after a crash resumes it. */
export function dropIdFor(operation: Operation): string {
  return `drp_${sha256(`drop\n${operation.scope}\n${operation.key}`).slice(0, 32)}`;
}

/**
 * Creates a drop: checks its locations share one home region, fences each item's units on its pool
 * (`dropFenceKey`, no overflow), then writes the drop and its shards. A pool that lacks the units undoes
 * the fences already set. Retried with the same operation, it resumes (fences are absolute sizes, the
 * drop id is derived) and answers the stored drop.
 * @throws DropStockUnavailableError, UnknownReferenceError, DropHomeRegionsDifferError, ValidationError
 */
export async function createDrop(
  deps: DropDeps,
  input: { readonly request: CreateDropRequest; readonly staffId: string; readonly operation: Operation },
): Promise<Drop> {
  const now = deps.clock.now();
  const dropId = dropIdFor(input.operation);
  const stored = await deps.drops.get(dropId);
  if (stored) return stored;

  const regions = new Set<string>();
  for (const locationId of new Set(input.request.items.map((item) => item.locationId))) {
    const location = await deps.locations.get(locationId);
    if (!location) throw new UnknownReferenceError(`Unknown location ${locationId}`, { locationId });
    regions.add(homeRegionOf(location));
  }
  if (regions.size > 1) {
    throw new DropHomeRegionsDifferError(
      'A drop’s items must be stocked in locations of one home region, where its entries are written',
      { regions: [...regions].sort() },
    );
  }
  const seed = input.request.mode === 'draw' ? newSeed() : undefined;
  const drop = newDrop(input.request, { dropId, now, ...(seed ? { seed } : {}) });

  const fenced: { sku: string; locationId: string }[] = [];
  const fence = (item: { sku: string; locationId: string }, units: number) =>
    deps.stock.setFence({
      sku: item.sku,
      locationId: item.locationId,
      key: dropFenceKey(dropId),
      units,
      overflow: false,
      actor: { kind: 'staff', id: input.staffId },
      reason: units > 0 ? 'drop created' : 'drop creation undone',
      reference: dropId,
      now,
    });
  for (const item of drop.items) {
    try {
      await fence(item, item.units);
      fenced.push(item);
    } catch (error) {
      if (!(error instanceof ConflictError || error instanceof ValidationError)) throw error;
      await Promise.all(fenced.map((done) => fence(done, 0)));
      throw new DropStockUnavailableError(
        `${item.sku} at ${item.locationId} lacks ${item.units} free units for the drop`,
        { sku: item.sku, locationId: item.locationId, units: item.units },
      );
    }
  }
  const { drop: written } = await deps.drops.create(drop, seed ? { seed } : {});
  deps.dropCache?.remember(written);
  return written;
}

/** The public view of a drop; with `caller`, their eligibility. */
export async function getDropView(
  deps: DropDeps,
  input: {
    readonly dropId: string;
    readonly caller?: { readonly tier: CustomerTier; readonly channel: Channel };
  },
): Promise<DropView> {
  const drop = await readDrop(deps, input.dropId);
  const remaining =
    drop.mode === 'first_come'
      ? deps.dropCache
        ? await deps.dropCache.remaining(drop)
        : await unitsLeft(deps.drops, drop)
      : undefined;
  return dropView(drop, {
    now: deps.clock.now(),
    ...(remaining ? { remaining } : {}),
    ...(input.caller ? { caller: input.caller } : {}),
  });
}

/** What a customer brings to {@link enterDrop}. */
export interface EnterDropInput {
  readonly dropId: string;
  readonly sub: string;
  readonly tier: CustomerTier;
  /** The customer's residency zone, where their checkout will live. */
  readonly zone: string;
  readonly request: DropEntryRequest;
  readonly operation: Operation;
}

function soldOutFor(deps: DropDeps, drop: Drop, sku: string): boolean {
  return drop.mode === 'first_come' && (drop.soldOut || deps.dropCache?.knownLeft(drop.dropId, sku) === 0);
}

/**
 * Enters a customer in a drop, once. Eligibility first (window, tier, channel, SKU, limit); then:
 * - first come, sold out (as this container knows it): `lost` without writing anything;
 * - first come, direct admission: one transaction writes the entry `won` with a shard's units; when
 *   that shard is short, the entry is put `queued` and claimed from the others at once (`won` or `lost`);
 * - first come, queue admission: the entry is put `queued` with its DropEntryQueued event (answer 202);
 * - draw: the entry is put `entered`.
 * Retried with the same operation after a crash, it resumes the stored entry.
 * @throws DropAlreadyEnteredError, DropNotFoundError and the errors of `assertMayEnter`
 */
export async function enterDrop(deps: DropDeps, input: EnterDropInput): Promise<DropEntryView> {
  const now = deps.clock.now();
  const drop = await readDrop(deps, input.dropId);
  const { sku, quantity, channel } = input.request;
  assertMayEnter(drop, { sku, quantity, channel, tier: input.tier, now });
  const key = entrantKey(drop.dropId, input.sub);

  if (soldOutFor(deps, drop, sku)) {
    const existing = await deps.drops.getEntry(drop.dropId, key);
    if (!existing) return soldOutView(drop.dropId, { sku, quantity });
    const settled =
      existing.status === 'queued'
        ? ((await deps.drops.markLost(drop, existing, now)) ?? existing)
        : existing;
    throw new DropAlreadyEnteredError(settled);
  }

  const entry: DropEntry = {
    entrantKey: key,
    dropId: drop.dropId,
    sku,
    quantity,
    zone: input.zone,
    tier: input.tier,
    status: drop.mode === 'draw' ? 'entered' : 'queued',
    arrivedAt: now.toISOString(),
  };
  const requestKey = sha256(`${input.operation.scope}\n${input.operation.key}`);
  if (drop.mode === 'first_come' && drop.admission === 'direct') {
    return entryView(await enterDirect(deps, drop, entry, requestKey, now));
  }
  const queued = drop.mode === 'first_come' && drop.admission === 'queue';
  const added = await deps.drops.addEntry(drop, entry, {
    requestKey,
    ...(queued
      ? {
          event: domainEvent(
            DropEntryQueued,
            { dropId: drop.dropId, entrantKey: key, sku, quantity, arrivedAt: entry.arrivedAt },
            {
              eventId: `drop:${drop.dropId}:entry:${key}:queued`,
              correlationId: drop.dropId,
              occurredAt: now,
            },
          ),
        }
      : {}),
  });
  if (!added.added && !added.sameRequest) throw new DropAlreadyEnteredError(added.existing);
  return entryView(added.added ? added.entry : added.existing);
}

/**
 * A direct first-come entry. Its first claim writes the entry `won` with the first probed shard's units
 * in one transaction, so a shopper who finds units costs one write, not a put then a claim. Only when
 * that shard is short is the entry put `queued` and claimed from the shards' balances (the fullest,
 * else the remainder over several, else `lost`); when it was too contended to answer, the other shards
 * are probed first. An entry already there is resumed
 * (this request wrote it) or refused, as a second entry is.
 */
async function enterDirect(
  deps: DropDeps,
  drop: Drop,
  entry: DropEntry,
  requestKey: string,
  now: Date,
): Promise<DropEntry> {
  const [first = 0, ...others] = shardProbeOrder(shardsOf(drop, entry.sku), deps.random ?? Math.random);
  // A short shard means the drop is running out: the balances say at once where units are left, where
  // probing the other shards one by one would cost a transaction each, most of them refused.
  let rest: readonly number[] = [];
  try {
    const outcome = await deps.drops.enterAndClaim(drop, entry, {
      shard: first,
      payBy: payByFor(drop, now),
      now,
      requestKey,
    });
    if (outcome.kind === 'won') return outcome.entry;
    if (outcome.kind === 'exists') return resumeEntry(deps, drop, outcome, now);
  } catch (error) {
    if (!(error instanceof DropContentionError)) throw error;
    // Nothing was written, and a contended shard is not a short one: it is probed again, last, so a
    // claim that finds no units elsewhere fails on contention instead of calling the drop sold out.
    rest = [...others, first];
  }
  const added = await deps.drops.addEntry(drop, entry, { requestKey });
  if (!added.added) return resumeEntry(deps, drop, added, now);
  return claimEntry(deps, drop, added.entry, now, rest);
}

/** The customer's entry was there already: this request's own is resumed, anyone else's refused. */
async function resumeEntry(
  deps: DropDeps,
  drop: Drop,
  found: { readonly existing: DropEntry; readonly sameRequest: boolean },
  now: Date,
): Promise<DropEntry> {
  if (!found.sameRequest) throw new DropAlreadyEnteredError(found.existing);
  return found.existing.status === 'queued' ? claimEntry(deps, drop, found.existing, now) : found.existing;
}

function shardsOf(drop: Drop, sku: string): number {
  const item = dropItem(drop, sku);
  if (!item || item.shards < 1) throw new Error(`Drop ${drop.dropId} has no shards for ${sku}`);
  return item.shards;
}

/** Takes `quantity` from the fullest shards first. */
function splitOver(balances: readonly number[], quantity: number): ShardPart[] {
  const parts: ShardPart[] = [];
  let left = quantity;
  const fullest = balances.map((units, shard) => ({ shard, units })).sort((a, b) => b.units - a.units);
  for (const { shard, units } of fullest) {
    if (left <= 0 || units <= 0) break;
    const take = Math.min(units, left);
    parts.push({ shard, units: take });
    left -= take;
  }
  return left > 0 ? [] : parts;
}

/**
 * Claims a queued entry's units: `shards` in turn (by default a random shard, then the others); if each
 * alone is short, the remainder spread over several; if nothing is left, the entry is lost, and once
 * every item is out the drop is flagged sold out. Answers the entry as decided.
 */
async function claimEntry(
  deps: DropDeps,
  drop: Drop,
  entry: DropEntry,
  now: Date,
  shards?: readonly number[],
): Promise<DropEntry> {
  const probe = shards ?? shardProbeOrder(shardsOf(drop, entry.sku), deps.random ?? Math.random);
  const payBy = payByFor(drop, now);
  if (!soldOutFor(deps, drop, entry.sku)) {
    // No shard left to probe one by one (a first shard was short): straight to the balances.
    const outcome =
      probe.length > 0 ? await deps.drops.claim(drop, entry, { shards: probe, payBy, now }) : undefined;
    if (outcome?.kind === 'won') return outcome.entry;
    if (outcome?.kind === 'decided') return outcome.entry ?? entry;
    for (let attempt = 0; attempt < 3; attempt++) {
      const balances = await deps.drops.shardBalances(drop, entry.sku);
      const left = sum(balances);
      deps.dropCache?.noteLeft(drop.dropId, entry.sku, left);
      if (left === 0) {
        await flagIfSoldOut(deps, drop, entry.sku);
        break;
      }
      const parts = splitOver(balances, entry.quantity);
      if (parts.length === 0) break;
      const split = await deps.drops.claimParts(drop, entry, { parts, payBy, now });
      if (split.kind === 'won') return split.entry;
      if (split.kind === 'decided') return split.entry ?? entry;
    }
  }
  return (await deps.drops.markLost(drop, entry, now)) ?? entry;
}

/** Sets the drop's sold-out flag once every one of its items has nothing left. */
async function flagIfSoldOut(deps: DropDeps, drop: Drop, emptySku: string): Promise<void> {
  const others = drop.items.filter((item) => item.sku !== emptySku);
  const left = await Promise.all(
    others.map(async (item) => sum(await deps.drops.shardBalances(drop, item.sku))),
  );
  if (left.some((units) => units > 0)) return;
  await deps.drops.setSoldOut(drop.dropId, true);
  deps.dropCache?.remember({ ...drop, soldOut: true });
}

/**
 * The caller's entry. A customer without one on a sold-out first-come drop is told `lost`, as the
 * entry they would have made was.
 * @throws DropNotFoundError for an unknown drop, or no entry
 */
export async function myDropEntry(
  deps: DropDeps,
  input: { readonly dropId: string; readonly sub: string },
): Promise<DropEntryView> {
  const drop = await readDrop(deps, input.dropId);
  const entry = await deps.drops.getEntry(drop.dropId, entrantKey(drop.dropId, input.sub));
  if (entry) return entryView(entry);
  if (drop.mode === 'first_come' && drop.soldOut) return soldOutView(drop.dropId);
  throw new NotFoundError(`You have no entry in drop ${drop.dropId}`);
}

/** A queued entry to admit, as its DropEntryQueued event names it. */
export interface QueuedEntryRef {
  readonly dropId: string;
  readonly entrantKey: string;
  readonly arrivedAt: string;
}

/**
 * The admitter: claims queued entries in arrival order. Per drop, it waits until the batch's newest
 * arrival is {@link ADMIT_SETTLE_MILLIS} old, adds any still-queued entry that arrived before it (one
 * that committed late and sits further back in the queue), and claims them all oldest first. An entry
 * already decided is skipped, so redeliveries are harmless. Answers the indexes of `refs` that failed;
 * once one fails, the later ones of its drop are reported failed too, so that no later arrival is
 * claimed before it.
 */
export async function admitQueuedEntries(
  deps: DropDeps,
  refs: readonly QueuedEntryRef[],
  options: { readonly settleMs?: number } = {},
): Promise<{ failed: number[] }> {
  const settleMs = options.settleMs ?? ADMIT_SETTLE_MILLIS;
  const failed: number[] = [];
  const byDrop = new Map<string, number[]>();
  refs.forEach((ref, index) => {
    byDrop.set(ref.dropId, [...(byDrop.get(ref.dropId) ?? []), index]);
  });
  for (const [dropId, indexes] of byDrop) {
    let drop: Drop;
    try {
      drop = await readDrop(deps, dropId);
    } catch (error) {
      // An unknown drop has no entries to claim; anything else is retried.
      if (!(error instanceof DropNotFoundError)) failed.push(...indexes);
      continue;
    }
    const batch = indexes.map((index) => ({ ...(refs[index] as QueuedEntryRef), index }));
    const newest = batch.reduce((latest, ref) => (ref.arrivedAt > latest ? ref.arrivedAt : latest), '');
    // Once sold out, every entry is lost whatever its place: no need to wait for late arrivals.
    const wait = drop.soldOut
      ? 0
      : Math.min(settleMs, Date.parse(newest) + settleMs - deps.clock.now().getTime());
    if (wait > 0) await (deps.sleep ?? defaultSleep)(wait);

    const candidates = new Map<string, { arrivedAt: string; index?: number }>();
    if (!drop.soldOut) {
      for (const late of await deps.drops.queuedEntries(drop, newest, 100)) {
        candidates.set(late.entrantKey, { arrivedAt: late.arrivedAt });
      }
    }
    for (const ref of batch) candidates.set(ref.entrantKey, { arrivedAt: ref.arrivedAt, index: ref.index });
    const ordered = [...candidates.entries()].sort(
      ([ka, a], [kb, b]) => compare(a.arrivedAt, b.arrivedAt) || compare(ka, kb),
    );
    let broken = false;
    for (const [key, candidate] of ordered) {
      if (broken) {
        if (candidate.index !== undefined) failed.push(candidate.index);
        continue;
      }
      try {
        await admitOne(deps, drop, key);
      } catch {
        broken = true;
        if (candidate.index !== undefined) failed.push(candidate.index);
      }
    }
  }
  return { failed: failed.sort((a, b) => a - b) };
}

async function admitOne(deps: DropDeps, drop: Drop, key: string): Promise<void> {
  const entry = await deps.drops.getEntry(drop.dropId, key);
  if (entry?.status !== 'queued') return;
  const current = deps.dropCache ? ((await deps.dropCache.get(drop.dropId)) ?? drop) : drop;
  await claimEntry(deps, current, entry, deps.clock.now());
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Runs `task` over `items` with at most `limit` in flight. */
async function inParallel<T>(items: readonly T[], limit: number, task: (item: T) => Promise<unknown>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** What one draw run did. */
export interface DrawReport {
  readonly dropId: string;
  readonly winners: number;
  readonly waitlisted: number;
  /** False when an earlier run had already revealed the draw. */
  readonly revealed: boolean;
}

/**
 * Draws a closed draw drop: every entry (read from the drop's index, all pages), per item the
 * committed seed's weighted draw, winners `won` with their pay-by, the rest `waitlisted` with their
 * rank, then the seed revealed on the drop (once, with DropDrawn). Re-running after a crash redraws
 * the same outcome and only writes what is missing.
 */
export async function runDropDraw(deps: DropDeps, drop: Drop): Promise<DrawReport> {
  const now = deps.clock.now();
  const seed = await deps.drops.seedOf(drop.dropId);
  if (!seed || !drop.seedHash) throw new Error(`Drop ${drop.dropId} has no committed seed`);
  const entries = await deps.drops.listEntries(drop);
  const payBy = payByFor(drop, now);
  let winners = 0;
  let waitlisted = 0;
  for (const item of drop.items) {
    const mine = entries.filter((entry) => entry.sku === item.sku);
    const byKey = new Map(mine.map((entry) => [entry.entrantKey, entry]));
    const result = runDraw({
      seed,
      units: item.units,
      entries: mine.map(({ entrantKey: key, tier, quantity }) => ({ entrantKey: key, tier, quantity })),
    });
    winners += result.winners.length;
    waitlisted += result.waitlist.length;
    await inParallel(result.ranked, 16, async (ranked) => {
      const entry = byKey.get(ranked.entrantKey);
      if (entry?.status !== 'entered') return;
      await deps.drops.recordDraw(
        drop,
        entry,
        ranked.outcome === 'won'
          ? { status: 'won', drawRank: ranked.rank, payBy }
          : { status: 'waitlisted', drawRank: ranked.rank },
      );
    });
  }
  const event = domainEvent(
    DropDrawn,
    { dropId: drop.dropId, seedHash: drop.seedHash, seed, drawnAt: now.toISOString(), winners, waitlisted },
    { eventId: `drop:${drop.dropId}:drawn`, correlationId: drop.dropId, occurredAt: now },
  );
  const revealed = await deps.drops.revealDraw(drop, seed, now, event);
  return { dropId: drop.dropId, winners, waitlisted, revealed };
}

/**
 * Everything needed to re-run a revealed draw, per item (see `verifyDraw`): the seed, its commitment,
 * the weights, the entry list (entrant keys, tiers, quantities) and the outcome as recorded, entrant
 * keys in rank order. The outcome is rebuilt from the ranks stored at the draw (units handed out in rank
 * order, an entry that no longer fits passed over), not by drawing again, so that verifying it proves
 * something.
 * @throws DropNotFoundError; ConflictError before the draw
 */
export async function publishedDraws(
  deps: Pick<DropDeps, 'drops'>,
  dropId: string,
): Promise<PublishedDraw[]> {
  const drop = await deps.drops.get(dropId);
  if (!drop) throw new DropNotFoundError(`No drop ${dropId}`);
  if (!drop.seed || !drop.drawnAt || !drop.seedHash) {
    throw new DropNotDrawnError(`Drop ${dropId} has not been drawn yet`, { dropId });
  }
  const entries = await deps.drops.listEntries(drop);
  return drop.items.map((item) => {
    const ranked = entries
      .filter((entry) => entry.sku === item.sku && entry.drawRank !== undefined)
      .sort((a, b) => (a.drawRank ?? 0) - (b.drawRank ?? 0));
    const winners: string[] = [];
    const waitlist: string[] = [];
    let left = item.units;
    for (const entry of ranked) {
      if (entry.quantity <= left) {
        left -= entry.quantity;
        winners.push(entry.entrantKey);
      } else waitlist.push(entry.entrantKey);
    }
    return {
      dropId: drop.dropId,
      sku: item.sku,
      seedHash: drop.seedHash as string,
      seed: drop.seed as string,
      units: item.units,
      tierWeights: { ...DEFAULT_TIER_WEIGHTS },
      entries: entries
        .filter((entry) => entry.sku === item.sku)
        .map(({ entrantKey: key, tier, quantity }) => ({ entrantKey: key, tier, quantity })),
      winners,
      waitlist,
    };
  });
}

/** What one sweep of a drop's holds did. */
export interface HoldSweepReport {
  readonly expired: number;
  /** Waitlisted entries that received an expired hold's units (draw). */
  readonly promoted: number;
  /** Units put back on shards (first come). */
  readonly returned: number;
}

/**
 * Expires won entries still unpaid {@link HOLD_GRACE_MILLIS} after their pay-by, and passes their
 * units on in the same transaction: to the next waitlisted entries that fit, in draw-rank order
 * (draw), or back to the shard they came from, clearing the sold-out flag (first come). A hold paid
 * meanwhile is left alone (the write is conditional on the entry still being that won hold).
 */
export async function sweepExpiredDropHolds(deps: DropDeps, drop: Drop): Promise<HoldSweepReport> {
  const now = deps.clock.now();
  const due = await deps.drops.dueHolds(drop, new Date(now.getTime() - HOLD_GRACE_MILLIS), 100);
  let expired = 0;
  let promoted = 0;
  let returned = 0;
  for (const entry of due) {
    if (drop.mode === 'first_come') {
      if (await deps.drops.expireHold(drop, entry, { kind: 'shard', shard: entry.shard ?? 0 }, now)) {
        expired++;
        returned += entry.quantity;
      }
      continue;
    }
    const promote = promoteFromWaitlist(await deps.drops.waitlist(drop, entry.sku, 100), entry.quantity);
    if (
      await deps.drops.expireHold(drop, entry, { kind: 'waitlist', promote, payBy: payByFor(drop, now) }, now)
    ) {
      expired++;
      promoted += promote.length;
    }
  }
  if (returned > 0) deps.dropCache?.remember({ ...drop, soldOut: false });
  return { expired, promoted, returned };
}

/** What one scheduler run did, over every active drop. */
export interface DropSchedulerReport {
  readonly drops: number;
  readonly drawn: number;
  readonly admitted: number;
  readonly expired: number;
  readonly promoted: number;
  readonly returned: number;
  readonly settled: number;
  /** Unsold units that settled drops gave back to their pools' shared stock. */
  readonly released: number;
  readonly failed: number;
}

/**
 * A finished drop's fences give their units back to the shared stock: every won unit was paid for (its
 * checkout took it out of the fence) or passed on, so what is left was never sold and must not stay
 * ring-fenced for a drop that is over. Setting a fence to zero again changes nothing, so a settle that
 * failed after this step releases nothing twice. Answers the units released.
 */
async function releaseDropFences(
  deps: DropDeps,
  drop: Drop,
  now: Date,
  why = 'drop settled: unsold units back to shared stock',
): Promise<number> {
  const key = dropFenceKey(drop.dropId);
  let released = 0;
  for (const item of drop.items) {
    const [pool] = (await deps.stock.pools([item.sku])).filter((p) => p.locationId === item.locationId);
    const units = pool?.fences[key]?.units ?? 0;
    if (units === 0) continue;
    await deps.stock.setFence({
      sku: item.sku,
      locationId: item.locationId,
      key,
      units: 0,
      overflow: false,
      actor: { kind: 'drop', id: drop.dropId },
      reason: why,
      reference: drop.dropId,
      now,
    });
    released += units;
  }
  return released;
}

/**
 * How long after settling a drop's fence is still swept for pieces that came back: longer than the
 * return window and the pickup deadline, after which an order is no longer cancelled.
 */
export const SETTLED_SWEEP_DAYS = 60;

/** Later than any pay-by or arrival; ISO text of a four-digit year, so it sorts after every key. */
const END_OF_TIME = new Date('9999-12-31T23:59:59.999Z');

/**
 * The drops scheduler (every minute): per active drop, draws a draw drop whose window closed (and
 * reveals its seed), claims first-come entries left queued too long, expires unpaid holds and passes
 * their units on, and settles a drop with nothing left to do. A drop that fails is logged by the caller
 * through `failed` and retried on the next run; the others go on.
 */
export async function runDropScheduler(
  deps: DropDeps,
  options: { readonly onError?: (dropId: string, error: unknown) => void } = {},
): Promise<DropSchedulerReport> {
  const report = {
    drops: 0,
    drawn: 0,
    admitted: 0,
    expired: 0,
    promoted: 0,
    returned: 0,
    settled: 0,
    released: 0,
    failed: 0,
  };
  for (let drop of await deps.drops.activeDrops()) {
    report.drops++;
    try {
      const now = deps.clock.now();
      const closed = now.getTime() >= Date.parse(drop.window.closesAt);
      if (
        drop.mode === 'draw' &&
        !drop.drawnAt &&
        now.getTime() >= Date.parse(drop.window.closesAt) + DRAW_SETTLE_MILLIS
      ) {
        await runDropDraw(deps, drop);
        report.drawn++;
        drop = (await deps.drops.get(drop.dropId)) ?? drop;
      }
      if (drop.mode === 'first_come') {
        const stale = new Date(now.getTime() - STRAGGLER_MILLIS).toISOString();
        for (const straggler of await deps.drops.queuedEntries(drop, stale, 100)) {
          await admitOne(deps, drop, straggler.entrantKey);
          report.admitted++;
        }
      }
      const swept = await sweepExpiredDropHolds(deps, drop);
      report.expired += swept.expired;
      report.promoted += swept.promoted;
      report.returned += swept.returned;
      const finished = drop.mode === 'draw' ? drop.drawnAt !== undefined : closed;
      if (
        finished &&
        (await deps.drops.dueHolds(drop, END_OF_TIME, 1)).length === 0 &&
        (await deps.drops.queuedEntries(drop, END_OF_TIME.toISOString(), 1)).length === 0
      ) {
        report.released += await releaseDropFences(deps, drop, now);
        await deps.drops.settle(drop.dropId, now);
        report.settled++;
      }
    } catch (error) {
      report.failed++;
      options.onError?.(drop.dropId, error);
    }
  }
  // A piece of a finished drop that comes back (its order cancelled or refunded after the drop settled)
  // is released into the drop's fence, where nobody could buy it: it goes on to the shared stock.
  const since = new Date(deps.clock.now().getTime() - SETTLED_SWEEP_DAYS * 86_400_000);
  for (const drop of await deps.drops.settledDrops(since)) {
    try {
      report.released += await releaseDropFences(deps, drop, deps.clock.now(), 'refunded after the drop');
    } catch (error) {
      report.failed++;
      options.onError?.(drop.dropId, error);
    }
  }
  return report;
}

/**
 * A paid order took the entry's units: `won` (or `expired`, when the payment beat the sweeper to the
 * stock) becomes `purchased`. Idempotent. Answers the entry as it stands, undefined for none.
 */
export async function markEntryPurchased(
  deps: Pick<DropDeps, 'drops' | 'clock'>,
  dropId: string,
  key: string,
): Promise<DropEntry | undefined> {
  const drop = await deps.drops.get(dropId);
  if (!drop) return undefined;
  return deps.drops.markPurchased(drop, key, deps.clock.now());
}

/** How a drop order's payment method stands against the drop's per-payment-method limit. */
export type DropPaymentMethodVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly used: number; readonly limit: number };

/**
 * Counts a drop order's units against its payment method (by card fingerprint) before the order is
 * placed, so one card cannot buy for several accounts past the drop's `perPaymentMethodLimit`. Counted
 * once per entrant: the same order's events, delivered again or concurrently, get the first answer.
 * Counts are never given back (a refunded piece does not free its card for another account).
 * A payment without a fingerprint (a method that has none) and a drop that no longer exists pass.
 */
export async function claimDropPaymentMethod(
  deps: { readonly drops: Pick<DropStore, 'get' | 'claimPaymentMethod'> },
  input: {
    readonly dropId: string;
    readonly sub: string;
    readonly fingerprint: string | undefined;
    readonly units: number;
  },
): Promise<DropPaymentMethodVerdict> {
  if (input.fingerprint === undefined) return { allowed: true };
  const drop = await deps.drops.get(input.dropId);
  if (!drop) return { allowed: true };
  const limit = paymentMethodLimitOf(drop);
  const claim = await deps.drops.claimPaymentMethod(drop, {
    methodKey: paymentMethodKey(drop.dropId, input.fingerprint),
    entrantKey: entrantKey(drop.dropId, input.sub),
    units: input.units,
    limit,
  });
  return claim.allowed ? { allowed: true } : { allowed: false, used: claim.used, limit };
}

/**
 * A winner's checkout whose payment was refused and voided gives the hold back to the winner: the entry
 * stays `won` until its pay-by and a new checkout may bind it. Idempotent.
 */
export async function releaseDropHold(
  deps: { readonly drops: Pick<DropStore, 'get' | 'unbindCheckout'> },
  input: { readonly dropId: string; readonly sub: string; readonly checkoutId: string },
): Promise<DropEntry | undefined> {
  const drop = await deps.drops.get(input.dropId);
  if (!drop) return undefined;
  return deps.drops.unbindCheckout(drop, entrantKey(drop.dropId, input.sub), input.checkoutId);
}

/** What a checkout reserves for a drop winner: the won units, from the drop's fence, held until pay-by. */
export interface DropHold {
  readonly lines: { sku: string; quantity: number }[];
  readonly fenceKey: string;
  readonly locationId: string;
  readonly holdUntil: string;
}

function holdOf(drop: Drop, entry: DropEntry): DropHold {
  const item = dropItem(drop, entry.sku);
  if (!item || !entry.payBy)
    throw new Error(`Entry ${entry.entrantKey} of drop ${drop.dropId} is inconsistent`);
  return {
    lines: [{ sku: entry.sku, quantity: entry.quantity }],
    fenceKey: dropFenceKey(drop.dropId),
    locationId: item.locationId,
    holdUntil: entry.payBy,
  };
}

/**
 * Binds a customer's won entry to a checkout (conditional: one checkout per hold; the same checkout
 * again resumes) and answers what to reserve. `accept` sees the hold before it is bound and refuses it
 * by throwing (a cart that is not the won units): a checkout refused after binding would leave the
 * hold in use, and the shopper's next attempt, under another key, could never take it.
 * @throws DropNotFoundError, DropNotWonError, DropHoldInUseError, DropHoldExpiredError, what `accept` throws
 */
export async function dropHoldForCheckout(
  deps: { readonly drops: Pick<DropStore, 'get' | 'getEntry' | 'bindCheckout'> },
  input: {
    readonly dropId: string;
    readonly sub: string;
    readonly checkoutId: string;
    readonly now: Date;
    readonly accept?: (hold: DropHold) => void | Promise<void>;
  },
): Promise<DropHold> {
  const drop = await deps.drops.get(input.dropId);
  if (!drop) throw new DropNotFoundError(`No drop ${input.dropId}`);
  const key = entrantKey(drop.dropId, input.sub);
  if (input.accept) {
    // Only a hold this checkout could bind is checked: any other is refused below with its own reason.
    const current = await deps.drops.getEntry(drop.dropId, key);
    if (
      current?.status === 'won' &&
      (current.checkoutId === undefined || current.checkoutId === input.checkoutId) &&
      current.payBy !== undefined &&
      current.payBy > input.now.toISOString()
    ) {
      await input.accept(holdOf(drop, current));
    }
  }
  const outcome = await deps.drops.bindCheckout(drop, key, input.checkoutId, input.now);
  const entry = outcome.entry;
  if (!outcome.bound) {
    const resumed = entry?.status === 'purchased' && entry.checkoutId === input.checkoutId;
    if (!resumed) {
      if (entry?.status !== 'won') {
        throw new DropNotWonError(`You hold no won entry in drop ${drop.dropId}`, {
          dropId: drop.dropId,
          ...(entry ? { status: entry.status } : {}),
        });
      }
      if (entry.checkoutId !== undefined && entry.checkoutId !== input.checkoutId) {
        throw new DropHoldInUseError(`Your hold in drop ${drop.dropId} is in another checkout`, {
          dropId: drop.dropId,
          checkoutId: entry.checkoutId,
        });
      }
      throw new DropHoldExpiredError(`Your hold in drop ${drop.dropId} expired at ${entry.payBy}`, {
        dropId: drop.dropId,
        payBy: entry.payBy,
      });
    }
  }
  return holdOf(drop, entry as DropEntry);
}
