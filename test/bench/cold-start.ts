import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SERVICES } from '../../functions/services.ts';
import { bundleFunctions } from '../../lib/platform/function-bundles.ts';
import { percentile } from './stats.ts';

/** What a deployed function finds in its environment; values only need the right shape, nothing is called. */
const LAMBDA_ENV = {
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  CATALOG_TABLE: 'catalog',
  INVENTORY_TABLE: 'inventory',
  COMMERCE_TABLES: '{"eu":{"region":"eu-west-1","tableName":"commerce"}}',
  IDEMPOTENCY_TABLES: '{"eu":{"region":"eu-west-1","tableName":"idempotency"}}',
  EVENT_BUS_NAME: 'vitrine',
  SEARCH_ENDPOINT: 'search.example.internal',
  SEARCH_INDEX: 'products',
  POWERTOOLS_SERVICE_NAME: 'bench',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  POWERTOOLS_METRICS_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** The bare-SDK floor, bundled with exactly the functions' settings. */
function bareSdkBundle(): { file: string; sizeBytes: number } {
  const [bundle] = bundleFunctions(['test/bench/bare-sdk-entry.ts']);
  if (!bundle) throw new Error('the bare SDK entry did not bundle');
  return { file: join(bundle.directory, 'index.mjs'), sizeBytes: bundle.sizeBytes };
}

/** Milliseconds to import a module in a fresh Node process, and the process RSS right after. */
function measureInit(
  file: string | undefined,
  samples: number,
): { p50Ms: number; p90Ms: number; rssMB: number } {
  const script = file
    ? `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); const ms = performance.now() - t; console.log(JSON.stringify({ ms, rss: process.memoryUsage().rss }));`
    : 'const t = performance.now(); const ms = performance.now() - t; console.log(JSON.stringify({ ms, rss: process.memoryUsage().rss }));';
  const times: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < samples; i++) {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, ...LAMBDA_ENV },
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`init of ${file ?? 'empty module'} failed:\n${run.stderr}`);
    const { ms, rss: bytes } = JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as {
      ms: number;
      rss: number;
    };
    times.push(ms);
    rss.push(bytes / 2 ** 20);
  }
  return { p50Ms: percentile(times, 50), p90Ms: percentile(times, 90), rssMB: percentile(rss, 50) };
}

export interface ColdStartReport {
  readonly samplesPerFunction: number;
  readonly baseline: {
    bareSdkBundleBytes: number;
    bareSdkInit: ReturnType<typeof measureInit>;
    emptyModuleInit: ReturnType<typeof measureInit>;
  };
  readonly functions: Array<{
    readonly name: string;
    readonly entry: string;
    readonly bundleBytes: number;
    readonly init: ReturnType<typeof measureInit>;
    /** Bundle size and init time as a multiple of the bare SDK bundle measured in the same run. */
    readonly sizeVsBareSdk: number;
    readonly initVsBareSdk: number;
  }>;
}

/** Bundles every deployed function and measures its size and module-init time against the bare SDK. */
export function benchColdStart(samples = 15): ColdStartReport {
  const entries = SERVICES.flatMap((s) =>
    Object.values(s.functions).filter((fn) => !(fn.routes?.length && fn.routes.every((r) => r.localOnly))),
  ).map((fn) => fn.entry);
  const bundles = bundleFunctions(entries);
  const bare = bareSdkBundle();
  const bareInit = measureInit(bare.file, samples);
  const emptyInit = measureInit(undefined, samples);
  return {
    samplesPerFunction: samples,
    baseline: { bareSdkBundleBytes: bare.sizeBytes, bareSdkInit: bareInit, emptyModuleInit: emptyInit },
    functions: bundles.map((bundle) => {
      const init = measureInit(join(bundle.directory, 'index.mjs'), samples);
      return {
        name: bundle.name,
        entry: bundle.entry,
        bundleBytes: bundle.sizeBytes,
        init,
        sizeVsBareSdk: Number((bundle.sizeBytes / bare.sizeBytes).toFixed(2)),
        initVsBareSdk: Number((init.p50Ms / bareInit.p50Ms).toFixed(2)),
      };
    }),
  };
}
