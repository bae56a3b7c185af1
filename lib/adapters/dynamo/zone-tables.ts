import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NotFoundError } from '../../errors.ts';
import { createDocumentClient } from './document-client.ts';

/** One zone's replica of a zone-scoped table, and a client in a region that holds it. */
export interface ZoneTable {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /**
   * The region of the replica `client` writes: outbox items must name it, since only that region's
   * relay reads them from its stream. Absent when every zone shares one endpoint (local runs and tests).
   */
  readonly region?: string;
}

/**
 * Resolves the table of a residency zone. Personal data lives only in its zone's tables, so a function
 * serving a customer of another zone writes to that zone's replica (in one of the zone's regions), never
 * to a local copy.
 */
export type ZoneTables = (zone: string) => ZoneTable;

/** The value of a zone table's env var (`COMMERCE_TABLES`, `IDEMPOTENCY_TABLES`): zone → region and name. */
export type ZoneTableMap = Readonly<Record<string, { readonly region: string; readonly tableName: string }>>;

/**
 * Zone tables from their env var's map. Clients are created once per region; a zone whose replica is in
 * this function's own region uses `localClient`.
 */
export function zoneTablesFrom(
  map: ZoneTableMap,
  options: { readonly region: string; readonly localClient: DynamoDBDocumentClient },
): ZoneTables {
  const clients = new Map<string, DynamoDBDocumentClient>([[options.region, options.localClient]]);
  return (zone) => {
    const entry = map[zone];
    if (!entry) throw new NotFoundError(`No tables are configured for zone ${zone}`);
    let client = clients.get(entry.region);
    if (!client) {
      client = createDocumentClient({ region: entry.region });
      clients.set(entry.region, client);
    }
    return { client, tableName: entry.tableName, region: entry.region };
  };
}

/** Zone tables that share one client (the local runtime and tests: one DynamoDB Local). */
export function sharedClientZoneTables(
  client: DynamoDBDocumentClient,
  names: Readonly<Record<string, string>>,
): ZoneTables {
  return (zone) => {
    const tableName = names[zone];
    if (!tableName) throw new NotFoundError(`No tables are configured for zone ${zone}`);
    return { client, tableName };
  };
}
