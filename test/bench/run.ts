/**
 * `npm run bench`: benchmarks, never timed tests. Each figure sits next to a baseline measured in the
 * same run on the same machine (a bare AWS SDK bundle, a linear scan), because shared machines are noisy.
 * Reports land in reports/bench/*.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { benchCheckout } from './checkout-bench.ts';
import { benchColdStart } from './cold-start.ts';
import { benchDeliveryBacktest, printDeliveryBacktest } from './delivery-backtest.ts';
import { benchDrop } from './drop-bench.ts';
import { benchDropSimulation, printDropSimulation } from './drop-simulation.ts';
import { benchSearch } from './search-bench.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const OUT = join(process.cwd(), 'reports', 'bench');
mkdirSync(OUT, { recursive: true });
const machine = {
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  loadAverage: loadavg()[0],
};
const only = new Set(process.argv.slice(2));
const wanted = (name: string) => only.size === 0 || only.has(name);

function write(name: string, report: unknown): void {
  const file = join(OUT, `${name}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ generatedAt: new Date().toISOString(), machine, ...(report as object) }, null, 2)}\n`,
  );
  console.log(`wrote ${file}`);
}

if (wanted('cold-start')) {
  const report = benchColdStart(Number(process.env.BENCH_SAMPLES ?? 15));
  write('cold-start', report);
  const { baseline } = report;
  console.log(
    `bare SDK bundle ${baseline.bareSdkBundleBytes} B, init p50 ${baseline.bareSdkInit.p50Ms} ms; empty module ${baseline.emptyModuleInit.p50Ms} ms`,
  );
  console.table(
    report.functions.map((f) => ({
      function: f.name,
      bytes: f.bundleBytes,
      'x bare SDK size': f.sizeVsBareSdk,
      'init p50 ms': f.init.p50Ms,
      'init p90 ms': f.init.p90Ms,
      'x bare SDK init': f.initVsBareSdk,
      'rss MB': Number(f.init.rssMB.toFixed(1)),
    })),
  );
}

if (wanted('search')) {
  const sizes = (process.env.BENCH_SEARCH_SIZES ?? '10000,100000').split(',').map(Number);
  const results = await benchSearch(sizes);
  write('search', { results });
  console.table(results.map((r) => ({ ...r })));
}

if (wanted('checkout')) {
  const report = await benchCheckout({
    checkouts: Number(process.env.BENCH_CHECKOUTS ?? 300),
    concurrency: Number(process.env.BENCH_CHECKOUT_CONCURRENCY ?? 50),
  });
  write('checkout', report);
  const { handler, baseline } = report;
  console.log(
    `checkout: handler ${handler.checkoutsPerSecond}/s vs bare SDK ${baseline.checkoutsPerSecond}/s, ` +
      `ratio ${report.ratio} (target >= ${report.target}: ${report.meetsTarget ? 'met' : 'MISSED'}; ` +
      `block pairs ${report.pairRatios.min}..${report.pairRatios.max}, requests match: ${report.requestsMatch})`,
  );
  console.table(
    Object.fromEntries(
      Object.entries({ handler, baseline }).map(([name, { requestsPerCheckout, ...figures }]) => [
        name,
        { ...figures, requests: Object.values(requestsPerCheckout).reduce((a, b) => a + b, 0) },
      ]),
    ),
  );
}

if (wanted('drop')) {
  const report = await benchDrop({
    shoppers: Number(process.env.BENCH_DROP_SHOPPERS ?? 5_000),
    units: Number(process.env.BENCH_DROP_UNITS ?? 300),
    concurrency: Number(process.env.BENCH_DROP_CONCURRENCY ?? 100),
  });
  write('drop', report);
  const { useCase, baseline } = report;
  console.log(
    `drop: enterDrop ${useCase.attemptsPerSecond}/s vs bare SDK ${baseline.attemptsPerSecond}/s, ` +
      `ratio ${report.ratio} (target >= ${report.target}: ${report.meetsTarget ? 'met' : 'MISSED'}; ` +
      `block pairs ${report.pairRatios.min}..${report.pairRatios.max}); ${report.shoppers} shoppers for ` +
      `${report.units} units over ${report.shards} shards, oversold ${useCase.oversold} / ${baseline.oversold}`,
  );
  console.table(
    Object.fromEntries(
      Object.entries({ useCase, baseline }).map(([name, { requestsPerAttempt, ...figures }]) => [
        name,
        {
          ...figures,
          requests: Number(
            Object.values(requestsPerAttempt)
              .reduce((a, b) => a + b, 0)
              .toFixed(3),
          ),
        },
      ]),
    ),
  );
}

if (wanted('drop-simulation')) {
  const report = benchDropSimulation({ windowSeconds: Number(process.env.BENCH_DROP_WINDOW_S ?? 3) });
  write('drop-simulation', report);
  printDropSimulation(report);
}

if (wanted('delivery-backtest')) {
  const report = benchDeliveryBacktest({ seed: Number(process.env.BENCH_DELIVERY_SEED ?? 20260501) });
  write('delivery-backtest', report);
  printDeliveryBacktest(report);
}
