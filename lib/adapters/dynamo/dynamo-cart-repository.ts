import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { Cart, CartCheckedOutError, expiryAfter, zoneOfCartId } from '../../commerce/cart.ts';
import type { CartRepository } from '../../commerce/cart-repository.ts';
import { NotFoundError, VersionConflictError } from '../../errors.ts';
import type { ZoneTable, ZoneTables } from './zone-tables.ts';

const cartKey = (cartId: string) => ({ pk: `CART#${cartId}`, sk: 'CART' });
const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/**
 * The stored item of a cart: `expiresAt` becomes the table's TTL attribute (epoch seconds), and a claimed
 * cart joins its customer's carts on `gsi1`, newest change last.
 */
export function cartToItem(cart: Cart): Record<string, unknown> {
  return {
    ...cartKey(cart.cartId),
    ...(cart.customerId ? { gsi1pk: `CUSTOMER#${cart.customerId}`, gsi1sk: `CART#${cart.updatedAt}` } : {}),
    ...cart,
    expiresAt: epochSeconds(cart.expiresAt),
  };
}

/** Strips the key attributes from a stored item and validates it as a Cart. */
export function cartFromItem(item: Record<string, unknown>): Cart {
  const { pk, sk, gsi1pk, gsi1sk, expiresAt, ...cart } = item;
  return Cart.parse({ ...cart, expiresAt: new Date(Number(expiresAt) * 1000).toISOString() });
}

/**
 * The Update that marks a cart checked out, for a checkout to put in its own TransactWriteItems: it
 * fails its condition unless the cart is still active at `expectedVersion`. (`gsi1sk` is only indexed
 * on claimed carts, which also carry `gsi1pk`.)
 */
export function checkOutCartUpdate(
  tableName: string,
  cart: { readonly cartId: string; readonly expectedVersion: number },
  options: { readonly now: Date; readonly checkoutId?: string },
) {
  const { now, checkoutId } = options;
  return {
    TableName: tableName,
    Key: cartKey(cart.cartId),
    UpdateExpression: `SET #status = :checkedOut, version = :next, updatedAt = :now, expiresAt = :expiresAt, gsi1sk = :gsi1sk${checkoutId === undefined ? '' : ', checkoutId = :checkoutId'}`,
    ConditionExpression: 'version = :expected AND #status = :active',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':checkedOut': 'checked_out',
      ':active': 'active',
      ...(checkoutId === undefined ? {} : { ':checkoutId': checkoutId }),
      ':expected': cart.expectedVersion,
      ':next': cart.expectedVersion + 1,
      ':now': now.toISOString(),
      ':expiresAt': epochSeconds(expiryAfter(now)),
      ':gsi1sk': `CART#${now.toISOString()}`,
    },
  };
}

/**
 * Carts in the commerce table of the zone their id names (`crt_<zone>_…`), so every region reads and
 * writes a cart in its own zone's tables. Every write is conditional on the version it replaces.
 */
export class DynamoCartRepository implements CartRepository {
  constructor(private readonly props: { readonly tables: ZoneTables }) {}

  async get(cartId: string): Promise<Cart | undefined> {
    const table = this.tableOf(cartId);
    if (!table) return undefined;
    const { Item } = await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: cartKey(cartId), ConsistentRead: true }),
    );
    return Item ? cartFromItem(Item) : undefined;
  }

  async create(cart: Cart): Promise<void> {
    await this.put(cart, { ConditionExpression: 'attribute_not_exists(pk)' });
  }

  async save(cart: Cart, expectedVersion: number): Promise<void> {
    await this.put(cart, {
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': expectedVersion },
    });
  }

  async markCheckedOut(
    cartId: string,
    expectedVersion: number,
    options: { readonly now: Date; readonly checkoutId?: string },
  ): Promise<Cart> {
    const table = this.requireTable(cartId);
    try {
      const { Attributes } = await table.client.send(
        new UpdateCommand({
          ...checkOutCartUpdate(table.tableName, { cartId, expectedVersion }, options),
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return cartFromItem(Attributes ?? {});
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const stored = error.Item ? cartFromItem(unmarshall(error.Item)) : undefined;
      if (stored?.status === 'checked_out') {
        // A retried checkout finds its own mark: the same answer as the first time.
        if (options.checkoutId === undefined || stored.checkoutId === options.checkoutId) return stored;
        throw new CartCheckedOutError(`Cart ${cartId} was already checked out`);
      }
      throw new VersionConflictError(`Cart ${cartId} changed or expired since version ${expectedVersion}`);
    }
  }

  private async put(cart: Cart, condition: Record<string, unknown>): Promise<void> {
    const table = this.requireTable(cart.cartId);
    try {
      await table.client.send(
        new PutCommand({ TableName: table.tableName, Item: cartToItem(cart), ...condition }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new VersionConflictError(`Cart ${cart.cartId} was changed concurrently`);
      }
      throw error;
    }
  }

  private tableOf(cartId: string): ZoneTable | undefined {
    const zone = zoneOfCartId(cartId);
    if (zone === undefined) return undefined;
    try {
      return this.props.tables(zone);
    } catch (error) {
      // An id naming a zone this deployment does not have is just an unknown cart.
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  private requireTable(cartId: string): ZoneTable {
    const table = this.tableOf(cartId);
    if (!table) throw new NotFoundError(`No cart ${cartId}`);
    return table;
  }
}
