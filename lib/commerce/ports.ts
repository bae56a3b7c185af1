import type { Location } from '../demo/locations.ts';

/** The stock locations (warehouses, boutiques) by id. */
export interface LocationDirectory {
  get(locationId: string): Promise<Location | undefined>;
}

/**
 * Several locations at once, by id; ids the directory does not know are left out. Directories cache,
 * so the lookups planning makes on every checkout rarely leave the process.
 */
export async function locationsById(
  directory: LocationDirectory,
  locationIds: Iterable<string>,
): Promise<Map<string, Location>> {
  const ids = [...new Set(locationIds)];
  const found = await Promise.all(ids.map((id) => directory.get(id)));
  const byId = new Map<string, Location>();
  for (const location of found) if (location) byId.set(location.locationId, location);
  return byId;
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
