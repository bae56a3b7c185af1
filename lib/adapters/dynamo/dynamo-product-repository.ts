import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type ProductListKey,
  type ProductRepository,
  type SkuMatch,
  SkuTakenError,
  TooManySkuChangesError,
} from '../../catalog/ports.ts';
import { Product } from '../../contracts/catalog.ts';
import { VersionConflictError } from '../../errors.ts';
import type { Clock, DomainEvent } from '../../platform/domain-event.ts';
import { outboxItem } from './outbox.ts';
import { classifyCancellation } from './transactions.ts';

const LISTING = 'PRODUCTS';
const productKey = (productId: string) => ({ pk: `PRODUCT#${productId}`, sk: 'PRODUCT' });
const listingSortKey = (key: ProductListKey) => `${key.createdAt}#${key.productId}`;
const skuKey = (sku: string) => ({ pk: `SKU#${sku}`, sk: 'SKU' });

/** TransactWriteItems takes at most this many items. */
const MAX_TRANSACTION_ITEMS = 100;
/** BatchGetItem takes at most this many keys. */
const MAX_BATCH_GET_KEYS = 100;

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

/** A SKU pointer: which product owns the SKU. SKUs are unique across the catalog. */
export interface SkuItem {
  readonly pk: string;
  readonly sk: 'SKU';
  readonly sku: string;
  readonly productId: string;
}

/**
 * The SKU pointer items of a product, one per variant, written in the same transaction as the product so
 * a SKU always resolves to the product that sells it.
 */
export function skuItems(product: Product): SkuItem[] {
  return product.variants.map(({ sku }) => ({
    pk: skuKey(sku).pk,
    sk: 'SKU',
    sku,
    productId: product.productId,
  }));
}

/** A pointer may be (re)written when it is absent or already this product's. */
const OWN_POINTER = 'attribute_not_exists(pk) OR productId = :productId';

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

  async getBySku(sku: string): Promise<SkuMatch | undefined> {
    const { Item } = await this.props.client.send(
      new GetCommand({ TableName: this.props.tableName, Key: skuKey(sku), ConsistentRead: true }),
    );
    if (typeof Item?.productId !== 'string') return undefined;
    const product = await this.get(Item.productId);
    const variant = product?.variants.find((v) => v.sku === sku);
    return product && variant ? { product, variant } : undefined;
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
    const dropped = await this.droppedPointers(product, expectedVersion);
    const pointers = skuItems(product);
    const count = 1 + events.length + pointers.length + dropped.length;
    if (count > MAX_TRANSACTION_ITEMS) {
      throw new TooManySkuChangesError(
        `This update replaces too many SKUs of product ${product.productId} at once; drop the old SKUs in one update and add the new ones in another`,
        { skus: pointers.length, droppedSkus: dropped.length, maxItems: MAX_TRANSACTION_ITEMS },
      );
    }
    const ownPointer = {
      ConditionExpression: OWN_POINTER,
      ExpressionAttributeValues: { ':productId': product.productId },
    };
    const firstPointer = 1 + events.length;
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
            ...pointers.map((Item) => ({
              Put: {
                TableName: this.props.tableName,
                Item,
                ...ownPointer,
                // Names the product that holds the SKU when the condition fails.
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
              },
            })),
            ...dropped.map((sku) => ({
              Delete: { TableName: this.props.tableName, Key: skuKey(sku), ...ownPointer },
            })),
          ],
        }),
      );
    } catch (error) {
      const cancellation = classifyCancellation(error);
      if (!cancellation || cancellation.kind === 'other') throw error;
      const taken = cancellation.failedIndexes.filter(
        (i) => i >= firstPointer && i < firstPointer + pointers.length,
      );
      // A version conflict outranks a taken SKU: the retry re-reads and may find the SKU freed.
      if (cancellation.kind === 'condition' && taken.length === cancellation.failedIndexes.length) {
        throw takenError(product, error, taken, firstPointer);
      }
      throw new VersionConflictError(`Product ${product.productId} was changed concurrently`);
    }
  }

  /**
   * SKUs of the stored version (which must be `expectedVersion`, or the write would fail anyway) that the
   * new one no longer has and whose pointers are this product's: those pointers are deleted with the write.
   */
  private async droppedPointers(product: Product, expectedVersion: number): Promise<string[]> {
    if (expectedVersion === 0) return [];
    const stored = await this.get(product.productId);
    if (!stored || stored.version !== expectedVersion) {
      throw new VersionConflictError(`Product ${product.productId} was changed concurrently`);
    }
    const kept = new Set(product.variants.map((v) => v.sku));
    const dropped = stored.variants.map((v) => v.sku).filter((sku) => !kept.has(sku));
    const owned: string[] = [];
    for (let i = 0; i < dropped.length; i += MAX_BATCH_GET_KEYS) {
      let keys: Record<string, unknown>[] = dropped.slice(i, i + MAX_BATCH_GET_KEYS).map(skuKey);
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random() * 20 * 2 ** attempt));
        const out = await this.props.client.send(
          new BatchGetCommand({
            RequestItems: { [this.props.tableName]: { Keys: keys, ConsistentRead: true } },
          }),
        );
        for (const item of out.Responses?.[this.props.tableName] ?? []) {
          if (item.productId === product.productId) owned.push(String(item.sku));
        }
        keys = out.UnprocessedKeys?.[this.props.tableName]?.Keys ?? [];
        if (attempt > 8 && keys.length > 0) throw new Error('BatchGetItem kept returning unprocessed keys');
      }
    }
    return owned;
  }
}

function takenError(
  product: Product,
  error: unknown,
  indexes: number[],
  firstPointer: number,
): SkuTakenError {
  const reasons = (error as { CancellationReasons?: { Item?: Record<string, { S?: string }> }[] })
    .CancellationReasons;
  const taken = indexes.map((i) => ({
    sku: product.variants[i - firstPointer]?.sku as string,
    productId: reasons?.[i]?.Item?.productId?.S,
  }));
  const first = taken[0];
  return new SkuTakenError(
    `SKU ${first?.sku} already belongs to ${first?.productId ? `product ${first.productId}` : 'another product'}`,
    { skus: taken.map((t) => t.sku), ...(first?.productId ? { productId: first.productId } : {}) },
  );
}
