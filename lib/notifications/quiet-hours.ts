import { wallClockAt, wallClockMs as wallMs } from '../platform/time-zones.ts';
import type { QuietHours } from './preferences.ts';

const HOUR_MS = 3_600_000;

/**
 * The first instant after `afterMs` at which the zone's wall clock reads `targetWall` or later. Local
 * times are not instants: on the night clocks go back a reading happens twice (the first one still to
 * come is chosen), and on the night they go forward a reading may never happen (the moment the clock
 * jumps past it is chosen).
 */
function firstInstantReading(targetWall: number, afterMs: number, timeZone: string): number {
  const offsets = new Set<number>();
  for (const probe of [targetWall - 24 * HOUR_MS, targetWall, targetWall + 24 * HOUR_MS]) {
    const offset = wallMs(probe, timeZone) - probe;
    offsets.add(offset);
    offsets.add(wallMs(targetWall - offset, timeZone) - (targetWall - offset));
  }
  const exact = [...offsets]
    .map((offset) => targetWall - offset)
    .filter((t) => t > afterMs && wallMs(t, timeZone) === targetWall)
    .sort((a, b) => a - b);
  if (exact[0] !== undefined) return exact[0];
  // A reading skipped by a forward jump: search for the jump between now and the latest candidate.
  let high = Math.max(...[...offsets].map((offset) => targetWall - offset), afterMs + 1);
  while (wallMs(high, timeZone) < targetWall) high += HOUR_MS;
  let low = afterMs;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (wallMs(middle, timeZone) >= targetWall) high = middle;
    else low = middle;
  }
  return high;
}

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/**
 * When the quiet hours that `now` falls in end, in the customer's time zone; undefined when `now` is
 * outside them. Quiet hours that start after they end run across midnight.
 */
export function quietHoursEnd(now: Date, quiet: QuietHours, timeZone: string): Date | undefined {
  const wall = wallClockAt(now, timeZone);
  const minute = wall.hour * 60 + wall.minute;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  const inside = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (!inside) return undefined;
  const endsTomorrow = start > end && minute >= start;
  const targetWall = Date.UTC(
    wall.year,
    wall.month - 1,
    wall.day + (endsTomorrow ? 1 : 0),
    Math.floor(end / 60),
    end % 60,
  );
  return new Date(firstInstantReading(targetWall, now.getTime(), timeZone));
}
