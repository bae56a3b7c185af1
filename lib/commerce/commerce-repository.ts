import type { DomainEvent } from '../platform/domain-event.ts';
import type { Checkout } from './checkout.ts';
import type { Order } from './order.ts';

/** A page of a customer's orders, newest first. */
export interface OrderPage {
  readonly orders: Order[];
  readonly nextCursor?: string;
}

/** A click-and-collect order the pickup sweeper must look at (see `pickupDueAt`). */
export interface DuePickup {
  readonly orderId: string;
  readonly dueAt: string;
}

/**
 * Click-and-collect orders by deadline, in every zone: ready ones past their collect-by time, and
 * expired ones whose payment is still to be given back. Kept in the same transaction as each order.
 */
export interface PickupDeadlines {
  /** Pickups due at `now` (eventually consistent: re-read each order), earliest first, at most `limit`. */
  duePickups(now: Date, limit: number): Promise<DuePickup[]>;
}

/**
 * Checkouts and orders in their zone's commerce table. Every write is conditional (a record is created
 * once, then changed only from the version it was read at) and carries its events as outbox items in the
 * same transaction.
 */
export interface CommerceRepository {
  getCheckout(checkoutId: string): Promise<Checkout | undefined>;
  /** Creates the checkout unless it exists; answers the stored one either way (a retry resumes). */
  createCheckout(checkout: Checkout, events: readonly DomainEvent[]): Promise<Checkout>;
  /** Replaces the checkout if it is still at `expectedVersion`; VersionConflictError otherwise. */
  saveCheckout(checkout: Checkout, expectedVersion: number, events: readonly DomainEvent[]): Promise<void>;
  getOrder(orderId: string): Promise<Order | undefined>;
  /**
   * Creates the order, reserves its order number and moves the checkout on (from `checkoutVersion`), in
   * one transaction. Answers `exists` when the order was already created (a duplicate webhook), and
   * `number_taken` when another order holds the number.
   */
  placeOrder(
    order: Order,
    checkout: Checkout,
    checkoutVersion: number,
    events: readonly DomainEvent[],
  ): Promise<'placed' | 'exists' | 'number_taken'>;
  /** Replaces the order if it is still at `expectedVersion`; VersionConflictError otherwise. */
  saveOrder(order: Order, expectedVersion: number, events: readonly DomainEvent[]): Promise<void>;
  /** A customer's orders in every zone, newest first. */
  listOrders(customerId: string, limit: number, cursor?: string): Promise<OrderPage>;
  /** How many paid orders a customer has (up to `max`), for risk screening. */
  countPaidOrders(customerId: string, zone: string, max: number): Promise<number>;
}
