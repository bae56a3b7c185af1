import { Names, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { TableDefinition } from '#lib/platform/tables.ts';
import { pascalCase } from '../naming.ts';

export interface ReplicatedTableOptions {
  /** Regions to replicate to, besides the stack's own. */
  readonly replicaRegions: readonly string[];
  /** @default - an AWS-owned key (tables without personal data) */
  readonly encryption?: dynamodb.TableEncryptionV2;
}

export interface ReplicatedTable {
  readonly table: dynamodb.TableV2;
  /**
   * The table's name, the same in every region. A plain string derived from the construct path (so two
   * apps or stages never collide): other regions use it without cross-region plumbing, and IAM policies
   * that name it stay readable.
   */
  readonly tableName: string;
}

/**
 * A global table built from its single definition in `lib/platform/tables.ts` (the local runtime builds
 * its tables from the same object): on-demand, point-in-time recovery and deletion protection on every
 * replica, streams and TTL as declared, retained when the stack goes away.
 */
export function replicatedTable(
  scope: Construct,
  definition: TableDefinition,
  options: ReplicatedTableOptions,
): ReplicatedTable {
  const stringKey = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });
  const holder = new Construct(scope, pascalCase(definition.name));
  const tableName = Names.uniqueResourceName(holder, { maxLength: 255, separator: '-' });
  const table = new dynamodb.TableV2(holder, 'Table', {
    tableName,
    partitionKey: stringKey(definition.partitionKey),
    sortKey: stringKey(definition.sortKey),
    billing: dynamodb.Billing.onDemand(),
    globalSecondaryIndexes: definition.indexes.map((index) => ({
      indexName: index.name,
      partitionKey: stringKey(index.partitionKey),
      sortKey: stringKey(index.sortKey),
    })),
    dynamoStream: definition.stream ? dynamodb.StreamViewType[definition.stream] : undefined,
    timeToLiveAttribute: definition.timeToLiveAttribute,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    encryption: options.encryption,
    replicas: options.replicaRegions.map((region) => ({ region })),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  return { table, tableName };
}
