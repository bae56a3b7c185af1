/**
 * A token bucket as API Gateway throttles with: it holds up to `burst` tokens, starts full, and refills
 * continuously at `ratePerSecond`. Times are simulation milliseconds and must not go backwards.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    startMs = 0,
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) {
      throw new RangeError(
        `a token bucket needs a positive rate and a burst of at least 1 (got ${ratePerSecond}/${burst})`,
      );
    }
    this.tokens = burst;
    this.updatedAt = startMs;
  }

  /** Tokens available at `nowMs`. */
  available(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens;
  }

  /** Takes `n` tokens if the bucket holds them, else takes nothing. */
  tryTake(nowMs: number, n = 1): boolean {
    this.refill(nowMs);
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** Milliseconds from `nowMs` until `n` tokens are available (0 when they already are). */
  waitFor(nowMs: number, n = 1): number {
    this.refill(nowMs);
    return this.tokens >= n ? 0 : ((n - this.tokens) * 1000) / this.ratePerSecond;
  }

  private refill(nowMs: number): void {
    if (nowMs <= this.updatedAt) return;
    this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.updatedAt) * this.ratePerSecond) / 1000);
    this.updatedAt = nowMs;
  }
}

/** Takes one token from every bucket, or from none when any of them is empty (nested throttles). */
export function tryTakeAll(buckets: readonly TokenBucket[], nowMs: number): boolean {
  for (const bucket of buckets) if (bucket.available(nowMs) < 1) return false;
  for (const bucket of buckets) bucket.tryTake(nowMs);
  return true;
}
