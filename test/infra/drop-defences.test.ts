import type { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { dropsService as dropsManifest } from '#functions/drops/manifest.ts';
import { inventoryService } from '#functions/inventory/manifest.ts';
import { ConfigError, DEFAULT_DROP_RATE_LIMIT_PER_MINUTE, parseConfig } from '#lib/config/config.ts';
import { defineRoute } from '#lib/contracts/http.ts';
import { LOW_STOCK_METRIC } from '#lib/inventory/low-stock.ts';
import { defineService, type FunctionDefinition, METRICS_NAMESPACE } from '#lib/platform/manifest.ts';
import { API_STAGE_NAME } from '#stacks/api-stack.ts';
import { withConcurrency } from '#stacks/concurrency.ts';
import { DROP_PATH_PREFIX } from '#stacks/constructs/api-firewall.ts';
import {
  cdkJsonContext,
  resourcesOf,
  type SynthesizedVitrine,
  synthesizeVitrine,
  templateRoutes,
} from './synth.ts';

// Drop functions as a drops manifest declares them; the entries are real handlers, only the wiring is
// under test.
const enterDropRoute = defineRoute({
  method: 'POST',
  path: '/v1/drops/{dropId}/entries',
  operationId: 'enterDrop',
  summary: 'Enter a drop',
  tags: ['Drops'],
  auth: 'customer',
  params: z.strictObject({ dropId: z.string() }),
  responses: { 202: { description: 'Entered' } },
});
const dropsService = defineService({
  name: 'drops',
  functions: {
    enterDrop: {
      entry: 'functions/catalog/get-product.ts',
      description: 'Enters shoppers in a drop',
      routes: [enterDropRoute],
      tables: { inventory: 'write' },
      reservedConcurrency: 400,
      provisionedConcurrency: 20,
    },
    drawWinners: {
      entry: 'functions/catalog/get-product.ts',
      description: 'Draws the winners of a drop',
      routes: [
        defineRoute({
          method: 'GET',
          path: '/v1/drops/{dropId}',
          operationId: 'getDrop',
          summary: 'A drop',
          tags: ['Drops'],
          auth: 'public',
          params: z.strictObject({ dropId: z.string() }),
          responses: { 200: { description: 'The drop' } },
        }),
      ],
      tables: { inventory: 'read' },
    },
  },
});

const base = cdkJsonContext().vitrine as Record<string, unknown>;
const DROP_LIMIT = 250;
const config = parseConfig({
  ...base,
  primaryRegion: 'eu-west-1',
  zones: { eu: { regions: ['eu-west-1'], countries: ['FR'] } },
  api: { ...(base.api as object), wafDropRateLimitPerMinute: DROP_LIMIT },
  // This environment keeps more drop environments warm than the manifest asks for, and caps the draw.
  concurrency: { 'drops.enterDrop': { provisioned: 50 }, 'drops.drawWinners': { reserved: 5 } },
});

let vitrine: SynthesizedVitrine;
const api = () => vitrine.stacks.api.get('eu-west-1') as Stack;

beforeAll(() => {
  // Synthesis runs the cdk-nag packs and throws on any unacknowledged finding.
  vitrine = synthesizeVitrine({ config, services: [dropsService, inventoryService] });
});

describe('drop rate limit (WAF)', () => {
  it('limits drop paths per access token and IP over a one-minute window, from config', () => {
    vitrine.template(api()).hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([
        {
          Name: 'DropRateLimitPerTokenAndIp',
          Priority: 5,
          Action: { Block: Match.objectLike({ CustomResponse: Match.objectLike({ ResponseCode: 429 }) }) },
          Statement: {
            RateBasedStatement: {
              Limit: DROP_LIMIT,
              EvaluationWindowSec: 60,
              AggregateKeyType: 'CUSTOM_KEYS',
              CustomKeys: [
                { Header: { Name: 'authorization', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } },
                { IP: {} },
              ],
              ScopeDownStatement: {
                OrStatement: {
                  Statements: [DROP_PATH_PREFIX, `/${API_STAGE_NAME}${DROP_PATH_PREFIX}`].map((prefix) => ({
                    ByteMatchStatement: {
                      FieldToMatch: { UriPath: {} },
                      PositionalConstraint: 'STARTS_WITH',
                      SearchString: prefix,
                      TextTransformations: [{ Priority: 0, Type: 'URL_DECODE' }],
                    },
                  })),
                },
              },
            },
          },
          VisibilityConfig: Match.objectLike({ CloudWatchMetricsEnabled: true }),
        },
      ]),
    });
  });

  it('covers every shopper-facing route of the drops manifest', () => {
    const functions: readonly FunctionDefinition[] = Object.values(dropsManifest.functions);
    const routes = functions
      .flatMap((fn) => fn.routes ?? [])
      .filter((route) => route.auth !== 'staff' && !route.localOnly);
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes)
      expect(route.path, route.operationId).toMatch(new RegExp(`^${DROP_PATH_PREFIX}`));
  });

  it('runs before the general rate rules, which still see every request', () => {
    const [acl] = Object.values(resourcesOf(vitrine.template(api()), 'AWS::WAFv2::WebACL'));
    const rules = acl?.Properties.Rules as { Name: string; Priority: number }[];
    const priority = (name: string) => rules.find((r) => r.Name === name)?.Priority ?? -1;
    expect(priority('DropRateLimitPerTokenAndIp')).toBeLessThan(priority('RateLimitPerIp'));
    expect(priority('DropRateLimitPerTokenAndIp')).toBeLessThan(priority('RateLimitPerTokenAndIp'));
    expect(new Set(rules.map((r) => r.Priority)).size).toBe(rules.length);
  });

  it(`defaults to ${DEFAULT_DROP_RATE_LIMIT_PER_MINUTE} a minute and refuses limits WAF does not accept`, () => {
    const { wafDropRateLimitPerMinute: _, ...api } = base.api as Record<string, unknown>;
    expect(parseConfig({ ...base, api }).api.wafDropRateLimitPerMinute).toBe(100);
    expect(() => parseConfig({ ...base, api: { ...api, wafDropRateLimitPerMinute: 9 } })).toThrow(
      ConfigError,
    );
  });
});

describe('drop function concurrency', () => {
  const functionOf = (description: string) =>
    Object.entries(resourcesOf(vitrine.template(api()), 'AWS::Lambda::Function')).find(
      ([, fn]) => fn.Properties.Description === description,
    );

  it("reserves the manifest's concurrency and keeps the configured environments warm behind an alias", () => {
    const template = vitrine.template(api());
    const [enterId, enter] = functionOf('Enters shoppers in a drop') ?? [];
    expect(enter?.Properties.ReservedConcurrentExecutions).toBe(400);
    const aliases = resourcesOf(template, 'AWS::Lambda::Alias');
    const [aliasId, alias] =
      Object.entries(aliases).find(([, a]) =>
        JSON.stringify(a.Properties.FunctionName).includes(`"${enterId}"`),
      ) ?? [];
    expect(alias?.Properties).toMatchObject({
      Name: 'live',
      ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 50 },
    });
    // Shoppers reach the warm alias, not $LATEST.
    const entry = templateRoutes(template).find((r) => r.route === 'POST /v1/drops/{dropId}/entries');
    expect(JSON.stringify(entry?.properties.Integration)).toContain(`"${aliasId}"`);
  });

  it('applies a reserved concurrency the manifest did not declare, without provisioning', () => {
    const [drawId, draw] = functionOf('Draws the winners of a drop') ?? [];
    expect(draw?.Properties.ReservedConcurrentExecutions).toBe(5);
    const aliases = resourcesOf(vitrine.template(api()), 'AWS::Lambda::Alias');
    expect(Object.values(aliases).some((a) => JSON.stringify(a.Properties).includes(`"${drawId}"`))).toBe(
      false,
    );
  });
});

describe('withConcurrency', () => {
  const settings = (concurrency: Record<string, unknown>) => parseConfig({ ...base, concurrency });
  const enterDrop = (services: ReturnType<typeof withConcurrency>) =>
    services.find((s) => s.name === 'drops')?.functions.enterDrop;

  it('turns provisioned concurrency off with 0 and keeps the rest of the definition', () => {
    const [drops] = withConcurrency([dropsService], settings({ 'drops.enterDrop': { provisioned: 0 } }));
    const definition = drops?.functions.enterDrop;
    expect(definition?.provisionedConcurrency).toBeUndefined();
    expect(definition).toMatchObject({ reservedConcurrency: 400, routes: [enterDropRoute] });
    expect(enterDrop(withConcurrency([dropsService], settings({})))).toBe(dropsService.functions.enterDrop);
  });

  it('names a setting for a function no manifest declares', () => {
    expect(() => withConcurrency([dropsService], settings({ 'drops.enterDorp': { reserved: 10 } }))).toThrow(
      /vitrine\.concurrency\.drops\.enterDorp: no manifest declares drops\.enterDorp/,
    );
  });

  it('refuses more provisioned than reserved concurrency, in the config or against the manifest', () => {
    expect(() => settings({ 'drops.enterDrop': { provisioned: 10, reserved: 5 } })).toThrow(ConfigError);
    expect(() =>
      withConcurrency([dropsService], settings({ 'drops.enterDrop': { provisioned: 500 } })),
    ).toThrow(/provisioned concurrency 500 exceeds reserved concurrency 400/);
  });
});

describe('low-stock alarm', () => {
  it('alarms in every region on the crossings the stock watch emits, notifying the alarm topic', () => {
    const template = vitrine.template(api());
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: METRICS_NAMESPACE,
      MetricName: LOW_STOCK_METRIC,
      Dimensions: [{ Name: 'service', Value: 'inventory' }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [Match.anyValue()],
      OKActions: [Match.anyValue()],
    });
  });

  it('draws the crossings on the inventory dashboard', () => {
    const dashboards = Object.values(resourcesOf(vitrine.template(api()), 'AWS::CloudWatch::Dashboard'));
    expect(
      dashboards.some((d) => JSON.stringify(d.Properties.DashboardBody).includes(LOW_STOCK_METRIC)),
    ).toBe(true);
  });

  it('reads only pool changes of the inventory stream', () => {
    vitrine.template(api()).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['MODIFY'],
              dynamodb: { Keys: { pk: { S: [{ prefix: 'POOL#' }] } } },
            }),
          },
        ],
      },
    });
  });
});

describe('cdk-nag', () => {
  it.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ])('%s finds nothing unacknowledged in the drop defences', (_name, pack) => {
    const report = pack().validateScope(vitrine.app);
    expect(report.violations.flatMap((v) => v.violatingResources.map(() => v.ruleName))).toEqual([]);
  });
});
