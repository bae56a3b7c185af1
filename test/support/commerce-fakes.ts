import type { Checkout } from '../../lib/commerce/checkout.ts';
import type { CommerceRepository, OrderPage } from '../../lib/commerce/commerce-repository.ts';
import type { Order } from '../../lib/commerce/order.ts';
import type { CartSnapshot, CheckoutCarts, LocationDirectory } from '../../lib/commerce/ports.ts';
import type { Location } from '../../lib/demo/locations.ts';
import { VersionConflictError } from '../../lib/errors.ts';
import type { DomainEvent } from '../../lib/platform/domain-event.ts';

/** Checkouts and orders in memory, with the DynamoDB adapter's conditional semantics. */
export class InMemoryCommerceRepository implements CommerceRepository {
  readonly checkouts = new Map<string, Checkout>();
  readonly orders = new Map<string, Order>();
  readonly numbers = new Map<string, string>();
  readonly events: DomainEvent[] = [];

  async getCheckout(id: string) {
    return structuredClone(this.checkouts.get(id));
  }
  async createCheckout(checkout: Checkout, events: readonly DomainEvent[]) {
    const stored = this.checkouts.get(checkout.checkoutId);
    if (stored) return structuredClone(stored);
    this.checkouts.set(checkout.checkoutId, structuredClone(checkout));
    this.events.push(...events);
    return checkout;
  }
  async saveCheckout(checkout: Checkout, expectedVersion: number, events: readonly DomainEvent[]) {
    if (this.checkouts.get(checkout.checkoutId)?.version !== expectedVersion) {
      throw new VersionConflictError('The checkout changed meanwhile');
    }
    this.checkouts.set(checkout.checkoutId, structuredClone(checkout));
    this.events.push(...events);
  }
  async getOrder(id: string) {
    return structuredClone(this.orders.get(id));
  }
  async placeOrder(
    order: Order,
    checkout: Checkout,
    checkoutVersion: number,
    events: readonly DomainEvent[],
  ) {
    if (this.orders.has(order.orderId)) return 'exists' as const;
    const owner = this.numbers.get(order.orderNumber);
    if (owner && owner !== order.orderId) return 'number_taken' as const;
    if (this.checkouts.get(checkout.checkoutId)?.version !== checkoutVersion) {
      throw new VersionConflictError('The checkout changed meanwhile');
    }
    this.orders.set(order.orderId, structuredClone(order));
    this.numbers.set(order.orderNumber, order.orderId);
    this.checkouts.set(checkout.checkoutId, structuredClone(checkout));
    this.events.push(...events);
    return 'placed' as const;
  }
  async saveOrder(order: Order, expectedVersion: number, events: readonly DomainEvent[]) {
    if (this.orders.get(order.orderId)?.version !== expectedVersion) {
      throw new VersionConflictError('The order changed meanwhile');
    }
    this.orders.set(order.orderId, structuredClone(order));
    this.events.push(...events);
  }
  async listOrders(customerId: string, limit: number): Promise<OrderPage> {
    const orders = [...this.orders.values()]
      .filter((o) => o.customerId === customerId)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return { orders: orders.slice(0, limit) };
  }
  async countPaidOrders(customerId: string, _zone: string, max: number) {
    const paid = [...this.orders.values()].filter(
      (o) => o.customerId === customerId && ['paid', 'authorized', 'under_review'].includes(o.status),
    );
    return Math.min(max, paid.length);
  }
}

/** Carts as checkout reads them, held in memory. */
export class InMemoryCheckoutCarts implements CheckoutCarts {
  readonly carts = new Map<string, CartSnapshot>();
  async getForCheckout(cartId: string) {
    return this.carts.get(cartId);
  }
  async markCheckedOut(cartId: string) {
    const cart = this.carts.get(cartId);
    if (cart) this.carts.set(cartId, { ...cart, status: 'checked_out' });
  }
}

/** A fixed list of locations. */
export class StaticLocations implements LocationDirectory {
  constructor(private readonly locations: readonly Location[]) {}
  async get(locationId: string) {
    return this.locations.find((l) => l.locationId === locationId);
  }
}
