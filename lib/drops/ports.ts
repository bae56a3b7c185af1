import { ConflictError } from '../errors.ts';
import type { DomainEvent } from '../platform/domain-event.ts';
import type { Drop, DropEntry } from './drop.ts';

/**
 * A write kept losing to concurrent writers on the same items after every retry. Nothing was written;
 * the entry stays as it was and the caller may try again.
 */
export class DropContentionError extends ConflictError {
  override readonly code = 'DROP_CONTENDED';
}

/** Units taken from one shard of an item. */
export interface ShardPart {
  readonly shard: number;
  readonly units: number;
}

/**
 * How a claim ended: `won` (the entry now holds the units until `payBy`), `refused` (every shard it
 * tried lacked the units; nothing was written), `decided` (the entry was no longer `queued`: another
 * attempt decided it first; `entry` is how it stands now).
 */
export type ClaimOutcome =
  | { readonly kind: 'won'; readonly entry: DropEntry }
  | { readonly kind: 'refused' }
  | { readonly kind: 'decided'; readonly entry: DropEntry | undefined };

/** What {@link DropStore.addEntry} found. */
export type AddEntryOutcome =
  | { readonly added: true; readonly entry: DropEntry }
  | {
      readonly added: false;
      readonly existing: DropEntry;
      /** The stored entry was written by this very request (same request key): resume it. */
      readonly sameRequest: boolean;
    };

/**
 * What {@link DropStore.enterAndClaim} did: `won` (the entry was written holding the shard's units until
 * `payBy`), `short` (the shard lacked the units; nothing was written), `exists` (the customer already had
 * an entry; nothing was written; `existing` is how it stands).
 */
export type EnterAndClaimOutcome =
  | { readonly kind: 'won'; readonly entry: DropEntry }
  | { readonly kind: 'short' }
  | {
      readonly kind: 'exists';
      readonly existing: DropEntry;
      /** The stored entry was written by this very request (same request key): resume it. */
      readonly sameRequest: boolean;
    };

/** A won entry that gives its units up, and where they go. */
export type HoldRelease =
  /** First come: back to a shard, and the drop is no longer sold out. */
  | { readonly kind: 'shard'; readonly shard: number }
  /** Draw: to these waitlisted entries, each holding its units until `payBy`. */
  | { readonly kind: 'waitlist'; readonly promote: readonly DropEntry[]; readonly payBy: string };

/** How {@link DropStore.bindCheckout} ended; `entry` is how it stands (undefined: none). */
export type BindOutcome =
  | { readonly bound: true; readonly entry: DropEntry }
  | { readonly bound: false; readonly entry: DropEntry | undefined };

/** Which shard an {@link DropStore.enterAndClaim} takes from, the hold's pay-by, and the request's key. */
export interface EnterAndClaimRequest {
  readonly shard: number;
  readonly payBy: string;
  readonly now: Date;
  readonly requestKey?: string;
}

/** One entrant's units counted against a payment method in a drop, under the drop's limit. */
export interface PaymentMethodClaimRequest {
  /** An opaque digest of the payment method's fingerprint (see `paymentMethodKey`). */
  readonly methodKey: string;
  readonly entrantKey: string;
  readonly units: number;
  readonly limit: number;
}

/**
 * How a payment method's claim in a drop ended: `allowed` (counted now, or by this entrant before), or
 * refused because `used` units were already paid for with it by other entrants.
 */
export type PaymentMethodClaim =
  | { readonly allowed: true; readonly used: number }
  | { readonly allowed: false; readonly used: number };

/** Counters of what a store sent, for benchmarks and metrics. */
export interface DropStoreStats {
  /** Conditional writes and transactions sent, retries included. */
  attempts: number;
  /** Of those, cancelled or refused because a condition failed (a shard short, an entry decided). */
  conditionFailures: number;
  /** Transactions cancelled by contention and retried in place. */
  conflictRetries: number;
  /** Writes that succeeded. */
  writes: number;
}

/**
 * Drops, their stock shards and entries (inventory table, drop's home region). Every method that
 * changes state does so with one conditional write or transaction, so concurrent claims never hand out
 * more units than the shards hold and an entry is decided exactly once.
 */
export interface DropStore {
  /**
   * Writes the drop, its shards (first come: each item's units split over `item.shards`) and, for a
   * draw, its secret seed. Answers `created: false` with the stored drop when the id is taken (a retried
   * creation).
   */
  create(drop: Drop, options: { readonly seed?: string }): Promise<{ created: boolean; drop: Drop }>;

  get(dropId: string): Promise<Drop | undefined>;

  /** Units left in each shard of an item, in shard order (strongly consistent). */
  shardBalances(drop: Drop, sku: string): Promise<number[]>;

  /**
   * Stores a new entry unless the customer already has one. With `event`, the entry and the event's
   * outbox item are written in one transaction. `requestKey` tells a resumed request from a second one.
   */
  addEntry(
    drop: Drop,
    entry: DropEntry,
    options?: { readonly requestKey?: string; readonly event?: DomainEvent },
  ): Promise<AddEntryOutcome>;

  getEntry(dropId: string, entrantKey: string): Promise<DropEntry | undefined>;

  /**
   * Writes a new entry already `won` with `entry.quantity` units of one shard, in one transaction of the
   * entry's put (unless the customer already has one), the shard's decrement and the hold pointer: a
   * first-come entry that finds its units costs one write instead of a put then a claim. `entry` is the
   * entry as {@link addEntry} would store it; `requestKey` tells a resumed request from a second one.
   */
  enterAndClaim(drop: Drop, entry: DropEntry, request: EnterAndClaimRequest): Promise<EnterAndClaimOutcome>;

  /**
   * Claims a queued entry's units from the first shard in `shards` that has them: per shard one
   * transaction of the shard's decrement and the entry's `queued → won`.
   */
  claim(
    drop: Drop,
    entry: DropEntry,
    request: { readonly shards: readonly number[]; readonly payBy: string; readonly now: Date },
  ): Promise<ClaimOutcome>;

  /** Like {@link claim}, taking the units from several shards in one transaction (a fragmented remainder). */
  claimParts(
    drop: Drop,
    entry: DropEntry,
    request: { readonly parts: readonly ShardPart[]; readonly payBy: string; readonly now: Date },
  ): Promise<ClaimOutcome>;

  /** `queued → lost`; answers the entry as it stands afterwards. */
  markLost(drop: Drop, entry: DropEntry, now: Date): Promise<DropEntry | undefined>;

  /** Sets the drop's sold-out flag (a no-op when it already has that value). */
  setSoldOut(dropId: string, soldOut: boolean): Promise<void>;

  /** Every entry of a drop, in arrival order. */
  listEntries(drop: Drop): Promise<DropEntry[]>;

  /** Entries still `queued` that arrived at or before `upTo`, in arrival order, at most `limit`. */
  queuedEntries(drop: Drop, upTo: string, limit: number): Promise<DropEntry[]>;

  /** The secret seed of a draw drop (kept apart from the drop item until the draw). */
  seedOf(dropId: string): Promise<string | undefined>;

  /**
   * Records an entry's draw outcome: `entered → won` (with `payBy`) or `entered → waitlisted`, and its
   * rank. Answers false when the entry was not `entered` (already recorded by an earlier run).
   */
  recordDraw(
    drop: Drop,
    entry: DropEntry,
    outcome:
      | { readonly status: 'won'; readonly drawRank: number; readonly payBy: string }
      | { readonly status: 'waitlisted'; readonly drawRank: number },
  ): Promise<boolean>;

  /** Reveals the seed and stamps `drawnAt`, once; answers false when the draw was already revealed. */
  revealDraw(drop: Drop, seed: string, drawnAt: Date, event: DomainEvent): Promise<boolean>;

  /** Won entries whose `payBy` is before `before`, earliest first, at most `limit`. */
  dueHolds(drop: Drop, before: Date, limit: number): Promise<DropEntry[]>;

  /** Waitlisted entries of an item in draw-rank order, at most `limit`. */
  waitlist(drop: Drop, sku: string, limit: number): Promise<DropEntry[]>;

  /**
   * `won → expired` for an unpaid hold, passing its units on in the same transaction. Answers false,
   * changing nothing, when the entry is no longer the won hold that was read (paid meanwhile).
   */
  expireHold(drop: Drop, entry: DropEntry, release: HoldRelease, now: Date): Promise<boolean>;

  /** Binds a won, unexpired entry to a checkout (once; the same checkout again is a no-op). */
  bindCheckout(drop: Drop, entrantKey: string, checkoutId: string, now: Date): Promise<BindOutcome>;

  /**
   * Frees a won entry from the checkout it was bound to (that checkout's payment was refused and voided),
   * so the winner may pay in a new checkout until `payBy`. A no-op unless the entry is `won` and bound
   * to `checkoutId`; answers the entry as it stands.
   */
  unbindCheckout(drop: Drop, entrantKey: string, checkoutId: string): Promise<DropEntry | undefined>;

  /** `won | expired → purchased`; answers the entry as it stands (undefined when there is none). */
  markPurchased(drop: Drop, entrantKey: string, now: Date): Promise<DropEntry | undefined>;

  /**
   * Counts an entrant's units against one payment method's allowance in a drop, once per entrant: the
   * same entrant again answers its first outcome without counting twice. Conditional, so concurrent
   * claims by many entrants with one card never count past `limit`.
   */
  claimPaymentMethod(drop: Drop, claim: PaymentMethodClaimRequest): Promise<PaymentMethodClaim>;

  /** Drops the scheduler still has work on (not yet settled). */
  activeDrops(): Promise<Drop[]>;

  /**
   * Takes a drop off the scheduler's list (its window closed, its draw ran and no hold is left) and
   * stamps `settledAt`, once: settling again changes nothing.
   */
  settle(dropId: string, at: Date): Promise<void>;

  /**
   * Drops settled at or after `since`, for the sweep that gives units refunded into a finished drop's
   * fence back to the shared stock.
   */
  settledDrops(since: Date): Promise<Drop[]>;
}
