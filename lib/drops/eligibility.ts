import { ConflictError, DomainError, UnprocessableError, ValidationError } from '../errors.ts';
import type { Channel } from '../inventory/stock.ts';
import {
  type CustomerTier,
  type Drop,
  dropItem,
  type IneligibilityReason,
  ineligibility,
  tierOpensAt,
} from './drop.ts';

/** The drop does not take entries from the caller's tier yet; `details.opensAt` says when it will. */
export class DropNotOpenError extends ConflictError {
  override readonly code = 'DROP_NOT_OPEN';
  declare readonly details: { dropId: string; opensAt: string };

  constructor(dropId: string, opensAt: string) {
    super(`Drop ${dropId} opens for you at ${opensAt}`, { dropId, opensAt });
  }
}

/** The drop's window has closed. */
export class DropClosedError extends ConflictError {
  override readonly code = 'DROP_CLOSED';
  declare readonly details: { dropId: string; closesAt: string };

  constructor(dropId: string, closesAt: string) {
    super(`Drop ${dropId} closed at ${closesAt}`, { dropId, closesAt });
  }
}

/**
 * The caller may never enter this drop: their tier is not among its eligible tiers, or they came
 * through a channel the drop is not offered on (`details.reason`). A 403, not a 409: waiting will not
 * help.
 */
export class DropNotEligibleError extends DomainError {
  readonly code = 'DROP_NOT_ELIGIBLE';
  readonly status = 403;
  declare readonly details: { dropId: string; reason: IneligibilityReason };

  constructor(dropId: string, reason: IneligibilityReason) {
    super(
      reason === 'tier'
        ? `Drop ${dropId} is reserved for other client tiers`
        : `Drop ${dropId} is not offered on this channel`,
      { dropId, reason },
    );
  }
}

/** The entry asks for more units than one customer may have. */
export class DropLimitExceededError extends UnprocessableError {
  override readonly code = 'DROP_LIMIT_EXCEEDED';
  declare readonly details: { dropId: string; perCustomerLimit: number };

  constructor(dropId: string, perCustomerLimit: number) {
    super(`Drop ${dropId} allows at most ${perCustomerLimit} per customer`, { dropId, perCustomerLimit });
  }
}

/** The entry names a SKU the drop does not sell. */
export class DropSkuUnknownError extends UnprocessableError {
  override readonly code = 'DROP_SKU_UNKNOWN';
  declare readonly details: { dropId: string; sku: string };

  constructor(dropId: string, sku: string) {
    super(`Drop ${dropId} does not sell ${sku}`, { dropId, sku });
  }
}

/** Every way {@link entryDecision} refuses an entry. */
export type DropEntryError =
  | DropSkuUnknownError
  | ValidationError
  | DropLimitExceededError
  | DropNotEligibleError
  | DropClosedError
  | DropNotOpenError;

/** What a caller brings to an entry. */
export interface EntryAttempt {
  readonly sku: string;
  readonly quantity: number;
  readonly tier: CustomerTier;
  readonly channel: Channel;
  readonly now: Date;
}

/** `ok` with the instant the caller's tier opened, or the error to answer with. */
export type EntryDecision =
  | { readonly ok: true; readonly opensAt: string }
  | { readonly ok: false; readonly error: DropEntryError };

/**
 * Whether a caller may enter a drop now. Checks run from what the request says to when it arrives,
 * so the answer is the one that stays true longest: an unknown SKU or a quantity over the limit is the
 * request's fault; an ineligible caller is told so rather than when the drop opens; then the window,
 * which is `[opensAt for the caller's tier, closesAt)`: open at its first instant, closed at `closesAt`.
 * Sold-out and duplicate entries are for the store to answer; this is pure.
 */
export function entryDecision(drop: Drop, attempt: EntryAttempt): EntryDecision {
  const refuse = (error: DropEntryError): EntryDecision => ({ ok: false, error });
  if (!dropItem(drop, attempt.sku)) return refuse(new DropSkuUnknownError(drop.dropId, attempt.sku));
  if (!(Number.isInteger(attempt.quantity) && attempt.quantity >= 1)) {
    return refuse(
      new ValidationError('quantity must be a whole number of at least 1', { quantity: attempt.quantity }),
    );
  }
  if (attempt.quantity > drop.perCustomerLimit) {
    return refuse(new DropLimitExceededError(drop.dropId, drop.perCustomerLimit));
  }
  const reason = ineligibility(drop, attempt);
  if (reason) return refuse(new DropNotEligibleError(drop.dropId, reason));
  const t = attempt.now.getTime();
  if (t >= Date.parse(drop.window.closesAt))
    return refuse(new DropClosedError(drop.dropId, drop.window.closesAt));
  const opensAt = tierOpensAt(drop, attempt.tier);
  if (t < Date.parse(opensAt)) return refuse(new DropNotOpenError(drop.dropId, opensAt));
  return { ok: true, opensAt };
}

/**
 * {@link entryDecision} for callers that want the error thrown (handlers: the error middleware maps it).
 * @throws DropEntryError
 */
export function assertMayEnter(drop: Drop, attempt: EntryAttempt): void {
  const decision = entryDecision(drop, attempt);
  if (!decision.ok) throw decision.error;
}
