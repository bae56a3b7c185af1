import { ConflictError, DomainError, UnprocessableError } from '../errors.ts';

/**
 * Inbound API idempotency (the `Idempotency-Key` header of every mutating POST): a record per caller and
 * key holds the request's fingerprint and, once the first execution finishes, its response.
 */

/** The response stored for a completed execution and replayed to every retry with the same key. */
export interface StoredResponse {
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** An idempotency record as the store holds it. */
export type IdempotencyRecord =
  | {
      readonly status: 'in_progress';
      readonly fingerprint: string;
      /** After this instant the execution is presumed dead (its Lambda timed out) and a retry may take over. */
      readonly lockedUntil: string;
    }
  | {
      readonly status: 'completed';
      readonly fingerprint: string;
      readonly response: StoredResponse;
    };

/** What `begin` found. `started`: this caller runs the operation now and must `complete` or `abandon` it. */
export type BeginOutcome =
  | { readonly kind: 'started' }
  | { readonly kind: 'existing'; readonly record: IdempotencyRecord };

/**
 * Where idempotency records live (the zone's idempotency table on AWS and locally).
 *
 * Contract shared by every adapter:
 * - `begin` atomically creates an `in_progress` record for `recordKey` unless one exists whose lock is
 *   still held or which is completed; an `in_progress` record whose `lockedUntil` has passed is taken
 *   over (its fingerprint replaced). Exactly one of N concurrent `begin` calls for one key is `started`.
 * - `complete` stores the response; `abandon` deletes an `in_progress` record so a retry runs again.
 * - records expire after `ttlSeconds` (24 hours by default).
 */
export interface IdempotencyStore {
  begin(recordKey: string, fingerprint: string, now: Date, lockedUntil: Date): Promise<BeginOutcome>;
  complete(recordKey: string, fingerprint: string, response: StoredResponse, now: Date): Promise<void>;
  abandon(recordKey: string): Promise<void>;
}

/** The header is missing on a route that requires it. */
export class IdempotencyKeyRequiredError extends DomainError {
  readonly code = 'IDEMPOTENCY_KEY_REQUIRED';
  readonly status = 400;
}

/** Another request with the same key is still running. */
export class IdempotencyInProgressError extends ConflictError {
  override readonly code = 'IDEMPOTENCY_IN_PROGRESS';
}

/** The key was used before with another request body. */
export class IdempotencyKeyReusedError extends UnprocessableError {
  override readonly code = 'IDEMPOTENCY_KEY_REUSED';
}
