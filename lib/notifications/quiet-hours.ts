import type { QuietHours } from './preferences.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** What a wall clock in a time zone reads at an instant. */
export interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** Reads the wall clock of a time zone at an instant. */
export function wallClockAt(instant: Date, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year as number,
    month: parts.month as number,
    day: parts.day as number,
    hour: parts.hour as number,
    minute: parts.minute as number,
    second: parts.second as number,
  };
}

/** The wall-clock reading at an instant, written as if it were UTC (milliseconds). */
function wallMs(instantMs: number, timeZone: string): number {
  const w = wallClockAt(new Date(instantMs), timeZone);
  const subSecond = ((instantMs % 1000) + 1000) % 1000;
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) + subSecond;
}

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
