import { Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { TABLES, type TableName } from '#lib/platform/tables.ts';
import { replicatedTable } from './constructs/replicated-table.ts';
import { ZoneIdentity } from './constructs/zone-identity.ts';

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
}

/**
 * One residency zone's personal data: the commerce and idempotency tables, replicated only to the
 * zone's regions and encrypted with each region's customer-managed key, and the zone's user pool.
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
    this.identity = new ZoneIdentity(this, 'Identity', { zone: props.zone });
  }
}
