/**
 * A drop's draw by commit and reveal. At creation the platform picks a secret seed ({@link newSeed}) and
 * publishes only its hash ({@link seedHash}); at close it draws with the seed ({@link runDraw}) and then
 * reveals it. Anyone holding the revealed seed and the published entry list can re-run the draw
 * ({@link verifyDraw}) and check that the seed is the committed one, so the platform could not have
 * chosen the winners, nor changed the seed once it saw the entries.
 *
 * The draw is weighted sampling without replacement in the manner of Efraimidis and Spirakis, made
 * exact: an entrant of integer weight w holds w tickets, each ticket is HMAC-SHA256(seed,
 * `${entrantKey}\n${j}`) for j = 0..w-1, and the entrant's key is their best (highest) ticket. The best
 * of w uniform draws is distributed as u^(1/w), the Efraimidis–Spirakis key, so ranking entrants by key
 * picks each next entrant with probability proportional to weight among those left. Keys are compared
 * as 256-bit numbers (hex strings of one length compare the same way), with no floating point, so the
 * draw comes out identical in any language, and each entrant's key depends only on the seed and their
 * own entrant key, never on who else entered or in what order.
 *
 * @module
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { DrawEntrant, PublishedDraw, TierWeights } from './drop.ts';

/**
 * Draw weights by default: each tier holds twice the tickets of the one below it, so a gold client is
 * about four times as likely to be drawn as a standard one when the units are few against the entries.
 */
export const DEFAULT_TIER_WEIGHTS: Readonly<TierWeights> = Object.freeze({
  standard: 1,
  silver: 2,
  gold: 4,
  platinum: 8,
});

/** Highest weight a tier may have: the tickets one entrant costs to compute. */
export const MAX_TIER_WEIGHT = 64;

const HEX_32_BYTES = /^[0-9a-f]{64}$/;

/** A new secret draw seed: 32 random bytes from the system's CSPRNG, in lower-case hex. */
export function newSeed(): string {
  return randomBytes(32).toString('hex');
}

function seedBytes(seed: string): Buffer {
  if (!HEX_32_BYTES.test(seed)) throw new RangeError('A draw seed is 32 bytes in lower-case hex');
  return Buffer.from(seed, 'hex');
}

/**
 * The commitment published before the draw: SHA-256 of the seed's 32 bytes (not of its hex text), in
 * lower-case hex. `printf %s "$SEED" | xxd -r -p | sha256sum` reproduces it.
 * @throws RangeError when `seed` is not 32 bytes of lower-case hex
 */
export function seedHash(seed: string): string {
  return createHash('sha256').update(seedBytes(seed)).digest('hex');
}

/** What one item's draw takes. Entries of other SKUs are drawn separately, each with its item's units. */
export interface DrawInput {
  readonly seed: string;
  readonly entries: readonly DrawEntrant[];
  /** Units of the item on offer. */
  readonly units: number;
  /** Weights per tier; tiers left out keep {@link DEFAULT_TIER_WEIGHTS}. */
  readonly tierWeights?: Partial<TierWeights>;
}

/** An entrant's place in the draw. `rank` 1 was drawn first; `ticket` is their best ticket, in hex. */
export type RankedEntrant = DrawEntrant & {
  readonly rank: number;
  readonly ticket: string;
  readonly outcome: 'won' | 'waitlisted';
};

/** Every entrant in rank order, and the same split into winners and the waitlist (both in rank order). */
export interface DrawResult {
  readonly ranked: readonly RankedEntrant[];
  readonly winners: readonly RankedEntrant[];
  readonly waitlist: readonly RankedEntrant[];
  /** Units the winners take together; never more than the units on offer. */
  readonly unitsAwarded: number;
  /** The weights the draw used, defaults filled in: publish them with the entries. */
  readonly tierWeights: TierWeights;
}

function weightsOf(overrides: Partial<TierWeights> | undefined): TierWeights {
  const weights = { ...DEFAULT_TIER_WEIGHTS, ...overrides };
  for (const [tier, weight] of Object.entries(weights)) {
    if (!(Number.isInteger(weight) && weight >= 1 && weight <= MAX_TIER_WEIGHT)) {
      throw new RangeError(
        `The weight of tier ${tier} must be an integer from 1 to ${MAX_TIER_WEIGHT}, got ${weight}`,
      );
    }
  }
  return weights;
}

function hmacWith(key: Buffer): (message: string) => string {
  return (message) => createHmac('sha256', key).update(message).digest('hex');
}

function bestTicket(hmac: (message: string) => string, entrantKey: string, weight: number): string {
  let best = '';
  for (let j = 0; j < weight; j++) {
    const ticket = hmac(`${entrantKey}\n${j}`);
    if (ticket > best) best = ticket;
  }
  return best;
}

/** An entrant's key: the best of their `weight` tickets, HMAC-SHA256(seed, `${entrantKey}\n${j}`) in hex. */
export function drawTicket(seed: string, entrantKey: string, weight: number): string {
  return bestTicket(hmacWith(seedBytes(seed)), entrantKey, weight);
}

/**
 * Draws one item's winners. Entrants are ranked by key (highest first; equal keys, which SHA-256 makes
 * practically impossible, by entrant key), then handed units in rank order: an entrant whose quantity
 * no longer fits is waitlisted and the next one who fits is served, so a small request is not blocked
 * behind a large one. Every entrant comes back with a rank. The result does not depend on the order of
 * `entries`.
 * @throws RangeError on a malformed seed, weight, quantity or unit count, or a repeated entrant key
 */
export function runDraw(input: DrawInput): DrawResult {
  const tierWeights = weightsOf(input.tierWeights);
  if (!(Number.isInteger(input.units) && input.units >= 0)) {
    throw new RangeError(`units must be a non-negative integer, got ${input.units}`);
  }
  const hmac = hmacWith(seedBytes(input.seed));
  const seen = new Set<string>();
  const keyed = input.entries.map((entry) => {
    if (seen.has(entry.entrantKey))
      throw new RangeError(`Entrant ${entry.entrantKey} appears more than once`);
    seen.add(entry.entrantKey);
    if (!(Number.isInteger(entry.quantity) && entry.quantity >= 1)) {
      throw new RangeError(`Entrant ${entry.entrantKey} asks for ${entry.quantity} units`);
    }
    const weight = tierWeights[entry.tier];
    if (weight === undefined)
      throw new RangeError(`Entrant ${entry.entrantKey} has an unknown tier ${entry.tier}`);
    return { entry, ticket: bestTicket(hmac, entry.entrantKey, weight) };
  });
  keyed.sort((a, b) => compareDesc(a.ticket, b.ticket) || compareAsc(a.entry.entrantKey, b.entry.entrantKey));

  let left = input.units;
  const ranked = keyed.map(({ entry, ticket }, i): RankedEntrant => {
    const fits = entry.quantity <= left;
    if (fits) left -= entry.quantity;
    return {
      entrantKey: entry.entrantKey,
      tier: entry.tier,
      quantity: entry.quantity,
      rank: i + 1,
      ticket,
      outcome: fits ? 'won' : 'waitlisted',
    };
  });
  return {
    ranked,
    winners: ranked.filter((entrant) => entrant.outcome === 'won'),
    waitlist: ranked.filter((entrant) => entrant.outcome === 'waitlisted'),
    unitsAwarded: input.units - left,
    tierWeights,
  };
}

/**
 * Who receives `units` given back by winners who did not pay: waitlisted entries in rank order, by the
 * draw's own rule (an entry that does not fit is passed over for the next that does).
 */
export function promoteFromWaitlist<T extends { readonly quantity: number }>(
  waitlistInRankOrder: readonly T[],
  units: number,
): T[] {
  let left = units;
  const promoted: T[] = [];
  for (const entry of waitlistInRankOrder) {
    if (entry.quantity <= left) {
      promoted.push(entry);
      left -= entry.quantity;
    }
    if (left <= 0) break;
  }
  return promoted;
}

/** What {@link verifyDraw} found: `valid` when the seed matches its commitment and the outcome re-runs. */
export interface DrawVerification {
  readonly valid: boolean;
  readonly problems: readonly string[];
}

/**
 * Re-runs a published draw: checks that sha256(seed) is the committed hash and that the draw over the
 * published entries, units and weights yields the published winners (and waitlist, when given) in the
 * same order. Never throws on bad input: a malformed publication is simply not valid.
 */
export function verifyDraw(published: PublishedDraw): DrawVerification {
  const problems: string[] = [];
  let result: DrawResult;
  try {
    if (seedHash(published.seed) !== published.seedHash)
      problems.push('sha256(seed) does not match seedHash');
    result = runDraw({
      seed: published.seed,
      entries: published.entries,
      units: published.units,
      tierWeights: published.tierWeights,
    });
  } catch (error) {
    return { valid: false, problems: [...problems, (error as Error).message] };
  }
  const same = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && a.every((key, i) => key === b[i]);
  if (
    !same(
      result.winners.map((winner) => winner.entrantKey),
      published.winners,
    )
  ) {
    problems.push('the winners differ from a re-run of the draw');
  }
  if (
    published.waitlist &&
    !same(
      result.waitlist.map((entry) => entry.entrantKey),
      published.waitlist,
    )
  ) {
    problems.push('the waitlist differs from a re-run of the draw');
  }
  return { valid: problems.length === 0, problems };
}

function compareAsc(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareDesc(a: string, b: string): number {
  return compareAsc(b, a);
}
