import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addLine,
  type Cart,
  CartCheckedOutError,
  CartFullError,
  checkOutCart,
  claimCart,
  LineQuantityExceededError,
  newCart,
  removeLine,
  setLineQuantity,
  toCartView,
  zoneOfCartId,
} from '../../../lib/commerce/cart.ts';
import { newZoneId } from '../../../lib/commerce/ids.ts';
import type { Product } from '../../../lib/contracts/catalog.ts';
import { NotFoundError } from '../../../lib/errors.ts';
import { MAX_CART_LINES, MAX_LINE_QUANTITY } from '../../../lib/pricing/schemas.ts';
import { sampleProduct } from '../../adapters/product-repository.contract.ts';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const later = (ms: number) => new Date(T0.getTime() + ms);

function cart(market: 'FR' | 'JP' | 'US' = 'FR'): Cart {
  return newCart({ cartId: newZoneId('crt', 'eu'), market, tokenHash: 'f'.repeat(64), now: T0 });
}

const ring = sampleProduct('ring', '2026-02-01T00:00:00.000Z');
const line = (sku: string, quantity = 1, productId = 'ring') => ({ sku, productId, quantity });

describe('newCart', () => {
  it("opens an empty, anonymous, active cart in the market's currency, expiring 30 days on", () => {
    const jp = cart('JP');
    expect(jp).toMatchObject({ market: 'JP', currency: 'JPY', status: 'active', lines: [], version: 1 });
    expect(jp.customerId).toBeUndefined();
    expect(jp.expiresAt).toBe('2026-03-31T10:00:00.000Z');
  });

  it('keeps the expiry in whole seconds, like the TTL attribute that stores it', () => {
    const c = newCart({
      cartId: 'crt_eu_X',
      market: 'FR',
      tokenHash: 'f'.repeat(64),
      now: new Date(T0.getTime() + 999),
    });
    expect(c.expiresAt).toBe('2026-03-31T10:00:00.000Z');
  });
});

describe('zoneOfCartId', () => {
  it('reads the zone from a cart id and rejects anything else', () => {
    expect(zoneOfCartId(newZoneId('crt', 'apac'))).toBe('apac');
    expect(zoneOfCartId(newZoneId('chk', 'eu'))).toBeUndefined();
    expect(zoneOfCartId('crt_eu_short')).toBeUndefined();
    expect(zoneOfCartId(`crt_EU_${'A'.repeat(26)}`)).toBeUndefined();
    expect(zoneOfCartId(`crt_eu_${'A'.repeat(26)}/../x`)).toBeUndefined();
  });
});

describe('addLine', () => {
  it('adds a line, then merges further pieces of the same SKU into it', () => {
    const one = addLine(cart(), line('RING-50', 2), later(1000));
    const two = addLine(one, line('RING-50', 3), later(2000));

    expect(two.lines).toEqual([
      { sku: 'RING-50', productId: 'ring', quantity: 5, addedAt: later(1000).toISOString() },
    ]);
    expect(two).toMatchObject({ version: 3, updatedAt: later(2000).toISOString() });
    expect(Date.parse(two.expiresAt)).toBe(later(2000).getTime() + 30 * 86_400_000);
  });

  it('refuses to take a line past the per-line cap, saying how many the cart already holds', () => {
    const full = addLine(cart(), line('RING-50', 4), T0);
    const error = (() => {
      try {
        addLine(full, line('RING-50', 2), T0);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(LineQuantityExceededError);
    expect(error).toMatchObject({
      status: 422,
      code: 'LINE_QUANTITY_EXCEEDED',
      details: { sku: 'RING-50', max: MAX_LINE_QUANTITY, inCart: 4 },
    });
  });

  it('refuses a new SKU once the cart holds the most lines, but still merges into existing ones', () => {
    let c = cart();
    for (let i = 0; i < MAX_CART_LINES; i++) c = addLine(c, line(`SKU-${i}`), T0);

    expect(() => addLine(c, line('ONE-MORE'), T0)).toThrow(CartFullError);
    expect(addLine(c, line('SKU-7'), T0).lines.find((l) => l.sku === 'SKU-7')?.quantity).toBe(2);
  });

  it('leaves the cart it was given untouched', () => {
    const before = cart();
    const copy = structuredClone(before);
    addLine(before, line('RING-50'), T0);
    expect(before).toEqual(copy);
  });
});

describe('setLineQuantity and removeLine', () => {
  const withLine = addLine(cart(), line('RING-50', 2), T0);

  it('sets the quantity of an existing line', () => {
    expect(setLineQuantity(withLine, 'RING-50', 5, later(1)).lines[0]?.quantity).toBe(5);
  });

  it('answers not found for a line the cart does not have', () => {
    expect(() => setLineQuantity(withLine, 'RING-52', 1, T0)).toThrow(NotFoundError);
  });

  it('returns the same cart when nothing changes, so nothing is written', () => {
    expect(setLineQuantity(withLine, 'RING-50', 2, later(1))).toBe(withLine);
    expect(removeLine(withLine, 'RING-52', later(1))).toBe(withLine);
  });

  it('removes a line', () => {
    const removed = removeLine(withLine, 'RING-50', later(1));
    expect(removed.lines).toEqual([]);
    expect(removed.version).toBe(withLine.version + 1);
  });
});

describe('claimCart', () => {
  it('binds an anonymous cart to the customer', () => {
    expect(claimCart(cart(), 'cust-1', T0)).toMatchObject({ customerId: 'cust-1', version: 2 });
  });

  it('changes nothing when the customer claims their own cart again', () => {
    const mine = claimCart(cart(), 'cust-1', T0);
    expect(claimCart(mine, 'cust-1', later(1))).toBe(mine);
  });

  it("answers not found, never forbidden, for another customer's cart", () => {
    const theirs = claimCart(cart(), 'cust-1', T0);
    expect(() => claimCart(theirs, 'cust-2', T0)).toThrow(NotFoundError);
  });
});

describe('a checked-out cart', () => {
  const done = checkOutCart(claimCart(addLine(cart(), line('RING-50'), T0), 'cust-1', T0), T0, 'chk_1');

  it('refuses every change with 409 CART_CHECKED_OUT', () => {
    for (const change of [
      () => addLine(done, line('RING-52'), T0),
      () => setLineQuantity(done, 'RING-50', 2, T0),
      () => removeLine(done, 'RING-50', T0),
      () => claimCart(checkOutCart(cart(), T0), 'cust-2', T0),
      () => checkOutCart(done, T0, 'chk_2'),
    ]) {
      expect(change).toThrow(CartCheckedOutError);
    }
    expect(new CartCheckedOutError('x')).toMatchObject({ status: 409, code: 'CART_CHECKED_OUT' });
  });

  it('still answers its owner claiming it again, as a no-op, and anyone else as not found', () => {
    expect(claimCart(done, 'cust-1', T0)).toBe(done);
    expect(() => claimCart(done, 'cust-2', T0)).toThrow(NotFoundError);
  });
});

describe('toCartView', () => {
  const catalog = (...products: Product[]) =>
    new Map<string, Product | undefined>(products.map((p) => [p.productId, p]));

  it("prices every line from the market's current price list", () => {
    const c = addLine(addLine(cart('FR'), line('RING-50', 2), T0), line('RING-52', 1), T0);
    const view = toCartView(c, catalog(ring));

    expect(view.lines).toEqual([
      expect.objectContaining({
        sku: 'RING-50',
        name: ring.name,
        variant: { size: '50' },
        unitPrice: 1_250_000,
        lineTotal: 2_500_000,
        available: true,
      }),
      expect.objectContaining({
        sku: 'RING-52',
        unitPrice: 1_250_000,
        lineTotal: 1_250_000,
        available: true,
      }),
    ]);
    expect(view).toMatchObject({ currency: 'EUR', subtotal: 3_750_000, itemCount: 3 });

    const repriced = {
      ...ring,
      prices: [{ market: 'FR' as const, currency: 'EUR' as const, amount: 1_300_000 }],
    };
    expect(toCartView(c, catalog(repriced)).subtotal).toBe(3_900_000);
  });

  it('keeps yen whole: JPY has no minor unit', () => {
    const view = toCartView(addLine(cart('JP'), line('RING-50', 3), T0), catalog(ring));
    expect(view).toMatchObject({ currency: 'JPY', subtotal: 6_300_000, itemCount: 3 });
    expect(view.lines[0]).toMatchObject({ unitPrice: 2_100_000, lineTotal: 6_300_000 });
    expect(Number.isInteger(view.subtotal)).toBe(true);
  });

  it('shows lines that can no longer be bought as unavailable and leaves them out of the subtotal', () => {
    const archived = {
      ...sampleProduct('archived', '2026-02-01T00:00:00.000Z'),
      status: 'archived' as const,
    };
    const unpriced = {
      ...sampleProduct('unpriced', '2026-02-01T00:00:00.000Z'),
      prices: [{ market: 'US' as const, currency: 'USD' as const, amount: 100 }],
    };
    let c = addLine(cart('FR'), line('RING-50', 1), T0);
    c = addLine(c, line('ARCHIVED-50', 1, 'archived'), T0);
    c = addLine(c, line('UNPRICED-50', 1, 'unpriced'), T0);
    c = addLine(c, line('RING-99', 1), T0);
    c = addLine(c, line('GONE-1', 1, 'gone'), T0);

    const view = toCartView(c, catalog(ring, archived, unpriced));

    expect(view.lines.map((l) => [l.sku, l.available])).toEqual([
      ['RING-50', true],
      ['ARCHIVED-50', false],
      ['UNPRICED-50', false],
      ['RING-99', false],
      ['GONE-1', false],
    ]);
    expect(view.lines.find((l) => l.sku === 'UNPRICED-50')).toMatchObject({
      unitPrice: null,
      lineTotal: null,
    });
    expect(view.lines.find((l) => l.sku === 'GONE-1')).toMatchObject({ name: null, variant: {} });
    expect(view).toMatchObject({ subtotal: 1_250_000, itemCount: 1 });
  });

  it('never shows the token hash', () => {
    expect(JSON.stringify(toCartView(cart(), new Map()))).not.toContain('f'.repeat(64));
  });
});

describe('cart invariants', () => {
  it('holds at most 50 lines of distinct SKUs with 1 to 5 pieces each, whatever the shopper does', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('add' as const),
        sku: fc.integer({ min: 0, max: 60 }),
        quantity: fc.integer({ min: 1, max: 5 }),
      }),
      fc.record({
        kind: fc.constant('set' as const),
        sku: fc.integer({ min: 0, max: 60 }),
        quantity: fc.integer({ min: 1, max: 5 }),
      }),
      fc.record({ kind: fc.constant('remove' as const), sku: fc.integer({ min: 0, max: 60 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        let c = cart();
        for (const o of ops) {
          const sku = `SKU-${o.sku}`;
          try {
            if (o.kind === 'add') c = addLine(c, line(sku, o.quantity), T0);
            else if (o.kind === 'set') c = setLineQuantity(c, sku, o.quantity, T0);
            else c = removeLine(c, sku, T0);
          } catch (error) {
            if (
              !(
                error instanceof LineQuantityExceededError ||
                error instanceof CartFullError ||
                error instanceof NotFoundError
              )
            )
              throw error;
          }
        }
        expect(c.lines.length).toBeLessThanOrEqual(MAX_CART_LINES);
        expect(new Set(c.lines.map((l) => l.sku)).size).toBe(c.lines.length);
        for (const l of c.lines) expect(l.quantity).toBeGreaterThanOrEqual(1);
        for (const l of c.lines) expect(l.quantity).toBeLessThanOrEqual(MAX_LINE_QUANTITY);
      }),
      { numRuns: 200 },
    );
  });
});
