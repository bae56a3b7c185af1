import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { LocationDirectory } from '../../commerce/ports.ts';
import { Location } from '../../demo/locations.ts';

/** Stock locations as the inventory table holds them (pk `LOCATION#<id>`), cached: they rarely change. */
export class DynamoLocationDirectory implements LocationDirectory {
  private readonly cache = new Map<string, { at: number; location: Location | undefined }>();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly ttlMs = 60_000,
  ) {}

  async get(locationId: string): Promise<Location | undefined> {
    const cached = this.cache.get(locationId);
    if (cached && Date.now() - cached.at < this.ttlMs) return cached.location;
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: `LOCATION#${locationId}`, sk: 'LOCATION' } }),
    );
    const parsed = Item ? Location.safeParse(pick(Item)) : undefined;
    const location = parsed?.success ? parsed.data : undefined;
    this.cache.set(locationId, { at: Date.now(), location });
    return location;
  }
}

/** The location's own fields, without the table's keys. */
function pick(item: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(Location.shape)
      .filter((k) => k in item)
      .map((k) => [k, item[k]]),
  );
}
