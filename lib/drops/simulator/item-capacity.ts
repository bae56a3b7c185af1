/** How a write reaches a DynamoDB item. */
export interface WriteShape {
  /** Part of a TransactWriteItems (prepare and commit: two underlying writes per item). */
  readonly transactional: boolean;
  /** The write's condition failed; DynamoDB still charges for it. */
  readonly conditionFailed: boolean;
}

/**
 * Write capacity units one write of an item of at most 1 KB consumes on that item: 1 for a plain write,
 * 2 inside a transaction, and the same when its condition fails (the item is read and the write refused,
 * but the capacity is spent).
 */
export function writeUnits(shape: WriteShape): number {
  return shape.transactional ? 2 : 1;
}

/** One item's ceiling: the partition it lives on. */
export interface ItemLimits {
  readonly wcuPerSecond: number;
  readonly rcuPerSecond: number;
}

/**
 * The capacity one DynamoDB item accepts per wall-clock second: a partition serves 1,000 WCU or 3,000 RCU,
 * or a linear combination of both (reads and writes draw on one budget). A request that would exceed the
 * current second's budget is throttled and consumes nothing.
 */
export class ItemCapacity {
  // Integer budget (wcu × rcu per second) so that exact limits hold without floating-point drift.
  private readonly budget: number;
  private second = Number.NEGATIVE_INFINITY;
  private usedThisSecond = 0;
  private wcuThisSecond = 0;
  /** WCU consumed over the whole run. */
  consumedWcu = 0;
  /** RCU consumed over the whole run. */
  consumedRcu = 0;
  /** The most WCU consumed within one second. */
  peakWcuPerSecond = 0;
  /** Requests refused because the second's budget was spent. */
  throttled = 0;

  constructor(private readonly limits: ItemLimits) {
    this.budget = limits.wcuPerSecond * limits.rcuPerSecond;
  }

  /** Consumes `wcu` at `nowMs` (simulation milliseconds) when the current second still has room. */
  tryWrite(nowMs: number, wcu: number): boolean {
    if (!this.tryConsume(nowMs, wcu * this.limits.rcuPerSecond)) return false;
    this.consumedWcu += wcu;
    this.wcuThisSecond += wcu;
    if (this.wcuThisSecond > this.peakWcuPerSecond) this.peakWcuPerSecond = this.wcuThisSecond;
    return true;
  }

  /** Consumes `rcu` (0.5 for an eventually consistent read of ≤ 4 KB) when the current second has room. */
  tryRead(nowMs: number, rcu: number): boolean {
    if (!this.tryConsume(nowMs, rcu * this.limits.wcuPerSecond)) return false;
    this.consumedRcu += rcu;
    return true;
  }

  private tryConsume(nowMs: number, cost: number): boolean {
    const second = Math.floor(nowMs / 1000);
    if (second !== this.second) {
      this.second = second;
      this.usedThisSecond = 0;
      this.wcuThisSecond = 0;
    }
    if (this.usedThisSecond + cost > this.budget) {
      this.throttled++;
      return false;
    }
    this.usedThisSecond += cost;
    return true;
  }
}
