import { beforeEach, describe, expect, it } from 'vitest';
import { decodeCursor, getProductView, listProducts } from '../../../lib/catalog/use-cases.ts';
import type { Product } from '../../../lib/contracts/catalog.ts';
import { MalformedRequestError, NotFoundError } from '../../../lib/errors.ts';
import { productInput } from '../../support/catalog-fixtures.ts';
import { InMemoryProductRepository } from '../../support/fakes.ts';

function product(i: number, overrides: Partial<Product> = {}): Product {
  return {
    ...productInput(),
    productId: `piece-${String(i).padStart(3, '0')}`,
    maison: { id: 'maison-aurele', name: 'Maison Aurèle' },
    collection: { id: 'constellation', name: 'Constellation' },
    category: { id: 'fine-jewellery', name: 'Fine jewellery' },
    inStockMarkets: ['FR'],
    createdAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    updatedAt: '2026-03-01T00:00:00.000Z',
    version: 1,
    ...overrides,
  };
}

describe('listProducts', () => {
  let products: InMemoryProductRepository;
  beforeEach(() => {
    products = new InMemoryProductRepository();
    for (let i = 0; i < 60; i++) {
      // Every third piece is a draft and every fifth is not sold in Japan: listings must skip both.
      const overrides: Partial<Product> = {};
      if (i % 3 === 0) overrides.status = 'draft';
      if (i % 5 === 0) overrides.prices = [{ market: 'FR', currency: 'EUR', amount: 100_000 }];
      products.items.set(`piece-${i}`, product(i, overrides));
    }
  });

  it('pages newest first through exactly the products sold in the market, without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listProducts(
        { products },
        { market: 'JP', limit: 7, ...(cursor ? { cursor } : {}) },
      );
      expect(page.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.items.map((p) => p.productId));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);

    const expected = [...products.items.values()]
      .filter((p) => p.status === 'active' && p.prices.some((x) => x.market === 'JP'))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .map((p) => p.productId);
    expect(seen).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 7));
  });

  it('prices each item in the market currency with its tax treatment', async () => {
    const page = await listProducts({ products }, { market: 'US', limit: 1 });
    expect(page.items[0]?.price).toMatchObject({ currency: 'USD', amount: 1_350_000, taxIncluded: false });
    const jp = await listProducts({ products }, { market: 'JP', limit: 1 });
    expect(jp.items[0]?.price).toMatchObject({
      currency: 'JPY',
      amount: 2_100_000,
      taxIncluded: true,
      formatted: '￥2,100,000',
    });
  });

  it('rejects a cursor it did not issue', async () => {
    await expect(
      listProducts({ products }, { market: 'FR', limit: 5, cursor: 'bm9wZQ' }),
    ).rejects.toBeInstanceOf(MalformedRequestError);
    expect(() => decodeCursor('%%%')).toThrow(MalformedRequestError);
  });
});

describe('getProductView', () => {
  it('answers 404 for drafts and for markets without a price', async () => {
    const products = new InMemoryProductRepository();
    products.items.set('a', product(1, { productId: 'a', status: 'draft' }));
    products.items.set('b', product(2, { productId: 'b' }));
    await expect(getProductView({ products }, 'a', 'FR')).rejects.toBeInstanceOf(NotFoundError);
    await expect(getProductView({ products }, 'b', 'KR')).rejects.toBeInstanceOf(NotFoundError);
    await expect(getProductView({ products }, 'b', 'FR')).resolves.toMatchObject({
      productId: 'b',
      inStock: true,
    });
  });
});
