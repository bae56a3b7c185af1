import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ProductListKey, ProductRepository } from '../../catalog/ports.ts';
import { Product } from '../../contracts/catalog.ts';
import { VersionConflictError } from '../../errors.ts';
import type { Clock, DomainEvent } from '../../platform/domain-event.ts';
import { outboxItem } from './outbox.ts';
import { classifyCancellation } from './transactions.ts';

const LISTING = 'PRODUCTS';
const productKey = (productId: string) => ({ pk: `PRODUCT#${productId}`, sk: 'PRODUCT' });
const listingSortKey = (key: ProductListKey) => `${key.createdAt}#${key.productId}`;

/** Strips the table's key attributes from a stored item and validates it as a Product. */
export function productFromItem(item: Record<string, unknown>): Product {
  const { pk, sk, gsi1pk, gsi1sk, ...product } = item;
  return Product.parse(product);
}

export function productToItem(product: Product): Record<string, unknown> {
  return {
    ...productKey(product.productId),
    gsi1pk: LISTING,
    gsi1sk: listingSortKey(product),
    ...product,
  };
}

export interface DynamoProductRepositoryProps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** The region writing, stamped on outbox items so only this region relays them. */
  readonly region: string;
  readonly clock: Clock;
}

/** Products in the catalog table; the newest-first listing is the `gsi1` index. */
export class DynamoProductRepository implements ProductRepository {
  constructor(private readonly props: DynamoProductRepositoryProps) {}

  async get(productId: string): Promise<Product | undefined> {
    const { Item } = await this.props.client.send(
      new GetCommand({ TableName: this.props.tableName, Key: productKey(productId), ConsistentRead: true }),
    );
    return Item ? productFromItem(Item) : undefined;
  }

  async listNewest(limit: number, after?: ProductListKey): Promise<Product[]> {
    const { Items = [] } = await this.props.client.send(
      new QueryCommand({
        TableName: this.props.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :listing',
        ExpressionAttributeValues: { ':listing': LISTING },
        ScanIndexForward: false,
        Limit: limit,
        ...(after
          ? {
              ExclusiveStartKey: {
                ...productKey(after.productId),
                gsi1pk: LISTING,
                gsi1sk: listingSortKey(after),
              },
            }
          : {}),
      }),
    );
    return Items.map(productFromItem);
  }

  async save(product: Product, expectedVersion: number, events: readonly DomainEvent[]): Promise<void> {
    const now = this.props.clock.now();
    try {
      await this.props.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.props.tableName,
                Item: productToItem(product),
                ...(expectedVersion === 0
                  ? { ConditionExpression: 'attribute_not_exists(pk)' }
                  : {
                      ConditionExpression: 'version = :expected',
                      ExpressionAttributeValues: { ':expected': expectedVersion },
                    }),
              },
            },
            ...events.map((event) => ({
              Put: {
                TableName: this.props.tableName,
                Item: outboxItem(event, this.props.region, now),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            })),
          ],
        }),
      );
    } catch (error) {
      const cancellation = classifyCancellation(error);
      if (cancellation && cancellation.kind !== 'other') {
        throw new VersionConflictError(`Product ${product.productId} was changed concurrently`);
      }
      throw error;
    }
  }
}
