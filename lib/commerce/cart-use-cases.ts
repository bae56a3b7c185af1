import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ProductRepository } from '../catalog/ports.ts';
import { isSoldIn } from '../catalog/product-view.ts';
import type { Product } from '../contracts/catalog.ts';
import { VersionConflictError } from '../errors.ts';
import type { MarketCode } from '../money/markets.ts';
import type { Clock } from '../platform/domain-event.ts';
import {
  type AddCartLineRequest,
  addLine,
  type Cart,
  type CartView,
  type CreateCartRequest,
  type CreatedCart,
  cartNotFound,
  claimCart,
  newCart,
  removeLine,
  type SetCartLineRequest,
  SkuNotAvailableError,
  setLineQuantity,
  toCartView,
  zoneOfCartId,
} from './cart.ts';
import type { CartRepository } from './cart-repository.ts';
import { newZoneId } from './ids.ts';

/** What the cart use cases need; the DynamoDB adapters on AWS and locally, fakes in tests. */
export interface CartDeps {
  readonly carts: CartRepository;
  readonly products: Pick<ProductRepository, 'get' | 'getBySku'>;
  readonly clock: Clock;
  /**
   * The residency zone whose tables serve a market. A market code is a country code, so this is the
   * config's country-to-zone mapping; it is passed in so the domain never reads configuration.
   */
  readonly zoneOfMarket: (market: MarketCode) => string;
  /**
   * Waits before the `attempt`-th retry of a write that lost an optimistic-concurrency race.
   * @default jittered exponential backoff
   */
  readonly backoff?: (attempt: number) => Promise<void>;
}

/** What every cart route but creation presents: the cart id and the `X-Cart-Token` header. */
export interface CartAccess {
  readonly cartId: string;
  readonly cartToken: string | undefined;
}

/**
 * Re-read-and-re-apply rounds before a write gives up on a cart that keeps changing. Generous: only one
 * shopper's devices write to a cart, and every lost round means another write succeeded.
 */
export const MAX_CART_WRITE_ATTEMPTS = 30;

/** Full jitter, capped: racing writers spread out instead of colliding again in lockstep. */
async function jitteredBackoff(attempt: number): Promise<void> {
  const ceiling = Math.min(200, 5 * 2 ** Math.min(attempt, 8));
  await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

/** SHA-256 (hex) of a cart token, as the cart stores it. */
export function hashCartToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function tokenMatches(cart: Cart, token: string): boolean {
  return timingSafeEqual(Buffer.from(hashCartToken(token), 'hex'), Buffer.from(cart.tokenHash, 'hex'));
}

/** The cart if the caller holds its token; one not-found answer for every other case. */
async function authorizedCart(deps: Pick<CartDeps, 'carts'>, access: CartAccess): Promise<Cart> {
  const { cartId, cartToken } = access;
  if (!cartToken || zoneOfCartId(cartId) === undefined) throw cartNotFound(cartId);
  const cart = await deps.carts.get(cartId);
  if (!cart || !tokenMatches(cart, cartToken)) throw cartNotFound(cartId);
  return cart;
}

/** Prices the cart from the products as they are now. */
async function viewOf(deps: Pick<CartDeps, 'products'>, cart: Cart): Promise<CartView> {
  const ids = [...new Set(cart.lines.map((l) => l.productId))];
  const products = await Promise.all(ids.map((id) => deps.products.get(id)));
  return toCartView(cart, new Map<string, Product | undefined>(ids.map((id, i) => [id, products[i]])));
}

/**
 * Applies a change to the stored cart, conditional on its version; a lost race re-reads the cart and
 * applies the change again, so concurrent changes all land. A change that leaves the cart as it was
 * writes nothing. `read` is the cart the caller has just read with the same access: the first attempt uses it.
 */
async function change(
  deps: CartDeps,
  access: CartAccess,
  apply: (cart: Cart, now: Date) => Cart,
  read?: Cart,
): Promise<Cart> {
  const backoff = deps.backoff ?? jitteredBackoff;
  for (let attempt = 1; ; attempt++) {
    const cart = attempt === 1 && read ? read : await authorizedCart(deps, access);
    const next = apply(cart, deps.clock.now());
    if (next === cart) return cart;
    try {
      await deps.carts.save(next, cart.version);
      return next;
    } catch (error) {
      if (!(error instanceof VersionConflictError) || attempt >= MAX_CART_WRITE_ATTEMPTS) throw error;
      await backoff(attempt);
    }
  }
}

/** Opens an anonymous cart in the zone serving the market; the token is returned this once. */
export async function createCart(deps: CartDeps, request: CreateCartRequest): Promise<CreatedCart> {
  const cartToken = randomBytes(32).toString('base64url');
  const cart = newCart({
    cartId: newZoneId('crt', deps.zoneOfMarket(request.market)),
    market: request.market,
    tokenHash: hashCartToken(cartToken),
    now: deps.clock.now(),
  });
  await deps.carts.create(cart);
  return { cart: toCartView(cart, new Map()), cartToken };
}

/** The cart for the holder of its token, priced now. */
export async function getCart(deps: CartDeps, access: CartAccess): Promise<CartView> {
  return viewOf(deps, await authorizedCart(deps, access));
}

/** Adds pieces of a SKU that is for sale and priced in the cart's market. */
export async function addCartLine(
  deps: CartDeps,
  access: CartAccess,
  request: AddCartLineRequest,
): Promise<CartView> {
  const cart = await authorizedCart(deps, access);
  const match = await deps.products.getBySku(request.sku);
  if (!match || !isSoldIn(match.product, cart.market)) {
    throw new SkuNotAvailableError(`${request.sku} cannot be bought in market ${cart.market}`, {
      sku: request.sku,
      market: cart.market,
    });
  }
  const line = { sku: request.sku, productId: match.product.productId, quantity: request.quantity };
  return viewOf(deps, await change(deps, access, (current, now) => addLine(current, line, now), cart));
}

/** Sets the quantity of a line the cart has. */
export async function setCartLine(
  deps: CartDeps,
  access: CartAccess,
  sku: string,
  request: SetCartLineRequest,
): Promise<CartView> {
  return viewOf(
    deps,
    await change(deps, access, (cart, now) => setLineQuantity(cart, sku, request.quantity, now)),
  );
}

/** Removes a line; removing a line the cart does not have changes nothing. */
export async function removeCartLine(deps: CartDeps, access: CartAccess, sku: string): Promise<CartView> {
  return viewOf(deps, await change(deps, access, (cart, now) => removeLine(cart, sku, now)));
}

/** Binds the cart to the signed-in customer holding its token. */
export async function claimCartForCustomer(
  deps: CartDeps,
  access: CartAccess,
  customerId: string,
): Promise<CartView> {
  return viewOf(deps, await change(deps, access, (cart, now) => claimCart(cart, customerId, now)));
}
