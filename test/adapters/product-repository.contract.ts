import { beforeEach, describe, expect, it } from 'vitest';
import type { ProductRepository } from '../../lib/catalog/ports.ts';
import { type Product, ProductUpserted } from '../../lib/contracts/catalog.ts';
import { VersionConflictError } from '../../lib/errors.ts';
import { domainEvent } from '../../lib/platform/domain-event.ts';
import { productInput } from '../support/catalog-fixtures.ts';

export function sampleProduct(id: string, createdAt: string, version = 1): Product {
  return {
    ...productInput(),
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
