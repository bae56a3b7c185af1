import type { VelocityCount, VelocityKey, VelocityStore } from './velocity-store.ts';

interface Hit {
  readonly at: number;
  readonly weight: number;
  readonly member: string | undefined;
}

interface Counter {
  windowMs: number;
  /** By attempt id, so a retried attempt replaces its own hit. */
  readonly hits: Map<string, Hit>;
}

/** Options of {@link InMemoryVelocityStore}. */
export interface InMemoryVelocityStoreOptions {
  /**
   * Sweep every counter for expired hits after this many `hit` calls, so a long-running local runtime
   * does not keep counters nobody reads again.
   * @default 1000
   */
  readonly sweepEvery?: number;
}

/**
 * A {@link VelocityStore} in process memory with exact sliding windows, for tests and the local runtime.
 * It never reads the wall clock: time is whatever `now` the caller passes.
 */
export class InMemoryVelocityStore implements VelocityStore {
  private readonly counters = new Map<string, Counter>();
  private readonly sweepEvery: number;
  private callsSinceSweep = 0;

  constructor(options: InMemoryVelocityStoreOptions = {}) {
    this.sweepEvery = options.sweepEvery ?? 1000;
  }

  async hit(
    keys: readonly VelocityKey[],
    now: Date,
    attemptId: string,
  ): Promise<Record<string, VelocityCount>> {
    const at = now.getTime();
    const counts: Record<string, VelocityCount> = {};
    for (const key of keys) {
      const counter = this.counterFor(key);
      const previous = counter.hits.get(attemptId);
      counter.hits.set(attemptId, { at: previous?.at ?? at, weight: key.weight ?? 1, member: key.member });
      counts[key.id] = this.countOf(counter, at);
    }
    if (++this.callsSinceSweep >= this.sweepEvery) this.sweep(now);
    return counts;
  }

  /** Reads a counter without recording anything (for tests and diagnostics). */
  peek(id: string, now: Date): VelocityCount {
    const counter = this.counters.get(id);
    return counter ? this.countOf(counter, now.getTime()) : { total: 0, distinct: 0 };
  }

  /** Drops expired hits and empty counters. */
  sweep(now: Date): void {
    this.callsSinceSweep = 0;
    for (const [id, counter] of this.counters) {
      this.prune(counter, now.getTime());
      if (counter.hits.size === 0) this.counters.delete(id);
    }
  }

  /** Number of live counters (for tests of expiry). */
  get size(): number {
    return this.counters.size;
  }

  private counterFor(key: VelocityKey): Counter {
    const windowMs = key.windowSeconds * 1000;
    const existing = this.counters.get(key.id);
    if (existing) {
      // Ids name their window, so this only changes when a policy changes the window; the newest wins.
      existing.windowMs = windowMs;
      return existing;
    }
    const counter: Counter = { windowMs, hits: new Map() };
    this.counters.set(key.id, counter);
    return counter;
  }

  private prune(counter: Counter, at: number): void {
    for (const [attemptId, hit] of counter.hits) {
      if (hit.at <= at - counter.windowMs) counter.hits.delete(attemptId);
    }
  }

  private countOf(counter: Counter, at: number): VelocityCount {
    this.prune(counter, at);
    let total = 0;
    const members = new Set<string>();
    for (const hit of counter.hits.values()) {
      // Hits recorded "later" than now (a caller's clock behind another's) still count: better to over-count.
      total += hit.weight;
      if (hit.member !== undefined) members.add(hit.member);
    }
    return { total, distinct: members.size };
  }
}
