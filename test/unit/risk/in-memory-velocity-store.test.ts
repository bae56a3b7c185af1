import { afterEach, describe, expect, it, vi } from 'vitest';
import { InMemoryVelocityStore } from '../../../lib/risk/in-memory-velocity-store.ts';
import { FixedClock } from '../../support/fakes.ts';

const HOUR = 3600;
const key = (id: string, extra: { windowSeconds?: number; weight?: number; member?: string } = {}) => ({
  id,
  windowSeconds: HOUR,
  weight: 1,
  ...extra,
});

describe('InMemoryVelocityStore', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('counts the attempts in the window, this one included', async () => {
    const store = new InMemoryVelocityStore();
    const clock = new FixedClock();

    expect((await store.hit([key('ip')], clock.now(), 'a1')).ip).toEqual({ total: 1, distinct: 0 });
    clock.advance(10 * 60_000);
    expect((await store.hit([key('ip')], clock.now(), 'a2')).ip).toEqual({ total: 2, distinct: 0 });
  });

  it('lets a hit expire exactly one window later', async () => {
    const store = new InMemoryVelocityStore();
    const clock = new FixedClock();
    await store.hit([key('ip')], clock.now(), 'a1');

    clock.advance(HOUR * 1000 - 1);
    expect((await store.hit([key('ip')], clock.now(), 'a2')).ip?.total).toBe(2);
    clock.advance(1);
    expect((await store.hit([key('ip')], clock.now(), 'a3')).ip?.total).toBe(2);
  });

  it('counts a retried attempt once', async () => {
    const store = new InMemoryVelocityStore();
    const clock = new FixedClock();
    await store.hit([key('email')], clock.now(), 'checkout:1:pay:1');
    clock.advance(1000);

    expect((await store.hit([key('email')], clock.now(), 'checkout:1:pay:1')).email?.total).toBe(1);
    expect((await store.hit([key('email')], clock.now(), 'checkout:1:pay:2')).email?.total).toBe(2);
  });

  it('keeps a retried attempt at its first time, so retries cannot keep it alive', async () => {
    const store = new InMemoryVelocityStore();
    const clock = new FixedClock();
    const start = clock.now();
    await store.hit([key('ip')], start, 'a1');
    clock.advance(HOUR * 1000 - 1000);
    await store.hit([key('ip')], clock.now(), 'a1');
    clock.advance(1000);

    expect(store.peek('ip', clock.now())).toEqual({ total: 0, distinct: 0 });
  });

  it('sums weights and counts distinct members', async () => {
    const store = new InMemoryVelocityStore();
    const now = new FixedClock().now();
    await store.hit([key('units', { weight: 2, member: 'c1' })], now, 'a1');
    await store.hit([key('units', { weight: 3, member: 'c2' })], now, 'a2');

    expect((await store.hit([key('units', { weight: 1, member: 'c1' })], now, 'a3')).units).toEqual({
      total: 6,
      distinct: 2,
    });
  });

  it('keeps counters apart by id and applies each its own window', async () => {
    const store = new InMemoryVelocityStore();
    const clock = new FixedClock();
    await store.hit(
      [key('short', { windowSeconds: 60 }), key('long', { windowSeconds: 86_400 })],
      clock.now(),
      'a1',
    );
    clock.advance(120_000);

    const counts = await store.hit(
      [key('short', { windowSeconds: 60 }), key('long', { windowSeconds: 86_400 })],
      clock.now(),
      'a2',
    );

    expect(counts).toEqual({ short: { total: 1, distinct: 0 }, long: { total: 2, distinct: 0 } });
  });

  it('sweeps expired counters away', async () => {
    const store = new InMemoryVelocityStore({ sweepEvery: 2 });
    const clock = new FixedClock();
    await store.hit([key('old', { windowSeconds: 60 })], clock.now(), 'a1');
    clock.advance(61_000);
    await store.hit([key('new')], clock.now(), 'a2');

    expect(store.size).toBe(1);
    expect(store.peek('old', clock.now()).total).toBe(0);
  });

  it('uses only the time it is given, never the wall clock', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    const store = new InMemoryVelocityStore();
    const now = new FixedClock().now();
    await store.hit([key('ip')], now, 'a1');

    expect((await store.hit([key('ip')], now, 'a2')).ip?.total).toBe(2);
  });
});
