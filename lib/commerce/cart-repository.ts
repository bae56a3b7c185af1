import type { Cart } from './cart.ts';

/**
 * Where carts are kept: in the commerce table of the residency zone their id names.
 *
 * Contract shared by every adapter:
 * - `get` answers undefined for an unknown cart and for an id that is not a cart id (never throws for it);
 * - `create` writes a cart only when its id is free;
 * - `save` replaces a cart only while the stored version is still `expectedVersion`, else throws
 *   VersionConflictError (also when the cart has meanwhile expired); the caller re-reads and re-applies.
 */
export interface CartRepository {
  /** The cart by id, with no token check: for the use cases and for the checkout, which authorizes by `customerId`. */
  get(cartId: string): Promise<Cart | undefined>;
  create(cart: Cart): Promise<void>;
  save(cart: Cart, expectedVersion: number): Promise<void>;
  /**
   * Marks the cart checked out if it is still active at `expectedVersion`, and answers the stored cart.
   * Marking it again for the same checkout (or with no checkout named) answers the cart as it is. Throws
   * VersionConflictError when it changed or vanished, CartCheckedOutError when another checkout took it.
   */
  markCheckedOut(
    cartId: string,
    expectedVersion: number,
    options: { readonly now: Date; readonly checkoutId?: string },
  ): Promise<Cart>;
}
