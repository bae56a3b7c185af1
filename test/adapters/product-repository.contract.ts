import { beforeEach, describe, expect, it } from 'vitest';
import { type ProductRepository, SkuTakenError } from '../../lib/catalog/ports.ts';
import { type Product, ProductUpserted } from '../../lib/contracts/catalog.ts';
import { VersionConflictError } from '../../lib/errors.ts';
import { domainEvent } from '../../lib/platform/domain-event.ts';
import { productInput } from '../support/catalog-fixtures.ts';

/** A product whose SKUs derive from its id (SKUs are unique across the catalog). */
export function sampleProduct(id: string, createdAt: string, version = 1): Product {
  const stem = id.toUpperCase();
  return {
    ...productInput({
      variants: [
        { sku: `${stem}-50`, size: '50' },
        { sku: `${stem}-52`, size: '52' },
      ],
    }),
    productId: id,
    maison: { id: 'maison-aurele', name: 'Maison Aurèle' },
    collection: { id: 'constellation', name: 'Constellation' },
    category: { id: 'fine-jewellery', name: 'Fine jewellery' },
    inStockMarkets: ['FR', 'JP'],
    createdAt,
    updatedAt: createdAt,
    version,
  };
}

export const upserted = (p: Product) =>
  domainEvent(
    ProductUpserted,
    { productId: p.productId, version: p.version, status: p.status, skus: p.variants.map((v) => v.sku) },
    { eventId: `product:${p.productId}:v${p.version}`, correlationId: 'test', occurredAt: new Date() },
  );

/** The behaviour every ProductRepository must have, whatever stores it. */
export function describeProductRepositoryContract(name: string, make: () => Promise<ProductRepository>) {
  describe(`ProductRepository contract: ${name}`, () => {
    let repo: ProductRepository;
    beforeEach(async () => {
      repo = await make();
    });

    it('round-trips a product exactly', async () => {
      const product = sampleProduct('round-trip', '2026-02-01T00:00:00.000Z');
      await repo.save(product, 0, [upserted(product)]);
      expect(await repo.get('round-trip')).toEqual(product);
      expect(await repo.get('absent')).toBeUndefined();
    });

    it('creates only when absent and replaces only over the expected version', async () => {
      const v1 = sampleProduct('versioned', '2026-02-01T00:00:00.000Z');
      await repo.save(v1, 0, [upserted(v1)]);
      await expect(repo.save(v1, 0, [upserted(v1)])).rejects.toBeInstanceOf(VersionConflictError);

      const v2 = { ...v1, name: 'Second', version: 2 };
      await expect(repo.save(v2, 5, [upserted(v2)])).rejects.toBeInstanceOf(VersionConflictError);
      await repo.save(v2, 1, [upserted(v2)]);
      expect((await repo.get('versioned'))?.name).toBe('Second');
    });

    it('lets exactly one of several concurrent writers of the same version win', async () => {
      const base = sampleProduct('contended', '2026-02-01T00:00:00.000Z');
      await repo.save(base, 0, [upserted(base)]);
      const writers = Array.from({ length: 8 }, (_, i) => {
        const next = { ...base, name: `Writer ${i}`, version: 2 };
        return repo.save(next, 1, [upserted(next)]);
      });
      const results = await Promise.allSettled(writers);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(
        results.filter((r) => r.status === 'rejected').every((r) => r.reason instanceof VersionConflictError),
      ).toBe(true);
    });

    it('finds the product and variant that sell a SKU, whatever the status', async () => {
      const product = { ...sampleProduct('by-sku', '2026-02-01T00:00:00.000Z'), status: 'draft' as const };
      await repo.save(product, 0, [upserted(product)]);

      expect(await repo.getBySku('BY-SKU-52')).toEqual({
        product,
        variant: { sku: 'BY-SKU-52', size: '52' },
      });
      expect(await repo.getBySku('NO-SUCH-SKU')).toBeUndefined();
    });

    it('forgets the SKUs a new version drops, so another product may take them', async () => {
      const v1 = sampleProduct('dropper', '2026-02-01T00:00:00.000Z');
      await repo.save(v1, 0, [upserted(v1)]);
      const v2 = { ...v1, variants: [{ sku: 'DROPPER-52', size: '52' }, { sku: 'DROPPER-54' }], version: 2 };
      await repo.save(v2, 1, [upserted(v2)]);

      expect(await repo.getBySku('DROPPER-50')).toBeUndefined();
      expect((await repo.getBySku('DROPPER-54'))?.product.version).toBe(2);
      expect((await repo.getBySku('DROPPER-52'))?.variant).toEqual({ sku: 'DROPPER-52', size: '52' });

      const taker = {
        ...sampleProduct('taker', '2026-02-02T00:00:00.000Z'),
        variants: [{ sku: 'DROPPER-50' }],
      };
      await repo.save(taker, 0, [upserted(taker)]);
      expect((await repo.getBySku('DROPPER-50'))?.product.productId).toBe('taker');
    });

    it('refuses a SKU that belongs to another product and writes nothing', async () => {
      const owner = sampleProduct('owner', '2026-02-01T00:00:00.000Z');
      await repo.save(owner, 0, [upserted(owner)]);
      const thief = {
        ...sampleProduct('thief', '2026-02-02T00:00:00.000Z'),
        variants: [{ sku: 'THIEF-1' }, { sku: 'OWNER-52' }],
      };

      const error = await repo.save(thief, 0, [upserted(thief)]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SkuTakenError);
      expect((error as SkuTakenError).message).toContain('OWNER-52');
      expect((error as SkuTakenError).details).toEqual({ skus: ['OWNER-52'], productId: 'owner' });
      expect(await repo.get('thief')).toBeUndefined();
      expect(await repo.getBySku('THIEF-1')).toBeUndefined();
      expect((await repo.getBySku('OWNER-52'))?.product.productId).toBe('owner');
    });

    it('lets exactly one of two new products racing for one SKU have it', async () => {
      const racers = ['racer-a', 'racer-b'].map((id) => ({
        ...sampleProduct(id, '2026-02-01T00:00:00.000Z'),
        variants: [{ sku: 'CONTESTED-1' }],
      }));
      const results = await Promise.allSettled(racers.map((p) => repo.save(p, 0, [upserted(p)])));

      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const winner = racers[results.findIndex((r) => r.status === 'fulfilled')];
      expect((await repo.getBySku('CONTESTED-1'))?.product.productId).toBe(winner?.productId);
    });

    it('lists newest first and continues after a key', async () => {
      for (let i = 0; i < 5; i++) {
        const p = sampleProduct(`list-${i}`, `2026-02-0${i + 1}T00:00:00.000Z`);
        await repo.save(p, 0, [upserted(p)]);
      }
      const first = await repo.listNewest(3);
      expect(first.map((p) => p.productId)).toEqual(['list-4', 'list-3', 'list-2']);
      const last = first.at(-1) as Product;
      const rest = await repo.listNewest(10, { createdAt: last.createdAt, productId: last.productId });
      expect(rest.map((p) => p.productId).filter((id) => id.startsWith('list-'))).toEqual([
        'list-1',
        'list-0',
      ]);
    });
  });
}
