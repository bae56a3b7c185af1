import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoProductRepository } from '../../lib/adapters/dynamo/dynamo-product-repository.ts';
import { TooManySkuChangesError } from '../../lib/catalog/ports.ts';
import { seedDemoData } from '../../lib/runtime/local/seed.ts';
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

  it('writes SKU pointers with the product and leaves none behind when the version check fails', async () => {
    const t = await testTables();
    const table = t.names.catalog.global as string;
    const repo = new DynamoProductRepository({
      client: t.doc,
      tableName: table,
      region: 'eu-west-1',
      clock: new FixedClock(),
    });
    const v1 = sampleProduct('pointed', '2026-02-01T00:00:00.000Z');
    await repo.save(v1, 0, [upserted(v1)]);
    const { Item } = await t.doc.send(
      new GetCommand({ TableName: table, Key: { pk: 'SKU#POINTED-50', sk: 'SKU' } }),
    );
    expect(Item).toEqual({ pk: 'SKU#POINTED-50', sk: 'SKU', sku: 'POINTED-50', productId: 'pointed' });

    const stale = { ...v1, variants: [{ sku: 'POINTED-99' }], version: 2 };
    await expect(repo.save(stale, 7, [upserted(stale)])).rejects.toThrow(/changed concurrently/);
    const { Items = [] } = await t.doc.send(new ScanCommand({ TableName: table }));
    expect(
      Items.filter((i) => String(i.pk).startsWith('SKU#'))
        .map((i) => i.pk)
        .sort(),
    ).toEqual(['SKU#POINTED-50', 'SKU#POINTED-52']);
  });

  it('refuses, with an actionable error, an update that swaps more SKUs than one transaction holds', async () => {
    const t = await testTables();
    const repo = new DynamoProductRepository({
      client: t.doc,
      tableName: t.names.catalog.global as string,
      region: 'eu-west-1',
      clock: new FixedClock(),
    });
    const variants = (prefix: string) => Array.from({ length: 60 }, (_, i) => ({ sku: `${prefix}-${i}` }));
    const v1 = { ...sampleProduct('wide', '2026-02-01T00:00:00.000Z'), variants: variants('OLD') };
    await repo.save(v1, 0, [upserted(v1)]);
    const v2 = { ...v1, variants: variants('NEW'), version: 2 };

    await expect(repo.save(v2, 1, [upserted(v2)])).rejects.toBeInstanceOf(TooManySkuChangesError);
    expect((await repo.getBySku('OLD-0'))?.product.version).toBe(1);
  });

  it('seeds the demo catalog with the SKU pointers of every product', async () => {
    const t = await testTables();
    const table = t.names.catalog.global as string;
    const clock = new FixedClock();
    const seeded = await seedDemoData(
      { client: t.doc, tableName: table, region: 'eu-west-1', clock },
      { products: 5 },
    );
    const repo = new DynamoProductRepository({ client: t.doc, tableName: table, region: 'eu-west-1', clock });
    const products = await repo.listNewest(10);
    expect(products).toHaveLength(seeded);
    for (const product of products) {
      for (const variant of product.variants) {
        expect((await repo.getBySku(variant.sku))?.product.productId).toBe(product.productId);
      }
    }
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
