import { z } from 'zod';
import { CountryCode } from '../config/config.ts';
import { Slug } from '../contracts/catalog.ts';
import { TimeZoneName, wallClockMs } from '../platform/time-zones.ts';
import {
  addDays,
  businessDays,
  type CalendarDate,
  fromDayNumber,
  nextWorkingDay,
  onOrAfter,
} from './calendar.ts';

/** A local time of day, `HH:MM` on a 24-hour clock. */
export const LocalTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour local time such as 14:00');
export type LocalTime = z.infer<typeof LocalTime>;

/** When an order must be placed for the location to hand it to the carrier the same day, unless it says otherwise. */
export const DEFAULT_CUTOFF: LocalTime = '14:00';

/**
 * Cut-offs that differ from {@link DEFAULT_CUTOFF}. Warehouses run an evening carrier collection, so they
 * accept orders later than boutiques, whose staff pack pieces between appointments.
 */
export const LOCATION_CUTOFFS: Readonly<Record<string, LocalTime>> = {
  'roissy-warehouse': '16:00',
  'venlo-warehouse': '16:00',
  'secaucus-warehouse': '15:00',
  'reno-warehouse': '15:00',
  'narita-warehouse': '15:00',
  'singapore-changi-warehouse': '15:00',
};

/**
 * Where a parcel leaves from. A demo `Location` has all of these fields (and more), so one can be passed
 * as it is where an `Origin` is typed.
 */
export const Origin = z
  .strictObject({
    locationId: Slug,
    country: CountryCode,
    timezone: TimeZoneName,
    cutoff: LocalTime.optional().describe(
      'Order cut-off in local time; default from LOCATION_CUTOFFS or 14:00',
    ),
  })
  .meta({ id: 'DeliveryOrigin' });
export type Origin = z.infer<typeof Origin>;

/** The cut-off that applies at `origin`. */
export function cutoffOf(origin: Origin): LocalTime {
  return origin.cutoff ?? LOCATION_CUTOFFS[origin.locationId] ?? DEFAULT_CUTOFF;
}

/** A wall-clock reading: the local date and the minutes since local midnight. */
export interface LocalDateTime {
  readonly date: CalendarDate;
  readonly minutes: number;
}

/** The local date and time of `instant` in `timeZone`. */
export function localDateTime(instant: Date, timeZone: string): LocalDateTime {
  const wall = wallClockMs(instant.getTime(), timeZone);
  const dayNumber = Math.floor(wall / 86_400_000);
  return { date: fromDayNumber(dayNumber), minutes: Math.floor((wall - dayNumber * 86_400_000) / 60_000) };
}

/** The local date of `instant` in `timeZone`. */
export function localDate(instant: Date, timeZone: string): CalendarDate {
  return localDateTime(instant, timeZone).date;
}

function minutesOf(time: LocalTime): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/**
 * The instant at which the wall clock in `timeZone` reads `time` on `date`. Offsets are read from the
 * time zone database for that very day, so a cut-off stays at 14:00 local across a DST change. A time that
 * does not exist (inside a spring-forward gap) moves forward by the gap: 02:30 becomes 03:30.
 */
export function zonedInstant(date: CalendarDate, time: LocalTime, timeZone: string): Date {
  const target = Date.parse(`${date}T00:00:00Z`) + minutesOf(time) * 60_000;
  // Two corrections settle any offset, including one that changes between the guess and the answer.
  let guess = target;
  for (let i = 0; i < 2; i++) guess += target - wallClockMs(guess, timeZone);
  return new Date(guess);
}

/** The instant of the cut-off at `origin` on the local `date`. */
export function cutoffInstant(origin: Origin, date: CalendarDate): Date {
  return zonedInstant(date, cutoffOf(origin), origin.timezone);
}

/**
 * The local business day on which an order placed at `orderedAt` leaves `origin`: the same day when it
 * is a business day there and the order came before the cut-off, otherwise the next business day.
 */
export function dispatchDay(origin: Origin, orderedAt: Date): CalendarDate {
  const local = localDateTime(orderedAt, origin.timezone);
  const calendar = businessDays(origin.country);
  if (calendar.isWorkingDay(local.date) && local.minutes < minutesOf(cutoffOf(origin))) return local.date;
  return nextWorkingDay(local.date, calendar);
}

/**
 * The next cut-off at `origin` at or after `now` ("order within 2 h 10 min for dispatch today"), with the
 * dispatch day it secures.
 */
export function nextCutoff(
  origin: Origin,
  now: Date,
): { readonly at: Date; readonly dispatchOn: CalendarDate } {
  const calendar = businessDays(origin.country);
  let day = onOrAfter(localDate(now, origin.timezone), calendar);
  let at = cutoffInstant(origin, day);
  if (at.getTime() <= now.getTime()) {
    day = onOrAfter(addDays(day, 1), calendar);
    at = cutoffInstant(origin, day);
  }
  return { at, dispatchOn: day };
}
