import { GetCommand, type NativeAttributeValue, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Checkout } from '../../commerce/checkout.ts';
import type {
  CommerceRepository,
  DuePickup,
  OrderPage,
  PickupDeadlines,
} from '../../commerce/commerce-repository.ts';
import { parseZoneId } from '../../commerce/ids.ts';
import { Order, pickupDueAt } from '../../commerce/order.ts';
import { VersionConflictError } from '../../errors.ts';
import type { Clock, DomainEvent } from '../../platform/domain-event.ts';
import { outboxItem } from './outbox.ts';
import {
  classifyCancellation,
  type TransactItem,
  transactWithConflictRetries,
  withoutKeys,
} from './transactions.ts';
import type { ZoneTables } from './zone-tables.ts';

type Item = Record<string, NativeAttributeValue>;

const checkoutKey = (id: string) => ({ pk: `CHECKOUT#${id}`, sk: 'CHECKOUT' });
const orderKey = (id: string) => ({ pk: `ORDER#${id}`, sk: 'ORDER' });
const orderNumberKey = (n: string) => ({ pk: `ORDERNO#${n}`, sk: 'ORDERNO' });
const customerKey = (customerId: string) => `CUSTOMER#${customerId}`;
const orderSortKey = (order: Pick<Order, 'createdAt' | 'orderId'>) =>
  `ORDER#${order.createdAt}#${order.orderId}`;
const pickupDueKey = (orderId: string) => ({ pk: `PICKUPDUE#${orderId}`, sk: 'PICKUPDUE' });

/**
 * Due pickups are spread over a few index partitions so that no single one takes every ready order's
 * writes; the sweeper reads them all.
 */
const PICKUP_DUE_SHARDS = 4;
const pickupDuePartition = (shard: number) => `PICKUP_DUE#${shard}`;
function pickupDueShard(orderId: string): number {
  let sum = 0;
  for (const char of orderId) sum = (sum + char.charCodeAt(0)) % PICKUP_DUE_SHARDS;
  return sum;
}

/** Orders that count as paid for risk screening: funds were taken or are held. */
const PAID_STATUSES = ['paid', 'authorized', 'under_review', 'ready_for_pickup', 'collected'];

const strip = withoutKeys;

export interface DynamoCommerceRepositoryProps {
  readonly tables: ZoneTables;
  /** Every configured zone: a customer's order list reads each. */
  readonly zones: readonly string[];
  readonly region: string;
  readonly clock: Clock;
}

/** Checkouts and orders in the commerce table of the zone their id names. */
export class DynamoCommerceRepository implements CommerceRepository, PickupDeadlines {
  constructor(private readonly props: DynamoCommerceRepositoryProps) {}

  private table(id: string) {
    const parsed = parseZoneId(id);
    if (!parsed) throw new RangeError(`${id} is not a zone id`);
    return this.props.tables(parsed.zone);
  }

  private async getItem(id: string, key: { pk: string; sk: string }): Promise<Item | undefined> {
    if (!parseZoneId(id)) return undefined;
    const { client, tableName } = this.table(id);
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
    );
    return Item;
  }

  async getCheckout(checkoutId: string): Promise<Checkout | undefined> {
    const item = await this.getItem(checkoutId, checkoutKey(checkoutId));
    return item ? Checkout.parse(strip(item)) : undefined;
  }

  async getOrder(orderId: string): Promise<Order | undefined> {
    const item = await this.getItem(orderId, orderKey(orderId));
    return item ? Order.parse(strip(item)) : undefined;
  }

  /**
   * Outbox items in the zone table that `id` names. They carry the region of the replica written, which
   * for another zone's customer is not this function's: that region's relay is the one that reads them.
   */
  private outbox(id: string, events: readonly DomainEvent[]): TransactItem[] {
    const { tableName, region } = this.table(id);
    const now = this.props.clock.now();
    return events.map((event) => ({
      Put: { TableName: tableName, Item: outboxItem(event, region ?? this.props.region, now) },
    }));
  }

  private async transact(id: string, items: TransactItem[]): Promise<void> {
    await transactWithConflictRetries(this.table(id).client, items);
  }

  async createCheckout(checkout: Checkout, events: readonly DomainEvent[]): Promise<Checkout> {
    const { tableName } = this.table(checkout.checkoutId);
    try {
      await this.transact(checkout.checkoutId, [
        {
          Put: {
            TableName: tableName,
            Item: { ...checkoutKey(checkout.checkoutId), ...Checkout.parse(checkout) },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...this.outbox(checkout.checkoutId, events),
      ]);
      return checkout;
    } catch (error) {
      if (classifyCancellation(error)?.kind !== 'condition') throw error;
      const stored = await this.getCheckout(checkout.checkoutId);
      if (!stored) throw error;
      return stored;
    }
  }

  async saveCheckout(
    checkout: Checkout,
    expectedVersion: number,
    events: readonly DomainEvent[],
  ): Promise<void> {
    const item = { ...checkoutKey(checkout.checkoutId), ...Checkout.parse(checkout) };
    await this.putAtVersion(checkout.checkoutId, item, expectedVersion, events, 'checkout');
  }

  /**
   * Replaces a record if it is still at `expectedVersion`, with its events and any `extra` writes, in one
   * transaction.
   */
  private async putAtVersion(
    id: string,
    item: Item,
    expectedVersion: number,
    events: readonly DomainEvent[],
    what: string,
    extra: readonly TransactItem[] = [],
  ): Promise<void> {
    const { tableName } = this.table(id);
    try {
      await this.transact(id, [
        {
          Put: {
            TableName: tableName,
            Item: item,
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':expected': expectedVersion },
          },
        },
        ...extra,
        ...this.outbox(id, events),
      ]);
    } catch (error) {
      if (classifyCancellation(error)?.kind === 'condition') {
        throw new VersionConflictError(`The ${what} changed meanwhile`);
      }
      throw error;
    }
  }

  private orderItem(order: Order): Item {
    return {
      ...orderKey(order.orderId),
      gsi1pk: customerKey(order.customerId),
      gsi1sk: orderSortKey(order),
      ...Order.parse(order),
    };
  }

  async placeOrder(
    order: Order,
    checkout: Checkout,
    checkoutVersion: number,
    events: readonly DomainEvent[],
  ): Promise<'placed' | 'exists' | 'number_taken'> {
    const { tableName } = this.table(order.orderId);
    try {
      await this.transact(order.orderId, [
        {
          Put: {
            TableName: tableName,
            Item: this.orderItem(order),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: { ...orderNumberKey(order.orderNumber), orderId: order.orderId },
            ConditionExpression: 'attribute_not_exists(pk) OR orderId = :orderId',
            ExpressionAttributeValues: { ':orderId': order.orderId },
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: { ...checkoutKey(checkout.checkoutId), ...Checkout.parse(checkout) },
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':expected': checkoutVersion },
          },
        },
        ...this.outbox(order.orderId, events),
      ]);
      return 'placed';
    } catch (error) {
      const cancelled = classifyCancellation(error);
      if (cancelled?.kind !== 'condition') throw error;
      if (cancelled.failedIndexes.includes(0)) return 'exists';
      if (cancelled.failedIndexes.includes(1)) return 'number_taken';
      throw new VersionConflictError('The checkout changed meanwhile');
    }
  }

  async saveOrder(order: Order, expectedVersion: number, events: readonly DomainEvent[]): Promise<void> {
    await this.putAtVersion(
      order.orderId,
      this.orderItem(order),
      expectedVersion,
      events,
      'order',
      this.pickupDueWrites(order),
    );
  }

  /**
   * The order's entry in the due-pickups index, a separate item (the order's own gsi1 keys list it
   * under its customer): put while the sweeper has something to do, deleted once it has not. Orders
   * that were never ready have none to delete.
   */
  private pickupDueWrites(order: Order): TransactItem[] {
    if (!order.pickup?.readyAt) return [];
    const { tableName } = this.table(order.orderId);
    const key = pickupDueKey(order.orderId);
    const dueAt = pickupDueAt(order);
    if (!dueAt) return [{ Delete: { TableName: tableName, Key: key } }];
    return [
      {
        Put: {
          TableName: tableName,
          Item: {
            ...key,
            gsi1pk: pickupDuePartition(pickupDueShard(order.orderId)),
            gsi1sk: `${dueAt}#${order.orderId}`,
            orderId: order.orderId,
            dueAt,
          },
        },
      },
    ];
  }

  async duePickups(now: Date, limit: number): Promise<DuePickup[]> {
    const before = now.toISOString();
    const pages = await Promise.all(
      this.props.zones.flatMap((zone) =>
        Array.from({ length: PICKUP_DUE_SHARDS }, async (_, shard) => {
          const { client, tableName } = this.props.tables(zone);
          const { Items = [] } = await client.send(
            new QueryCommand({
              TableName: tableName,
              IndexName: 'gsi1',
              // `<dueAt>#<orderId>` sorts before the bare timestamp exactly when dueAt is earlier.
              KeyConditionExpression: 'gsi1pk = :due AND gsi1sk < :before',
              ExpressionAttributeValues: { ':due': pickupDuePartition(shard), ':before': before },
              Limit: limit,
            }),
          );
          return Items.map((item) => ({ orderId: String(item.orderId), dueAt: String(item.dueAt) }));
        }),
      ),
    );
    return pages
      .flat()
      .sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : 0))
      .slice(0, limit);
  }

  async listOrders(customerId: string, limit: number, cursor?: string): Promise<OrderPage> {
    const pages = await Promise.all(
      this.props.zones.map(async (zone) => {
        const { client, tableName } = this.props.tables(zone);
        const { Items = [], LastEvaluatedKey } = await client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: cursor
              ? 'gsi1pk = :customer AND gsi1sk BETWEEN :orders AND :before'
              : 'gsi1pk = :customer AND begins_with(gsi1sk, :orders)',
            ExpressionAttributeValues: {
              ':customer': customerKey(customerId),
              ':orders': 'ORDER#',
              // BETWEEN is inclusive: the cursor's own order sorts first and is dropped below.
              ...(cursor ? { ':before': cursor } : {}),
            },
            ScanIndexForward: false,
            Limit: limit + 1,
          }),
        );
        return { items: Items.filter((i) => i.gsi1sk !== cursor), more: LastEvaluatedKey !== undefined };
      }),
    );
    const merged = pages
      .flatMap((p) => p.items)
      .sort((a, b) => (a.gsi1sk < b.gsi1sk ? 1 : a.gsi1sk > b.gsi1sk ? -1 : 0));
    const page = merged.slice(0, limit);
    const more = merged.length > limit || pages.some((p) => p.more);
    const last = page.at(-1);
    return {
      orders: page.map((item) => Order.parse(strip(item))),
      ...(more && last ? { nextCursor: String(last.gsi1sk) } : {}),
    };
  }

  async countPaidOrders(customerId: string, zone: string, max: number): Promise<number> {
    const { client, tableName } = this.props.tables(zone);
    const { Items = [] } = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :customer AND begins_with(gsi1sk, :orders)',
        ExpressionAttributeValues: { ':customer': customerKey(customerId), ':orders': 'ORDER#' },
        ProjectionExpression: '#status',
        ExpressionAttributeNames: { '#status': 'status' },
        ScanIndexForward: false,
        Limit: max * 3,
      }),
    );
    return Math.min(max, Items.filter((i) => PAID_STATUSES.includes(String(i.status))).length);
  }
}
