/**
 * A deterministic discrete-event model of a first-come drop: shoppers arrive, pass API Gateway and
 * Lambda, and take units from DynamoDB items, under the published limits of each layer. It compares three
 * designs on the same arrivals (same seed):
 *
 * - `single-counter`: one stock item; every request runs a conditional decrement on it.
 * - `shards`: the stock is split over S items; a request picks a shard at random among those its execution
 *   environment does not yet know to be empty, falls through to another on a failed condition, and reads
 *   a sold-out flag item (cached per environment) so that once the drop is gone losers write nothing.
 * - `queue`: the request only enqueues the entry (SQS, in arrival order) and gets 202; a fixed pool of
 *   consumers admits entries at the rate the shards can take and answers each shopper as it is processed.
 *
 * Model and assumptions (every figure is an option; the defaults and their sources):
 *
 * - Arrivals: Poisson at `arrivalsPerSecond` for `windowSeconds`; one shopper wants one unit. Every
 *   shopper is simulated individually (no batching or sampling).
 * - Shopper client: a 429 or 503 is retried with full-jitter exponential backoff, `maxAttempts` attempts
 *   in all (3, 250 ms base, 4 s cap: a browser client's choice, not an AWS figure); then the answer stays
 *   "throttled". Each attempt pays a network round trip (40 ms, assumed).
 * - API Gateway: two token buckets every request must pass, both starting full: the method throttle the
 *   project deploys on its REST stage (2,000 req/s, burst 1,000, from cdk.json `vitrine.api`, see
 *   {@link CONFIGURED_API_THROTTLE}) and the account's Regional throttle (10,000 req/s, burst 5,000;
 *   PERFORMANCE.md §3). Excess gets 429. AWS calls these limits best-effort targets; the model enforces
 *   them exactly. Gateway overhead 5 ms (no published figure). The WAF per-caller rate rule is left out:
 *   every shopper is a different caller.
 * - Lambda: the 2023 on-demand rule (PERFORMANCE.md §2): a function may add 1,000 execution environments
 *   per 10 s, in fixed 10-s windows from the drop's opening, with unused allowance lost; the first window
 *   allows `initialBurst` (1,000: the first step is available at once, there is no separate burst pool
 *   any more). Busy environments never exceed the concurrency limit (account default 1,000, or the
 *   reserved concurrency). Idle environments are reused; a new one first pays a 250 ms init (the INIT
 *   budget for SDK functions, PERFORMANCE.md §11 #11). Over the limit: 429. Provisioned environments
 *   (default none) start warm and outside the rule. The handler's own work is 3 ms; the environment stays
 *   busy while the SDK backs off, which is how DynamoDB throttling turns into Lambda throttling.
 * - DynamoDB (PERFORMANCE.md §1): each item accepts 1,000 WCU or 3,000 RCU per wall-clock second, or a
 *   linear combination of both (one partition's ceiling, which adaptive capacity cannot lift for a single
 *   item); a write of a ≤ 1 KB item costs 1 WCU, 2 inside a transaction, and the same when its condition
 *   fails. A request over the second's budget is throttled and costs nothing. By default the decrement is
 *   a TransactWriteItems with two never-hot companion items (the entry and its outbox item, principle 5
 *   of DESIGN.md), each charged like the stock item but only when the transaction succeeds. Latency:
 *   10 ms per transaction, 5 ms per plain write, 3 ms per read, plus an exponential tail of mean 2 ms
 *   ("single-digit milliseconds", no published p99). A write's condition and
 *   capacity are evaluated when it is issued (linearised there), its answer arrives after the latency.
 *   Table-level limits (warm throughput, 40,000 WRU/s per table) are not modelled: drops must pre-warm.
 *   Transaction conflicts are not modelled (no published rate; they would only hurt the hot counter more).
 * - SDK retries of a throttled call: full-jitter backoff U(0, min(20 s, 1 s × 2^retry)), 4 attempts (the
 *   DynamoDB client defaults of the installed SDK, `@smithy/core` util-retry with its 2026 retry
 *   settings). The SDK's client-side retry quota is not modelled. A transaction throttled on an item is
 *   treated like a throttled plain write (DynamoDB may report it as a cancellation reason instead, which
 *   the SDK does not retry and `classifyCancellation` raises at once: `sdkMaxAttempts: 1` models that).
 *   Exhausted retries answer 503, which the shopper's client retries like a 429.
 * - Shards: S = ⌈expected writes/s × WCU per write ÷ (1,000 × target utilisation)⌉, at most one shard per
 *   unit (see {@link planShardCount}); the expected rate is the most that can reach DynamoDB in one
 *   second, the arrival rate capped by API Gateway's rate plus burst. Utilisation 0.5 leaves room for
 *   fall-through probes and for random picks that land unevenly. Units are split as evenly as possible.
 *   An environment remembers the shards it has seen empty (stock never comes back during a drop, so
 *   that knowledge stays true): from its own failed conditions, and, after `maxProbes` (3) failed
 *   conditions in one request, from a fresh read of the flag and, when it is not up, a read of every
 *   shard (BatchGetItem, 0.5 RCU per shard), so a loser costs at most 3 writes before the flag is set.
 *   An environment that finds every shard empty writes the sold-out flag (conditional put, best effort,
 *   no retry). The flag is read eventually consistently
 *   (0.5 RCU) when the environment's copy is older than 1 s. Eventually consistent reads are treated
 *   as current (a stale read only delays what the next failed condition teaches).
 * - Queue (PERFORMANCE.md §5): a standard queue by default (no practical send limit; receivable 16 ms
 *   after the send, its p50), or a FIFO queue in high-throughput mode (18,000 sends/s, excess answers
 *   503; 28 ms). 10 ms per send. Either is modelled as one queue in arrival order, which both only
 *   approximate (best-effort order, or order per message group). Admission runs at the expected arrival
 *   rate capped at 5,000/s, and the queue's shards are sized for that rate, not for the arrivals.
 *   Consumers (one environment each, taken from the account concurrency, cold on first use; 1.5 × the
 *   pool the admission rate needs) receive batches of 10, take one admission token per shard write, and
 *   delete each batch (10 ms). Once a consumer knows the drop is sold out it answers the rest without
 *   writing (0.2 ms each). How the shopper learns the answer (poll or push) is
 *   not modelled: the answer counts when it is processed, plus the network leg.
 * - Invariant: {@link InventoryInvariant} checks every stock write (sold ≤ stock, no item below zero,
 *   units left + units sold = stock) and counts oversold units; `unsafeSkipCondition` exists to show it
 *   catching a design that writes without a condition.
 * - Metrics: latency runs from the shopper sending the first attempt to receiving the terminal answer
 *   (won, sold out, or throttled after all attempts); sell-out time is when the last unit was taken,
 *   measured from the drop's opening.
 *
 * @module
 */
import { EventQueue } from './event-queue.ts';
import { InventoryInvariant } from './inventory-invariant.ts';
import { ItemCapacity, writeUnits } from './item-capacity.ts';
import { LambdaFunction, type Lease } from './lambda-function.ts';
import {
  CONFIGURED_API_THROTTLE,
  DEFAULT_MAX_ADMISSION_RATE,
  type DropDesign,
  type DropSimulationConfig,
  type DropSimulationInput,
  DropSimulationOptions,
  QUEUE_TYPES,
} from './options.ts';
import { SeededRandom } from './random.ts';
import { TokenBucket, tryTakeAll } from './token-bucket.ts';

export { CONFIGURED_API_THROTTLE };

/** A shopper's terminal answer. */
export type DropOutcome = 'won' | 'soldOut' | 'throttled';

/** Latency from a shopper's first attempt to their terminal answer, in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** What one simulated drop measured. */
export interface DropSimulationResult {
  readonly design: DropDesign;
  readonly seed: number;
  readonly arrivalsPerSecond: number;
  readonly windowSeconds: number;
  readonly stock: number;
  /** Stock items: 1 for the single counter. */
  readonly shards: number;
  /** Queue consumers (0 for the synchronous designs). */
  readonly consumers: number;
  /** Queue admissions per second (0 for the synchronous designs). */
  readonly admissionRatePerSecond: number;
  readonly shoppers: number;
  readonly winners: number;
  readonly soldOutAnswers: number;
  /** Shoppers whose every attempt was throttled (429 or 503). */
  readonly throttledAnswers: number;
  readonly unitsLeft: number;
  readonly oversold: number;
  readonly invariantViolations: number;
  readonly invariantChecks: number;
  /** Seconds from the opening until the last unit was taken; null when units are left. */
  readonly timeToSellOutS: number | null;
  readonly latency: LatencySummary;
  readonly latencyByOutcome: Readonly<Record<DropOutcome, LatencySummary>>;
  /** HTTP attempts, retries included. */
  readonly attempts: number;
  /** Refused requests per layer; DynamoDB counts every throttled call, SDK retries included. */
  readonly throttles: {
    readonly apiGateway: number;
    readonly lambda: number;
    readonly dynamodb: number;
    readonly sqs: number;
  };
  readonly dynamodb: {
    /** Every WCU consumed: stock items, flag item and companion items. */
    readonly wcu: number;
    readonly rcu: number;
    /** Reads of every shard after `maxProbes` failed conditions. */
    readonly shardScans: number;
    /** Writes that reached an item (throttled ones excluded). */
    readonly writeRequests: number;
    readonly conditionFailures: number;
    /** Highest WCU any single item consumed within one second. */
    readonly peakItemWcuPerSecond: number;
  };
  readonly lambda: {
    readonly coldStarts: number;
    readonly peakConcurrency: number;
    readonly environments: number;
  };
  /** Simulated time until the last shopper was answered. */
  readonly simulatedSeconds: number;
  /** Events the simulation processed (its cost). */
  readonly events: number;
}

/** What {@link planShardCount} sizes from. */
export interface ShardPlanInput {
  /** Writes per second that can reach the stock items at peak. */
  readonly expectedWritesPerSecond: number;
  /** WCU each write consumes on its shard. */
  readonly unitsPerWrite: number;
  readonly itemWcuPerSecond: number;
  /** Share of an item's capacity the plan may use. */
  readonly targetUtilisation: number;
  /** A shard holds at least one unit. */
  readonly stock: number;
}

/** The number of stock shards that keeps each item at the target share of its write capacity. */
export function planShardCount(input: ShardPlanInput): number {
  const writesPerShard = (input.itemWcuPerSecond * input.targetUtilisation) / input.unitsPerWrite;
  const needed = Math.ceil(input.expectedWritesPerSecond / writesPerShard);
  return Math.max(1, Math.min(input.stock, needed));
}

/**
 * The most requests per second that can reach the stock items: arrivals, capped by what API Gateway
 * passes in the first second (a full bucket plus one second of refill, for both of its throttles).
 */
export function expectedWriteRate(config: DropSimulationConfig): number {
  const api = config.apiGateway;
  return Math.min(
    config.arrivalsPerSecond,
    api.rateLimit + api.burstLimit,
    api.accountRateLimit + api.accountBurstLimit,
  );
}

/** Splits `stock` units over `shards` items as evenly as possible. */
export function splitStock(stock: number, shards: number): number[] {
  const base = Math.floor(stock / shards);
  return Array.from({ length: shards }, (_, i) => base + (i < stock % shards ? 1 : 0));
}

/** Runs one drop to its end (every shopper answered) and reports what it measured. */
export function simulateDrop(input: DropSimulationInput): DropSimulationResult {
  return new DropRun(DropSimulationOptions.parse(input)).run();
}

type WriteResult = 'ok' | 'condition' | 'throttled';
type Gate = (proceed: () => void) => void;

interface Shopper {
  /** When the first attempt reached API Gateway. */
  readonly arrivedAt: number;
  attempts: number;
}

/** One execution environment's module-scope knowledge of the drop. */
class EnvironmentState {
  soldOut = false;
  flagReadAt = Number.NEGATIVE_INFINITY;
  private candidates: Int32Array | undefined;
  private positions: Int32Array | undefined;
  private open = 0;

  constructor(private readonly shards: number) {}

  /** A random shard not known to be empty, or -1 when every shard is. */
  pick(rng: SeededRandom): number {
    if (this.candidates === undefined) {
      this.candidates = Int32Array.from({ length: this.shards }, (_, i) => i);
      this.positions = Int32Array.from({ length: this.shards }, (_, i) => i);
      this.open = this.shards;
    }
    return this.open === 0 ? -1 : (this.candidates[rng.below(this.open)] as number);
  }

  /** Stops picking a shard whose condition failed: stock does not come back during a drop. */
  forget(shard: number): void {
    const candidates = this.candidates;
    const positions = this.positions;
    if (candidates === undefined || positions === undefined) return;
    const at = positions[shard] as number;
    if (at >= this.open) return;
    const last = candidates[this.open - 1] as number;
    candidates[at] = last;
    positions[last] = at;
    candidates[this.open - 1] = shard;
    positions[shard] = this.open - 1;
    this.open--;
  }
}

interface Consumer {
  readonly state: EnvironmentState;
  warm: boolean;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

function summarize(values: number[]): LatencySummary {
  if (values.length === 0) return { count: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number;
  return {
    count: sorted.length,
    p50Ms: round1(at(0.5)),
    p99Ms: round1(at(0.99)),
    maxMs: round1(sorted[sorted.length - 1] as number),
  };
}

class DropRun {
  private readonly rng: SeededRandom;
  private readonly events = new EventQueue<() => void>();
  private now = 0;
  private eventCount = 0;
  private readonly windowMs: number;
  private readonly roundTripMs: number;

  private readonly shardCount: number;
  private readonly quantities: number[];
  private readonly stockCapacity: ItemCapacity[];
  private readonly flag: ItemCapacity;
  private flagSoldOut = false;
  private readonly unitsPerWrite: number;
  private readonly invariant: InventoryInvariant;
  private soldOutAt: number | undefined;

  private readonly edge: TokenBucket[];
  private readonly front: LambdaFunction<EnvironmentState>;

  private readonly consumerCount: number;
  private readonly admissionRate: number;
  private readonly deliveryLatencyMs: number;
  private readonly sqsSend: TokenBucket | undefined;
  private readonly admission: TokenBucket | undefined;
  private readonly idleConsumers: Consumer[] = [];
  private readonly fifo: Shopper[] = [];
  private fifoHead = 0;

  private shoppers = 0;
  private attempts = 0;
  private apiThrottles = 0;
  private dynamoThrottles = 0;
  private sqsThrottles = 0;
  private writeRequests = 0;
  private conditionFailures = 0;
  private companionWcu = 0;
  private consumerColdStarts = 0;
  private scans = 0;
  private readonly latencies: Record<DropOutcome, number[]> = { won: [], soldOut: [], throttled: [] };

  constructor(private readonly config: DropSimulationConfig) {
    this.rng = new SeededRandom(config.seed);
    this.windowMs = config.windowSeconds * 1000;
    this.roundTripMs = config.client.networkRoundTripMs;
    const dynamo = config.dynamo;
    this.unitsPerWrite = writeUnits({ transactional: dynamo.transactional, conditionFailed: false });

    const queue = config.queue;
    const isQueue = config.design === 'queue';
    // The queue decouples the shards from the arrivals: they only need to take the admission rate.
    this.admissionRate = isQueue
      ? (queue.admissionRatePerSecond ?? Math.min(expectedWriteRate(config), DEFAULT_MAX_ADMISSION_RATE))
      : 0;
    const planned =
      config.shards.count ??
      planShardCount({
        expectedWritesPerSecond: isQueue ? this.admissionRate : expectedWriteRate(config),
        unitsPerWrite: this.unitsPerWrite,
        itemWcuPerSecond: dynamo.itemWcuPerSecond,
        targetUtilisation: config.shards.targetUtilisation,
        stock: config.stock,
      });
    this.shardCount = config.design === 'single-counter' ? 1 : Math.min(planned, config.stock);
    this.quantities = splitStock(config.stock, this.shardCount);
    const limits = { wcuPerSecond: dynamo.itemWcuPerSecond, rcuPerSecond: dynamo.itemRcuPerSecond };
    this.stockCapacity = this.quantities.map(() => new ItemCapacity(limits));
    this.flag = new ItemCapacity(limits);
    this.invariant = new InventoryInvariant(config.stock);

    const api = config.apiGateway;
    this.edge = [
      new TokenBucket(api.rateLimit, api.burstLimit),
      new TokenBucket(api.accountRateLimit, api.accountBurstLimit),
    ];

    const queueType = QUEUE_TYPES[queue.type];
    this.deliveryLatencyMs = queue.deliveryLatencyMs ?? queueType.deliveryLatencyMs;
    const sendRate = queue.sendRatePerSecond ?? queueType.sendRatePerSecond;
    const perMessageMs =
      (dynamo.transactional ? dynamo.transactionLatencyMs : dynamo.writeLatencyMs) +
      dynamo.latencyJitterMs +
      config.lambda.handlerMs +
      (queue.deleteLatencyMs + this.deliveryLatencyMs) / queue.batchSize;
    this.consumerCount = isQueue
      ? Math.min(
          config.lambda.accountConcurrency - 1,
          queue.consumers ?? Math.ceil(((this.admissionRate * perMessageMs) / 1000) * 1.5),
        )
      : 0;
    this.sqsSend = isQueue && Number.isFinite(sendRate) ? new TokenBucket(sendRate, sendRate) : undefined;
    this.admission = isQueue
      ? new TokenBucket(this.admissionRate, Math.max(1, this.admissionRate / 20))
      : undefined;
    for (let i = 0; i < this.consumerCount; i++) {
      this.idleConsumers.push({ state: new EnvironmentState(this.shardCount), warm: false });
    }

    const lambda = config.lambda;
    const frontLimit = Math.min(
      lambda.reservedConcurrency ?? Number.POSITIVE_INFINITY,
      lambda.accountConcurrency - this.consumerCount,
    );
    this.front = new LambdaFunction(
      {
        concurrencyLimit: frontLimit,
        initialBurst: lambda.initialBurst,
        scaleStep: lambda.scaleStep,
        scaleIntervalMs: lambda.scaleIntervalMs,
        provisioned: lambda.provisionedConcurrency,
      },
      () => new EnvironmentState(this.shardCount),
    );
  }

  run(): DropSimulationResult {
    const first = this.rng.exponential(1000 / this.config.arrivalsPerSecond);
    if (first < this.windowMs) this.at(first, this.arrive);
    // A drop answers everyone within minutes; anything longer means the model lost track of a shopper.
    const horizon = this.windowMs + 3_600_000;
    for (let next = this.events.pop(); next !== undefined; next = this.events.pop()) {
      this.now = next.time;
      this.eventCount++;
      if (this.now > horizon) throw new Error(`drop simulation still running at ${this.now} ms`);
      next.value();
    }
    return this.result();
  }

  private at(time: number, action: () => void): void {
    this.events.push(time, action);
  }

  private latency(baseMs: number): number {
    const jitter = this.config.dynamo.latencyJitterMs;
    return jitter > 0 ? baseMs + this.rng.exponential(jitter) : baseMs;
  }

  private readonly arrive = (): void => {
    this.shoppers++;
    this.attempt({ arrivedAt: this.now, attempts: 0 });
    const next = this.now + this.rng.exponential(1000 / this.config.arrivalsPerSecond);
    if (next < this.windowMs) this.at(next, this.arrive);
  };

  /** One HTTP attempt reaching API Gateway now. */
  private attempt(shopper: Shopper): void {
    const t = this.now;
    shopper.attempts++;
    this.attempts++;
    const gatewayMs = this.config.apiGateway.latencyMs;
    if (!tryTakeAll(this.edge, t)) {
      this.apiThrottles++;
      this.rejected(shopper, t + gatewayMs);
      return;
    }
    const lease = this.front.acquire(t);
    if (lease === undefined) {
      this.rejected(shopper, t + gatewayMs);
      return;
    }
    if (lease.cold) this.at(t + this.config.lambda.coldStartMs, () => this.handle(shopper, lease));
    else this.handle(shopper, lease);
  }

  private handle(shopper: Shopper, lease: Lease<EnvironmentState>): void {
    const env = lease.env;
    switch (this.config.design) {
      case 'single-counter':
        this.write(0, (result) =>
          this.finish(
            shopper,
            env,
            result === 'ok' ? 'won' : result === 'condition' ? 'soldOut' : 'throttled',
          ),
        );
        return;
      case 'shards':
        this.reserveFromShards(env, undefined, (outcome) => this.finish(shopper, env, outcome));
        return;
      case 'queue':
        this.enqueue(shopper, env);
        return;
    }
  }

  /** The invocation returns now plus the handler's own work; throttled answers are a 503. */
  private finish(shopper: Shopper, env: EnvironmentState, outcome: DropOutcome): void {
    const end = this.now + this.config.lambda.handlerMs;
    this.at(end, () => this.front.release(env));
    const answeredAt = end + this.config.apiGateway.latencyMs;
    if (outcome === 'throttled') this.rejected(shopper, answeredAt);
    else this.answer(shopper, outcome, answeredAt);
  }

  /** A 429 or 503 left the gateway at `answeredAt`: the client backs off and retries, or gives up. */
  private rejected(shopper: Shopper, answeredAt: number): void {
    const client = this.config.client;
    if (shopper.attempts >= client.maxAttempts) {
      this.answer(shopper, 'throttled', answeredAt);
      return;
    }
    const ceiling = Math.min(client.backoffCapMs, client.backoffBaseMs * 2 ** (shopper.attempts - 1));
    this.at(answeredAt + this.roundTripMs + this.rng.next() * ceiling, () => this.attempt(shopper));
  }

  private answer(shopper: Shopper, outcome: DropOutcome, answeredAt: number): void {
    this.latencies[outcome].push(answeredAt - shopper.arrivedAt + this.roundTripMs);
  }

  /** A conditional decrement of one stock item, with the SDK's retries of throttled calls. */
  private write(item: number, done: (result: WriteResult) => void, retry = 0): void {
    const t = this.now;
    const dynamo = this.config.dynamo;
    const took = this.latency(dynamo.transactional ? dynamo.transactionLatencyMs : dynamo.writeLatencyMs);
    if (!(this.stockCapacity[item] as ItemCapacity).tryWrite(t, this.unitsPerWrite)) {
      this.dynamoThrottles++;
      if (retry + 1 < dynamo.sdkMaxAttempts) {
        const ceiling = Math.min(dynamo.sdkMaxDelayMs, dynamo.sdkThrottleBaseDelayMs * 2 ** retry);
        this.at(t + took + this.rng.next() * ceiling, () => this.write(item, done, retry + 1));
      } else {
        this.at(t + took, () => done('throttled'));
      }
      return;
    }
    this.writeRequests++;
    const before = this.quantities[item] as number;
    if (before >= 1 || this.config.unsafeSkipCondition) {
      this.quantities[item] = before - 1;
      this.companionWcu += dynamo.companionItems * this.unitsPerWrite;
      this.invariant.afterWrite(before, before - 1, 1);
      if (this.soldOutAt === undefined && this.invariant.sold >= this.config.stock) this.soldOutAt = t;
      this.at(t + took, () => done('ok'));
    } else {
      this.conditionFailures++;
      this.invariant.afterWrite(before, before, 0);
      this.at(t + took, () => done('condition'));
    }
  }

  /** An eventually consistent read of the sold-out flag (0.5 RCU), with the SDK's retries. */
  private readFlag(done: (soldOut: boolean) => void, retry = 0): void {
    const t = this.now;
    const dynamo = this.config.dynamo;
    const took = this.latency(dynamo.readLatencyMs);
    if (!this.flag.tryRead(t, 0.5)) {
      this.dynamoThrottles++;
      if (retry + 1 < dynamo.sdkMaxAttempts) {
        const ceiling = Math.min(dynamo.sdkMaxDelayMs, dynamo.sdkThrottleBaseDelayMs * 2 ** retry);
        this.at(t + took + this.rng.next() * ceiling, () => this.readFlag(done, retry + 1));
      } else {
        // Without the flag the environment goes on with what it knows; its probes stay correct.
        this.at(t + took, () => done(false));
      }
      return;
    }
    const soldOut = this.flagSoldOut;
    this.at(t + took, () => done(soldOut));
  }

  /** Conditional put of the sold-out flag: best effort, a single attempt, 1 WCU even when already set. */
  private publishSoldOut(): void {
    if (!this.flag.tryWrite(this.now, 1)) {
      this.dynamoThrottles++;
      return;
    }
    this.writeRequests++;
    if (this.flagSoldOut) this.conditionFailures++;
    this.flagSoldOut = true;
  }

  private reserveFromShards(
    env: EnvironmentState,
    gate: Gate | undefined,
    done: (o: DropOutcome) => void,
  ): void {
    if (!env.soldOut && this.now - env.flagReadAt >= this.config.shards.flagCacheTtlMs) {
      env.flagReadAt = this.now;
      this.readFlag((soldOut) => {
        if (soldOut) env.soldOut = true;
        this.probe(env, gate, done);
      });
      return;
    }
    this.probe(env, gate, done);
  }

  private probe(
    env: EnvironmentState,
    gate: Gate | undefined,
    done: (o: DropOutcome) => void,
    probesLeft = this.config.shards.maxProbes,
  ): void {
    if (env.soldOut) {
      done('soldOut');
      return;
    }
    const shard = env.pick(this.rng);
    if (shard < 0) {
      env.soldOut = true;
      this.publishSoldOut();
      done('soldOut');
      return;
    }
    if (probesLeft === 0) {
      // The flag costs one half-RCU read; a scan costs one per shard. Once the flag is up it saves them.
      env.flagReadAt = this.now;
      this.readFlag((soldOut) => {
        if (soldOut) {
          env.soldOut = true;
          this.probe(env, gate, done);
        } else {
          this.scanShards(env, () => this.probe(env, gate, done));
        }
      });
      return;
    }
    const go = () =>
      this.write(shard, (result) => {
        if (result === 'ok') done('won');
        else if (result === 'throttled') done('throttled');
        else {
          env.forget(shard);
          this.probe(env, gate, done, probesLeft - 1);
        }
      });
    if (gate) gate(go);
    else go();
  }

  /**
   * Reads every shard at once (BatchGetItem, eventually consistent, 0.5 RCU each; calls of 100 keys run in
   * parallel) and forgets the empty ones. Keys refused by throttling come back unprocessed: the environment
   * simply learns nothing about them this time.
   */
  private scanShards(env: EnvironmentState, then: () => void): void {
    const t = this.now;
    for (let shard = 0; shard < this.shardCount; shard++) {
      if (!(this.stockCapacity[shard] as ItemCapacity).tryRead(t, 0.5)) this.dynamoThrottles++;
      else if ((this.quantities[shard] as number) < 1) env.forget(shard);
    }
    this.scans++;
    this.at(t + this.latency(this.config.dynamo.readLatencyMs), then);
  }

  private enqueue(shopper: Shopper, env: EnvironmentState): void {
    const queue = this.config.queue;
    if (this.sqsSend !== undefined && !this.sqsSend.tryTake(this.now)) {
      this.sqsThrottles++;
      this.finish(shopper, env, 'throttled');
      return;
    }
    const sent = this.now + queue.sendLatencyMs;
    // The 202 is not an answer: the shopper waits for the consumer's.
    this.at(sent + this.config.lambda.handlerMs, () => this.front.release(env));
    this.at(sent + this.deliveryLatencyMs, () => {
      this.fifo.push(shopper);
      const consumer = this.idleConsumers.pop();
      if (consumer) this.receive(consumer);
    });
  }

  private receive(consumer: Consumer): void {
    if (consumer.warm) {
      this.takeBatch(consumer);
      return;
    }
    consumer.warm = true;
    this.consumerColdStarts++;
    this.at(this.now + this.config.lambda.coldStartMs, () => this.takeBatch(consumer));
  }

  private takeBatch(consumer: Consumer): void {
    if (this.fifoHead >= this.fifo.length) {
      this.idleConsumers.push(consumer);
      return;
    }
    const end = Math.min(this.fifo.length, this.fifoHead + this.config.queue.batchSize);
    const batch = this.fifo.slice(this.fifoHead, end);
    this.fifoHead = end;
    if (this.fifoHead > 65_536 && this.fifoHead * 2 > this.fifo.length) {
      this.fifo.splice(0, this.fifoHead);
      this.fifoHead = 0;
    }
    this.process(consumer, batch, 0);
  }

  private process(consumer: Consumer, batch: Shopper[], index: number): void {
    const queue = this.config.queue;
    const shopper = batch[index];
    if (shopper === undefined) {
      this.at(this.now + queue.deleteLatencyMs, () => this.takeBatch(consumer));
      return;
    }
    if (consumer.state.soldOut) {
      let t = this.now;
      for (const rest of batch.slice(index)) {
        t += queue.soldOutAnswerMs;
        this.answer(rest, 'soldOut', t);
      }
      this.at(t + queue.deleteLatencyMs, () => this.takeBatch(consumer));
      return;
    }
    this.reserveFromShards(consumer.state, this.admit, (outcome) => {
      // A consumer never gives an entry up: after the SDK's retries it simply tries the entry again.
      if (outcome === 'throttled') {
        this.process(consumer, batch, index);
        return;
      }
      const done = this.now + this.config.lambda.handlerMs;
      this.answer(shopper, outcome, done);
      this.at(done, () => this.process(consumer, batch, index + 1));
    });
  }

  /** Waits for an admission token, so the shards see no more than their planned rate. */
  private readonly admit: Gate = (proceed) => {
    const bucket = this.admission as TokenBucket;
    const wait = bucket.waitFor(this.now);
    if (wait > 0) {
      // The epsilon keeps floating-point refill from landing just short of a whole token.
      this.at(this.now + wait + 1e-6, () => this.admit(proceed));
      return;
    }
    bucket.tryTake(this.now);
    proceed();
  };

  private result(): DropSimulationResult {
    const config = this.config;
    const { won, soldOut, throttled } = this.latencies;
    const all = [...won, ...soldOut, ...throttled];
    const items = [this.flag, ...this.stockCapacity];
    const itemWcu = items.reduce((sum, item) => sum + item.consumedWcu, 0);
    const rcu = items.reduce((sum, item) => sum + item.consumedRcu, 0);
    const peakItemWcu = items.reduce((peak, item) => Math.max(peak, item.peakWcuPerSecond), 0);
    return {
      design: config.design,
      seed: config.seed,
      arrivalsPerSecond: config.arrivalsPerSecond,
      windowSeconds: config.windowSeconds,
      stock: config.stock,
      shards: this.shardCount,
      consumers: this.consumerCount,
      admissionRatePerSecond: round1(this.admissionRate),
      shoppers: this.shoppers,
      winners: won.length,
      soldOutAnswers: soldOut.length,
      throttledAnswers: throttled.length,
      unitsLeft: this.quantities.reduce((sum, q) => sum + q, 0),
      oversold: this.invariant.oversold,
      invariantViolations: this.invariant.violations,
      invariantChecks: this.invariant.checks,
      timeToSellOutS: this.soldOutAt === undefined ? null : Math.round(this.soldOutAt) / 1000,
      latency: summarize(all),
      latencyByOutcome: { won: summarize(won), soldOut: summarize(soldOut), throttled: summarize(throttled) },
      attempts: this.attempts,
      throttles: {
        apiGateway: this.apiThrottles,
        lambda: this.front.throttled,
        dynamodb: this.dynamoThrottles,
        sqs: this.sqsThrottles,
      },
      dynamodb: {
        wcu: itemWcu + this.companionWcu,
        rcu,
        shardScans: this.scans,
        writeRequests: this.writeRequests,
        conditionFailures: this.conditionFailures,
        peakItemWcuPerSecond: peakItemWcu,
      },
      lambda: {
        coldStarts: this.front.coldStarts + this.consumerColdStarts,
        peakConcurrency: this.front.peakConcurrency,
        environments: this.front.environmentCount,
      },
      simulatedSeconds: Math.round(this.now) / 1000,
      events: this.eventCount,
    };
  }
}
