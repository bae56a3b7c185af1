import { randomUUID } from 'node:crypto';
import type { PutEventsRequestEntry, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import type { EventBridgeEvent } from 'aws-lambda';
import { eventTime, systemTimers, type Timers } from './clock.ts';
import { compilePattern, type EventPattern, type PatternMatcher } from './event-pattern.ts';

/** An event as EventBridge hands it to a target. */
export type BusEvent = EventBridgeEvent<string, unknown>;

/** A rule target: a Lambda handler, a queue's `send`, a test spy. Its result is ignored. */
export type BusTarget = (event: BusEvent) => unknown;

/** The PutEvents request, as `@aws-sdk/client-eventbridge` takes it. */
export interface PutEventsInput {
  readonly Entries: readonly PutEventsRequestEntry[];
}

/** The PutEvents response: one result per entry, in order, with `EventId` or an error code. */
export interface PutEventsOutput {
  readonly FailedEntryCount: number;
  readonly Entries: PutEventsResultEntry[];
}

/**
 * The "at-least-once bus" shim of RELIABILITY.md §b.0: EventBridge promises at-least-once delivery and
 * no order, and consumers must be shown both.
 */
export interface BusChaos {
  /** Each delivery (event × matching rule) happens between 1 and this many times. @default 1 */
  readonly duplicateFactor?: number;
  /** Deliver exactly `duplicateFactor` copies instead of a random count in 1..k. @default false */
  readonly exactDuplicates?: boolean;
  /** Shuffle the deliveries of one PutEvents call. @default false */
  readonly shuffle?: boolean;
  /** Delay each delivery by a random 0..maxDelayMs, which also reorders across calls. @default 0 */
  readonly maxDelayMs?: number;
  /** Seed it (see `seededRandom`) so a failing run replays exactly. @default Math.random */
  readonly random?: () => number;
}

export interface InProcessEventBusProps {
  /** @default 'default' */
  readonly name?: string;
  /** @default 'eu-west-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly account?: string;
  /** Keep every accepted event so it can be replayed. @default false */
  readonly archive?: boolean;
  /** Off unless given. */
  readonly chaos?: BusChaos;
  /** @default systemTimers */
  readonly timers?: Timers;
  /**
   * Called when a target throws. A failing target never fails the publisher, as on AWS; by default the
   * error is written to stderr so it is not lost.
   */
  readonly onTargetError?: (
    error: unknown,
    delivery: { readonly rule: string; readonly event: BusEvent },
  ) => void;
}

export interface ReplayOptions {
  /** Only archived events matching this pattern. */
  readonly pattern?: EventPattern;
  /** Only events whose `time` is at or after this instant. */
  readonly from?: Date;
  /** Only events whose `time` is before this instant. */
  readonly to?: Date;
  /** Stamped on replayed events as `replay-name`, as EventBridge does. @default 'local-replay' */
  readonly replayName?: string;
}

interface Rule {
  readonly name: string;
  readonly matches: PatternMatcher;
  readonly target: BusTarget;
}

const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;

/**
 * An in-process EventBridge bus: PutEvents in, full EventBridge events out to the targets of every
 * matching rule, always asynchronously so a publisher never runs (or fails with) its subscribers.
 */
export class InProcessEventBus {
  readonly name: string;
  readonly arn: string;
  private readonly region: string;
  private readonly account: string;
  private readonly timers: Timers;
  private readonly chaos: Required<Omit<BusChaos, 'random'>> & { readonly random: () => number };
  private readonly keepArchive: boolean;
  private readonly onTargetError: NonNullable<InProcessEventBusProps['onTargetError']>;
  private readonly rules = new Map<string, Rule>();
  private readonly archived: BusEvent[] = [];
  private readonly scheduled = new Set<unknown>();
  private pending = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(props: InProcessEventBusProps = {}) {
    this.name = props.name ?? 'default';
    this.region = props.region ?? 'eu-west-1';
    this.account = props.account ?? '000000000000';
    this.arn = `arn:aws:events:${this.region}:${this.account}:event-bus/${this.name}`;
    this.timers = props.timers ?? systemTimers;
    this.keepArchive = props.archive ?? false;
    const chaos = props.chaos ?? {};
    const duplicateFactor = chaos.duplicateFactor ?? 1;
    if (!Number.isInteger(duplicateFactor) || duplicateFactor < 1) {
      throw new Error(`InProcessEventBus ${this.name}: chaos.duplicateFactor must be an integer >= 1`);
    }
    const maxDelayMs = chaos.maxDelayMs ?? 0;
    if (!(maxDelayMs >= 0)) throw new Error(`InProcessEventBus ${this.name}: chaos.maxDelayMs must be >= 0`);
    this.chaos = {
      duplicateFactor,
      exactDuplicates: chaos.exactDuplicates ?? false,
      shuffle: chaos.shuffle ?? false,
      maxDelayMs,
      random: chaos.random ?? Math.random,
    };
    this.onTargetError =
      props.onTargetError ??
      ((error, { rule, event }) => {
        console.error(`[${this.name}] target of rule ${rule} failed on event ${event.id}`, error);
      });
  }

  /** Adds a rule; the pattern is validated now, so a malformed one fails at start-up. */
  addRule(name: string, pattern: EventPattern, target: BusTarget): void {
    if (this.rules.has(name)) throw new Error(`InProcessEventBus ${this.name}: rule ${name} already exists`);
    this.rules.set(name, { name, matches: compilePattern(pattern), target });
  }

  /** Removes a rule; deliveries already scheduled for it still happen. */
  removeRule(name: string): boolean {
    return this.rules.delete(name);
  }

  /** EventBridge PutEvents: validates each entry, then schedules deliveries and returns at once. */
  async putEvents(input: PutEventsInput): Promise<PutEventsOutput> {
    const entries = input.Entries;
    if (entries.length === 0 || entries.length > MAX_ENTRIES) {
      throw new Error(
        `ValidationException: PutEvents takes 1 to ${MAX_ENTRIES} entries, got ${entries.length}`,
      );
    }
    const size = entries.reduce((total, entry) => total + entrySize(entry), 0);
    if (size > MAX_REQUEST_BYTES) {
      throw new Error(`ValidationException: total size of the entries (${size} bytes) is over 256 KB`);
    }
    const results: PutEventsResultEntry[] = [];
    const accepted: BusEvent[] = [];
    for (const entry of entries) {
      const error = this.checkEntry(entry);
      if (error) {
        results.push(error);
        continue;
      }
      const event = this.toEvent(entry);
      results.push({ EventId: event.id });
      accepted.push(event);
    }
    if (this.keepArchive) this.archived.push(...accepted);
    this.dispatch(accepted);
    return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
  }

  /** Every accepted event, oldest first (only with `archive: true`). */
  get archive(): readonly BusEvent[] {
    return this.archived;
  }

  /**
   * Re-delivers archived events to the rules as they are now, stamped with `replay-name`. Returns how
   * many events were replayed.
   */
  replay(options: ReplayOptions = {}): number {
    if (!this.keepArchive) throw new Error(`InProcessEventBus ${this.name}: replay needs archive: true`);
    const matches = options.pattern ? compilePattern(options.pattern) : () => true;
    const from = options.from?.getTime() ?? Number.NEGATIVE_INFINITY;
    const to = options.to?.getTime() ?? Number.POSITIVE_INFINITY;
    const replayName = options.replayName ?? 'local-replay';
    const selected = this.archived
      .filter((event) => {
        const time = Date.parse(event.time);
        return time >= from && time < to && matches(event);
      })
      .map((event) => ({ ...event, 'replay-name': replayName }));
    this.dispatch(selected);
    return selected.length;
  }

  /** Resolves once no delivery is scheduled or running (advance fake timers for delayed ones). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Cancels deliveries that have not started; running targets finish on their own. */
  stop(): void {
    for (const handle of this.scheduled) {
      this.timers.clearTimeout(handle);
      this.settle();
    }
    this.scheduled.clear();
  }

  /** For tests of one pattern against this bus's rules without publishing. */
  matchingRules(event: BusEvent): string[] {
    return [...this.rules.values()].filter((rule) => rule.matches(event)).map((rule) => rule.name);
  }

  private checkEntry(entry: PutEventsRequestEntry): PutEventsResultEntry | undefined {
    const missing = (['Source', 'DetailType', 'Detail'] as const).filter((key) => !entry[key]);
    if (missing.length > 0) {
      return {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: `Parameter(s) ${missing.join(', ')} must be specified.`,
      };
    }
    const busName = entry.EventBusName ?? 'default';
    if (busName !== this.name && busName !== this.arn) {
      return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${busName} does not exist.` };
    }
    if (entry.Source?.startsWith('aws.')) {
      return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
    }
    if (!isJsonObject(entry.Detail as string)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    return undefined;
  }

  private toEvent(entry: PutEventsRequestEntry): BusEvent {
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType as string,
      source: entry.Source as string,
      account: this.account,
      time: eventTime(entry.Time?.getTime() ?? this.timers.now()),
      region: this.region,
      resources: [...(entry.Resources ?? [])],
      detail: JSON.parse(entry.Detail as string),
    };
  }

  private dispatch(events: readonly BusEvent[]): void {
    const deliveries: Array<{ rule: Rule; event: BusEvent }> = [];
    for (const event of events) {
      for (const rule of this.rules.values()) {
        if (!rule.matches(event)) continue;
        for (let copy = this.copies(); copy > 0; copy--) deliveries.push({ rule, event });
      }
    }
    if (this.chaos.shuffle) shuffle(deliveries, this.chaos.random);
    for (const delivery of deliveries) this.schedule(delivery.rule, delivery.event);
  }

  private copies(): number {
    const { duplicateFactor, exactDuplicates, random } = this.chaos;
    if (duplicateFactor === 1 || exactDuplicates) return duplicateFactor;
    return 1 + Math.floor(random() * duplicateFactor);
  }

  private schedule(rule: Rule, event: BusEvent): void {
    const delay =
      this.chaos.maxDelayMs > 0 ? Math.floor(this.chaos.random() * (this.chaos.maxDelayMs + 1)) : 0;
    this.pending++;
    // A timer, not a microtask: the target must run outside the publisher's await chain, and fake
    // timers must be able to hold deliveries back.
    const handle = this.timers.setTimeout(() => {
      this.scheduled.delete(handle);
      // Each target gets its own copy, as separate Lambda invocations would.
      const copy = structuredClone(event);
      Promise.resolve()
        .then(() => rule.target(copy))
        .catch((error: unknown) => this.reportTargetError(error, rule.name, copy))
        .finally(() => this.settle());
    }, delay);
    this.scheduled.add(handle);
  }

  private reportTargetError(error: unknown, rule: string, event: BusEvent): void {
    try {
      this.onTargetError(error, { rule, event });
    } catch {
      // An error reporter that throws must not wedge idle().
    }
  }

  private settle(): void {
    this.pending--;
    if (this.pending > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** EventBridge's entry-size formula: Time 14 bytes, plus the UTF-8 size of the other fields. */
function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (value: string | undefined) => (value ? Buffer.byteLength(value, 'utf8') : 0);
  return (
    (entry.Time ? 14 : 0) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((total, resource) => total + bytes(resource), 0)
  );
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
}
