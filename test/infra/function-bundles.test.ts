import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { OnLoadArgs, OnLoadResult, OnResolveArgs, OnResolveResult, PluginBuild } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleFunctions,
  type FunctionBundle,
  PROJECT_ROOT,
  xraySemverGteOnly,
} from '#lib/platform/function-bundles.ts';

const UPSERT_PRODUCT = 'functions/catalog/upsert-product.ts';
const PRE_TOKEN = 'functions/platform/pre-token.ts';

/** What Lambda puts in a Node function's environment, and what the functions read; nothing is called. */
const lambdaEnvironment = (xrayDaemonPort: number) => ({
  PATH: process.env.PATH ?? '',
  AWS_LAMBDA_FUNCTION_NAME: 'bundle-test',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  LAMBDA_TASK_ROOT: '/var/task',
  _HANDLER: 'index.handler',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
  AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${xrayDaemonPort}`,
  CATALOG_TABLE: 'catalog',
  POWERTOOLS_SERVICE_NAME: 'bundle-test',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  POWERTOOLS_METRICS_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

const context = {
  functionName: 'bundle-test',
  functionVersion: '$LATEST',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:bundle-test',
  memoryLimitInMB: '512',
  logGroupName: '/aws/lambda/bundle-test',
  logStreamName: 'test',
};

let bundles: Map<string, FunctionBundle>;
let daemon: dgram.Socket;
const segments: string[] = [];

beforeAll(async () => {
  bundles = new Map(bundleFunctions([UPSERT_PRODUCT, PRE_TOKEN]).map((b) => [b.entry, b]));
  // Stands in for the X-Ray daemon: the bundled Tracer sends its segments here over UDP.
  daemon = dgram.createSocket('udp4');
  daemon.on('message', (message) => segments.push(message.toString()));
  await new Promise<void>((bound) => daemon.bind(0, '127.0.0.1', bound));
});

afterAll(() => daemon?.close());

function bundleOf(entry: string): FunctionBundle {
  const bundle = bundles.get(entry);
  if (!bundle) throw new Error(`${entry} was not bundled`);
  return bundle;
}

/** Imports a bundle in a fresh Node process with a Lambda environment and invokes its handler once. */
async function invokeBundle(entry: string, event: unknown): Promise<unknown> {
  const file = pathToFileURL(join(bundleOf(entry).directory, 'index.mjs')).href;
  const script = [
    `const { handler } = await import(${JSON.stringify(file)});`,
    `const context = { ...${JSON.stringify(context)}, getRemainingTimeInMillis: () => 5000 };`,
    `const result = await handler(${JSON.stringify(event)}, context);`,
    'process.stdout.write(JSON.stringify(result));',
  ].join('\n');
  const child = spawn(process.execPath, ['--input-type=module', '--eval', script], {
    env: lambdaEnvironment((daemon.address() as { port: number }).port),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((exited) => child.on('close', exited));
  expect(code, stderr).toBe(0);
  return JSON.parse(stdout);
}

/** Waits briefly for a segment the X-Ray daemon stand-in should receive. */
async function segmentNamed(name: string): Promise<string | undefined> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const found = segments.find((segment) => segment.includes(`"name":"${name}"`));
    if (found) return found;
    await new Promise((later) => setTimeout(later, 20));
  }
  return undefined;
}

describe('Function bundles', () => {
  it('answer a bad body with a 400 carrying English zod messages, and still trace', async () => {
    const result = (await invokeBundle(UPSERT_PRODUCT, {
      resource: '/v1/admin/products/{productId}',
      path: '/v1/admin/products/etoile-polaire',
      httpMethod: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      multiValueHeaders: { 'Content-Type': ['application/json'] },
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: { productId: 'etoile-polaire' },
      stageVariables: null,
      body: JSON.stringify({ name: 42 }),
      isBase64Encoded: false,
      requestContext: {
        requestId: 'req-bundle',
        authorizer: { claims: { sub: 'staff-1', scope: 'vitrine/customer vitrine/staff' } },
        identity: { sourceIp: '203.0.113.7' },
      },
    })) as { statusCode: number; body: string };

    expect(result.statusCode).toBe(400);
    const { error } = JSON.parse(result.body);
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'name: Invalid input: expected string, received number',
      requestId: 'req-bundle',
    });
    expect(await segmentNamed('## index.handler')).toBeDefined();
  });

  it('bundle the pre-token trigger, which answers a Cognito V2_0 event', async () => {
    const result = (await invokeBundle(PRE_TOKEN, {
      version: '2',
      triggerSource: 'TokenGeneration_Authentication',
      region: 'eu-west-1',
      userPoolId: 'eu-west-1_Example',
      userName: 'staff-1',
      callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'back-office' },
      request: {
        userAttributes: { sub: 'staff-1', 'custom:country': 'FR' },
        groupConfiguration: { groupsToOverride: ['staff'] },
        scopes: ['openid'],
      },
      response: { claimsAndScopeOverrideDetails: null },
    })) as { response: { claimsAndScopeOverrideDetails: unknown } };

    expect(result.response.claimsAndScopeOverrideDetails).toEqual({
      accessTokenGeneration: {
        scopesToAdd: ['vitrine/customer', 'vitrine/staff'],
        claimsToAddOrOverride: { 'custom:country': 'FR' },
      },
    });
  });

  it('leave out every zod locale but English', () => {
    const map = JSON.parse(
      readFileSync(join(bundleOf(UPSERT_PRODUCT).directory, 'index.mjs.map'), 'utf8'),
    ) as { sources: string[] };
    const locales = map.sources.filter((source) => source.includes('zod/v4/locales/'));
    expect(locales.sort()).toEqual([
      '../../../node_modules/zod/v4/locales/en.js',
      'vitrine-zod-locales:node_modules/zod/v4/locales/index.js',
    ]);
    // A German message zod ships, so the check cannot pass by zod renaming its files.
    const german = readFileSync(join(PROJECT_ROOT, 'node_modules/zod/v4/locales/de.js'), 'utf8');
    expect(german).toContain('Ungültige Eingabe');
    expect(readFileSync(join(bundleOf(UPSERT_PRODUCT).directory, 'index.mjs'), 'utf8')).not.toContain(
      'Ungültige Eingabe',
    );
  });
});

describe('xraySemverGteOnly', () => {
  /** Runs the plugin against a stand-in for esbuild and evaluates the module it serves. */
  async function pluginModule(importer: string) {
    let resolveHook: ((args: OnResolveArgs) => OnResolveResult | undefined) | undefined;
    let loadHook: ((args: OnLoadArgs) => OnLoadResult) | undefined;
    const build = {
      onResolve: (_options: unknown, hook: typeof resolveHook) => (resolveHook = hook),
      onLoad: (_options: unknown, hook: typeof loadHook) => (loadHook = hook),
    } as unknown as PluginBuild;
    await xraySemverGteOnly().setup(build);
    const resolved = resolveHook?.({ path: 'semver', importer } as OnResolveArgs);
    if (!resolved) return undefined;
    const contents = String(loadHook?.({ path: resolved.path ?? '' } as OnLoadArgs).contents);
    const module = { exports: {} as { gte: (a: string, b: string) => boolean } };
    new Function('module', 'exports', contents)(module, module.exports);
    return module.exports;
  }

  it('replaces semver only where aws-xray-sdk-core requires it', async () => {
    expect(await pluginModule(join(PROJECT_ROOT, 'node_modules/some-package/index.js'))).toBeUndefined();
    expect(
      await pluginModule(join(PROJECT_ROOT, 'node_modules/aws-xray-sdk-core/dist/lib/patchers/aws_p.js')),
    ).toBeDefined();
  });

  it('answers gte exactly as semver does', async () => {
    const shim = await pluginModule(
      join(PROJECT_ROOT, 'node_modules/aws-xray-sdk-core/dist/lib/patchers/aws_p.js'),
    );
    // The semver aws-xray-sdk-core itself resolves.
    const semver = createRequire(
      join(PROJECT_ROOT, 'node_modules/aws-xray-sdk-core/dist/lib/patchers/aws_p.js'),
    )('semver') as { gte: (a: string, b: string) => boolean };
    const versions = [
      '2.7.15',
      '2.7.14',
      '2.7.16',
      '2.1692.0',
      '3.0.0',
      '1.99.99',
      'v2.8.0',
      '2.7.15-beta.1',
      '10.0.0',
    ];
    for (const a of versions) {
      for (const b of ['2.7.15', '2.7.15-beta.1', '0.0.1']) {
        expect(shim?.gte(a, b), `${a} >= ${b}`).toBe(semver.gte(a, b));
      }
    }
    expect(() => shim?.gte('not-a-version', '2.7.15')).toThrow(TypeError);
    expect(() => semver.gte('not-a-version', '2.7.15')).toThrow(TypeError);
  });
});
