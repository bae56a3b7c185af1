/**
 * The time source of the local eventing pieces. Everything that waits (visibility timeouts, delays,
 * batching windows, schedules, poll intervals) goes through one of these, so tests can swap in
 * `vi.useFakeTimers()` or a hand-made clock and stay deterministic.
 */
export interface Timers {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * The process clock. Each call reads the globals at call time rather than capturing them, so fake
 * timers installed after a component was built still take effect.
 */
export const systemTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Node clamps longer delays to 1 ms, so long waits are re-armed in steps of at most this. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

/**
 * A small seeded PRNG (mulberry32), so chaos runs (duplicates, shuffles, delays) replay exactly from
 * the seed a failing test prints.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** EventBridge renders event times to the second, without milliseconds. */
export function eventTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
