/**
 * DynamoDB table definitions, declared once: the CDK stateful stacks and the local runtime both build
 * their tables from these objects.
 */
export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

export interface TableDefinition {
  /** Logical name; also the construct id (PascalCase) and the env var stem. */
  readonly name: string;
  /**
   * `global`: no personal data, replicated to every configured region.
   * `zone`: personal data, one table per residency zone, replicated only inside that zone.
   */
  readonly scope: 'global' | 'zone';
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly indexes: readonly IndexDefinition[];
  /** Stream view type; every table with an outbox or a projection needs one. */
  readonly stream?: 'NEW_IMAGE' | 'NEW_AND_OLD_IMAGES';
  readonly timeToLiveAttribute?: string;
  readonly description: string;
}

export const TABLES = {
  catalog: {
    name: 'catalog',
    scope: 'global',
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
    stream: 'NEW_AND_OLD_IMAGES',
    timeToLiveAttribute: 'expiresAt',
    description: 'Maisons, collections, categories and products; catalog outbox',
  },
  inventory: {
    name: 'inventory',
    scope: 'global',
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
    stream: 'NEW_AND_OLD_IMAGES',
    timeToLiveAttribute: 'expiresAt',
    description: 'Locations, stock pools and their ledger, drops; inventory outbox',
  },
  commerce: {
    name: 'commerce',
    scope: 'zone',
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
    stream: 'NEW_AND_OLD_IMAGES',
    timeToLiveAttribute: 'expiresAt',
    description: 'Customers, carts, checkouts, orders, payments and shipments of one residency zone; outbox',
  },
  idempotency: {
    name: 'idempotency',
    scope: 'zone',
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [],
    timeToLiveAttribute: 'expiresAt',
    description: 'Idempotency-Key records and webhook inbox of one residency zone',
  },
} as const satisfies Record<string, TableDefinition>;

export type TableName = keyof typeof TABLES;

/** The environment variable that carries a table's name (global) or zone-to-name map (zone). */
export function tableEnvVar(table: TableName): string {
  return `${table.toUpperCase()}_TABLE${TABLES[table].scope === 'zone' ? 'S' : ''}`;
}
