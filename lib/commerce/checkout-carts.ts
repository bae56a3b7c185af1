import { VersionConflictError } from '../errors.ts';
import type { Clock } from '../platform/domain-event.ts';
import type { CartRepository } from './cart-repository.ts';
import { parseZoneId } from './ids.ts';
import type { CheckoutCarts } from './ports.ts';

/** Checkout's view of the cart repository. */
export function checkoutCartsFrom(carts: CartRepository, clock: Clock): CheckoutCarts {
  return {
    async getForCheckout(cartId) {
      const zone = parseZoneId(cartId)?.zone;
      const cart = zone ? await carts.get(cartId) : undefined;
      if (!cart || !zone) return undefined;
      return {
        cartId: cart.cartId,
        zone,
        market: cart.market,
        customerId: cart.customerId,
        status: cart.status,
        version: cart.version,
        lines: cart.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
      };
    },
    async markCheckedOut(cartId) {
      for (let attempt = 0; attempt < 3; attempt++) {
        const cart = await carts.get(cartId);
        if (!cart || cart.status === 'checked_out') return;
        try {
          await carts.markCheckedOut(cartId, cart.version, { now: clock.now() });
          return;
        } catch (error) {
          if (!(error instanceof VersionConflictError)) throw error;
        }
      }
    },
  };
}
