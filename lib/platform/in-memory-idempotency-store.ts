import type { BeginOutcome, IdempotencyRecord, IdempotencyStore, StoredResponse } from './idempotency.ts';

/** How long an idempotency record is kept when a store is not told otherwise: 24 hours. */
export const DEFAULT_IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/** Options of {@link InMemoryIdempotencyStore}. */
export interface InMemoryIdempotencyStoreOptions {
  /**
   * Records are forgotten this long after they were last written.
   * @default DEFAULT_IDEMPOTENCY_TTL_SECONDS (24 hours)
   */
  readonly ttlSeconds?: number;
}

interface Entry {
  readonly record: IdempotencyRecord;
  /** Epoch seconds, compared the way the DynamoDB adapter compares its TTL attribute. */
  readonly expiresAt: number;
}

const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

function copy(record: IdempotencyRecord): IdempotencyRecord {
  return record.status === 'completed'
    ? { ...record, response: { ...record.response, headers: { ...record.response.headers } } }
    : { ...record };
}

/**
 * An {@link IdempotencyStore} in process memory, for unit tests and fakes. Every method runs without an
 * await before its decision, so concurrent calls within one process are as atomic as the DynamoDB
 * conditional writes they stand in for. It never reads the wall clock: time is whatever `now` the caller
 * passes, and expired records are treated as absent when next touched.
 */
export class InMemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlSeconds: number;

  constructor(options: InMemoryIdempotencyStoreOptions = {}) {
    this.ttlSeconds = options.ttlSeconds ?? DEFAULT_IDEMPOTENCY_TTL_SECONDS;
  }

  async begin(recordKey: string, fingerprint: string, now: Date, lockedUntil: Date): Promise<BeginOutcome> {
    const current = this.live(recordKey, now);
    const lockExpired =
      current?.record.status === 'in_progress' && current.record.lockedUntil < now.toISOString();
    if (current && !lockExpired) return { kind: 'existing', record: copy(current.record) };
    this.entries.set(recordKey, {
      record: { status: 'in_progress', fingerprint, lockedUntil: lockedUntil.toISOString() },
      expiresAt: epochSeconds(now) + this.ttlSeconds,
    });
    return { kind: 'started' };
  }

  async complete(recordKey: string, fingerprint: string, response: StoredResponse, now: Date): Promise<void> {
    const current = this.live(recordKey, now);
    // Another execution took the key over after this one's lock expired: its answer is the one to keep.
    if (current?.record.fingerprint !== fingerprint) return;
    this.entries.set(recordKey, {
      record: {
        status: 'completed',
        fingerprint,
        response: { ...response, headers: { ...response.headers } },
      },
      expiresAt: epochSeconds(now) + this.ttlSeconds,
    });
  }

  async abandon(recordKey: string): Promise<void> {
    if (this.entries.get(recordKey)?.record.status === 'in_progress') this.entries.delete(recordKey);
  }

  /** How many records are held, expired ones included until touched (for tests). */
  get size(): number {
    return this.entries.size;
  }

  private live(recordKey: string, now: Date): Entry | undefined {
    const entry = this.entries.get(recordKey);
    if (entry && entry.expiresAt < epochSeconds(now)) {
      this.entries.delete(recordKey);
      return undefined;
    }
    return entry;
  }
}
