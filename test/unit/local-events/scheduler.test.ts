import type { ScheduledEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  InvalidScheduleExpressionError,
  LocalScheduler,
  nextFireTime,
  parseScheduleExpression,
} from '../../../lib/runtime/local/events/scheduler.ts';

const at = (iso: string) => new Date(iso);
const next = (expression: string, after: string) => nextFireTime(expression, at(after))?.toISOString();

describe('nextFireTime', () => {
  describe('cron', () => {
    it('fires daily at a fixed time, strictly after the given instant', () => {
      expect(next('cron(0 12 * * ? *)', '2026-03-01T10:00:00Z')).toBe('2026-03-01T12:00:00.000Z');
      expect(next('cron(0 12 * * ? *)', '2026-03-01T12:00:00Z')).toBe('2026-03-02T12:00:00.000Z');
      expect(next('cron(15 12 * * ? *)', '2026-03-01T12:14:59.999Z')).toBe('2026-03-01T12:15:00.000Z');
    });

    it('steps through minutes and hours', () => {
      expect(next('cron(0/15 * * * ? *)', '2026-03-01T10:07:00Z')).toBe('2026-03-01T10:15:00.000Z');
      expect(next('cron(0/15 * * * ? *)', '2026-03-01T10:45:00Z')).toBe('2026-03-01T11:00:00.000Z');
      expect(next('cron(*/20 */6 * * ? *)', '2026-03-01T06:40:00Z')).toBe('2026-03-01T12:00:00.000Z');
      expect(next('cron(5-10/2 * * * ? *)', '2026-03-01T10:07:30Z')).toBe('2026-03-01T10:09:00.000Z');
    });

    it('honours weekday ranges and names (1 = SUN)', () => {
      // 2026-03-06 is a Friday.
      expect(next('cron(0 18 ? * MON-FRI *)', '2026-03-06T18:00:00Z')).toBe('2026-03-09T18:00:00.000Z');
      expect(next('cron(0 18 ? * 2-6 *)', '2026-03-06T18:00:00Z')).toBe('2026-03-09T18:00:00.000Z');
      expect(next('cron(0,30 9,17 ? * SAT,SUN *)', '2026-03-06T12:00:00Z')).toBe('2026-03-07T09:00:00.000Z');
      expect(next('cron(0/5 8-17 ? * MON-FRI *)', '2026-03-06T17:55:00Z')).toBe('2026-03-09T08:00:00.000Z');
    });

    it('honours days of the month, months and years', () => {
      expect(next('cron(0 8 1 * ? *)', '2026-03-01T08:00:00Z')).toBe('2026-04-01T08:00:00.000Z');
      expect(next('cron(0 0 1 JAN-DEC/3 ? *)', '2026-03-01T00:00:00Z')).toBe('2026-04-01T00:00:00.000Z');
      expect(next('cron(0 0 31 * ? *)', '2026-04-01T00:00:00Z')).toBe('2026-05-31T00:00:00.000Z');
      expect(next('cron(0 0 29 2 ? *)', '2026-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
      expect(next('cron(30 6 1 1 ? 2030-2031)', '2026-03-01T00:00:00Z')).toBe('2030-01-01T06:30:00.000Z');
    });

    it('supports L in day-of-month and nL / n#k in day-of-week', () => {
      expect(next('cron(0 0 L * ? *)', '2028-02-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
      expect(next('cron(0 0 L * ? *)', '2026-02-01T00:00:00Z')).toBe('2026-02-28T00:00:00.000Z');
      // Last Friday of March 2026 is the 27th; first Monday of April 2026 is the 6th.
      expect(next('cron(0 10 ? * 6L *)', '2026-03-01T00:00:00Z')).toBe('2026-03-27T10:00:00.000Z');
      expect(next('cron(0 9 ? * 2#1 *)', '2026-03-03T00:00:00Z')).toBe('2026-04-06T09:00:00.000Z');
      expect(next('cron(0 9 ? * MON#1 *)', '2026-03-01T00:00:00Z')).toBe('2026-03-02T09:00:00.000Z');
    });

    it('returns undefined when no time is left', () => {
      expect(next('cron(0 0 1 1 ? 2025)', '2026-03-01T00:00:00Z')).toBeUndefined();
      expect(next('cron(0 0 30 2 ? *)', '2026-03-01T00:00:00Z')).toBeUndefined();
    });
  });

  describe('rate', () => {
    it('counts whole periods from the anchor', () => {
      const anchor = at('2026-03-01T10:00:07Z');
      expect(nextFireTime('rate(5 minutes)', at('2026-03-01T10:00:07Z'), anchor)?.toISOString()).toBe(
        '2026-03-01T10:05:07.000Z',
      );
      expect(nextFireTime('rate(5 minutes)', at('2026-03-01T10:12:00Z'), anchor)?.toISOString()).toBe(
        '2026-03-01T10:15:07.000Z',
      );
      expect(nextFireTime('rate(1 hour)', at('2026-03-01T10:00:07Z'), anchor)?.toISOString()).toBe(
        '2026-03-01T11:00:07.000Z',
      );
      expect(nextFireTime('rate(2 days)', at('2026-03-01T10:00:07Z'), anchor)?.toISOString()).toBe(
        '2026-03-03T10:00:07.000Z',
      );
      expect(nextFireTime('rate(30 seconds)', at('2026-03-01T10:00:07Z'), anchor)?.toISOString()).toBe(
        '2026-03-01T10:00:37.000Z',
      );
    });
  });

  describe('at', () => {
    it('fires once', () => {
      expect(next('at(2026-05-01T09:30:00)', '2026-03-01T00:00:00Z')).toBe('2026-05-01T09:30:00.000Z');
      expect(next('at(2026-05-01T09:30:00)', '2026-05-01T09:30:00Z')).toBeUndefined();
    });
  });

  it.each([
    ['five cron fields', 'cron(0 12 * * ?)', /6 fields/],
    ['both day fields set', 'cron(0 12 1 * MON *)', /exactly one of day-of-month and day-of-week/],
    ['both day fields ?', 'cron(0 12 ? * ? *)', /exactly one of/],
    ['an out-of-range minute', 'cron(60 12 * * ? *)', /minutes: "60" is outside 0-59/],
    ['an out-of-range weekday', 'cron(0 12 ? * 8 *)', /day-of-week: "8" is outside 1-7 \(or SUN-SAT\)/],
    ['an unknown month name', 'cron(0 12 1 FOO ? *)', /month: "FOO"/],
    ['a backwards range', 'cron(0 17-9 * * ? *)', /runs backwards/],
    ['a zero step', 'cron(0/0 * * * ? *)', /positive integer/],
    ['the W flag', 'cron(0 12 15W * ? *)', /"W".*not supported/],
    ['a year beyond 2199', 'cron(0 12 * * ? 2200)', /year/],
    ['a plural unit for 1', 'rate(1 minutes)', /singular for 1/],
    ['a singular unit above 1', 'rate(5 minute)', /singular for 1 and plural above/],
    ['a zero rate', 'rate(0 minutes)', /positive integer/],
    ['an unknown unit', 'rate(5 weeks)', /unit/],
    ['a malformed at()', 'at(2026-05-01)', /at\(yyyy-mm-ddThh:mm:ss\)/],
    ['anything else', 'every 5 minutes', /rate\(\.\.\.\), cron\(\.\.\.\) or at\(\.\.\.\)/],
  ])('rejects %s', (_, expression, message) => {
    expect(() => parseScheduleExpression(expression)).toThrow(InvalidScheduleExpressionError);
    expect(() => parseScheduleExpression(expression)).toThrow(message);
  });
});

describe('LocalScheduler', () => {
  const START = new Date('2026-03-01T10:00:00.000Z').getTime();
  const tick = (ms: number) => vi.advanceTimersByTimeAsync(ms);

  beforeEach(() => {
    vi.useFakeTimers({ now: START });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs a rate schedule from start() with ScheduledEvent-shaped events', async () => {
    const scheduler = new LocalScheduler({ region: 'eu-west-3', account: '123456789012' });
    const events: ScheduledEvent[] = [];
    scheduler.add('reconcile-payments', 'rate(1 minute)', (event) => events.push(event));
    scheduler.start();

    await tick(59_999);
    expect(events).toHaveLength(0);
    await tick(1);
    await tick(60_000);
    expect(events).toHaveLength(2);
    expect(events[0]).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: '2026-03-01T10:01:00Z',
      region: 'eu-west-3',
      resources: ['arn:aws:events:eu-west-3:123456789012:rule/reconcile-payments'],
      detail: {},
    });
    expect(events[1]?.time).toBe('2026-03-01T10:02:00Z');
    await scheduler.stop();
  });

  it('runs cron schedules at their UTC times, as EventBridge Scheduler when asked', async () => {
    const scheduler = new LocalScheduler({ source: 'aws.scheduler' });
    const target = vi.fn();
    scheduler.add('nightly', 'cron(30 10 * * ? *)', target);
    scheduler.start();
    expect(scheduler.nextRunAt('nightly')?.toISOString()).toBe('2026-03-01T10:30:00.000Z');

    await tick(30 * 60_000);
    expect(target).toHaveBeenCalledOnce();
    const event = target.mock.calls[0]?.[0] as ScheduledEvent;
    expect(event.source).toBe('aws.scheduler');
    expect(event.resources).toEqual(['arn:aws:scheduler:eu-west-1:000000000000:schedule/default/nightly']);
    expect(event.time).toBe('2026-03-01T10:30:00Z');
    expect(scheduler.nextRunAt('nightly')?.toISOString()).toBe('2026-03-02T10:30:00.000Z');
    await scheduler.stop();
  });

  it('never overlaps runs of one schedule, skipping the ticks that fall during a run', async () => {
    const scheduler = new LocalScheduler();
    let running = 0;
    let peak = 0;
    const times: string[] = [];
    scheduler.add('slow', 'rate(1 minute)', async (event) => {
      running++;
      peak = Math.max(peak, running);
      times.push(event.time);
      await new Promise((resolve) => setTimeout(resolve, 150_000));
      running--;
    });
    scheduler.start();

    await tick(60_000 + 150_000);
    expect(times).toEqual(['2026-03-01T10:01:00Z']);
    await tick(30_000);
    expect(times).toEqual(['2026-03-01T10:01:00Z', '2026-03-01T10:04:00Z']);
    expect(peak).toBe(1);
    const stopped = scheduler.stop();
    await tick(150_000);
    await stopped;
  });

  it('keeps running after a target throws', async () => {
    const onError = vi.fn();
    const scheduler = new LocalScheduler({ onError });
    const target = vi.fn().mockRejectedValueOnce(new Error('boom')).mockResolvedValue(undefined);
    scheduler.add('flaky', 'rate(1 minute)', target);
    scheduler.start();
    await tick(120_000);
    expect(target).toHaveBeenCalledTimes(2);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'boom' }), 'flaky');
    await scheduler.stop();
  });

  it('waits through delays longer than a single Node timer allows', async () => {
    const scheduler = new LocalScheduler();
    const target = vi.fn();
    scheduler.add('new-year', 'cron(0 0 1 1 ? *)', target);
    scheduler.start();
    const untilNewYear = new Date('2027-01-01T00:00:00Z').getTime() - START;
    await tick(untilNewYear - 1);
    expect(target).not.toHaveBeenCalled();
    await tick(1);
    expect(target).toHaveBeenCalledOnce();
    await scheduler.stop();
  });

  it('arms schedules added after start() and stops firing after stop()', async () => {
    const scheduler = new LocalScheduler();
    scheduler.start();
    const target = vi.fn();
    await tick(10_000);
    scheduler.add('late', 'rate(1 minute)', target);
    await tick(60_000);
    expect(target).toHaveBeenCalledOnce();
    await scheduler.stop();
    await tick(600_000);
    expect(target).toHaveBeenCalledOnce();
    expect(scheduler.nextRunAt('late')).toBeUndefined();
  });

  it('runs a schedule on demand with trigger()', async () => {
    const scheduler = new LocalScheduler();
    const target = vi.fn();
    scheduler.add('manual', 'cron(0 0 1 1 ? *)', target);
    await scheduler.trigger('manual');
    expect(target).toHaveBeenCalledOnce();
    expect(target.mock.calls[0]?.[0]).toMatchObject({ time: '2026-03-01T10:00:00Z' });
    await expect(scheduler.trigger('missing')).rejects.toThrow(/no schedule missing/);
  });

  it('removes schedules', async () => {
    const scheduler = new LocalScheduler();
    const target = vi.fn();
    scheduler.add('gone', 'rate(1 minute)', target);
    scheduler.start();
    expect(scheduler.remove('gone')).toBe(true);
    expect(scheduler.remove('gone')).toBe(false);
    await tick(120_000);
    expect(target).not.toHaveBeenCalled();
  });

  it('rejects bad expressions and duplicate names when schedules are added', () => {
    const scheduler = new LocalScheduler();
    expect(() => scheduler.add('bad', 'rate(5 minute)', vi.fn())).toThrow(InvalidScheduleExpressionError);
    scheduler.add('ok', 'rate(5 minutes)', vi.fn());
    expect(() => scheduler.add('ok', 'rate(5 minutes)', vi.fn())).toThrow(/already exists/);
  });
});
