import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { allRegions, type VitrineConfig } from '#lib/config/config.ts';
import { TABLES, type TableName } from '#lib/platform/tables.ts';
import { replicatedTable } from './constructs/replicated-table.ts';

/** Tables without personal data, replicated to every configured region. */
export type GlobalTableName = {
  [K in TableName]: (typeof TABLES)[K]['scope'] extends 'global' ? K : never;
}[TableName];
export const GLOBAL_TABLES = (Object.keys(TABLES) as TableName[]).filter(
  (name): name is GlobalTableName => TABLES[name].scope === 'global',
);

export interface GlobalDataStackProps extends StackProps {
  readonly config: VitrineConfig;
}

/**
 * The catalog and inventory global tables, owned by the primary region and replicated to every other
 * configured region. They hold no personal data, so an AWS-owned key encrypts them.
 */
export class GlobalDataStack extends Stack {
  readonly tables: Readonly<Record<GlobalTableName, dynamodb.TableV2>>;
  /** Table names, identical in every region. */
  readonly tableNames: Readonly<Record<GlobalTableName, string>>;

  constructor(scope: Construct, id: string, props: GlobalDataStackProps) {
    super(scope, id, props);
    const replicaRegions = allRegions(props.config).filter((region) => region !== this.region);
    const tables = GLOBAL_TABLES.map(
      (name) => [name, replicatedTable(this, TABLES[name], { replicaRegions })] as const,
    );
    this.tables = Object.fromEntries(tables.map(([name, t]) => [name, t.table])) as Record<
      GlobalTableName,
      dynamodb.TableV2
    >;
    this.tableNames = Object.fromEntries(tables.map(([name, t]) => [name, t.tableName])) as Record<
      GlobalTableName,
      string
    >;
  }
}
