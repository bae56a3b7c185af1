import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { LocationDirectory } from '../../commerce/ports.ts';
import { Location } from '../../demo/locations.ts';

interface Listing {
  readonly at: number;
  readonly byId: ReadonlyMap<string, Location>;
}

/**
 * Stock locations as the inventory table holds them (pk `LOCATION#<id>`, all listed in the `gsi1`
 * partition `LOCATIONS`). A house has tens of locations and they rarely change, while checkout asks for
 * every location holding a cart's SKUs: the whole list is read in one query and kept for `ttlMs`, and
 * only an id missing from it (a location added since) costs a read of its own.
 */
export class DynamoLocationDirectory implements LocationDirectory {
  private listing: Listing | undefined;
  private loading: Promise<Listing> | undefined;
  private readonly misses = new Map<string, { at: number; location: Location | undefined }>();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly ttlMs = 60_000,
  ) {}

  async get(locationId: string): Promise<Location | undefined> {
    const listed = (await this.all()).byId.get(locationId);
    if (listed) return listed;
    const cached = this.misses.get(locationId);
    if (cached && Date.now() - cached.at < this.ttlMs) return cached.location;
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: `LOCATION#${locationId}`, sk: 'LOCATION' } }),
    );
    const location = Item ? parse(Item) : undefined;
    this.misses.set(locationId, { at: Date.now(), location });
    return location;
  }

  /** The cached listing, or one read shared by every concurrent caller. */
  private all(): Promise<Listing> {
    if (this.listing && Date.now() - this.listing.at < this.ttlMs) return Promise.resolve(this.listing);
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<Listing> {
    const byId = new Map<string, Location>();
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :locations',
          ExpressionAttributeValues: { ':locations': 'LOCATIONS' },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const location = parse(item);
        if (location) byId.set(location.locationId, location);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    this.listing = { at: Date.now(), byId };
    return this.listing;
  }
}

/** The location's own fields, without the table's keys; undefined for an item that is not one. */
function parse(item: Record<string, unknown>): Location | undefined {
  const fields = Object.fromEntries(
    Object.keys(Location.shape)
      .filter((k) => k in item)
      .map((k) => [k, item[k]]),
  );
  const parsed = Location.safeParse(fields);
  return parsed.success ? parsed.data : undefined;
}
