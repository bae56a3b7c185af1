import { beforeEach, describe, expect, it } from 'vitest';
import { type Cart, CartCheckedOutError, newCart } from '../../lib/commerce/cart.ts';
import type { CartRepository } from '../../lib/commerce/cart-repository.ts';
import { addCartLine, type CartDeps, createCart, getCart } from '../../lib/commerce/cart-use-cases.ts';
import { newZoneId } from '../../lib/commerce/ids.ts';
import type { Product } from '../../lib/contracts/catalog.ts';
import { VersionConflictError } from '../../lib/errors.ts';
import { productInput } from '../support/catalog-fixtures.ts';
import { FixedClock, InMemoryProductRepository } from '../support/fakes.ts';
import { upserted } from './product-repository.contract.ts';

/**
 * Later than any wall clock the suite runs under: DynamoDB Local enforces TTL and would sweep away carts
 * whose `expiresAt` is already past in real time.
 */
export const CART_EPOCH = new Date('2099-03-01T10:00:00.000Z');

/** An active cart in the eu zone with two lines, claimed unless told otherwise. */
export function sampleCart(overrides: Partial<Cart> = {}): Cart {
  const cart = newCart({
    cartId: newZoneId('crt', 'eu'),
    market: 'FR',
    tokenHash: 'a'.repeat(64),
    now: CART_EPOCH,
  });
  return {
    ...cart,
    customerId: 'cust-1',
    lines: [
      { sku: 'AUR-ETP-50', productId: 'etoile-polaire', quantity: 2, addedAt: CART_EPOCH.toISOString() },
      { sku: 'AUR-ETP-52', productId: 'etoile-polaire', quantity: 1, addedAt: CART_EPOCH.toISOString() },
    ],
    ...overrides,
  };
}

/** A product selling `count` SKUs `RACE-0`… in FR. */
async function catalogWithSkus(count: number): Promise<InMemoryProductRepository> {
  const products = new InMemoryProductRepository();
  const product: Product = {
    ...productInput({ variants: Array.from({ length: count }, (_, i) => ({ sku: `RACE-${i}` })) }),
    productId: 'race',
    maison: { id: 'maison-aurele', name: 'Maison Aurèle' },
    collection: { id: 'constellation', name: 'Constellation' },
    category: { id: 'fine-jewellery', name: 'Fine jewellery' },
    inStockMarkets: ['FR'],
    createdAt: CART_EPOCH.toISOString(),
    updatedAt: CART_EPOCH.toISOString(),
    version: 1,
  };
  await products.save(product, 0, [upserted(product)]);
  return products;
}

/** The behaviour every CartRepository must have, whatever stores it. */
export function describeCartRepositoryContract(name: string, make: () => Promise<CartRepository>) {
  describe(`CartRepository contract: ${name}`, () => {
    let repo: CartRepository;
    beforeEach(async () => {
      repo = await make();
    });

    it('round-trips a cart exactly, anonymous or claimed', async () => {
      const claimed = sampleCart();
      const anonymous = sampleCart({ cartId: newZoneId('crt', 'eu'), customerId: undefined, lines: [] });
      delete anonymous.customerId;
      await repo.create(claimed);
      await repo.create(anonymous);

      expect(await repo.get(claimed.cartId)).toEqual(claimed);
      expect(await repo.get(anonymous.cartId)).toEqual(anonymous);
    });

    it('answers undefined for unknown carts, malformed ids and zones it does not have', async () => {
      expect(await repo.get(newZoneId('crt', 'eu'))).toBeUndefined();
      expect(await repo.get('crt_eu_not-an-id')).toBeUndefined();
      expect(await repo.get(newZoneId('chk', 'eu'))).toBeUndefined();
      expect(await repo.get(newZoneId('crt', 'mars'))).toBeUndefined();
    });

    it('creates only when the id is free and replaces only over the expected version', async () => {
      const cart = sampleCart();
      await repo.create(cart);
      await expect(repo.create(cart)).rejects.toBeInstanceOf(VersionConflictError);

      const next = { ...cart, lines: [], version: 2 };
      await expect(repo.save(next, 7)).rejects.toBeInstanceOf(VersionConflictError);
      await repo.save(next, 1);
      expect(await repo.get(cart.cartId)).toEqual(next);
      await expect(repo.save({ ...sampleCart(), version: 2 }, 1)).rejects.toBeInstanceOf(
        VersionConflictError,
      );
    });

    it('lets exactly one of several concurrent writers of the same version win', async () => {
      const cart = sampleCart();
      await repo.create(cart);
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) =>
          repo.save({ ...cart, lines: cart.lines.slice(0, 1), customerId: `c${i}`, version: 2 }, 1),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(
        results.filter((r) => r.status === 'rejected').every((r) => r.reason instanceof VersionConflictError),
      ).toBe(true);
    });

    it('marks a cart checked out only at its version, and answers a repeated mark of the same checkout', async () => {
      const cart = sampleCart();
      await repo.create(cart);
      const at = new Date(CART_EPOCH.getTime() + 60_000);

      await expect(
        repo.markCheckedOut(cart.cartId, 5, { now: at, checkoutId: 'chk_1' }),
      ).rejects.toBeInstanceOf(VersionConflictError);
      const marked = await repo.markCheckedOut(cart.cartId, 1, { now: at, checkoutId: 'chk_1' });
      expect(marked).toEqual({
        ...cart,
        status: 'checked_out',
        checkoutId: 'chk_1',
        version: 2,
        updatedAt: at.toISOString(),
        expiresAt: new Date(at.getTime() + 30 * 86_400_000).toISOString(),
      });
      expect(await repo.get(cart.cartId)).toEqual(marked);

      expect(await repo.markCheckedOut(cart.cartId, 1, { now: at, checkoutId: 'chk_1' })).toEqual(marked);
      expect(await repo.markCheckedOut(cart.cartId, 1, { now: at })).toEqual(marked);
      await expect(
        repo.markCheckedOut(cart.cartId, 2, { now: at, checkoutId: 'chk_2' }),
      ).rejects.toBeInstanceOf(CartCheckedOutError);
      await expect(
        repo.markCheckedOut(newZoneId('crt', 'eu'), 1, { now: at, checkoutId: 'chk_3' }),
      ).rejects.toBeInstanceOf(VersionConflictError);
    });

    it('counts every one of 20 concurrent adds to one cart', async () => {
      const deps: CartDeps = {
        carts: repo,
        products: await catalogWithSkus(10),
        clock: new FixedClock(CART_EPOCH),
        zoneOfMarket: () => 'eu',
      };
      const { cart, cartToken } = await createCart(deps, { market: 'FR' });
      const access = { cartId: cart.cartId, cartToken };

      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          addCartLine(deps, access, { sku: `RACE-${i % 10}`, quantity: 1 }),
        ),
      );

      const view = await getCart(deps, access);
      expect(view.lines).toHaveLength(10);
      expect(view.lines.every((l) => l.quantity === 2)).toBe(true);
      expect(view.itemCount).toBe(20);
      expect(view.version).toBe(21);
    });
  });
}
