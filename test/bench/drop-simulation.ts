import { pathToFileURL } from 'node:url';
import { loadConfig } from '../../lib/config/load.ts';
import { type DropSimulationResult, simulateDrop } from '../../lib/drops/simulator/drop-simulator.ts';
import type { DropDesign, DropSimulationInput } from '../../lib/drops/simulator/options.ts';

const DESIGNS: readonly DropDesign[] = ['single-counter', 'shards', 'queue'];

export interface DropBenchOptions {
  /** @default [10000, 50000, 100000] */
  readonly arrivalRates?: readonly number[];
  /** @default [300, 1000, 5000] */
  readonly stocks?: readonly number[];
  /** Seconds of arrivals per run: each shopper is simulated, so CPU grows with rate × window. @default 3 */
  readonly windowSeconds?: number;
  /** @default 20261122 */
  readonly seed?: number;
}

/** One simulated drop and the CPU it took to simulate. */
export type DropBenchRun = DropSimulationResult & { readonly cpuMs: number };

export interface DropBenchReport {
  /** What every run shares; `apiGateway` is the stage throttle read from cdk.json. */
  readonly settings: {
    readonly windowSeconds: number;
    readonly seed: number;
    readonly apiGateway: { readonly rateLimit: number; readonly burstLimit: number };
    readonly quotasRaised: Omit<DropSimulationInput, 'design' | 'stock' | 'arrivalsPerSecond'>;
  };
  /** Arrival rate × stock × design, with the limits as deployed. */
  readonly results: DropBenchRun[];
  /**
   * 100k arrivals/s for 1,000 units with the edge and Lambda quotas raised and provisioned concurrency:
   * what the designs do once the API Gateway stage throttle no longer turns most shoppers away.
   */
  readonly quotasRaised: DropBenchRun[];
  /** The claims the bench exists to show; false means the model or a design regressed. */
  readonly checks: {
    readonly nothingOversold: boolean;
    readonly shardsSell1000At100kPerSecond: boolean;
    readonly singleCounterThrottles: boolean;
  };
  readonly cpuSeconds: number;
}

/** Quota raises a real drop would ask for (PERFORMANCE.md §9b): edge, account concurrency, warm pool. */
const QUOTAS_RAISED = {
  apiGateway: {
    rateLimit: 100_000,
    burstLimit: 50_000,
    accountRateLimit: 100_000,
    accountBurstLimit: 50_000,
  },
  lambda: { accountConcurrency: 5000, provisionedConcurrency: 2000 },
} as const satisfies Omit<DropSimulationInput, 'design' | 'stock' | 'arrivalsPerSecond'>;

function timed(input: DropSimulationInput): DropBenchRun {
  const start = process.cpuUsage();
  const result = simulateDrop(input);
  const used = process.cpuUsage(start);
  return { ...result, cpuMs: Math.round((used.user + used.system) / 1000) };
}

/**
 * Runs the drop simulator over arrival rates × stock × the three designs with the API Gateway throttle
 * the project deploys, plus the three designs at 100k arrivals/s with raised quotas. Deterministic: the
 * same options give the same report (CPU times aside).
 */
export function benchDropSimulation(options: DropBenchOptions = {}): DropBenchReport {
  const rates = options.arrivalRates ?? [10_000, 50_000, 100_000];
  const stocks = options.stocks ?? [300, 1000, 5000];
  const windowSeconds = options.windowSeconds ?? 3;
  const seed = options.seed ?? 20261122;
  const { api } = loadConfig();
  const apiGateway = { rateLimit: api.throttlingRateLimit, burstLimit: api.throttlingBurstLimit };

  const results: DropBenchRun[] = [];
  for (const arrivalsPerSecond of rates) {
    for (const stock of stocks) {
      for (const design of DESIGNS) {
        results.push(timed({ design, stock, arrivalsPerSecond, windowSeconds, seed, apiGateway }));
      }
    }
  }
  const quotasRaised = DESIGNS.map((design) =>
    timed({ design, stock: 1000, arrivalsPerSecond: 100_000, windowSeconds, seed, ...QUOTAS_RAISED }),
  );

  const all = [...results, ...quotasRaised];
  const at100k = (design: DropDesign) =>
    results.find((r) => r.design === design && r.stock === 1000 && r.arrivalsPerSecond === 100_000);
  const shards = at100k('shards');
  const counter = at100k('single-counter');
  return {
    settings: { windowSeconds, seed, apiGateway, quotasRaised: QUOTAS_RAISED },
    results,
    quotasRaised,
    checks: {
      nothingOversold: all.every((r) => r.oversold === 0 && r.invariantViolations === 0),
      shardsSell1000At100kPerSecond:
        shards === undefined || (shards.winners === 1000 && shards.oversold === 0),
      singleCounterThrottles: counter === undefined || counter.throttles.dynamodb > 0,
    },
    cpuSeconds: Number((all.reduce((sum, r) => sum + r.cpuMs, 0) / 1000).toFixed(1)),
  };
}

function row(r: DropBenchRun) {
  return {
    'arrivals/s': r.arrivalsPerSecond,
    stock: r.stock,
    design: r.design,
    S: r.shards,
    winners: r.winners,
    'sell-out s': r.timeToSellOutS ?? '-',
    'p50 ms': Math.round(r.latency.p50Ms),
    'p99 ms': Math.round(r.latency.p99Ms),
    'sold out': r.soldOutAnswers,
    throttled: r.throttledAnswers,
    'APIGW 429': r.throttles.apiGateway,
    'λ 429': r.throttles.lambda,
    'DDB thr': r.throttles.dynamodb,
    WCU: r.dynamodb.wcu,
    oversold: r.oversold,
  };
}

/** Prints the report as tables, with the checks it exists to show. */
export function printDropSimulation(report: DropBenchReport): void {
  const { settings } = report;
  console.log(
    `drop simulation: ${settings.windowSeconds} s of arrivals per run, API Gateway stage throttle ` +
      `${settings.apiGateway.rateLimit} req/s burst ${settings.apiGateway.burstLimit} (cdk.json), seed ${settings.seed}`,
  );
  console.table(report.results.map(row));
  console.log(
    'quotas raised (API 100k req/s, account concurrency 5,000, 2,000 provisioned), 100k arrivals/s:',
  );
  console.table(report.quotasRaised.map(row));
  const mark = (ok: boolean) => (ok ? 'yes' : 'NO');
  console.log(
    `nothing oversold: ${mark(report.checks.nothingOversold)}; ` +
      `shards sell 1,000 at 100k/s: ${mark(report.checks.shardsSell1000At100kPerSecond)}; ` +
      `single counter throttles: ${mark(report.checks.singleCounterThrottles)}; ` +
      `simulation CPU ${report.cpuSeconds} s`,
  );
}

// `npx tsx test/bench/drop-simulation.ts` prints the tables; `npm run bench drop-simulation` also writes
// reports/bench/drop-simulation.json.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printDropSimulation(benchDropSimulation({ windowSeconds: Number(process.env.BENCH_DROP_WINDOW_S ?? 3) }));
}
