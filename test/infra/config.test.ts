import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '#lib/config/config.ts';
import { toRetentionDays } from '#stacks/vitrine-app.ts';
import { cdkJsonContext } from './synth.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs the CDK app the way the CLI does: context (cdk.json plus overrides) arrives in CDK_CONTEXT_JSON. */
function runApp(vitrine: unknown) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJsonContext(), vitrine }) },
    timeout: 60_000,
  });
}

function goodConfig() {
  return structuredClone(cdkJsonContext().vitrine) as {
    zones: Record<string, { regions: string[] }>;
    logRetentionDays: number;
  };
}

describe('bin/app.ts configuration', () => {
  it('stops before synthesis with a message naming a zone region that is not a region', () => {
    const config = goodConfig();
    config.zones.eu = { ...config.zones.eu, regions: ['eu-west-1', 'europe-2'] } as { regions: string[] };
    const run = runApp(config);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('vitrine.zones.eu.regions[1]');
    expect(run.stderr).toContain('must be an AWS region name');
    expect(run.stderr).not.toMatch(/\n\s+at /); // an operator's mistake, not a stack trace
  });

  it('names a log retention CloudWatch does not offer', () => {
    const config = goodConfig();
    config.logRetentionDays = 45;
    const run = runApp(config);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('vitrine.logRetentionDays');
  });
});

describe('toRetentionDays', () => {
  it('accepts the retention periods CloudWatch Logs offers', () => {
    expect(toRetentionDays(30)).toBe(30);
  });

  it('rejects the others with a ConfigError', () => {
    expect(() => toRetentionDays(45)).toThrow(ConfigError);
  });
});
