import { describe, expect, it } from 'vitest';
import { quietHoursEnd } from '../../../lib/notifications/quiet-hours.ts';
import { wallClockAt } from '../../../lib/platform/time-zones.ts';

const at = (iso: string) => new Date(iso);
const end = (now: string, start: string, finish: string, timeZone: string) =>
  quietHoursEnd(at(now), { start, end: finish }, timeZone)?.toISOString();

describe('quietHoursEnd', () => {
  it('is undefined outside the quiet hours, and at the very minute they end', () => {
    expect(end('2026-03-02T12:00:00.000Z', '22:00', '07:00', 'Europe/Paris')).toBeUndefined();
    // 07:00 in Paris (UTC+1 in winter) is 06:00 UTC: the window has just ended.
    expect(end('2026-03-02T06:00:00.000Z', '22:00', '07:00', 'Europe/Paris')).toBeUndefined();
    expect(end('2026-03-02T20:59:59.000Z', '22:00', '07:00', 'Europe/Paris')).toBeUndefined();
  });

  it('runs across midnight: late evening waits for the next morning, early morning for the same one', () => {
    // 23:30 in Paris on 2 March → 07:00 on 3 March.
    expect(end('2026-03-02T22:30:00.000Z', '22:00', '07:00', 'Europe/Paris')).toBe(
      '2026-03-03T06:00:00.000Z',
    );
    // 02:15 in Paris on 3 March → 07:00 the same day.
    expect(end('2026-03-03T01:15:00.000Z', '22:00', '07:00', 'Europe/Paris')).toBe(
      '2026-03-03T06:00:00.000Z',
    );
    // The start itself is quiet.
    expect(end('2026-03-02T21:00:00.000Z', '22:00', '07:00', 'Europe/Paris')).toBe(
      '2026-03-03T06:00:00.000Z',
    );
  });

  it('handles quiet hours inside one day', () => {
    // 13:30 in Tokyo (UTC+9) within 13:00–14:00 → 14:00 Tokyo = 05:00 UTC.
    expect(end('2026-06-10T04:30:00.000Z', '13:00', '14:00', 'Asia/Tokyo')).toBe('2026-06-10T05:00:00.000Z');
    expect(end('2026-06-10T05:30:00.000Z', '13:00', '14:00', 'Asia/Tokyo')).toBeUndefined();
  });

  it('reads the time zone, not UTC: the same instant is quiet in Paris and not in New York', () => {
    const instant = '2026-03-02T22:30:00.000Z';
    expect(end(instant, '22:00', '07:00', 'Europe/Paris')).toBeDefined();
    expect(end(instant, '22:00', '07:00', 'America/New_York')).toBeUndefined();
  });

  it('ends at the local time on the night clocks go forward (New York, 8 March 2026)', () => {
    // 22:30 EST on 7 March (03:30 UTC on the 8th); 07:00 on the 8th is EDT (UTC−4), so 11:00 UTC:
    // seven and a half hours later, not eight and a half.
    expect(end('2026-03-08T03:30:00.000Z', '22:00', '07:00', 'America/New_York')).toBe(
      '2026-03-08T11:00:00.000Z',
    );
  });

  it('ends at the local time on the night clocks go back (Paris, 25 October 2026)', () => {
    // 23:00 CEST on the 24th; 07:00 on the 25th is CET (UTC+1): 06:00 UTC, nine hours later.
    expect(end('2026-10-24T21:00:00.000Z', '23:00', '07:00', 'Europe/Paris')).toBe(
      '2026-10-25T06:00:00.000Z',
    );
  });

  it('picks the next occurrence of an end time the clock reads twice', () => {
    // 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET) on 25 October in Paris.
    expect(end('2026-10-25T00:10:00.000Z', '01:00', '02:30', 'Europe/Paris')).toBe(
      '2026-10-25T00:30:00.000Z',
    );
    // At the second 02:10, the first 02:30 is already past: the second one ends the window.
    expect(end('2026-10-25T01:10:00.000Z', '01:00', '02:30', 'Europe/Paris')).toBe(
      '2026-10-25T01:30:00.000Z',
    );
  });

  it('ends at the jump when the end time never happens (Paris, 29 March 2026, 02:00 → 03:00)', () => {
    const result = end('2026-03-28T22:00:00.000Z', '22:00', '02:30', 'Europe/Paris');
    expect(result).toBe('2026-03-29T01:00:00.000Z');
    expect(wallClockAt(at(result as string), 'Europe/Paris')).toMatchObject({ day: 29, hour: 3, minute: 0 });
  });

  it('always answers an instant after now, whatever the zone and the hour', () => {
    const zones = [
      'Europe/Paris',
      'America/New_York',
      'Asia/Tokyo',
      'Australia/Lord_Howe',
      'Pacific/Chatham',
    ];
    const windows = [
      ['22:00', '07:00'],
      ['00:00', '06:30'],
      ['13:15', '13:45'],
      ['23:59', '00:01'],
    ] as const;
    for (const timeZone of zones) {
      for (const [start, finish] of windows) {
        for (let hour = 0; hour < 24 * 14; hour += 7) {
          const now = new Date(Date.UTC(2026, 2, 20) + hour * 3_600_000 + 17 * 60_000);
          const result = quietHoursEnd(now, { start, end: finish }, timeZone);
          if (!result) continue;
          expect(result.getTime()).toBeGreaterThan(now.getTime());
          expect(result.getTime() - now.getTime()).toBeLessThanOrEqual(25 * 3_600_000);
          const wall = wallClockAt(result, timeZone);
          const minute = wall.hour * 60 + wall.minute;
          const endMinute = Number(finish.slice(0, 2)) * 60 + Number(finish.slice(3));
          expect(minute).toBeGreaterThanOrEqual(endMinute);
        }
      }
    }
  });
});
