import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoProductRepository } from '../../lib/adapters/dynamo/dynamo-product-repository.ts';
import { testTables } from '../support/dynamo.ts';
import { FixedClock, InMemoryProductRepository } from '../support/fakes.ts';
import { describeProductRepositoryContract, sampleProduct, upserted } from './product-repository.contract.ts';

describeProductRepositoryContract('in-memory fake', async () => new InMemoryProductRepository());

describeProductRepositoryContract('DynamoDB', async () => {
  const t = await testTables();
  return new DynamoProductRepository({
    client: t.doc,
    tableName: t.names.catalog.global as string,
    region: 'eu-west-1',
    clock: new FixedClock(),
  });
});

describe('DynamoProductRepository', () => {
  it('writes the outbox item in the same transaction as the product, stamped with the writing region', async () => {
    const t = await testTables();
    const table = t.names.catalog.global as string;
    const repo = new DynamoProductRepository({
      client: t.doc,
      tableName: table,
      region: 'eu-central-1',
      clock: new FixedClock(),
    });
    const product = sampleProduct('with-outbox', '2026-02-01T00:00:00.000Z');
    await repo.save(product, 0, [upserted(product)]);

    const { Item } = await t.doc.send(
      new GetCommand({ TableName: table, Key: { pk: 'OUTBOX#product:with-outbox:v1', sk: 'OUTBOX' } }),
    );
    expect(Item).toMatchObject({
      source: 'vitrine.catalog',
      detailType: 'ProductUpserted',
      originRegion: 'eu-central-1',
    });
    expect(JSON.parse(Item?.detail as string)).toMatchObject({
      data: { productId: 'with-outbox', version: 1 },
      metadata: { eventId: 'product:with-outbox:v1', schemaVersion: 1 },
    });
    expect(Item?.expiresAt).toBeGreaterThan(Date.parse('2026-03-01T10:00:00Z') / 1000);
  });

  it('leaves neither product nor event behind when the version check fails', async () => {
    const t = await testTables();
    const table = t.names.catalog.global as string;
    const repo = new DynamoProductRepository({
      client: t.doc,
      tableName: table,
      region: 'eu-west-1',
      clock: new FixedClock(),
    });
    const v1 = sampleProduct('atomic', '2026-02-01T00:00:00.000Z');
    await repo.save(v1, 0, [upserted(v1)]);
    const stale = { ...v1, name: 'Stale', version: 2 };
    await expect(repo.save(stale, 7, [upserted(stale)])).rejects.toThrow(/changed concurrently/);

    const { Items = [] } = await t.doc.send(new ScanCommand({ TableName: table }));
    expect(Items.filter((i) => String(i.pk).startsWith('OUTBOX#')).map((i) => i.pk)).toEqual([
      'OUTBOX#product:atomic:v1',
    ]);
    expect((await repo.get('atomic'))?.name).toBe(v1.name);
  });

  it('raises throttling and validation cancellations instead of calling them conflicts', async () => {
    const t = await testTables();
    const throttled = new TransactionCanceledException({
      message: 'cancelled',
      $metadata: {},
      CancellationReasons: [{ Code: 'ThrottlingError' }, { Code: 'None' }],
    });
    const client = { send: async () => Promise.reject(throttled) } as unknown as typeof t.doc;
    const repo = new DynamoProductRepository({
      client,
      tableName: 'x',
      region: 'eu-west-1',
      clock: new FixedClock(),
    });
    const p = sampleProduct('throttled', '2026-02-01T00:00:00.000Z');
    await expect(repo.save(p, 0, [upserted(p)])).rejects.toBe(throttled);
  });
});
