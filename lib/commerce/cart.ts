import { z } from 'zod';
import { isSoldIn } from '../catalog/product-view.ts';
import { type Product, Sku, Slug } from '../contracts/catalog.ts';
import { ConflictError, NotFoundError, UnprocessableError } from '../errors.ts';
import { CurrencyCode } from '../money/currency.ts';
import { MARKETS, MarketCode } from '../money/markets.ts';
import { MAX_CART_LINES, MAX_LINE_QUANTITY, MinorUnits } from '../pricing/schemas.ts';
import { parseZoneId } from './ids.ts';

/** A cart lives this long after its last change; the TTL then lets DynamoDB delete it. */
export const CART_TTL_SECONDS = 30 * 24 * 3600;

/** Quantity of one line as a request sets it: whole pieces, up to the per-line cap. */
export const LineQuantity = z
  .number()
  .int()
  .min(1)
  .max(MAX_LINE_QUANTITY, { message: `at most ${MAX_LINE_QUANTITY} pieces of one SKU per cart` });

/** Body of `POST /v1/carts`. */
export const CreateCartRequest = z
  .strictObject({ market: MarketCode.describe('The market whose price list the cart uses') })
  .meta({ id: 'CreateCartRequest' });
export type CreateCartRequest = z.infer<typeof CreateCartRequest>;

/** Body of `POST /v1/carts/{cartId}/lines`: adds `quantity` pieces to the line of `sku`. */
export const AddCartLineRequest = z
  .strictObject({ sku: Sku, quantity: LineQuantity })
  .meta({ id: 'AddCartLineRequest' });
export type AddCartLineRequest = z.infer<typeof AddCartLineRequest>;

/** Body of `PUT /v1/carts/{cartId}/lines/{sku}`: the line's new quantity. */
export const SetCartLineRequest = z
  .strictObject({ quantity: LineQuantity })
  .meta({ id: 'SetCartLineRequest' });
export type SetCartLineRequest = z.infer<typeof SetCartLineRequest>;

export const CartStatus = z.enum(['active', 'checked_out']);
export type CartStatus = z.infer<typeof CartStatus>;

/** A line as stored: what the shopper chose, never a price (prices are read from the catalog). */
export const CartLine = z.strictObject({
  sku: Sku,
  productId: Slug,
  quantity: LineQuantity,
  addedAt: z.iso.datetime(),
});
export type CartLine = z.infer<typeof CartLine>;

/** A cart as the repository stores it. */
export const Cart = z.strictObject({
  cartId: z.string(),
  market: MarketCode,
  currency: CurrencyCode,
  /** Set once a signed-in customer claims the cart. */
  customerId: z.string().min(1).optional(),
  status: CartStatus,
  lines: z.array(CartLine).max(MAX_CART_LINES),
  /** SHA-256 (hex) of the cart token; the token itself is only ever in the shopper's hands. */
  tokenHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The checkout that took the cart, once checked out. */
  checkoutId: z.string().optional(),
  version: z.number().int().positive(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** Whole seconds: DynamoDB's TTL attribute holds epoch seconds. */
  expiresAt: z.iso.datetime(),
});
export type Cart = z.infer<typeof Cart>;

/** One line as the shopper sees it, priced from the market's current price list. */
export const CartLineView = z
  .strictObject({
    sku: Sku,
    productId: z.string(),
    name: z.string().nullable().describe('Null only when the product no longer exists'),
    variant: z.strictObject({
      size: z.string().optional(),
      colour: z.string().optional(),
      edition: z.strictObject({ number: z.number().int(), size: z.number().int() }).optional(),
    }),
    quantity: z.number().int().positive(),
    unitPrice: MinorUnits.nullable().describe(
      "Minor units of the cart's currency from the current price list; null when the market no longer prices it",
    ),
    lineTotal: MinorUnits.nullable(),
    available: z
      .boolean()
      .describe(
        'False when the piece can no longer be bought in this market; such lines are not in the subtotal',
      ),
  })
  .meta({ id: 'CartLineView' });
export type CartLineView = z.infer<typeof CartLineView>;

export const CartView = z
  .strictObject({
    cartId: z.string(),
    market: MarketCode,
    currency: CurrencyCode,
    customerId: z.string().optional(),
    status: CartStatus,
    lines: z.array(CartLineView),
    itemCount: z.number().int().nonnegative().describe('Pieces on the available lines'),
    subtotal: MinorUnits.describe("Sum of the available lines, in minor units of the cart's currency"),
    version: z.number().int().positive(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    expiresAt: z.iso.datetime().describe('The cart is deleted after this instant unless it changes again'),
  })
  .meta({ id: 'CartView' });
export type CartView = z.infer<typeof CartView>;

/** Answer of `POST /v1/carts`. */
export const CreatedCart = z
  .strictObject({
    cart: CartView,
    cartToken: z
      .string()
      .describe('Send as the X-Cart-Token header on every other cart request; shown only this once'),
  })
  .meta({ id: 'CreatedCart' });
export type CreatedCart = z.infer<typeof CreatedCart>;

/** The cart was checked out and takes no more changes. */
export class CartCheckedOutError extends ConflictError {
  override readonly code = 'CART_CHECKED_OUT';
}

/** A line would hold more pieces of one SKU than the per-line cap. */
export class LineQuantityExceededError extends UnprocessableError {
  override readonly code = 'LINE_QUANTITY_EXCEEDED';
}

/** The cart already holds the most distinct SKUs a cart may. */
export class CartFullError extends UnprocessableError {
  override readonly code = 'CART_FULL';
}

/** The SKU does not exist, is not for sale, or is not priced in the cart's market. */
export class SkuNotAvailableError extends UnprocessableError {
  override readonly code = 'SKU_NOT_AVAILABLE';
}

/**
 * The one answer for an unknown cart, a malformed id, a wrong token or someone else's cart, so a caller
 * cannot tell which it was.
 */
export function cartNotFound(cartId: string): NotFoundError {
  return new NotFoundError(`No cart ${cartId} is available to this caller`);
}

/** The residency zone a cart id names, or undefined when the id is not a cart id. */
export function zoneOfCartId(cartId: string): string | undefined {
  const parsed = parseZoneId(cartId);
  return parsed?.kind === 'crt' ? parsed.zone : undefined;
}

/** `expiresAt` for a change at `now`, in whole seconds like the TTL attribute that stores it. */
export function expiryAfter(now: Date): string {
  return new Date(Math.floor(now.getTime() / 1000 + CART_TTL_SECONDS) * 1000).toISOString();
}

/** A new, empty, anonymous cart. */
export function newCart(args: { cartId: string; market: MarketCode; tokenHash: string; now: Date }): Cart {
  const at = args.now.toISOString();
  return {
    cartId: args.cartId,
    market: args.market,
    currency: MARKETS[args.market].currency,
    status: 'active',
    lines: [],
    tokenHash: args.tokenHash,
    version: 1,
    createdAt: at,
    updatedAt: at,
    expiresAt: expiryAfter(args.now),
  };
}

function assertActive(cart: Cart): void {
  if (cart.status !== 'active') {
    throw new CartCheckedOutError(`Cart ${cart.cartId} was checked out and can no longer change`);
  }
}

/** The next version of a cart after a change at `now`. */
function changed(cart: Cart, now: Date, change: Partial<Cart>): Cart {
  return {
    ...cart,
    ...change,
    version: cart.version + 1,
    updatedAt: now.toISOString(),
    expiresAt: expiryAfter(now),
  };
}

/**
 * Adds pieces of a SKU: to its line when the cart has one (one line per SKU, so the per-line cap cannot be
 * side-stepped by splitting), else on a new line.
 */
export function addLine(
  cart: Cart,
  line: { sku: string; productId: string; quantity: number },
  now: Date,
): Cart {
  assertActive(cart);
  const existing = cart.lines.find((l) => l.sku === line.sku);
  if (existing) {
    const quantity = existing.quantity + line.quantity;
    if (quantity > MAX_LINE_QUANTITY) {
      throw new LineQuantityExceededError(
        `A cart may hold at most ${MAX_LINE_QUANTITY} pieces of ${line.sku}; it already holds ${existing.quantity}`,
        { sku: line.sku, max: MAX_LINE_QUANTITY, inCart: existing.quantity },
      );
    }
    return changed(cart, now, {
      lines: cart.lines.map((l) => (l.sku === line.sku ? { ...l, productId: line.productId, quantity } : l)),
    });
  }
  if (line.quantity > MAX_LINE_QUANTITY) {
    throw new LineQuantityExceededError(
      `A cart may hold at most ${MAX_LINE_QUANTITY} pieces of ${line.sku}`,
      {
        sku: line.sku,
        max: MAX_LINE_QUANTITY,
        inCart: 0,
      },
    );
  }
  if (cart.lines.length >= MAX_CART_LINES) {
    throw new CartFullError(`A cart may hold at most ${MAX_CART_LINES} different pieces`, {
      max: MAX_CART_LINES,
    });
  }
  const added: CartLine = {
    sku: line.sku,
    productId: line.productId,
    quantity: line.quantity,
    addedAt: now.toISOString(),
  };
  return changed(cart, now, { lines: [...cart.lines, added] });
}

/** Sets the quantity of a line the cart has; 404 when it has none for the SKU. */
export function setLineQuantity(cart: Cart, sku: string, quantity: number, now: Date): Cart {
  assertActive(cart);
  const existing = cart.lines.find((l) => l.sku === sku);
  if (!existing) throw new NotFoundError(`Cart ${cart.cartId} has no line for ${sku}`);
  if (quantity < 1 || quantity > MAX_LINE_QUANTITY || !Number.isInteger(quantity)) {
    throw new LineQuantityExceededError(`A line holds 1 to ${MAX_LINE_QUANTITY} pieces`, {
      sku,
      max: MAX_LINE_QUANTITY,
    });
  }
  if (existing.quantity === quantity) return cart;
  return changed(cart, now, { lines: cart.lines.map((l) => (l.sku === sku ? { ...l, quantity } : l)) });
}

/** Removes the line of a SKU; removing a line the cart does not have changes nothing (DELETE is idempotent). */
export function removeLine(cart: Cart, sku: string, now: Date): Cart {
  assertActive(cart);
  if (!cart.lines.some((l) => l.sku === sku)) return cart;
  return changed(cart, now, { lines: cart.lines.filter((l) => l.sku !== sku) });
}

/**
 * Binds an anonymous cart to a signed-in customer. Claiming one's own cart again changes nothing; a cart
 * another customer claimed is answered as not found, never as forbidden.
 */
export function claimCart(cart: Cart, customerId: string, now: Date): Cart {
  if (cart.customerId === customerId) return cart;
  if (cart.customerId !== undefined) throw cartNotFound(cart.cartId);
  assertActive(cart);
  return changed(cart, now, { customerId });
}

/** Marks the cart checked out (by `checkoutId`, when the caller names one); only an active cart can be. */
export function checkOutCart(cart: Cart, now: Date, checkoutId?: string): Cart {
  assertActive(cart);
  return changed(cart, now, { status: 'checked_out', ...(checkoutId === undefined ? {} : { checkoutId }) });
}

/**
 * The cart as the shopper sees it, priced from the current price lists: `catalog` maps each line's
 * productId to the product as stored now (undefined when it no longer exists). A line whose product is no
 * longer sellable in the market, or no longer has the SKU, is shown as unavailable and left out of the
 * subtotal. Amounts are integer minor units (yen for JPY, cents for EUR), so sums are exact.
 */
export function toCartView(cart: Cart, catalog: ReadonlyMap<string, Product | undefined>): CartView {
  let subtotal = 0;
  let itemCount = 0;
  const lines = cart.lines.map((line): CartLineView => {
    const product = catalog.get(line.productId);
    const variant = product?.variants.find((v) => v.sku === line.sku);
    const price = product?.prices.find((p) => p.market === cart.market);
    const available = product !== undefined && variant !== undefined && isSoldIn(product, cart.market);
    const unitPrice = price?.amount ?? null;
    const lineTotal = unitPrice === null ? null : unitPrice * line.quantity;
    if (available && lineTotal !== null) {
      subtotal += lineTotal;
      itemCount += line.quantity;
    }
    return {
      sku: line.sku,
      productId: line.productId,
      name: product?.name ?? null,
      variant: {
        ...(variant?.size ? { size: variant.size } : {}),
        ...(variant?.colour ? { colour: variant.colour } : {}),
        ...(variant?.edition ? { edition: variant.edition } : {}),
      },
      quantity: line.quantity,
      unitPrice,
      lineTotal,
      available,
    };
  });
  return {
    cartId: cart.cartId,
    market: cart.market,
    currency: cart.currency,
    ...(cart.customerId ? { customerId: cart.customerId } : {}),
    status: cart.status,
    lines,
    itemCount,
    subtotal,
    version: cart.version,
    createdAt: cart.createdAt,
    updatedAt: cart.updatedAt,
    expiresAt: cart.expiresAt,
  };
}
