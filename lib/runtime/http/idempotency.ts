import { createHash } from 'node:crypto';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import type { RouteDefinition } from '../../contracts/http.ts';
import { DomainError } from '../../errors.ts';
import type { Clock } from '../../platform/domain-event.ts';
import {
  IdempotencyInProgressError,
  IdempotencyKeyRequiredError,
  IdempotencyKeyReusedError,
  type IdempotencyRecord,
  type IdempotencyStore,
  type StoredResponse,
} from '../../platform/idempotency.ts';
import { logger } from '../observability.ts';
import { errorResponse } from './error-envelope.ts';
import type { HttpRequest } from './parse-request.ts';
import type { Principal } from './principal.ts';

/** The request header naming the operation (lower-cased, as {@link HttpRequest} holds headers). */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** Set to `true` on an answer replayed from the store instead of executed. */
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';
/** Longest key accepted; UUIDs and ULIDs fit many times over. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
/**
 * The in-progress lock when the Lambda context gives no remaining time (none at all, or 0, which would
 * otherwise leave a lock that is already expired, or one that never expires: F7).
 */
export const FALLBACK_LOCK_MILLIS = 30_000;
/** Scope of the callers without a principal (public routes). */
export const ANONYMOUS_SCOPE = 'anonymous';

/** The `Idempotency-Key` header is too long or holds characters other than printable ASCII. */
export class IdempotencyKeyInvalidError extends DomainError {
  readonly code = 'IDEMPOTENCY_KEY_INVALID';
  readonly status = 400;
}

/** Where an idempotent route keeps its records, and the clock that decides when locks expire. */
export interface IdempotencyOptions {
  readonly store: IdempotencyStore;
  readonly clock: Clock;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/** Reads and checks the `Idempotency-Key` header: required, 1–255 printable ASCII characters. */
export function readIdempotencyKey(headers: Readonly<Record<string, string>>): string {
  const key = headers[IDEMPOTENCY_KEY_HEADER];
  if (key === undefined || key.trim() === '') {
    throw new IdempotencyKeyRequiredError(
      'This operation needs an Idempotency-Key header (a UUID per operation)',
    );
  }
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !PRINTABLE_ASCII.test(key)) {
    throw new IdempotencyKeyInvalidError(
      `The Idempotency-Key header must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters`,
    );
  }
  return key;
}

function canonical(input: unknown): string | undefined {
  let value = input;
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    value = (value as { toJSON(): unknown }).toJSON();
  }
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => canonical(item) ?? 'null').join(',')}]`;
  const members: string[] = [];
  for (const name of Object.keys(value).sort()) {
    const member = canonical((value as Record<string, unknown>)[name]);
    if (member !== undefined) members.push(`${JSON.stringify(name)}:${member}`);
  }
  return `{${members.join(',')}}`;
}

/**
 * JSON with object keys sorted at every depth, so two values that differ only in key order or
 * whitespace of their source text serialize identically (F8).
 */
export function canonicalJson(value: unknown): string {
  return canonical(value) ?? 'null';
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Whose keys these are: a key is only ever matched against the same caller's earlier requests. */
export function idempotencyScope(principal: Principal | undefined, sourceIp?: string): string {
  // Anonymous callers are told apart by address, so a leaked or guessed key cannot replay another
  // shopper's answer (a new cart's token, say) from elsewhere.
  return principal?.sub ?? `${ANONYMOUS_SCOPE}:${sourceIp ?? 'unknown'}`;
}

/** The store's key of a record: caller, operation and the client's key, hashed to a fixed length. */
export function idempotencyRecordKey(parts: {
  readonly scope: string;
  readonly method: string;
  readonly path: string;
  readonly key: string;
}): string {
  return sha256([parts.scope, parts.method.toUpperCase(), parts.path, parts.key].join('\n'));
}

/**
 * What makes two requests the same request: path, query and body as the route's schemas parsed them.
 * Nothing of the raw event (request id, source IP, headers, whitespace) takes part.
 */
export function requestFingerprint(request: {
  readonly params?: unknown;
  readonly query?: unknown;
  readonly body?: unknown;
}): string {
  return sha256(canonicalJson({ params: request.params, query: request.query, body: request.body }));
}

/**
 * How long the first execution holds the key: until its Lambda would time out, so a retry after a
 * timeout can take over (F7).
 */
export function lockDurationMillis(context: Pick<Context, 'getRemainingTimeInMillis'> | undefined): number {
  const remaining = context?.getRemainingTimeInMillis?.();
  return typeof remaining === 'number' && Number.isFinite(remaining) && remaining > 0
    ? remaining
    : FALLBACK_LOCK_MILLIS;
}

/**
 * Answers worth replaying: what the request itself earned. 5xx (the platform failed) and 429 (this
 * attempt was throttled) say nothing about the request, so a retry executes again.
 */
const isFinalStatus = (status: number) => status < 500 && status !== 429;

function toStored(response: APIGatewayProxyResult): StoredResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers ?? {})) {
    // The request id belongs to each attempt; replays carry their own.
    if (name.toLowerCase() !== 'x-request-id') headers[name] = String(value);
  }
  return { status: response.statusCode, body: response.body, headers };
}

function answerExisting(
  record: IdempotencyRecord,
  fingerprint: string,
  requestId: string,
): APIGatewayProxyResult {
  if (record.fingerprint !== fingerprint) {
    throw new IdempotencyKeyReusedError(
      'This Idempotency-Key was already used for a different request; use a new key for a new operation',
    );
  }
  if (record.status === 'in_progress') {
    const busy = errorResponse(
      new IdempotencyInProgressError(
        'A request with this Idempotency-Key is still being processed; retry shortly',
      ),
      requestId,
    );
    return { ...busy, headers: { ...busy.headers, 'retry-after': '1' } };
  }
  return {
    statusCode: record.response.status,
    headers: { ...record.response.headers, 'x-request-id': requestId, [IDEMPOTENT_REPLAYED_HEADER]: 'true' },
    body: record.response.body,
  };
}

async function abandon(store: IdempotencyStore, recordKey: string): Promise<void> {
  try {
    await store.abandon(recordKey);
  } catch (error) {
    // The lock then runs out on its own; the original failure is what the caller must see.
    logger.warn('Could not release an idempotency lock', { error: error as Error });
  }
}

/**
 * Runs one request of an idempotent route at most once per caller and key (RELIABILITY.md R10):
 * - the first request claims the key, executes, and stores its answer (2xx–4xx, business errors
 *   included, as their error envelope) for every retry to replay with `idempotent-replayed: true`;
 * - a retry while it runs gets 409 `IDEMPOTENCY_IN_PROGRESS` with `retry-after: 1`, and a request
 *   reusing the key with other parameters gets 422 `IDEMPOTENCY_KEY_REUSED`;
 * - a 5xx, a 429 or an unexpected error releases the key, so a retry executes again; so does a Lambda
 *   timeout, once the lock (the invocation's remaining time) runs out.
 *
 * `execute` receives the request with `idempotency` set, from which a use case derives deterministic
 * ids so that an execution resumed after a timeout continues instead of duplicating.
 */
export async function executeIdempotently(
  route: RouteDefinition,
  request: HttpRequest<RouteDefinition>,
  context: Pick<Context, 'getRemainingTimeInMillis'> | undefined,
  options: IdempotencyOptions,
  execute: (request: HttpRequest<RouteDefinition>) => Promise<APIGatewayProxyResult>,
): Promise<APIGatewayProxyResult> {
  const key = readIdempotencyKey(request.headers);
  const scope = idempotencyScope(request.principal, request.sourceIp);
  const recordKey = idempotencyRecordKey({ scope, method: route.method, path: route.path, key });
  const fingerprint = requestFingerprint(request);
  const now = options.clock.now();
  const lockedUntil = new Date(now.getTime() + lockDurationMillis(context));

  const outcome = await options.store.begin(recordKey, fingerprint, now, lockedUntil);
  if (outcome.kind === 'existing') return answerExisting(outcome.record, fingerprint, request.requestId);

  let response: APIGatewayProxyResult;
  try {
    response = await execute({ ...request, idempotency: { key, scope } });
  } catch (error) {
    if (!(error instanceof DomainError && isFinalStatus(error.status))) {
      await abandon(options.store, recordKey);
      throw error;
    }
    // A business outcome (409 OUT_OF_STOCK, 422 ...) is this request's answer: keep it like a success.
    response = errorResponse(error, request.requestId);
  }
  if (!isFinalStatus(response.statusCode)) {
    await abandon(options.store, recordKey);
    return response;
  }
  try {
    await options.store.complete(recordKey, fingerprint, toStored(response), options.clock.now());
  } catch (error) {
    // The work is done and the caller should hear so; a retry meets the lock, then executes again once
    // it expires, which the use case's deterministic ids make harmless.
    logger.error('Could not store an idempotent response', { error: error as Error });
  }
  return response;
}
