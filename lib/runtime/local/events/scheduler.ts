import { randomUUID } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';
import { eventTime, MAX_TIMER_DELAY_MS, systemTimers, type Timers } from './clock.ts';

/** Thrown for an expression EventBridge would reject (or one the local scheduler cannot run). */
export class InvalidScheduleExpressionError extends Error {
  override readonly name = 'InvalidScheduleExpressionError';

  constructor(expression: string, reason: string) {
    super(`Schedule expression ${JSON.stringify(expression)} is not valid: ${reason}`);
  }
}

/** A parsed `rate(...)`, `cron(...)` or `at(...)` expression. All times are UTC. */
export interface ScheduleExpression {
  readonly expression: string;
  /**
   * The first fire time strictly after `after`, or undefined when there is none. Rates count from
   * `anchor` (when the schedule started), as EventBridge counts from the rule's creation.
   */
  next(after: Date, anchor?: Date): Date | undefined;
}

const RATE_UNITS: Readonly<Record<string, number>> = {
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const MAX_YEAR = 2199;

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MINUTE: FieldSpec = { name: 'minutes', min: 0, max: 59 };
const HOUR: FieldSpec = { name: 'hours', min: 0, max: 23 };
const DAY_OF_MONTH: FieldSpec = { name: 'day-of-month', min: 1, max: 31 };
const MONTH: FieldSpec = { name: 'month', min: 1, max: 12, names: MONTHS };
const DAY_OF_WEEK: FieldSpec = { name: 'day-of-week', min: 1, max: 7, names: WEEKDAYS };
const YEAR: FieldSpec = { name: 'year', min: 1970, max: MAX_YEAR };

/**
 * Parses an EventBridge schedule expression: `rate(5 minutes)` (also `second(s)`, a local extension for
 * fast dev loops), `cron(min hour dom month dow year)` with `*`, `?`, lists, ranges, steps, month and
 * weekday names, `L` in day-of-month and `nL` / `n#k` in day-of-week, and `at(yyyy-mm-ddThh:mm:ss)`.
 */
export function parseScheduleExpression(expression: string): ScheduleExpression {
  const text = expression.trim();
  if (text.startsWith('rate(') && text.endsWith(')')) return parseRate(expression, text.slice(5, -1));
  if (text.startsWith('cron(') && text.endsWith(')')) return parseCron(expression, text.slice(5, -1));
  if (text.startsWith('at(') && text.endsWith(')')) return parseAt(expression, text.slice(3, -1));
  throw new InvalidScheduleExpressionError(expression, 'use rate(...), cron(...) or at(...)');
}

/** The next fire time of `expression` strictly after `after` (rates anchored at `anchor`, default epoch). */
export function nextFireTime(expression: string, after: Date, anchor?: Date): Date | undefined {
  return parseScheduleExpression(expression).next(after, anchor);
}

function parseRate(expression: string, body: string): ScheduleExpression {
  const match = /^(\d+)\s+([a-z]+)$/.exec(body.trim());
  const value = match ? Number(match[1]) : Number.NaN;
  const unit = match?.[2] ?? '';
  const singular = unit.endsWith('s') ? unit.slice(0, -1) : unit;
  const unitMs = RATE_UNITS[singular];
  if (!match || unitMs === undefined || !(value >= 1)) {
    throw new InvalidScheduleExpressionError(
      expression,
      'a rate is "rate(<positive integer> <unit>)", unit minute(s), hour(s) or day(s)',
    );
  }
  if ((value === 1) !== (unit === singular)) {
    throw new InvalidScheduleExpressionError(expression, 'the unit is singular for 1 and plural above');
  }
  const periodMs = value * unitMs;
  return {
    expression,
    next(after, anchor = new Date(0)) {
      const elapsed = after.getTime() - anchor.getTime();
      const periods = Math.max(1, Math.floor(elapsed / periodMs) + 1);
      return new Date(anchor.getTime() + periods * periodMs);
    },
  };
}

function parseAt(expression: string, body: string): ScheduleExpression {
  const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(body) ? Date.parse(`${body}Z`) : Number.NaN;
  if (Number.isNaN(at))
    throw new InvalidScheduleExpressionError(expression, 'a one-time schedule is at(yyyy-mm-ddThh:mm:ss)');
  return { expression, next: (after) => (at > after.getTime() ? new Date(at) : undefined) };
}

type DayPredicate = (year: number, month: number, day: number) => boolean;

function parseCron(expression: string, body: string): ScheduleExpression {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new InvalidScheduleExpressionError(
      expression,
      `cron takes 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`,
    );
  }
  const [minuteText, hourText, domText, monthText, dowText, yearText] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if ((domText === '?') === (dowText === '?')) {
    throw new InvalidScheduleExpressionError(
      expression,
      'exactly one of day-of-month and day-of-week must be "?"',
    );
  }
  const fail = (reason: string) => new InvalidScheduleExpressionError(expression, reason);
  const minutes = parseList(minuteText, MINUTE, fail);
  const hours = parseList(hourText, HOUR, fail);
  const months = parseList(monthText, MONTH, fail);
  const years = parseList(yearText, YEAR, fail);
  const dayMatches = domText === '?' ? parseDayOfWeek(dowText, fail) : parseDayOfMonth(domText, fail);

  return {
    expression,
    next(after) {
      let t = Math.floor(after.getTime() / 60_000) * 60_000 + 60_000;
      for (;;) {
        const date = new Date(t);
        const year = date.getUTCFullYear();
        const month = date.getUTCMonth() + 1;
        const day = date.getUTCDate();
        const hour = date.getUTCHours();
        if (year > MAX_YEAR) return undefined;
        if (!years.has(year)) t = Date.UTC(year + 1, 0, 1);
        else if (!months.has(month)) t = Date.UTC(year, month, 1);
        else if (!dayMatches(year, month, day)) t = Date.UTC(year, month - 1, day + 1);
        else if (!hours.has(hour)) t = Date.UTC(year, month - 1, day, hour + 1);
        else if (!minutes.has(date.getUTCMinutes())) t += 60_000;
        else return date;
      }
    },
  };
}

function parseDayOfMonth(text: string, fail: (reason: string) => Error): DayPredicate {
  let last = false;
  const plain: string[] = [];
  for (const item of text.split(',')) {
    if (item === 'L') last = true;
    else if (item.includes('W')) throw fail('"W" (nearest weekday) is not supported by the local scheduler');
    else plain.push(item);
  }
  const days = plain.length > 0 ? parseList(plain.join(','), DAY_OF_MONTH, fail) : new Set<number>();
  return (year, month, day) => days.has(day) || (last && day === daysInMonth(year, month));
}

function parseDayOfWeek(text: string, fail: (reason: string) => Error): DayPredicate {
  const lastOf: number[] = [];
  const nth: Array<[weekday: number, week: number]> = [];
  const plain: string[] = [];
  for (const item of text.split(',')) {
    const lastMatch = /^(\w+)L$/.exec(item);
    const nthMatch = /^(\w+)#(\d)$/.exec(item);
    if (lastMatch) lastOf.push(singleValue(lastMatch[1] as string, DAY_OF_WEEK, fail));
    else if (nthMatch) {
      const week = Number(nthMatch[2]);
      if (week < 1 || week > 5) throw fail('day-of-week "#" takes a week from 1 to 5');
      nth.push([singleValue(nthMatch[1] as string, DAY_OF_WEEK, fail), week]);
    } else plain.push(item);
  }
  const weekdays = plain.length > 0 ? parseList(plain.join(','), DAY_OF_WEEK, fail) : new Set<number>();
  return (year, month, day) => {
    const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
    if (weekdays.has(weekday)) return true;
    if (lastOf.includes(weekday) && day + 7 > daysInMonth(year, month)) return true;
    return nth.some(([w, week]) => w === weekday && Math.ceil(day / 7) === week);
  };
}

/** `*`, `a`, `a-b`, with an optional `/step`, comma-separated. */
function parseList(text: string, spec: FieldSpec, fail: (reason: string) => Error): Set<number> {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const parts = item.split('/');
    if (parts.length > 2 || parts[0] === '') throw fail(`${spec.name}: cannot read "${item}"`);
    const [range, stepText] = parts as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!(Number.isInteger(step) && step >= 1 && /^\d+$/.test(stepText ?? '1'))) {
      throw fail(`${spec.name}: the step in "${item}" must be a positive integer`);
    }
    let low: number;
    let high: number;
    if (range === '*') {
      low = spec.min;
      high = spec.max;
    } else if (range.includes('-')) {
      const [from, to, ...rest] = range.split('-');
      if (rest.length > 0 || from === undefined || to === undefined)
        throw fail(`${spec.name}: cannot read "${item}"`);
      low = singleValue(from, spec, fail);
      high = singleValue(to, spec, fail);
      if (low > high) throw fail(`${spec.name}: the range "${range}" runs backwards`);
    } else {
      low = singleValue(range, spec, fail);
      high = stepText === undefined ? low : spec.max;
    }
    for (let value = low; value <= high; value += step) values.add(value);
  }
  return values;
}

function singleValue(token: string, spec: FieldSpec, fail: (reason: string) => Error): number {
  const named = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  const value = named >= 0 ? spec.min + named : /^\d+$/.test(token) ? Number(token) : Number.NaN;
  if (!(value >= spec.min && value <= spec.max)) {
    throw fail(
      `${spec.name}: "${token}" is outside ${spec.min}-${spec.max}${spec.names ? ` (or ${spec.names[0]}-${spec.names.at(-1)})` : ''}`,
    );
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A schedule target: a Lambda handler or a test spy. Its result is awaited, then ignored. */
export type ScheduleTarget = (event: ScheduledEvent<Record<string, never>>) => unknown;

export interface LocalSchedulerProps {
  /** @default 'eu-west-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly account?: string;
  /** `aws.events` for EventBridge rules, `aws.scheduler` for EventBridge Scheduler. @default 'aws.events' */
  readonly source?: 'aws.events' | 'aws.scheduler';
  /** @default systemTimers */
  readonly timers?: Timers;
  /** Called when a target throws; the schedule keeps running. @default writes to stderr */
  readonly onError?: (error: unknown, schedule: string) => void;
}

interface Entry {
  readonly name: string;
  readonly schedule: ScheduleExpression;
  readonly target: ScheduleTarget;
  anchor: Date;
  nextAt: number | undefined;
  timer: unknown;
  running: Promise<void> | undefined;
}

/**
 * Runs the manifests' schedules on timers, delivering EventBridge's "Scheduled Event". A schedule never
 * overlaps itself: ticks that fall while a run is still going are skipped.
 */
export class LocalScheduler {
  private readonly region: string;
  private readonly account: string;
  private readonly source: 'aws.events' | 'aws.scheduler';
  private readonly timers: Timers;
  private readonly onError: NonNullable<LocalSchedulerProps['onError']>;
  private readonly entries = new Map<string, Entry>();
  private started = false;
  private idleWaiters: Array<() => void> = [];

  constructor(props: LocalSchedulerProps = {}) {
    this.region = props.region ?? 'eu-west-1';
    this.account = props.account ?? '000000000000';
    this.source = props.source ?? 'aws.events';
    this.timers = props.timers ?? systemTimers;
    this.onError = props.onError ?? ((error, name) => console.error(`[scheduler] ${name} failed`, error));
  }

  /** Adds a schedule; the expression is parsed now so a bad one fails at start-up. */
  add(name: string, expression: string, target: ScheduleTarget): void {
    if (this.entries.has(name)) throw new Error(`LocalScheduler: schedule ${name} already exists`);
    const entry: Entry = {
      name,
      schedule: parseScheduleExpression(expression),
      target,
      anchor: new Date(this.timers.now()),
      nextAt: undefined,
      timer: undefined,
      running: undefined,
    };
    this.entries.set(name, entry);
    if (this.started) this.arm(entry, this.timers.now());
  }

  /** Removes a schedule; a run in progress finishes. */
  remove(name: string): boolean {
    const entry = this.entries.get(name);
    if (!entry) return false;
    this.timers.clearTimeout(entry.timer);
    return this.entries.delete(name);
  }

  /** Arms every schedule; rates count from now. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const now = this.timers.now();
    for (const entry of this.entries.values()) {
      entry.anchor = new Date(now);
      this.arm(entry, now);
    }
  }

  /** Disarms every schedule and waits for runs in progress. */
  async stop(): Promise<void> {
    this.started = false;
    for (const entry of this.entries.values()) {
      this.timers.clearTimeout(entry.timer);
      entry.timer = undefined;
      entry.nextAt = undefined;
    }
    await this.idle();
  }

  /** When the schedule fires next, if armed. */
  nextRunAt(name: string): Date | undefined {
    const at = this.entries.get(name)?.nextAt;
    return at === undefined ? undefined : new Date(at);
  }

  /** Runs a schedule now (a dev convenience); if it is already running, waits for that run instead. */
  async trigger(name: string): Promise<void> {
    const entry = this.entries.get(name);
    if (!entry) throw new Error(`LocalScheduler: no schedule ${name}`);
    if (entry.running) return entry.running;
    this.timers.clearTimeout(entry.timer);
    await this.fire(entry, this.timers.now());
  }

  /** Resolves when no schedule is running. */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.checkIdle();
    });
  }

  private arm(entry: Entry, after: number): void {
    const next = entry.schedule.next(new Date(after), entry.anchor);
    entry.nextAt = next?.getTime();
    if (entry.nextAt !== undefined) this.setTimer(entry, entry.nextAt);
  }

  /** Long waits are re-armed in steps, since Node caps a single timer at about 24.8 days. */
  private setTimer(entry: Entry, at: number): void {
    const delay = Math.min(Math.max(0, at - this.timers.now()), MAX_TIMER_DELAY_MS);
    entry.timer = this.timers.setTimeout(() => {
      if (this.timers.now() < at) this.setTimer(entry, at);
      else void this.fire(entry, at);
    }, delay);
  }

  private fire(entry: Entry, scheduledAt: number): Promise<void> {
    entry.timer = undefined;
    entry.nextAt = undefined;
    const event: ScheduledEvent<Record<string, never>> = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: this.source,
      account: this.account,
      time: eventTime(scheduledAt),
      region: this.region,
      resources: [
        this.source === 'aws.events'
          ? `arn:aws:events:${this.region}:${this.account}:rule/${entry.name}`
          : `arn:aws:scheduler:${this.region}:${this.account}:schedule/default/${entry.name}`,
      ],
      detail: {},
    };
    entry.running = Promise.resolve()
      .then(() => entry.target(event))
      .then(
        () => undefined,
        (error: unknown) => this.reportError(error, entry.name),
      )
      .finally(() => {
        entry.running = undefined;
        // Re-arm from the later of the tick and now: ticks missed while running are skipped, and a
        // tick due exactly now still fires.
        if (this.started && this.entries.get(entry.name) === entry) {
          this.arm(entry, Math.max(scheduledAt, this.timers.now() - 1));
        }
        this.checkIdle();
      });
    return entry.running;
  }

  private reportError(error: unknown, name: string): void {
    try {
      this.onError(error, name);
    } catch {
      // A reporter that throws must not stop the schedule.
    }
  }

  private checkIdle(): void {
    if ([...this.entries.values()].some((entry) => entry.running)) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
