import { beforeEach, describe, expect, it } from 'vitest';
import { type Cart, SkuNotAvailableError } from '../../../lib/commerce/cart.ts';
import {
  addCartLine,
  type CartDeps,
  claimCartForCustomer,
  createCart,
  getCart,
  hashCartToken,
  MAX_CART_WRITE_ATTEMPTS,
  removeCartLine,
  setCartLine,
} from '../../../lib/commerce/cart-use-cases.ts';
import { NotFoundError, VersionConflictError } from '../../../lib/errors.ts';
import type { MarketCode } from '../../../lib/money/markets.ts';
import { sampleProduct, upserted } from '../../adapters/product-repository.contract.ts';
import { FixedClock, InMemoryCartRepository, InMemoryProductRepository } from '../../support/fakes.ts';

const ZONES: Partial<Record<MarketCode, string>> = { FR: 'eu', JP: 'apac', US: 'us' };

describe('cart use cases', () => {
  let carts: InMemoryCartRepository;
  let products: InMemoryProductRepository;
  let clock: FixedClock;
  let deps: CartDeps;

  beforeEach(async () => {
    carts = new InMemoryCartRepository();
    products = new InMemoryProductRepository();
    clock = new FixedClock();
    deps = { carts, products, clock, zoneOfMarket: (m) => ZONES[m] ?? 'eu', backoff: async () => undefined };
    for (const product of [
      sampleProduct('ring', '2026-02-01T00:00:00.000Z'),
      { ...sampleProduct('draft', '2026-02-01T00:00:00.000Z'), status: 'draft' as const },
      {
        ...sampleProduct('us-only', '2026-02-01T00:00:00.000Z'),
        prices: [{ market: 'US' as const, currency: 'USD' as const, amount: 90_000 }],
      },
    ]) {
      await products.save(product, 0, [upserted(product)]);
    }
  });

  const open = async (market: MarketCode = 'FR') => {
    const { cart, cartToken } = await createCart(deps, { market });
    return { cartId: cart.cartId, cartToken };
  };

  describe('createCart', () => {
    it("opens the cart in the market's zone and keeps only the token's hash", async () => {
      const { cart, cartToken } = await createCart(deps, { market: 'JP' });

      expect(cart.cartId).toMatch(/^crt_apac_[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(cart).toMatchObject({ market: 'JP', currency: 'JPY', status: 'active', lines: [], subtotal: 0 });
      expect(Buffer.from(cartToken, 'base64url')).toHaveLength(32);
      const stored = carts.carts.get(cart.cartId) as Cart;
      expect(stored.tokenHash).toBe(hashCartToken(cartToken));
      expect(JSON.stringify(stored)).not.toContain(cartToken);
    });

    it('gives every cart its own id and token', async () => {
      const a = await createCart(deps, { market: 'FR' });
      const b = await createCart(deps, { market: 'FR' });
      expect(a.cart.cartId).not.toBe(b.cart.cartId);
      expect(a.cartToken).not.toBe(b.cartToken);
    });
  });

  describe('token access', () => {
    it('answers the same not found for a missing or wrong token, an unknown cart and a malformed id', async () => {
      const access = await open();
      const other = await open();
      const attempts = [
        { ...access, cartToken: undefined },
        { ...access, cartToken: '' },
        { ...access, cartToken: other.cartToken },
        { ...access, cartId: access.cartId.replace(/.$/, (c) => (c === '0' ? '1' : '0')) },
        { ...access, cartId: 'crt_eu_../../etc' },
      ];
      const messages = new Set<string>();
      for (const attempt of attempts) {
        const error = await getCart(deps, attempt).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(NotFoundError);
        messages.add((error as Error).message.replace(attempt.cartId, '<id>'));
      }
      expect(messages.size).toBe(1);
      await expect(getCart(deps, access)).resolves.toMatchObject({ cartId: access.cartId });
    });

    it('checks the token on every change too', async () => {
      const access = await open();
      const wrong = { ...access, cartToken: 'nope' };
      await expect(addCartLine(deps, wrong, { sku: 'RING-50', quantity: 1 })).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await expect(setCartLine(deps, wrong, 'RING-50', { quantity: 1 })).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await expect(removeCartLine(deps, wrong, 'RING-50')).rejects.toBeInstanceOf(NotFoundError);
      await expect(claimCartForCustomer(deps, wrong, 'cust-1')).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('addCartLine', () => {
    it('adds a priced line of a SKU on sale in the market', async () => {
      const access = await open();
      const view = await addCartLine(deps, access, { sku: 'RING-52', quantity: 2 });
      expect(view.lines).toEqual([
        {
          sku: 'RING-52',
          productId: 'ring',
          name: 'Étoile Polaire ring',
          variant: { size: '52' },
          quantity: 2,
          unitPrice: 1_250_000,
          lineTotal: 2_500_000,
          available: true,
        },
      ]);
      expect(view.subtotal).toBe(2_500_000);
    });

    it.each([
      ['an unknown SKU', 'NO-SUCH-1'],
      ['a SKU of a product that is not active', 'DRAFT-50'],
      ['a SKU not priced in the cart’s market', 'US-ONLY-50'],
    ])('answers 422 SKU_NOT_AVAILABLE for %s', async (_label, sku) => {
      const access = await open('FR');
      const error = await addCartLine(deps, access, { sku, quantity: 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SkuNotAvailableError);
      expect(error).toMatchObject({ status: 422, code: 'SKU_NOT_AVAILABLE', details: { sku, market: 'FR' } });
    });

    it('re-reads and re-applies the change when another write got there first', async () => {
      const access = await open();
      const save = carts.save.bind(carts);
      let raced = false;
      carts.save = async (cart, expected) => {
        if (!raced) {
          raced = true;
          // Another device adds a line between this write's read and its save.
          const current = carts.carts.get(cart.cartId) as Cart;
          carts.carts.set(cart.cartId, {
            ...current,
            lines: [{ sku: 'RING-50', productId: 'ring', quantity: 1, addedAt: current.createdAt }],
            version: current.version + 1,
          });
        }
        return save(cart, expected);
      };

      const view = await addCartLine(deps, access, { sku: 'RING-52', quantity: 1 });

      expect(view.lines.map((l) => l.sku)).toEqual(['RING-50', 'RING-52']);
      expect(view.version).toBe(3);
    });

    it('gives up with a version conflict when the cart keeps changing', async () => {
      const access = await open();
      let attempts = 0;
      carts.save = async () => {
        attempts++;
        throw new VersionConflictError('raced');
      };
      await expect(addCartLine(deps, access, { sku: 'RING-50', quantity: 1 })).rejects.toBeInstanceOf(
        VersionConflictError,
      );
      expect(attempts).toBe(MAX_CART_WRITE_ATTEMPTS);
    });
  });

  describe('changing lines', () => {
    it('sets and removes lines, and writes nothing when nothing changes', async () => {
      const access = await open();
      await addCartLine(deps, access, { sku: 'RING-50', quantity: 1 });

      expect((await setCartLine(deps, access, 'RING-50', { quantity: 4 })).lines[0]?.quantity).toBe(4);
      const unchanged = await setCartLine(deps, access, 'RING-50', { quantity: 4 });
      expect(unchanged.version).toBe(3);
      const removed = await removeCartLine(deps, access, 'RING-50');
      expect(removed).toMatchObject({ lines: [], version: 4 });
      expect((await removeCartLine(deps, access, 'RING-50')).version).toBe(4);
    });
  });

  describe('claimCartForCustomer', () => {
    it("binds the cart to the customer, once; another customer's claim is not found", async () => {
      const access = await open();
      const claimed = await claimCartForCustomer(deps, access, 'cust-1');
      expect(claimed).toMatchObject({ customerId: 'cust-1', version: 2 });
      expect((await claimCartForCustomer(deps, access, 'cust-1')).version).toBe(2);
      await expect(claimCartForCustomer(deps, access, 'cust-2')).rejects.toBeInstanceOf(NotFoundError);
      expect(carts.carts.get(access.cartId)?.customerId).toBe('cust-1');
    });
  });
});
