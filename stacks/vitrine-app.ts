import { type App, Stack, Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { allRegions, ConfigError, type VitrineConfig } from '#lib/config/config.ts';
import { bundleFunctions } from '#lib/platform/function-bundles.ts';
import type { FunctionDefinition, ServiceManifest } from '#lib/platform/manifest.ts';
import { ApiStack } from './api-stack.ts';
import { withConcurrency } from './concurrency.ts';
import { SEARCH_SETUP_DEFINITION } from './constructs/search-setup.ts';
import { GlobalDataStack } from './global-data-stack.ts';
import { deployedFunctions, identityTriggers, pascalCase } from './naming.ts';
import { RegionalStatefulStack } from './regional-stateful-stack.ts';
import { ZoneDataStack } from './zone-data-stack.ts';

export interface VitrineAppProps {
  readonly config: VitrineConfig;
  readonly services: readonly ServiceManifest[];
  /**
   * Run the cdk-nag AwsSolutions and Serverless packs on synthesis (a finding fails it).
   * @default true
   */
  readonly nag?: boolean;
  /**
   * Account to deploy to.
   * @default - the CLI's current account (`CDK_DEFAULT_ACCOUNT`), unresolved when there is none
   */
  readonly account?: string;
  /**
   * The code of each function.
   * @default - its entry bundled once per process by `bundleFunction`
   */
  readonly code?: (definition: FunctionDefinition) => lambda.Code;
}

export interface VitrineStacks {
  readonly stateful: ReadonlyMap<string, RegionalStatefulStack>;
  readonly globalData: GlobalDataStack;
  readonly zoneData: ReadonlyMap<string, ZoneDataStack>;
  readonly api: ReadonlyMap<string, ApiStack>;
}

/** CloudWatch Logs accepts only these retention periods. */
export function toRetentionDays(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number');
  if (!allowed.includes(days)) {
    throw new ConfigError(
      `Invalid Vitrine configuration in cdk.json context:\n  - vitrine.logRetentionDays: ${days} is not a CloudWatch Logs retention period (one of ${allowed.join(', ')})`,
    );
  }
  return days as logs.RetentionDays;
}

/**
 * Builds every stack of the platform from the configuration and the service manifests, and nothing else:
 * per region a stateful stack and an API stack, the global tables in the primary region, and one
 * personal-data stack per residency zone in the zone's first region.
 */
export function buildVitrine(app: App, props: VitrineAppProps): VitrineStacks {
  const { config } = props;
  const services = withConcurrency(props.services, config);
  const logRetention = toRetentionDays(config.logRetentionDays);
  const prefix = pascalCase(config.appName);
  const account = props.account ?? process.env.CDK_DEFAULT_ACCOUNT;
  // Zone tables take replica keys from other regions' stacks and every API trusts every zone's user pool:
  // CDK carries those values across regions through SSM parameters.
  const envOf = (region: string) => ({ env: { account, region }, crossRegionReferences: true });

  // One esbuild run for every entry: the modules they share are parsed once, and each regional stack
  // then finds its bundle in the cache.
  if (!props.code) {
    const usesSearch = deployedFunctions(services).some((fn) => fn.definition.search);
    bundleFunctions([
      ...deployedFunctions(services).map((fn) => fn.definition.entry),
      ...(usesSearch ? [SEARCH_SETUP_DEFINITION.entry] : []),
    ]);
  }

  const stateful = new Map<string, RegionalStatefulStack>();
  for (const region of allRegions(config)) {
    stateful.set(
      region,
      new RegionalStatefulStack(app, `${prefix}Stateful${pascalCase(region)}`, {
        ...envOf(region),
        description: `${config.appName} ${region}: data key, event bus, queues, search domain, alarm topic`,
        config,
        services,
        logRetention,
      }),
    );
  }
  const statefulOf = (region: string): RegionalStatefulStack => {
    const stack = stateful.get(region);
    if (!stack) throw new Error(`no stateful stack for ${region}`);
    return stack;
  };

  const globalData = new GlobalDataStack(app, `${prefix}GlobalData`, {
    ...envOf(config.primaryRegion),
    description: `${config.appName}: catalog and inventory global tables, replicated to every region`,
    config,
  });

  const zoneData = new Map<string, ZoneDataStack>();
  for (const [zone, { regions }] of Object.entries(config.zones)) {
    const home = regions[0] as string;
    const stack = new ZoneDataStack(app, `${prefix}ZoneData${pascalCase(zone)}`, {
      ...envOf(home),
      description: `${config.appName} zone ${zone}: personal-data tables and user pool, kept in ${regions.join(', ')}`,
      zone,
      regions,
      dataKeys: Object.fromEntries(regions.map((region) => [region, statefulOf(region).dataKey])),
      appName: config.appName,
      auth: config.auth,
      identityTriggers: identityTriggers(services),
      logRetention,
      alarmTopicArn: statefulOf(home).alarmTopic.topicArn,
      code: props.code,
    });
    for (const region of regions) stack.addStackDependency(statefulOf(region));
    zoneData.set(zone, stack);
  }

  const globalTableNames = globalData.tableNames;
  const zoneTableNames = Object.fromEntries([...zoneData].map(([zone, stack]) => [zone, stack.tableNames]));
  const dataKeyArns = Object.fromEntries(
    [...stateful].map(([region, stack]) => [region, stack.dataKey.keyArn]),
  );
  const userPoolArns = [...zoneData.values()].map((stack) => stack.identity.userPool.userPoolArn);

  const api = new Map<string, ApiStack>();
  for (const region of allRegions(config)) {
    const stack = new ApiStack(app, `${prefix}Api${pascalCase(region)}`, {
      ...envOf(region),
      description: `${config.appName} ${region}: REST API, functions, triggers, dashboards and alarms`,
      config,
      services,
      logRetention,
      regional: statefulOf(region).resources(),
      globalTableNames,
      zoneTableNames,
      dataKeyArns,
      userPoolArns,
      code: props.code,
    });
    // Replica stream lookups and table grants need the tables to exist, even where no token says so.
    stack.addStackDependency(statefulOf(region));
    stack.addStackDependency(globalData);
    for (const zoneStack of zoneData.values()) stack.addStackDependency(zoneStack);
    api.set(region, stack);
  }

  if (props.nag ?? true) {
    Validations.of(app).addPlugins(
      new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }),
      new ServerlessChecks(app),
    );
  }
  return { stateful, globalData, zoneData, api };
}

/** Every stack the app defines, in construction order. */
export function allStacks(stacks: VitrineStacks): Stack[] {
  return [
    ...stacks.stateful.values(),
    stacks.globalData,
    ...stacks.zoneData.values(),
    ...stacks.api.values(),
  ].filter((s) => s instanceof Stack);
}
