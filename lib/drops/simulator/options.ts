import { z } from 'zod';

const positive = () => z.number().positive();
const nonNegative = () => z.number().nonnegative();
const count = () => z.number().int().positive();

/** The three drop designs compared, see {@link simulateDrop}. */
export const DropDesign = z.enum(['single-counter', 'shards', 'queue']);
export type DropDesign = z.infer<typeof DropDesign>;

/**
 * REST API method throttle the project deploys (`cdk.json` → `vitrine.api.throttlingRateLimit` /
 * `throttlingBurstLimit`, set on the stage for every method). Kept as constants because `lib/` code reads no
 * files; a unit test fails when they drift from cdk.json.
 */
export const CONFIGURED_API_THROTTLE = { rateLimit: 2000, burstLimit: 1000 } as const;

const ClientOptions = z.strictObject({
  /** HTTP attempts per shopper, the first included, before the answer stays "throttled". */
  maxAttempts: count().default(3),
  /** Full-jitter backoff: the n-th retry waits U(0, min(cap, base × 2^(n-1))). */
  backoffBaseMs: nonNegative().default(250),
  backoffCapMs: nonNegative().default(4000),
  /** Shopper ↔ API Gateway network round trip, paid once per attempt. */
  networkRoundTripMs: nonNegative().default(40),
});

const ApiGatewayOptions = z.strictObject({
  /** Method (stage) throttle: steady requests per second. */
  rateLimit: positive().default(CONFIGURED_API_THROTTLE.rateLimit),
  /** Method (stage) throttle: bucket size. */
  burstLimit: count().default(CONFIGURED_API_THROTTLE.burstLimit),
  /** Account-level throttle per Region, shared by every API. */
  accountRateLimit: positive().default(10_000),
  accountBurstLimit: count().default(5_000),
  /** Gateway overhead per request (routing, authorizer cache hit, integration). */
  latencyMs: nonNegative().default(5),
});

const LambdaOptions = z.strictObject({
  /** Concurrent executions per Region, shared by every function of the account. */
  accountConcurrency: count().default(1000),
  /** The reserve function's reserved concurrency, when set. */
  reservedConcurrency: count().optional(),
  /** Environments initialised ahead of the drop for the reserve (or enqueue) function. */
  provisionedConcurrency: z.number().int().nonnegative().default(0),
  /** New environments in the first 10 s: the rule lets a function add its first step at once. */
  initialBurst: count().default(1000),
  scaleStep: count().default(1000),
  scaleIntervalMs: positive().default(10_000),
  /** Init duration of a new environment (runtime, bundle, SDK clients). */
  coldStartMs: nonNegative().default(250),
  /** The handler's own work per invocation, outside its AWS calls. */
  handlerMs: nonNegative().default(3),
});

const DynamoOptions = z.strictObject({
  itemWcuPerSecond: positive().default(1000),
  itemRcuPerSecond: positive().default(3000),
  /** The decrement runs in a TransactWriteItems with the entry and its outbox item, as the project writes. */
  transactional: z.boolean().default(true),
  /** Items written with a winning decrement in the same transaction (entry, outbox), never hot. */
  companionItems: z.number().int().nonnegative().default(2),
  /** Service-side latency: base plus an exponential tail with the jitter as mean. */
  writeLatencyMs: nonNegative().default(5),
  transactionLatencyMs: nonNegative().default(10),
  readLatencyMs: nonNegative().default(3),
  latencyJitterMs: nonNegative().default(2),
  /** The SDK's attempts per call, the first included (the DynamoDB client's default with 2026 retries). */
  sdkMaxAttempts: count().default(4),
  /** The SDK's full-jitter backoff base after a throttle, doubling per retry, capped. */
  sdkThrottleBaseDelayMs: nonNegative().default(1000),
  sdkMaxDelayMs: nonNegative().default(20_000),
});

const ShardOptions = z.strictObject({
  /** Fixed shard count; computed from the expected write rate when omitted. */
  count: count().optional(),
  /** Planned share of an item's write capacity, leaving room for fall-through probes and uneven picks. */
  targetUtilisation: z.number().gt(0).max(1).default(0.5),
  /**
   * Shards a request tries before the environment reads every shard (BatchGetItem) to learn which are
   * empty: bounds the writes a loser costs while the sold-out flag is not yet set.
   */
  maxProbes: count().default(3),
  /** How long an environment trusts its copy of the sold-out flag. */
  flagCacheTtlMs: nonNegative().default(1000),
});

/** Queue figures by type (PERFORMANCE.md §5): send limit per second and send-to-receivable latency (p50). */
export const QUEUE_TYPES = {
  standard: { sendRatePerSecond: Number.POSITIVE_INFINITY, deliveryLatencyMs: 16 },
  fifo: { sendRatePerSecond: 18_000, deliveryLatencyMs: 28 },
} as const;

/** Admissions per second a queue admits by default at most: 5,000 units sell in a second. */
export const DEFAULT_MAX_ADMISSION_RATE = 5000;

const QueueOptions = z.strictObject({
  /**
   * A standard queue (best-effort order, no practical send limit) or a FIFO queue in high-throughput
   * mode (18,000 sends/s per Region in the large Regions).
   */
  type: z.enum(['standard', 'fifo']).default('standard'),
  /** Consumer concurrency (event source mapping maximum concurrency); computed when omitted. */
  consumers: count().optional(),
  /**
   * Admissions per second; the shards are sized for it. Defaults to the expected arrival rate capped
   * at {@link DEFAULT_MAX_ADMISSION_RATE}.
   */
  admissionRatePerSecond: positive().optional(),
  batchSize: count().default(10),
  /** SendMessage calls per second the queue accepts; defaults by queue type. */
  sendRatePerSecond: positive().optional(),
  sendLatencyMs: nonNegative().default(10),
  /** From a successful send until a consumer can receive the message; defaults by queue type. */
  deliveryLatencyMs: nonNegative().optional(),
  /** Batch delete after processing. */
  deleteLatencyMs: nonNegative().default(10),
  /** A consumer's work to answer one entry once it knows the drop is sold out. */
  soldOutAnswerMs: nonNegative().default(0.2),
});

/** Everything a simulated drop takes; nested blocks default field by field. */
export const DropSimulationOptions = z.strictObject({
  design: DropDesign,
  /** Drop units; every shopper wants one. */
  stock: count(),
  /** Poisson arrival rate of new shoppers while the window is open. */
  arrivalsPerSecond: positive(),
  windowSeconds: positive().default(10),
  seed: z.number().int().default(1),
  client: ClientOptions.prefault({}),
  apiGateway: ApiGatewayOptions.prefault({}),
  lambda: LambdaOptions.prefault({}),
  dynamo: DynamoOptions.prefault({}),
  shards: ShardOptions.prefault({}),
  queue: QueueOptions.prefault({}),
  /**
   * Drops the condition from the stock decrement. Only for proving that the oversell checker can fail:
   * no design may run with it.
   */
  unsafeSkipCondition: z.boolean().default(false),
});

export type DropSimulationInput = z.input<typeof DropSimulationOptions>;
export type DropSimulationConfig = z.output<typeof DropSimulationOptions>;
