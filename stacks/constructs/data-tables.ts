import { Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { allRegions, type VitrineConfig, zoneOfRegion } from '#lib/config/config.ts';
import { TABLES, type TableDefinition, type TableName } from '#lib/platform/tables.ts';
import type { GlobalTableName } from '../global-data-stack.ts';
import { pascalCase } from '../naming.ts';
import type { ZoneTableName } from '../zone-data-stack.ts';
import { ReplicaStreamArn } from './replica-stream-arn.ts';
import type { TableBinding } from './vitrine-function.ts';

export interface DataTablesProps {
  readonly config: VitrineConfig;
  /** Global table names (identical in every region). */
  readonly globalTableNames: Readonly<Record<GlobalTableName, string>>;
  /** Zone table names, by zone. */
  readonly zoneTableNames: Readonly<Record<string, Readonly<Record<ZoneTableName, string>>>>;
  /** The customer-managed data key of each region, encrypting that region's zone table replicas. */
  readonly dataKeyArns: Readonly<Record<string, string>>;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The tables as this region's functions see them, imported by name: global tables through this
 * region's replica; zone tables through this region's replica for its own zone and through each other
 * zone's first region for the rest (a customer's data stays in their zone, wherever they shop from).
 * Imports are made on first use, so a region only references the tables and keys its functions need.
 */
export class DataTables extends Construct {
  private readonly props: DataTablesProps;
  private readonly region: string;
  private readonly zone: string;
  private readonly bindings = new Map<TableName, TableBinding>();
  private readonly streamSources = new Map<TableName, dynamodb.ITableV2>();
  private readonly imports = new Map<string, dynamodb.ITableV2>();
  private readonly keys = new Map<string, kms.IKey>();

  constructor(scope: Construct, id: string, props: DataTablesProps) {
    super(scope, id);
    this.props = props;
    this.region = Stack.of(this).region;
    this.zone = zoneOfRegion(props.config, this.region);
  }

  /** The env var value and grant targets of a table, for `VitrineFunction.bindTable`. */
  binding(name: TableName): TableBinding {
    const existing = this.bindings.get(name);
    if (existing) return existing;
    let binding: TableBinding;
    if (TABLES[name].scope === 'global') {
      const tableName = this.props.globalTableNames[name as GlobalTableName];
      binding = {
        name,
        environmentValue: tableName,
        targets: [{ table: this.table(name, this.region), region: this.region, tableName }],
        hasIndexes: TABLES[name].indexes.length > 0,
      };
    } else {
      const placements = Object.entries(this.props.config.zones).map(([zone, { regions }]) => {
        const region = zone === this.zone ? this.region : (regions[0] as string);
        return { zone, region, tableName: this.zoneTableName(zone, name as ZoneTableName) };
      });
      binding = {
        name,
        environmentValue: Stack.of(this).toJsonString(
          Object.fromEntries(placements.map((p) => [p.zone, { region: p.region, tableName: p.tableName }])),
        ),
        targets: placements.map((p) => ({
          table: this.table(name, p.region),
          region: p.region,
          tableName: p.tableName,
          keyArn: this.keyArn(p.region),
        })),
        hasIndexes: TABLES[name].indexes.length > 0,
      };
    }
    this.bindings.set(name, binding);
    return binding;
  }

  /**
   * A global table through every region's replica: for functions that write stock, whose writes go to
   * the replica in each pool's home region (`STOCK_HOME_REGIONS`), wherever the request was served.
   */
  everyReplicaBinding(name: GlobalTableName): TableBinding & { readonly regions: readonly string[] } {
    const local = this.binding(name);
    const tableName = this.props.globalTableNames[name];
    const regions = [this.region, ...allRegions(this.props.config).filter((r) => r !== this.region)];
    return {
      ...local,
      regions,
      targets: regions.map((region) => ({ table: this.table(name, region), region, tableName })),
    };
  }

  /** This region's replica with its stream ARN, for a stream event source. */
  streamSource(name: TableName): dynamodb.ITableV2 {
    const existing = this.streamSources.get(name);
    if (existing) return existing;
    if (!(TABLES[name] as TableDefinition).stream)
      throw new Error(`table ${name} has no stream; declare one in lib/platform/tables.ts`);
    const tableName = this.localTableName(name);
    const stream = new ReplicaStreamArn(this, `${pascalCase(name)}Stream`, {
      tableName,
      logRetention: this.props.logRetention,
    });
    const source = dynamodb.TableV2.fromTableAttributes(this, `${pascalCase(name)}StreamSource`, {
      tableArn: this.tableArn(tableName, this.region),
      tableStreamArn: stream.streamArn,
      encryptionKey: TABLES[name].scope === 'zone' ? this.key(this.region) : undefined,
    });
    this.streamSources.set(name, source);
    return source;
  }

  private localTableName(name: TableName): string {
    return TABLES[name].scope === 'global'
      ? this.props.globalTableNames[name as GlobalTableName]
      : this.zoneTableName(this.zone, name as ZoneTableName);
  }

  private zoneTableName(zone: string, name: ZoneTableName): string {
    const tableName = this.props.zoneTableNames[zone]?.[name];
    if (!tableName) throw new Error(`no ${name} table for zone ${zone}`);
    return tableName;
  }

  private table(name: TableName, region: string): dynamodb.ITableV2 {
    const id = `${pascalCase(name)}${pascalCase(region)}`;
    const existing = this.imports.get(id);
    if (existing) return existing;
    const definition = TABLES[name];
    const zone = definition.scope === 'zone' ? zoneOfRegion(this.props.config, region) : undefined;
    const tableName = zone ? this.zoneTableName(zone, name as ZoneTableName) : this.localTableName(name);
    const table = dynamodb.TableV2.fromTableAttributes(this, id, {
      tableArn: this.tableArn(tableName, region),
      grantIndexPermissions: definition.indexes.length > 0,
    });
    this.imports.set(id, table);
    return table;
  }

  private tableArn(tableName: string, region: string): string {
    return Stack.of(this).formatArn({
      service: 'dynamodb',
      region,
      resource: 'table',
      resourceName: tableName,
    });
  }

  private keyArn(region: string): string {
    const arn = this.props.dataKeyArns[region];
    if (!arn) throw new Error(`no data key for region ${region}`);
    return arn;
  }

  /** Imported by ARN, so grants land on the function's role and never edit the key's policy. */
  private key(region: string): kms.IKey {
    const existing = this.keys.get(region);
    if (existing) return existing;
    const key = kms.Key.fromKeyArn(this, `DataKey${pascalCase(region)}`, this.keyArn(region));
    this.keys.set(region, key);
    return key;
  }
}
