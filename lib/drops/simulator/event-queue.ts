/**
 * A binary min-heap of timed entries. Entries due at the same time come out in the order they were
 * pushed, so a simulation driven by it is deterministic. Times and sequence numbers live in typed arrays:
 * a drop keeps ~10^5 entries queued, and per-entry objects made the heap walk and the garbage collector
 * dominate the run.
 */
export class EventQueue<T> {
  private times = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private values: (T | undefined)[] = [];
  private length = 0;
  private nextSeq = 0;
  private popped: { time: number; value: T | undefined } = { time: 0, value: undefined };

  get size(): number {
    return this.length;
  }

  push(time: number, value: T): void {
    if (this.length === this.times.length) this.grow();
    const times = this.times;
    const seqs = this.seqs;
    const values = this.values;
    const seq = this.nextSeq++;
    let i = this.length++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentTime = times[parent] as number;
      if (parentTime < time || (parentTime === time && (seqs[parent] as number) < seq)) break;
      times[i] = parentTime;
      seqs[i] = seqs[parent] as number;
      values[i] = values[parent];
      i = parent;
    }
    times[i] = time;
    seqs[i] = seq;
    values[i] = value;
  }

  /**
   * The earliest entry, removed; undefined when the queue is empty. The returned object is reused by the
   * next call: read it before popping again.
   */
  pop(): { readonly time: number; readonly value: T } | undefined {
    if (this.length === 0) return undefined;
    const times = this.times;
    const seqs = this.seqs;
    const values = this.values;
    this.popped.time = times[0] as number;
    this.popped.value = values[0];
    const n = --this.length;
    const lastTime = times[n] as number;
    const lastSeq = seqs[n] as number;
    const lastValue = values[n];
    values[n] = undefined;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n) {
        const rightTime = times[right] as number;
        const leftTime = times[left] as number;
        if (
          rightTime < leftTime ||
          (rightTime === leftTime && (seqs[right] as number) < (seqs[left] as number))
        ) {
          child = right;
        }
      }
      const childTime = times[child] as number;
      if (lastTime < childTime || (lastTime === childTime && lastSeq < (seqs[child] as number))) break;
      times[i] = childTime;
      seqs[i] = seqs[child] as number;
      values[i] = values[child];
      i = child;
    }
    if (n > 0) {
      times[i] = lastTime;
      seqs[i] = lastSeq;
      values[i] = lastValue;
    }
    return this.popped as { readonly time: number; readonly value: T };
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2);
    times.set(this.times);
    this.times = times;
    const seqs = new Float64Array(this.seqs.length * 2);
    seqs.set(this.seqs);
    this.seqs = seqs;
  }
}
