/**
 * A small seeded pseudo-random generator (sfc32) for demo data.
 *
 * Demo data must come out byte-for-byte the same on every machine and every run, so nothing here touches
 * `Math.random` or the clock. sfc32 passes PractRand, needs only 32-bit integer arithmetic (exact in every
 * JavaScript engine) and is fast enough to generate a 100,000-product catalog.
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /**
   * @param seed any unsigned 32-bit integer
   * @param stream an independent sub-sequence of the same seed, e.g. one per product, so that product n
   *   comes out the same whether 50 or 50,000 products are generated
   */
  constructor(seed: number, stream = 0) {
    // splitmix32 spreads neighbouring seeds and streams (1, 2, 3...) into unrelated starting states.
    let s = (mix32(seed >>> 0) ^ Math.imul(stream >>> 0, 0x9e3779b9)) | 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      return mix32(s);
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    // The first outputs of sfc32 still echo the seed; discard them.
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** The next unsigned 32-bit integer. */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('cannot pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** One element, with probability proportional to `weight(item)`. */
  weighted<T>(items: readonly T[], weight: (item: T) => number): T {
    let total = 0;
    for (const item of items) total += weight(item);
    let r = this.next() * total;
    for (const item of items) {
      r -= weight(item);
      if (r < 0) return item;
    }
    return items[items.length - 1]!;
  }

  /** `count` distinct elements in random order (all of them when `count` exceeds the length). */
  sample<T>(items: readonly T[], count: number): T[] {
    const pool = items.slice();
    const n = Math.min(count, pool.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.next() * (pool.length - i));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    return pool.slice(0, n);
  }

  /** A run of `count` consecutive elements starting at a random position, e.g. ring sizes 50 to 55. */
  run<T>(items: readonly T[], count: number): T[] {
    const n = Math.min(count, items.length);
    const start = this.int(0, items.length - n);
    return items.slice(start, start + n);
  }
}

/** murmur3's 32-bit finaliser: an invertible mix, so distinct inputs stay distinct. */
function mix32(x: number): number {
  let z = x | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}
