import { z } from 'zod';

/**
 * One counter to record an attempt on. The id already names the window (the engine builds ids like
 * `risk:v1:ip:{digest}:3600`), so a DynamoDB adapter can keep one conditional counter item per id with a
 * TTL of `windowSeconds`.
 */
export const VelocityKey = z.strictObject({
  /** Opaque counter id; identifiers inside it are hashed, so a counter table holds no personal data. */
  id: z.string().min(1).max(200),
  /** The trailing window the count covers: hits older than this no longer count. */
  windowSeconds: z
    .number()
    .int()
    .positive()
    .max(366 * 24 * 3600),
  /** How much this attempt adds to the total (1 for an attempt; the units for "units per address"). */
  weight: z.number().int().positive().default(1),
  /** Set when the rule counts distinct members (for example distinct customers behind one address). */
  member: z.string().min(1).max(200).optional(),
});
export type VelocityKey = z.infer<typeof VelocityKey>;

/** What a counter holds for its window once this attempt is recorded. */
export const VelocityCount = z.strictObject({
  /** Sum of the weights of the attempts in the window, this one included. */
  total: z.number().int().nonnegative(),
  /** Distinct members among those attempts (0 for keys recorded without a member). */
  distinct: z.number().int().nonnegative(),
});
export type VelocityCount = z.infer<typeof VelocityCount>;

/**
 * Velocity counters. Recording and reading are one call, so a DynamoDB adapter can do both with one
 * conditional update per key and two racing checkouts can never both read the old count.
 *
 * Contract, shared by every adapter:
 * - `hit` records the attempt `attemptId` on every key at `now`, and returns each key's count for the
 *   window `(now − windowSeconds, now]`, this attempt included;
 * - recording the same `attemptId` on a key again (a retried request) replaces its earlier hit instead of
 *   adding one, so retries never inflate counts;
 * - the result has an entry for every key id passed in.
 */
export interface VelocityStore {
  hit(keys: readonly VelocityKey[], now: Date, attemptId: string): Promise<Record<string, VelocityCount>>;
}
