import type { Location } from '../demo/locations.ts';

/** The stock locations (warehouses, boutiques) by id. */
export interface LocationDirectory {
  get(locationId: string): Promise<Location | undefined>;
}

/** The cart as checkout reads it. */
export interface CartSnapshot {
  readonly cartId: string;
  readonly zone: string;
  readonly market: string;
  readonly customerId?: string | undefined;
  readonly status: 'active' | 'checked_out';
  readonly version: number;
  readonly lines: readonly { readonly sku: string; readonly quantity: number }[];
}

/** What checkout needs of carts: read one without its token (ownership is checked on the customer id). */
export interface CheckoutCarts {
  getForCheckout(cartId: string): Promise<CartSnapshot | undefined>;
  /** Marks the cart converted once its order exists; a no-op when it already is. */
  markCheckedOut(cartId: string): Promise<void>;
}

/**
 * A test hook: called after each checkout step so a test can crash the use case there and prove that a
 * retry resumes without charging or reserving twice. Production passes nothing.
 */
export type FaultHook = (step: CheckoutStep) => void | Promise<void>;
export type CheckoutStep = 'priced' | 'screened' | 'reserved' | 'payment-intent-created' | 'checkout-saved';
