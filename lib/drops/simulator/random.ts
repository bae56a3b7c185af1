import { Prng } from '../../demo/prng.ts';

/**
 * The simulator's seeded random source: the project's sfc32 generator (the same seed replays the same
 * run, which `Math.random` cannot do) with the draws a queueing model needs.
 */
export class SeededRandom extends Prng {
  /** An exponentially distributed number with the given mean (Poisson inter-arrival times). */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** A uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
}
