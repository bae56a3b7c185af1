import { defineConfig } from 'vitest/config';

// The global setup runs in this process: keep the AWS SDK's Node-version notice out of test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/**
 * Files that saturate DynamoDB Local on purpose (thousands of concurrent writes) to prove concurrency
 * claims. Run beside other files they starve them into timeouts, and their own figures measure the
 * neighbours as much as the code; so they run after the rest, one at a time, each on a DynamoDB Local of its own.
 */
const LOAD_TESTS = [
  'test/adapters/ledger-replay.test.ts',
  'test/adapters/stock-concurrency.test.ts',
  'test/adapters/drop-store.test.ts',
  'test/adapters/home-region.test.ts',
  'test/e2e/checkout-concurrency.test.ts',
  'test/e2e/drops.test.ts',
];

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['test/**/*.test.ts'],
          exclude: LOAD_TESTS,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'load',
          include: LOAD_TESTS,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          // Their pace is DynamoDB Local's on whatever else the machine runs; they prove counts, not speed.
          testTimeout: 300_000,
        },
      },
    ],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Two workers on a 2-core machine; DynamoDB Local (one JVM for the whole run) needs the rest.
    maxWorkers: 2,
    globalSetup: ['test/support/global-setup.ts'],
    reporters: ['default'],
    env: {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_TRACE_ENABLED: 'false',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
