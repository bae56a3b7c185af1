import { z } from 'zod';

/**
 * Working calendars for delivery estimates: public holidays per country, weekends, and the days carriers
 * deliver.
 *
 * Dates are calendar days (`YYYY-MM-DD`) in the country's own time, never instants: a parcel delivered on
 * 24 December is delivered on that date wherever the server runs. Internally a date is a day number (days
 * since 1970-01-01), which makes adding days and finding weekdays plain integer arithmetic.
 *
 * Holidays are computed from rules (fixed dates, Easter, n-th weekday of a month, Japan's equinox formula)
 * for any year, with each country's observed / substitute rules. Lunar and Islamic holidays (Korea's
 * Seollal and Chuseok, Singapore's Chinese New Year, Hari Raya, Vesak, Deepavali) and election days cannot
 * be computed from a simple rule and are tabulated for {@link TABULATED_YEARS}; outside those years such a
 * country's calendar misses them, so estimates there may come out a day early around those dates.
 * National holidays only: regional ones (Bavaria's Corpus Christi, Geneva's Jeûne genevois) are not in the
 * tables, and the transit model learns their effect per lane instead.
 */

/** A calendar day, `YYYY-MM-DD`, in the local time of whoever it concerns. */
export const CalendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a calendar date such as 2026-12-24')
  .refine((s) => fromDayNumber(toDayNumber(s)) === s, 'must be a real calendar date')
  .meta({ id: 'CalendarDate' });
export type CalendarDate = z.infer<typeof CalendarDate>;

/** The years whose lunar, Islamic and election-day holidays are tabulated. */
export const TABULATED_YEARS: readonly number[] = [2026, 2027];

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 for a `YYYY-MM-DD` date. */
export function toDayNumber(date: string): number {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const day = Number(date.slice(8, 10));
  return Math.floor(Date.UTC(year, month - 1, day) / DAY_MS);
}

/** The `YYYY-MM-DD` date of a day number. */
export function fromDayNumber(dayNumber: number): string {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

/** The date `days` calendar days after `date` (before it when negative). */
export function addDays(date: CalendarDate, days: number): CalendarDate {
  return fromDayNumber(toDayNumber(date) + days);
}

/** Day of the week, 0 = Sunday ... 6 = Saturday. */
export function weekday(date: CalendarDate): number {
  return dayNumberWeekday(toDayNumber(date));
}

function dayNumberWeekday(dayNumber: number): number {
  // 1970-01-01 was a Thursday.
  return (((dayNumber + 4) % 7) + 7) % 7;
}

/** Calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: CalendarDate, to: CalendarDate): number {
  return toDayNumber(to) - toDayNumber(from);
}

/**
 * How widely a holiday closes things:
 * - `public`: offices, warehouses and carriers are closed;
 * - `civic`: on the official list, but private business and parcel carriers work (the US federal holidays
 *   such as Columbus Day, which UPS, FedEx and DHL all work through).
 */
export const HolidayKind = z.enum(['public', 'civic']);
export type HolidayKind = z.infer<typeof HolidayKind>;

/** One public holiday as observed: a substitute day carries the name of the holiday it replaces. */
export interface Holiday {
  readonly date: CalendarDate;
  readonly name: string;
  readonly kind: HolidayKind;
  /** True for a day off given in place of a holiday that fell on a weekend (or another holiday). */
  readonly substitute?: boolean;
}

/** The countries with holiday tables; any other country gets weekends only. */
export const HOLIDAY_COUNTRIES = ['FR', 'DE', 'IT', 'ES', 'GB', 'CH', 'NL', 'US', 'JP', 'KR', 'SG'] as const;
export type HolidayCountry = (typeof HOLIDAY_COUNTRIES)[number];

const SUNDAY = 0;
const MONDAY = 1;
const THURSDAY = 4;
const SATURDAY = 6;

interface Day {
  readonly day: number;
  readonly name: string;
  readonly kind?: HolidayKind;
  readonly substitute?: boolean;
}

const ymd = (year: number, month: number, day: number): number =>
  Math.floor(Date.UTC(year, month - 1, day) / DAY_MS);

/** Easter Sunday (Gregorian), by the anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
export function easterSunday(year: number): CalendarDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return fromDayNumber(ymd(year, month, day));
}

/** The n-th `dow` of a month (n = -1: the last one). */
function nthWeekday(year: number, month: number, dow: number, n: number): number {
  if (n > 0) {
    const first = ymd(year, month, 1);
    return first + ((dow - dayNumberWeekday(first) + 7) % 7) + (n - 1) * 7;
  }
  const last = ymd(year, month + 1, 0);
  return last - ((dayNumberWeekday(last) - dow + 7) % 7);
}

const fixed =
  (month: number, dayOfMonth: number, name: string, kind: HolidayKind = 'public') =>
  (year: number): Day => ({ day: ymd(year, month, dayOfMonth), name, kind });

const easter =
  (offset: number, name: string) =>
  (year: number): Day => ({ day: toDayNumber(easterSunday(year)) + offset, name });

const nth =
  (month: number, dow: number, n: number, name: string, kind: HolidayKind = 'public') =>
  (year: number): Day => ({ day: nthWeekday(year, month, dow, n), name, kind });

type Rule = (year: number) => Day | Day[];

const isWeekendDay = (day: number): boolean => {
  const dow = dayNumberWeekday(day);
  return dow === SATURDAY || dow === SUNDAY;
};

/** Tabulated dates (`YYYY-MM-DD`) of one holiday; years outside the table yield nothing. */
const tabulated =
  (name: string, dates: readonly CalendarDate[]) =>
  (year: number): Day[] =>
    dates.filter((d) => d.startsWith(`${year}-`)).map((d) => ({ day: toDayNumber(d), name }));

function expand(rules: readonly Rule[], year: number): Day[] {
  return rules.flatMap((rule) => rule(year));
}

/** A weekend holiday moves to the next weekday that is not already a holiday (UK bank holidays, Korea). */
function substituteForward(
  days: readonly Day[],
  appliesTo: (d: Day) => boolean,
  triggers: (day: number) => boolean,
): Day[] {
  const taken = new Set(days.map((d) => d.day));
  const out = [...days];
  for (const d of [...days].sort((x, y) => x.day - y.day)) {
    if (!appliesTo(d) || !triggers(d.day)) continue;
    let next = d.day + 1;
    while (isWeekendDay(next) || taken.has(next)) next++;
    taken.add(next);
    out.push({ day: next, name: d.name, kind: d.kind ?? 'public', substitute: true });
  }
  return out;
}

const FR: readonly Rule[] = [
  fixed(1, 1, "New Year's Day"),
  easter(1, 'Easter Monday'),
  fixed(5, 1, 'Labour Day'),
  fixed(5, 8, 'Victory in Europe Day'),
  easter(39, 'Ascension Day'),
  easter(50, 'Whit Monday'),
  fixed(7, 14, 'Bastille Day'),
  fixed(8, 15, 'Assumption'),
  fixed(11, 1, "All Saints' Day"),
  fixed(11, 11, 'Armistice Day'),
  fixed(12, 25, 'Christmas Day'),
];

const DE: readonly Rule[] = [
  fixed(1, 1, "New Year's Day"),
  easter(-2, 'Good Friday'),
  easter(1, 'Easter Monday'),
  fixed(5, 1, 'Labour Day'),
  easter(39, 'Ascension Day'),
  easter(50, 'Whit Monday'),
  fixed(10, 3, 'German Unity Day'),
  fixed(12, 25, 'Christmas Day'),
  fixed(12, 26, "St Stephen's Day"),
];

const IT: readonly Rule[] = [
  fixed(1, 1, "New Year's Day"),
  fixed(1, 6, 'Epiphany'),
  easter(1, 'Easter Monday'),
  fixed(4, 25, 'Liberation Day'),
  fixed(5, 1, 'Labour Day'),
  fixed(6, 2, 'Republic Day'),
  fixed(8, 15, 'Assumption'),
  // Restored as a national holiday from 2026 (law 151/2025).
  (year) => (year >= 2026 ? [fixed(10, 4, 'St Francis of Assisi')(year)] : []),
  fixed(11, 1, "All Saints' Day"),
  fixed(12, 8, 'Immaculate Conception'),
  fixed(12, 25, 'Christmas Day'),
  fixed(12, 26, "St Stephen's Day"),
];

// National holidays; regions may move a Sunday holiday to Monday, which the lane model absorbs.
const ES: readonly Rule[] = [
  fixed(1, 1, "New Year's Day"),
  fixed(1, 6, 'Epiphany'),
  easter(-2, 'Good Friday'),
  fixed(5, 1, 'Labour Day'),
  fixed(8, 15, 'Assumption'),
  fixed(10, 12, 'National Day'),
  fixed(11, 1, "All Saints' Day"),
  fixed(12, 6, 'Constitution Day'),
  fixed(12, 8, 'Immaculate Conception'),
  fixed(12, 25, 'Christmas Day'),
];

// England and Wales, where the London boutique and most UK deliveries are.
const GB_BASE: readonly Rule[] = [
  easter(-2, 'Good Friday'),
  easter(1, 'Easter Monday'),
  nth(5, MONDAY, 1, 'Early May bank holiday'),
  nth(5, MONDAY, -1, 'Spring bank holiday'),
  nth(8, MONDAY, -1, 'Summer bank holiday'),
];
const GB_SUBSTITUTED: readonly Rule[] = [
  fixed(1, 1, "New Year's Day"),
  fixed(12, 25, 'Christmas Day'),
  fixed(12, 26, 'Boxing Day'),
];

// The holidays most cantons (Geneva and Zurich included) keep; 1 August is the only federal one.
const CH: readonly Rule[] = [
  fixed(1, 1, "New Year's Day"),
  easter(-2, 'Good Friday'),
  easter(1, 'Easter Monday'),
  easter(39, 'Ascension Day'),
  easter(50, 'Whit Monday'),
  fixed(8, 1, 'Swiss National Day'),
  fixed(12, 25, 'Christmas Day'),
  fixed(12, 26, "St Stephen's Day"),
];

const NL: readonly Rule[] = [
  fixed(1, 1, "New Year's Day"),
  easter(1, 'Easter Monday'),
  // King's Day moves to the Saturday before when 27 April is a Sunday.
  (year) => {
    const day = ymd(year, 4, 27);
    return { day: dayNumberWeekday(day) === SUNDAY ? day - 1 : day, name: "King's Day" };
  },
  easter(39, 'Ascension Day'),
  easter(50, 'Whit Monday'),
  fixed(12, 25, 'Christmas Day'),
  fixed(12, 26, 'Second Day of Christmas'),
];

// Federal holidays; carriers deliver on the civic ones, and a weekend holiday is observed on the nearest weekday.
const US: readonly Rule[] = [
  fixed(1, 1, "New Year's Day"),
  nth(1, MONDAY, 3, 'Martin Luther King Jr. Day', 'civic'),
  nth(2, MONDAY, 3, "Washington's Birthday", 'civic'),
  nth(5, MONDAY, -1, 'Memorial Day'),
  fixed(6, 19, 'Juneteenth', 'civic'),
  fixed(7, 4, 'Independence Day'),
  nth(9, MONDAY, 1, 'Labor Day'),
  nth(10, MONDAY, 2, 'Columbus Day', 'civic'),
  fixed(11, 11, 'Veterans Day', 'civic'),
  nth(11, THURSDAY, 4, 'Thanksgiving Day'),
  fixed(12, 25, 'Christmas Day'),
];

/** Japan's equinox days by the Cabinet Office's formula, valid 1980-2099. */
function equinox(year: number, base: number): number {
  return Math.floor(base + 0.242194 * (year - 1980) - Math.floor((year - 1980) / 4));
}

const JP: readonly Rule[] = [
  fixed(1, 1, "New Year's Day"),
  nth(1, MONDAY, 2, 'Coming of Age Day'),
  fixed(2, 11, 'National Foundation Day'),
  fixed(2, 23, "Emperor's Birthday"),
  (year) => ({ day: ymd(year, 3, equinox(year, 20.8431)), name: 'Vernal Equinox Day' }),
  fixed(4, 29, 'Showa Day'),
  fixed(5, 3, 'Constitution Memorial Day'),
  fixed(5, 4, 'Greenery Day'),
  fixed(5, 5, "Children's Day"),
  nth(7, MONDAY, 3, 'Marine Day'),
  fixed(8, 11, 'Mountain Day'),
  nth(9, MONDAY, 3, 'Respect for the Aged Day'),
  (year) => ({ day: ymd(year, 9, equinox(year, 23.2488)), name: 'Autumnal Equinox Day' }),
  nth(10, MONDAY, 2, 'Sports Day'),
  fixed(11, 3, 'Culture Day'),
  fixed(11, 23, 'Labour Thanksgiving Day'),
];

const SEOLLAL = ['2026-02-16', '2026-02-17', '2026-02-18', '2027-02-05', '2027-02-06', '2027-02-07'];
const CHUSEOK = ['2026-09-24', '2026-09-25', '2026-09-26', '2027-09-14', '2027-09-15', '2027-09-16'];
const KR_NO_SUBSTITUTE: readonly Rule[] = [
  fixed(1, 1, "New Year's Day"),
  fixed(6, 6, 'Memorial Day'),
  tabulated('Local elections', ['2026-06-03']),
];
const KR_SUBSTITUTED: readonly Rule[] = [
  fixed(3, 1, 'Independence Movement Day'),
  fixed(5, 5, "Children's Day"),
  tabulated("Buddha's Birthday", ['2026-05-24', '2027-05-13']),
  fixed(8, 15, 'Liberation Day'),
  fixed(10, 3, 'National Foundation Day'),
  fixed(10, 9, 'Hangul Day'),
  fixed(12, 25, 'Christmas Day'),
];

// Singapore's 2027 dates follow the astronomical calendars; MOM gazettes the year in advance and the
// table must follow its announcement.
const SG: readonly Rule[] = [
  fixed(1, 1, "New Year's Day"),
  tabulated('Chinese New Year', ['2026-02-17', '2026-02-18', '2027-02-06', '2027-02-07']),
  tabulated('Hari Raya Puasa', ['2026-03-21', '2027-03-10']),
  easter(-2, 'Good Friday'),
  fixed(5, 1, 'Labour Day'),
  tabulated('Hari Raya Haji', ['2026-05-27', '2027-05-17']),
  tabulated('Vesak Day', ['2026-05-31', '2027-05-20']),
  fixed(8, 9, 'National Day'),
  tabulated('Deepavali', ['2026-11-08', '2027-10-28']),
  fixed(12, 25, 'Christmas Day'),
];

function japan(year: number): Day[] {
  const base = expand(JP, year);
  const taken = new Set(base.map((d) => d.day));
  const out = [...base];
  // 振替休日: a holiday on a Sunday gives the next day that is not already a holiday.
  for (const d of base) {
    if (dayNumberWeekday(d.day) !== SUNDAY) continue;
    let next = d.day + 1;
    while (taken.has(next)) next++;
    taken.add(next);
    out.push({ day: next, name: d.name, substitute: true });
  }
  // 国民の休日: a day between two national holidays is a holiday too (Silver Week 2026).
  for (const d of base) {
    const between = d.day + 1;
    if (
      !taken.has(between) &&
      base.some((o) => o.day === d.day + 2) &&
      dayNumberWeekday(between) !== SUNDAY
    ) {
      taken.add(between);
      out.push({ day: between, name: "Citizens' Holiday" });
    }
  }
  return out;
}

function korea(year: number): Day[] {
  const blocks = [tabulated('Seollal', SEOLLAL)(year), tabulated('Chuseok', CHUSEOK)(year)];
  const singles = expand(KR_SUBSTITUTED, year);
  const all = [...expand(KR_NO_SUBSTITUTE, year), ...singles, ...blocks.flat()];
  const count = new Map<number, number>();
  for (const d of all) count.set(d.day, (count.get(d.day) ?? 0) + 1);
  const taken = new Set(all.map((d) => d.day));
  const out = [...all];
  const substitute = (after: number, name: string) => {
    let next = after + 1;
    while (isWeekendDay(next) || taken.has(next)) next++;
    taken.add(next);
    out.push({ day: next, name, substitute: true });
  };
  // Seollal and Chuseok earn a substitute only when a day of the block is a Sunday or another holiday.
  for (const block of blocks) {
    const last = block.at(-1);
    if (last && block.some((d) => dayNumberWeekday(d.day) === SUNDAY || (count.get(d.day) ?? 0) > 1)) {
      substitute(last.day, last.name);
    }
  }
  // The others earn one when they fall on a Saturday, a Sunday or another holiday.
  for (const d of singles) {
    if (isWeekendDay(d.day) || (count.get(d.day) ?? 0) > 1) substitute(d.day, d.name);
  }
  return out;
}

function singapore(year: number): Day[] {
  const base = expand(SG, year);
  const taken = new Set(base.map((d) => d.day));
  const out = [...base];
  // A holiday on a Sunday gives the next working day; a Saturday holiday gives nothing.
  for (const d of base) {
    if (dayNumberWeekday(d.day) !== SUNDAY) continue;
    let next = d.day + 1;
    while (taken.has(next)) next++;
    taken.add(next);
    out.push({ day: next, name: d.name, substitute: true });
  }
  return out;
}

// The day itself stays a holiday too: carriers that deliver on Saturdays do not on 4 July.
function unitedStates(year: number): Day[] {
  return expand(US, year).flatMap((d) => {
    const dow = dayNumberWeekday(d.day);
    if (dow === SATURDAY) return [d, { ...d, day: d.day - 1, substitute: true }];
    if (dow === SUNDAY) return [d, { ...d, day: d.day + 1, substitute: true }];
    return [d];
  });
}

function rawHolidays(country: string, year: number): Day[] {
  switch (country) {
    case 'FR':
      return expand(FR, year);
    case 'DE':
      return expand(DE, year);
    case 'IT':
      return expand(IT, year);
    case 'ES':
      return expand(ES, year);
    case 'GB': {
      const substituted = expand(GB_SUBSTITUTED, year);
      return substituteForward(
        [...expand(GB_BASE, year), ...substituted],
        (d) => substituted.includes(d),
        isWeekendDay,
      );
    }
    case 'CH':
      return expand(CH, year);
    case 'NL':
      return expand(NL, year);
    case 'US':
      return unitedStates(year);
    case 'JP':
      return japan(year);
    case 'KR':
      return korea(year);
    case 'SG':
      return singapore(year);
    default:
      return [];
  }
}

const cache = new Map<string, ReadonlyMap<number, Holiday>>();

function holidayIndex(country: string, year: number): ReadonlyMap<number, Holiday> {
  const key = `${country}:${year}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const first = ymd(year, 1, 1);
  const last = ymd(year, 12, 31);
  const index = new Map<number, Holiday>();
  // A US holiday observed on the Friday before can fall in the previous year (1 January on a Saturday).
  for (const y of [year - 1, year, year + 1]) {
    for (const d of rawHolidays(country, y)) {
      if (d.day < first || d.day > last) continue;
      const existing = index.get(d.day);
      // Where two holidays share a day, the one that closes more wins.
      if (existing && (existing.kind === 'public' || (d.kind ?? 'public') !== 'public')) continue;
      index.set(d.day, {
        date: fromDayNumber(d.day),
        name: d.name,
        kind: d.kind ?? 'public',
        ...(d.substitute ? { substitute: true } : {}),
      });
    }
  }
  cache.set(key, index);
  return index;
}

/** The holidays of a country in a year, in date order (empty for a country without a table). */
export function publicHolidays(country: string, year: number): Holiday[] {
  return [...holidayIndex(country, year).values()].sort((a, b) => a.date.localeCompare(b.date));
}

/** The holiday on `date` in `country`, if any. */
export function holidayOn(date: CalendarDate, country: string): Holiday | undefined {
  return holidayIndex(country, Number(date.slice(0, 4))).get(toDayNumber(date));
}

function closedOn(dayNumber: number, country: string): boolean {
  const year = new Date(dayNumber * DAY_MS).getUTCFullYear();
  return holidayIndex(country, year).get(dayNumber)?.kind === 'public';
}

/** Whether a date is a working day: Monday to Friday and not a (`public`) holiday. */
export function isBusinessDay(date: CalendarDate, country: string): boolean {
  const day = toDayNumber(date);
  return !isWeekendDay(day) && !closedOn(day, country);
}

/** A set of days on which something happens (a warehouse ships, a carrier delivers). */
export interface WorkingCalendar {
  /** A short label for messages and reports, e.g. `FR business days`. */
  readonly label: string;
  isWorkingDay(date: CalendarDate): boolean;
}

/** Monday to Friday, without the country's public holidays: when warehouses ship and customs clears. */
export function businessDays(country: string): WorkingCalendar {
  return { label: `${country} business days`, isWorkingDay: (date) => isBusinessDay(date, country) };
}

/**
 * The days a carrier delivers in a country: business days, plus Saturdays for services that deliver on
 * them. Never Sundays or public holidays.
 */
export function carrierDays(country: string, options: { readonly saturday: boolean }): WorkingCalendar {
  return {
    label: `${country} carrier days${options.saturday ? ' (Saturday delivery)' : ''}`,
    isWorkingDay: (date) => {
      const day = toDayNumber(date);
      const dow = dayNumberWeekday(day);
      if (dow === SUNDAY || (dow === SATURDAY && !options.saturday)) return false;
      return !closedOn(day, country);
    },
  };
}

// A year has at most a few dozen non-working days in a row (Lunar New Year, year-end); anything longer
// is a calendar that never works, which is a bug rather than a long holiday.
const MAX_SCAN_DAYS = 60;

/** `date` itself when it is a working day, otherwise the next one. */
export function onOrAfter(date: CalendarDate, calendar: WorkingCalendar): CalendarDate {
  let day = toDayNumber(date);
  for (let i = 0; i <= MAX_SCAN_DAYS; i++, day++) {
    const candidate = fromDayNumber(day);
    if (calendar.isWorkingDay(candidate)) return candidate;
  }
  throw new RangeError(`${calendar.label}: no working day within ${MAX_SCAN_DAYS} days of ${date}`);
}

/** The first working day strictly after `date`. */
export function nextWorkingDay(date: CalendarDate, calendar: WorkingCalendar): CalendarDate {
  return onOrAfter(addDays(date, 1), calendar);
}

/**
 * The `n`-th working day after `date`; `n = 0` gives `date` itself when it is a working day, otherwise
 * the next one.
 */
export function addWorkingDays(date: CalendarDate, n: number, calendar: WorkingCalendar): CalendarDate {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`working days to add must be a whole number ≥ 0, got ${n}`);
  let current = n === 0 ? onOrAfter(date, calendar) : date;
  for (let i = 0; i < n; i++) current = nextWorkingDay(current, calendar);
  return current;
}

/** Working days `d` with `from < d ≤ to`: 0 when `to` is not after `from`. */
export function workingDaysBetween(from: CalendarDate, to: CalendarDate, calendar: WorkingCalendar): number {
  const start = toDayNumber(from);
  const end = toDayNumber(to);
  let count = 0;
  for (let day = start + 1; day <= end; day++) if (calendar.isWorkingDay(fromDayNumber(day))) count++;
  return count;
}
