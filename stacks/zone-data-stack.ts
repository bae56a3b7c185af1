import { Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { VitrineConfig } from '#lib/config/config.ts';
import type { FunctionDefinition } from '#lib/platform/manifest.ts';
import { TABLES, type TableName } from '#lib/platform/tables.ts';
import { replicatedTable } from './constructs/replicated-table.ts';
import { ServiceMonitoring } from './constructs/service-monitoring.ts';
import { ZoneIdentity } from './constructs/zone-identity.ts';
import { type DeclaredFunction, pascalCase } from './naming.ts';

/** Tables with personal data: one per residency zone, replicated only inside it. */
export type ZoneTableName = {
  [K in TableName]: (typeof TABLES)[K]['scope'] extends 'zone' ? K : never;
}[TableName];
export const ZONE_TABLES = (Object.keys(TABLES) as TableName[]).filter(
  (name): name is ZoneTableName => TABLES[name].scope === 'zone',
);

export interface ZoneDataStackProps extends StackProps {
  readonly zone: string;
  /** The zone's regions; the stack deploys to the first and replicates to the others. */
  readonly regions: readonly string[];
  /** The customer-managed key of each of the zone's regions (each regional stateful stack's key). */
  readonly dataKeys: Readonly<Record<string, kms.IKey>>;
  /** Names the default hosted login domain. */
  readonly appName: string;
  /** Hosted login domain and app client redirects. */
  readonly auth: VitrineConfig['auth'];
  /** The manifests' Cognito triggers, deployed beside the zone's user pool. @default - none */
  readonly identityTriggers?: readonly DeclaredFunction[];
  readonly logRetention: logs.RetentionDays;
  /** The alarm topic of the zone's first region; the triggers' alarms notify it. */
  readonly alarmTopicArn: string;
  /**
   * The code of each trigger.
   * @default - its entry bundled once per process by `bundleFunction`
   */
  readonly code?: (definition: FunctionDefinition) => lambda.Code;
}

/**
 * One residency zone's personal data: the commerce and idempotency tables, replicated only to the
 * zone's regions and encrypted with each region's customer-managed key, and the zone's user pool with
 * its hosted login and the manifests' Cognito triggers (a trigger must live in its pool's region).
 */
export class ZoneDataStack extends Stack {
  readonly zone: string;
  readonly tables: Readonly<Record<ZoneTableName, dynamodb.TableV2>>;
  /** Table names, identical in each of the zone's regions. */
  readonly tableNames: Readonly<Record<ZoneTableName, string>>;
  readonly identity: ZoneIdentity;

  constructor(scope: Construct, id: string, props: ZoneDataStackProps) {
    super(scope, id, props);
    this.zone = props.zone;
    if (props.regions[0] !== this.region) {
      throw new Error(
        `zone ${props.zone}: its data stack must deploy to the zone's first region ${props.regions[0]}`,
      );
    }
    const keyOf = (region: string): kms.IKey => {
      const key = props.dataKeys[region];
      if (!key) throw new Error(`zone ${props.zone}: no data key for region ${region}`);
      return key;
    };
    const replicaRegions = props.regions.slice(1);
    const encryption = dynamodb.TableEncryptionV2.customerManagedKey(
      keyOf(this.region),
      Object.fromEntries(replicaRegions.map((region) => [region, keyOf(region).keyArn])),
    );
    const tables = ZONE_TABLES.map(
      (name) => [name, replicatedTable(this, TABLES[name], { replicaRegions, encryption })] as const,
    );
    this.tables = Object.fromEntries(tables.map(([name, t]) => [name, t.table])) as Record<
      ZoneTableName,
      dynamodb.TableV2
    >;
    this.tableNames = Object.fromEntries(tables.map(([name, t]) => [name, t.tableName])) as Record<
      ZoneTableName,
      string
    >;
    this.identity = new ZoneIdentity(this, 'Identity', {
      zone: props.zone,
      // Hosted domain prefixes are global per region: the default carries the account to stay unique.
      domainPrefix: props.auth.domainPrefix
        ? `${props.auth.domainPrefix}-${props.zone}`
        : `${props.appName}-${props.zone}-${this.account}`,
      callbackUrls: props.auth.callbackUrls,
      logoutUrls: props.auth.logoutUrls,
      triggers: props.identityTriggers,
      logRetention: props.logRetention,
      code: props.code,
    });
    this.monitorTriggers(props);
  }

  /** A failing trigger fails every sign-in of the zone: alarm on its errors like any service function. */
  private monitorTriggers(props: ZoneDataStackProps): void {
    const byService = new Map<string, DeclaredFunction[]>();
    for (const declared of props.identityTriggers ?? []) {
      byService.set(declared.service, [...(byService.get(declared.service) ?? []), declared]);
    }
    if (byService.size === 0) return;
    const alarmTopic = sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn);
    for (const [service, declared] of byService) {
      new ServiceMonitoring(this, `${pascalCase(service)}IdentityMonitoring`, {
        service,
        functions: declared.map(({ id }) => {
          const fn = this.identity.triggers.get(id);
          if (!fn) throw new Error(`zone ${props.zone}: trigger ${id} was not created`);
          return { id, fn, readsStream: false };
        }),
        deadLetterQueues: new Map(),
        alarmTopic,
      });
    }
  }
}
