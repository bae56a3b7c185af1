/**
 * Watches the drop's stock items on every write: units sold never exceed the units the drop started
 * with, no item goes below zero, and the units left plus the units sold always equal the stock. It keeps
 * counting after a breach, so a broken design reports how far it oversold.
 */
export class InventoryInvariant {
  private remaining: number;
  /** Units granted to shoppers. */
  sold = 0;
  /** Units granted beyond the stock. */
  oversold = 0;
  /** Checks that failed, over all writes. */
  violations = 0;
  /** Writes checked. */
  checks = 0;

  constructor(readonly stock: number) {
    this.remaining = stock;
  }

  /**
   * Records one write that changed an item from `before` to `after` units, granting `granted` units to a
   * shopper (0 for a write that changed nothing, such as a failed condition).
   */
  afterWrite(before: number, after: number, granted: number): void {
    this.checks++;
    this.remaining += after - before;
    this.sold += granted;
    let ok = true;
    if (granted > 0 && this.sold > this.stock) {
      this.oversold += Math.min(granted, this.sold - this.stock);
      ok = false;
    }
    if (after < 0) ok = false;
    if (this.remaining + this.sold !== this.stock) ok = false;
    if (!ok) this.violations++;
  }
}
