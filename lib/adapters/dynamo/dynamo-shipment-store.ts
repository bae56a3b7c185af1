import {
  type DynamoDBDocumentClient,
  GetCommand,
  type NativeAttributeValue,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { UnprocessableError, VersionConflictError } from '../../errors.ts';
import type { Clock, DomainEvent } from '../../platform/domain-event.ts';
import { TrackingNumberInUseError } from '../../tracking/errors.ts';
import {
  allowanceRefusal,
  type CreateShipmentOutcome,
  type LateCheckDue,
  lateCheckDueAt,
  type ShipmentAllowance,
  type ShipmentLateChecks,
  type ShipmentPointer,
  type ShipmentStore,
  unitsBySku,
} from '../../tracking/ports.ts';
import { Shipment } from '../../tracking/shipment.ts';
import { outboxItem } from './outbox.ts';
import {
  classifyCancellation,
  type TransactItem,
  transactWithConflictRetries,
  withoutKeys,
} from './transactions.ts';
import type { ZoneTables } from './zone-tables.ts';

type Item = Record<string, NativeAttributeValue>;

/**
 * The most a shipment item may weigh, measured as its JSON: a generous over-estimate of DynamoDB's own
 * count (names and values, with less framing), kept well under the 400 KB item limit so that the last
 * write that fits still leaves room. At the few hundred bytes a scan takes, that is about a thousand
 * scans, where a real parcel has tens.
 */
export const MAX_SHIPMENT_ITEM_BYTES = 300 * 1024;

const shipmentKey = (shipmentId: string) => ({ pk: `SHIPMENT#${shipmentId}`, sk: 'SHIPMENT' });
const orderPartition = (orderId: string) => `ORDER#${orderId}`;
const SHIPMENT_SORT_PREFIX = 'SHIPMENT#';
const pointerKey = (carrier: string, trackingNumber: string) => ({
  pk: `TRACKING#${carrier}#${trackingNumber}`,
  sk: 'TRACKING',
});
const lateCheckKey = (shipmentId: string) => ({ pk: `LATECHECK#${shipmentId}`, sk: 'LATECHECK' });
const shippedKey = (orderId: string) => ({ pk: `SHIPPED#${orderId}`, sk: 'SHIPPED' });
/** The counter's attribute of a location's SKU; the `#` keeps it apart from `pk`, `sk` and `orderId`. */
const shippedAttribute = (locationId: string, sku: string) => `${locationId}#${sku}`;

/** Where {@link DynamoShipmentStore.create} puts each write, to read its cancellation reasons by index. */
const CREATE_SHIPMENT = 0;
const CREATE_COUNTER = 1;

/**
 * Late-check entries are spread over a few index partitions so that no single one takes every
 * shipment's writes; the sweep reads them all.
 */
const LATE_CHECK_SHARDS = 4;
const lateCheckPartition = (shard: number) => `LATE_CHECK#${shard}`;
function lateCheckShard(shipmentId: string): number {
  let sum = 0;
  for (const char of shipmentId) sum = (sum + char.charCodeAt(0)) % LATE_CHECK_SHARDS;
  return sum;
}
/** The index sort key, which is also the sweep's order and cursor: due time, then zone, then shipment. */
const latePosition = (due: LateCheckDue) => `${due.dueAt}#${due.zone}#${due.shipmentId}`;

/**
 * A shipment whose item would not fit DynamoDB's item limit: its timeline has grown far beyond any real
 * parcel's (a feed re-sending scans under new ids, say). Nothing was written; the shipment stays as it was.
 */
export class ShipmentTooLargeError extends UnprocessableError {
  override readonly code = 'SHIPMENT_TOO_LARGE';
}

const strip = withoutKeys;

/** Props of {@link DynamoShipmentStore}. */
export interface DynamoShipmentStoreProps {
  /** The zones' `commerce` tables: a shipment names its order and, through its scans, the customer's town. */
  readonly tables: ZoneTables;
  /** Every zone, for the late check's sweep. */
  readonly zones: readonly string[];
  /**
   * The global table holding tracking-number pointers (`inventory`; no personal data). A global table has
   * the same name in every region, so a shipment's pointer is written to the replica in its zone's region.
   */
  readonly pointerTableName: string;
  /** A client in this function's region, which reads pointers from the local replica. */
  readonly client: DynamoDBDocumentClient;
  readonly clock: Clock;
}

/**
 * Shipments in their zone's commerce table, each its own item (`SHIPMENT#{id}` / `SHIPMENT`), listed
 * under its order through gsi1 (`ORDER#{orderId}` / `SHIPMENT#{createdAt}#{id}`), as orders are listed
 * under their customer. Reads by id, which every webhook's read-modify-write makes, are strongly
 * consistent; an order's list is one Query of the index, which may trail a write by a moment.
 *
 * The tracking-number pointer (`TRACKING#{carrier}#{number}` / `TRACKING`) lives in the global inventory
 * table, so a webhook landing in any region resolves it from its own replica. It is written in the same
 * transaction as the shipment and its outbox items, in the replica of the zone table's region (a
 * transaction may span tables of one region): a function creating shipments of another zone needs write
 * access to the inventory replica of that zone's region. The pointer carries no TTL and is never
 * replaced, so the carrier and tracking number of a shipment are fixed at creation.
 *
 * A shipment still on its way with an estimate also has a late-check entry (`LATECHECK#{id}` /
 * `LATECHECK`, listed through gsi1 under `LATE_CHECK#{shard}` by due time), put or deleted in every
 * write of the shipment, so a revised estimate or a delivery moves or removes it atomically.
 *
 * Each order has a counter of its shipped units (`SHIPPED#{orderId}` / `SHIPPED`, one number per
 * `{locationId}#{sku}`, no TTL: it must outlive every shipment it counts), added to in the transaction
 * that creates a shipment and bounded there by the caller's allowance. Shipments are never deleted and
 * their lines never change, so the counter only grows.
 */
export class DynamoShipmentStore implements ShipmentStore, ShipmentLateChecks {
  constructor(private readonly props: DynamoShipmentStoreProps) {}

  async create(
    shipment: Shipment,
    events: readonly DomainEvent[],
    allowance?: ShipmentAllowance,
  ): Promise<CreateShipmentOutcome> {
    const item = this.item(shipment);
    const { client, tableName } = this.props.tables(shipment.zone);
    // A parcel larger than its whole allowance fails whatever is shipped: refused before any write.
    const oversized = allowance && allowanceRefusal(shipment, allowance, () => 0);
    if (oversized) {
      const stored = await this.get(shipment.zone, shipment.shipmentId);
      if (stored) return { created: false, shipment: stored };
      throw oversized;
    }
    try {
      await this.transact(client, [
        { Put: { TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
        this.counterUpdate(tableName, shipment, allowance),
        {
          Put: {
            TableName: this.props.pointerTableName,
            Item: {
              ...pointerKey(shipment.carrier, shipment.trackingNumber),
              carrier: shipment.carrier,
              trackingNumber: shipment.trackingNumber,
              shipmentId: shipment.shipmentId,
              orderId: shipment.orderId,
              zone: shipment.zone,
            },
            // A retried create finds its own pointer; only another shipment's is a refusal.
            ConditionExpression: 'attribute_not_exists(pk) OR shipmentId = :shipmentId',
            ExpressionAttributeValues: { ':shipmentId': shipment.shipmentId },
          },
        },
        ...this.lateCheckWrites(tableName, shipment, { created: true }),
        ...(await this.outbox(client, tableName, events)),
      ]);
      return { created: true, shipment: Shipment.parse(strip(item)) };
    } catch (error) {
      const cancelled = classifyCancellation(error);
      if (cancelled?.kind !== 'condition') throw error;
      // A retry's own shipment first (its units are counted already), then the units, then the number.
      if (cancelled.failedIndexes.includes(CREATE_SHIPMENT)) {
        const stored = await this.get(shipment.zone, shipment.shipmentId);
        if (stored) return { created: false, shipment: stored };
        throw error;
      }
      if (allowance && cancelled.failedIndexes.includes(CREATE_COUNTER)) {
        throw await this.allowanceRefusal(client, tableName, shipment, allowance);
      }
      throw new TrackingNumberInUseError(shipment.carrier, shipment.trackingNumber);
    }
  }

  async get(zone: string, shipmentId: string): Promise<Shipment | undefined> {
    const { client, tableName } = this.props.tables(zone);
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: shipmentKey(shipmentId), ConsistentRead: true }),
    );
    return Item ? Shipment.parse(strip(Item)) : undefined;
  }

  async listByOrder(zone: string, orderId: string): Promise<Shipment[]> {
    const { client, tableName } = this.props.tables(zone);
    const shipments: Shipment[] = [];
    let startKey: Item | undefined;
    // Large timelines make an order's shipments more than one page long well before they are many.
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :order AND begins_with(gsi1sk, :shipments)',
          ExpressionAttributeValues: {
            ':order': orderPartition(orderId),
            ':shipments': SHIPMENT_SORT_PREFIX,
          },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) shipments.push(Shipment.parse(strip(item)));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return shipments;
  }

  async findByTrackingNumber(carrier: string, trackingNumber: string): Promise<ShipmentPointer | undefined> {
    const { Item } = await this.props.client.send(
      new GetCommand({
        TableName: this.props.pointerTableName,
        Key: pointerKey(carrier, trackingNumber),
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    return { shipmentId: String(Item.shipmentId), orderId: String(Item.orderId), zone: String(Item.zone) };
  }

  async save(shipment: Shipment, expectedVersion: number, events: readonly DomainEvent[]): Promise<void> {
    const item = this.item(shipment);
    const { client, tableName } = this.props.tables(shipment.zone);
    try {
      await this.transact(client, [
        {
          Put: {
            TableName: tableName,
            Item: item,
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':expected': expectedVersion },
          },
        },
        ...this.lateCheckWrites(tableName, shipment, { created: false }),
        ...(await this.outbox(client, tableName, events)),
      ]);
    } catch (error) {
      if (classifyCancellation(error)?.kind === 'condition') {
        throw new VersionConflictError(`Shipment ${shipment.shipmentId} changed meanwhile`);
      }
      throw error;
    }
  }

  async dueForLateCheck(now: Date, limit: number, after?: LateCheckDue): Promise<LateCheckDue[]> {
    const from = after ? latePosition(after) : '0';
    // `~` sorts after every zone name, so every entry due at exactly `now` is in range.
    const to = `${now.toISOString()}#~`;
    const pages = await Promise.all(
      this.props.zones.flatMap((zone) =>
        Array.from({ length: LATE_CHECK_SHARDS }, async (_, shard) => {
          const { client, tableName } = this.props.tables(zone);
          const { Items = [] } = await client.send(
            new QueryCommand({
              TableName: tableName,
              IndexName: 'gsi1',
              KeyConditionExpression: 'gsi1pk = :due AND gsi1sk BETWEEN :from AND :to',
              ExpressionAttributeValues: { ':due': lateCheckPartition(shard), ':from': from, ':to': to },
              // BETWEEN is inclusive: the cursor's own entry may come back and is dropped below.
              Limit: limit + 1,
            }),
          );
          return Items.filter((item) => item.gsi1sk !== from).map((item) => ({
            zone: String(item.zone),
            shipmentId: String(item.shipmentId),
            dueAt: String(item.dueAt),
          }));
        }),
      ),
    );
    return pages
      .flat()
      .sort((a, b) => (latePosition(a) < latePosition(b) ? -1 : 1))
      .slice(0, limit);
  }

  /**
   * Adds the shipment's units to its order's counter (`SHIPPED#{orderId}` / `SHIPPED`, one number per
   * location and SKU), on the condition, with an allowance, that each stays within it: the one check that
   * two bookings written at once cannot both pass.
   */
  private counterUpdate(
    tableName: string,
    shipment: Shipment,
    allowance: ShipmentAllowance | undefined,
  ): TransactItem {
    const names: Record<string, string> = {};
    const values: Record<string, NativeAttributeValue> = { ':orderId': shipment.orderId };
    const adds: string[] = [];
    const conditions: string[] = [];
    [...unitsBySku(shipment.lines)].forEach(([sku, units], i) => {
      names[`#u${i}`] = shippedAttribute(shipment.locationId, sku);
      values[`:u${i}`] = units;
      adds.push(`#u${i} :u${i}`);
      if (allowance) {
        // The room left before this parcel; never negative, since an oversized parcel is refused first.
        values[`:r${i}`] = (allowance.allowed[sku] ?? 0) - units;
        conditions.push(`(attribute_not_exists(#u${i}) OR #u${i} <= :r${i})`);
      }
    });
    return {
      Update: {
        TableName: tableName,
        Key: shippedKey(shipment.orderId),
        UpdateExpression: `SET orderId = :orderId ADD ${adds.join(', ')}`,
        ...(conditions.length > 0 ? { ConditionExpression: conditions.join(' AND ') } : {}),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
  }

  /** The refusal of a parcel the counter had no room for, naming what it holds now. */
  private async allowanceRefusal(
    client: DynamoDBDocumentClient,
    tableName: string,
    shipment: Shipment,
    allowance: ShipmentAllowance,
  ): Promise<Error> {
    const { Item = {} } = await client.send(
      new GetCommand({ TableName: tableName, Key: shippedKey(shipment.orderId), ConsistentRead: true }),
    );
    const shipped = (sku: string) => Number(Item[shippedAttribute(shipment.locationId, sku)] ?? 0);
    return (
      allowanceRefusal(shipment, allowance, shipped) ??
      // Room was made between the write and this read: impossible today, as nothing takes units back.
      allowanceRefusal(shipment, { allowed: {} }, shipped)!
    );
  }

  /** The shipment's late-check entry: put while it has a due time, deleted once it has none. */
  private lateCheckWrites(
    tableName: string,
    shipment: Shipment,
    { created }: { readonly created: boolean },
  ): TransactItem[] {
    const key = lateCheckKey(shipment.shipmentId);
    const dueAt = lateCheckDueAt(shipment);
    if (!dueAt) return created ? [] : [{ Delete: { TableName: tableName, Key: key } }];
    const due = { zone: shipment.zone, shipmentId: shipment.shipmentId, dueAt };
    return [
      {
        Put: {
          TableName: tableName,
          Item: {
            ...key,
            gsi1pk: lateCheckPartition(lateCheckShard(shipment.shipmentId)),
            gsi1sk: latePosition(due),
            ...due,
          },
        },
      },
    ];
  }

  /** The stored item, refused before any write when it would not fit. */
  private item(shipment: Shipment): Item {
    const parsed = Shipment.parse(shipment);
    const item: Item = {
      ...shipmentKey(parsed.shipmentId),
      gsi1pk: orderPartition(parsed.orderId),
      // `toISOString` times sort as text, so the index lists an order's shipments oldest first.
      gsi1sk: `${SHIPMENT_SORT_PREFIX}${parsed.createdAt}#${parsed.shipmentId}`,
      ...parsed,
    };
    const bytes = Buffer.byteLength(JSON.stringify(item));
    if (bytes > MAX_SHIPMENT_ITEM_BYTES) {
      throw new ShipmentTooLargeError(
        `Shipment ${parsed.shipmentId} would take ${bytes} bytes with ${parsed.events.length} scans; the limit is ${MAX_SHIPMENT_ITEM_BYTES}`,
        { shipmentId: parsed.shipmentId, scans: parsed.events.length },
      );
    }
    return item;
  }

  /**
   * Outbox items for the zone table. They name the region of the replica written, which may be another
   * zone's region than this function's: that region's relay is the one that sees them on its stream.
   */
  private async outbox(
    client: DynamoDBDocumentClient,
    tableName: string,
    events: readonly DomainEvent[],
  ): Promise<TransactItem[]> {
    if (events.length === 0) return [];
    const region = await client.config.region();
    const now = this.props.clock.now();
    return events.map((event) => ({ Put: { TableName: tableName, Item: outboxItem(event, region, now) } }));
  }

  private async transact(client: DynamoDBDocumentClient, items: TransactItem[]): Promise<void> {
    await transactWithConflictRetries(client, items);
  }
}
