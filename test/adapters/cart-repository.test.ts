import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  checkOutCartUpdate,
  DynamoCartRepository,
} from '../../lib/adapters/dynamo/dynamo-cart-repository.ts';
import { sharedClientZoneTables } from '../../lib/adapters/dynamo/zone-tables.ts';
import { testTables } from '../support/dynamo.ts';
import { InMemoryCartRepository } from '../support/fakes.ts';
import { CART_EPOCH, describeCartRepositoryContract, sampleCart } from './cart-repository.contract.ts';

describeCartRepositoryContract('in-memory fake', async () => new InMemoryCartRepository());

const shared = testTables();
describeCartRepositoryContract('DynamoDB', async () => {
  const t = await shared;
  return new DynamoCartRepository({ tables: sharedClientZoneTables(t.doc, t.names.commerce.zones) });
});

describe('DynamoCartRepository', () => {
  it("stores a cart in its zone's table, with the TTL in epoch seconds and the customer index once claimed", async () => {
    const t = await shared;
    const repo = new DynamoCartRepository({ tables: sharedClientZoneTables(t.doc, t.names.commerce.zones) });
    const cart = { ...sampleCart(), cartId: sampleCart().cartId.replace('crt_eu_', 'crt_us_') };
    await repo.create(cart);

    const { Item } = await t.doc.send(
      new GetCommand({
        TableName: t.names.commerce.zones.us,
        Key: { pk: `CART#${cart.cartId}`, sk: 'CART' },
      }),
    );
    expect(Item).toMatchObject({
      gsi1pk: 'CUSTOMER#cust-1',
      gsi1sk: `CART#${cart.updatedAt}`,
      expiresAt: Date.parse(cart.expiresAt) / 1000,
    });
    const elsewhere = await t.doc.send(
      new GetCommand({
        TableName: t.names.commerce.zones.eu,
        Key: { pk: `CART#${cart.cartId}`, sk: 'CART' },
      }),
    );
    expect(elsewhere.Item).toBeUndefined();
  });

  it('keeps anonymous carts out of the customer index', async () => {
    const t = await shared;
    const repo = new DynamoCartRepository({ tables: sharedClientZoneTables(t.doc, t.names.commerce.zones) });
    const cart = sampleCart();
    delete cart.customerId;
    await repo.create(cart);

    const { Item } = await t.doc.send(
      new GetCommand({
        TableName: t.names.commerce.zones.eu,
        Key: { pk: `CART#${cart.cartId}`, sk: 'CART' },
      }),
    );
    expect(Item?.gsi1pk).toBeUndefined();
  });

  it('builds the check-out update a checkout can put in its own transaction', () => {
    const update = checkOutCartUpdate(
      'commerce-eu',
      { cartId: 'crt_eu_X', expectedVersion: 4 },
      { now: CART_EPOCH },
    );
    expect(update).toMatchObject({
      TableName: 'commerce-eu',
      Key: { pk: 'CART#crt_eu_X', sk: 'CART' },
      ConditionExpression: 'version = :expected AND #status = :active',
      ExpressionAttributeValues: { ':expected': 4, ':next': 5, ':checkedOut': 'checked_out' },
    });
    expect(update.UpdateExpression).not.toContain('checkoutId');
  });
});
