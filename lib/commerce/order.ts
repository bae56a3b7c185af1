import { z } from 'zod';
import { Money } from '../money/currency.ts';
import { MarketCode } from '../money/markets.ts';
import {
  advancePaymentState,
  PAYMENT_STATE_RANK,
  type PaymentState,
  PaymentStateSnapshot,
} from '../payments/payment-state.ts';
import { CartTotals } from '../pricing/schemas.ts';
import { RiskAssessment } from '../risk/risk-assessment.ts';
import { Delivery, ReservedLine } from './checkout.ts';

/**
 * An order's status, derived from its payment, its review and, for click and collect, its pickup:
 * - `pending_payment`: not yet authorized (an order is normally created at authorization, so this is
 *   only seen on orders whose payment is `processing`);
 * - `authorized`: funds held (manual capture), to be captured before `payment.captureBefore`;
 * - `under_review`: funds held and risk screening asked a person to look before capture;
 * - `paid`, `cancelled` (stock released), `refunded` (in full; stock released while unshipped);
 * - `ready_for_pickup`: paid or authorized, and waiting at its boutique until `pickup.collectBy`;
 * - `collected`: handed over at the boutique (a later full refund, a return, makes it `refunded`);
 * - `uncollected`: not collected in time; its units went back to the boutique and the payment back
 *   to the shopper.
 */
export const OrderStatus = z.enum([
  'pending_payment',
  'authorized',
  'under_review',
  'paid',
  'cancelled',
  'refunded',
  'ready_for_pickup',
  'collected',
  'uncollected',
]);
export type OrderStatus = z.infer<typeof OrderStatus>;

/** Milestones an order passes at most once; each emits one event, whatever order webhooks arrive in. */
export const OrderMilestone = z.enum([
  'authorized',
  'captured',
  'refunded',
  'cancelled',
  'ready_for_pickup',
  'collected',
  'uncollected',
]);
export type OrderMilestone = z.infer<typeof OrderMilestone>;

/**
 * Where a click-and-collect order stands at its boutique: `awaiting_preparation` until staff mark it
 * ready, `ready` (a pickup code is issued) until `collected` or, past `collectBy`, `uncollected`;
 * `cancelled` when its payment was cancelled or refunded before it was handed over.
 */
export const PickupStatus = z.enum([
  'awaiting_preparation',
  'ready',
  'collected',
  'uncollected',
  'cancelled',
]);
export type PickupStatus = z.infer<typeof PickupStatus>;

export const OrderPickup = z
  .strictObject({
    locationId: z.string(),
    status: PickupStatus,
    code: z
      .string()
      .regex(/^\d{6}$/)
      .optional()
      .describe('The code the shopper shows at the counter; in the owner’s view only, while ready'),
    readyAt: z.iso.datetime().optional(),
    collectBy: z.iso
      .datetime()
      .optional()
      .describe('Uncollected after this, the order is cancelled and refunded'),
    collectedAt: z.iso.datetime().optional(),
    handedOverBy: z.string().optional().describe('The staff member who checked the code'),
    codeIssuedBy: z.string().optional().describe('The staff member who issued the current code'),
    failedAttempts: z.number().int().min(0).describe('Wrong codes tried since the current one was issued'),
    lockedAt: z.iso.datetime().optional().describe('Too many wrong codes: staff must issue a new one'),
    codesIssued: z.number().int().min(0).optional(),
    expiredAt: z.iso.datetime().optional(),
    settledAt: z.iso
      .datetime()
      .optional()
      .describe('When the payment of an uncollected order was given back'),
  })
  .meta({ id: 'OrderPickup' });
export type OrderPickup = z.infer<typeof OrderPickup>;

export const OrderReview = z.strictObject({
  decision: z.enum(['approve', 'reject']),
  by: z.string(),
  at: z.iso.datetime(),
  note: z.string().max(1000).optional(),
});
export type OrderReview = z.infer<typeof OrderReview>;

export const Order = z
  .strictObject({
    orderId: z.string(),
    orderNumber: z.string(),
    zone: z.string(),
    checkoutId: z.string(),
    customerId: z.string(),
    email: z.string(),
    market: MarketCode,
    status: OrderStatus,
    lines: z.array(
      z.strictObject({
        sku: z.string(),
        productId: z.string(),
        name: z.string(),
        quantity: z.number().int(),
        unitPrice: z.number().int(),
        lineTotal: z.number().int(),
        tax: z.number().int(),
      }),
    ),
    totals: CartTotals,
    delivery: Delivery,
    allocation: z.strictObject({
      reservationId: z.string(),
      lines: z.array(ReservedLine),
      released: z.boolean(),
    }),
    payment: z.strictObject({
      paymentIntentId: z.string(),
      captureMethod: z.enum(['automatic', 'manual']),
      amount: Money,
      state: PaymentStateSnapshot,
      captureBefore: z.iso.datetime().optional(),
    }),
    risk: RiskAssessment,
    review: OrderReview.optional(),
    pickup: OrderPickup.optional(),
    milestones: z.array(OrderMilestone),
    cancellationReason: z.string().optional(),
    dropId: z.string().optional().describe('The drop whose won units this order bought'),
    history: z.array(z.strictObject({ status: OrderStatus, at: z.iso.datetime(), reason: z.string() })),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    version: z.number().int().positive(),
  })
  .meta({ id: 'Order' });
export type Order = z.infer<typeof Order>;

/** The status an order has for a payment state, a capture method and a review. */
export function orderStatusFor(
  state: PaymentState,
  underReview: boolean,
  review: OrderReview | undefined,
): OrderStatus {
  switch (state) {
    case 'requires_capture':
      return underReview && !review ? 'under_review' : 'authorized';
    case 'succeeded':
    case 'partially_refunded':
      return 'paid';
    case 'refunded':
      return 'refunded';
    case 'canceled':
      return 'cancelled';
    default:
      return 'pending_payment';
  }
}

/**
 * The status once the pickup is taken into account: a paid or authorized order shows where it stands at
 * the boutique; an uncollected one stays uncollected whatever its payment does next.
 */
export function withPickupStatus(status: OrderStatus, pickup: OrderPickup | undefined): OrderStatus {
  if (!pickup) return status;
  if (pickup.status === 'uncollected') return 'uncollected';
  if (status !== 'paid' && status !== 'authorized') return status;
  if (pickup.status === 'collected') return 'collected';
  if (pickup.status === 'ready') return 'ready_for_pickup';
  return status;
}

/** An order's status from its payment, review and pickup. */
export function statusOf(order: Pick<Order, 'payment' | 'risk' | 'review' | 'pickup'>): OrderStatus {
  return withPickupStatus(
    orderStatusFor(order.payment.state.state, order.risk.decision === 'review', order.review),
    order.pickup,
  );
}

/** The pickup of a new order: click and collect when its delivery names a boutique. */
export function pickupForNewOrder(delivery: Delivery, status: OrderStatus): OrderPickup | undefined {
  if (!delivery.pickupLocationId) return undefined;
  return {
    locationId: delivery.pickupLocationId,
    status: status === 'cancelled' || status === 'refunded' ? 'cancelled' : 'awaiting_preparation',
    failedAttempts: 0,
  };
}

/**
 * When the pickup sweeper must next look at an order: a ready one at its collect-by time, an expired one
 * whose payment has not been given back yet at once (the time it expired); undefined once there is
 * nothing left for it to do. The repository keeps its index of due pickups from this.
 */
export function pickupDueAt(order: Pick<Order, 'status' | 'pickup'>): string | undefined {
  const pickup = order.pickup;
  if (pickup?.status === 'ready' && order.status === 'ready_for_pickup') return pickup.collectBy;
  if (pickup?.status === 'uncollected' && !pickup.settledAt) return pickup.expiredAt;
  return undefined;
}

/** A pickup that can no longer be handed over: its code goes, so no view can show a stale one. */
function cancelledPickup(pickup: OrderPickup | undefined, status: OrderStatus): OrderPickup | undefined {
  if (!pickup || (status !== 'cancelled' && status !== 'refunded')) return pickup;
  if (pickup.status !== 'awaiting_preparation' && pickup.status !== 'ready') return pickup;
  const { code: _code, ...rest } = pickup;
  return { ...rest, status: 'cancelled' };
}

/**
 * The milestones a payment state implies. They are cumulative, so an order that first hears of its payment
 * from a late `charge.refunded` passes every milestone the in-order sequence would have: the events a
 * consumer sees do not depend on the order webhooks arrive in.
 */
export function milestonesFor(state: PaymentState, captureMethod: 'automatic' | 'manual'): OrderMilestone[] {
  const rank = PAYMENT_STATE_RANK[state];
  const out: OrderMilestone[] = [];
  if (state === 'canceled') {
    if (captureMethod === 'manual') out.push('authorized');
    out.push('cancelled');
    return out;
  }
  if (rank >= PAYMENT_STATE_RANK.requires_capture && captureMethod === 'manual') out.push('authorized');
  if (rank >= PAYMENT_STATE_RANK.succeeded) out.push('captured');
  if (state === 'refunded') out.push('refunded');
  return out;
}

/** Whether a payment state means funds are held or taken, so an order must exist. */
export function fundsSecured(state: PaymentState): boolean {
  return state !== 'canceled' && PAYMENT_STATE_RANK[state] >= PAYMENT_STATE_RANK.requires_capture;
}

/** What applying a payment state to an order changes: the new order, and the milestones newly passed. */
export interface OrderTransition {
  readonly order: Order;
  readonly newMilestones: readonly OrderMilestone[];
  /** The order's stock must be released (cancelled, or refunded in full before shipment). */
  readonly releaseStock: boolean;
}

/**
 * Applies a payment state to an order, forward only (`advancePaymentState`): a duplicate, older or
 * lower-ranked state changes nothing and returns `undefined`.
 */
export function applyPaymentState(
  order: Order,
  next: PaymentStateSnapshot,
  now: Date,
  extra: { captureBefore?: string | undefined; reason?: string | undefined } = {},
): OrderTransition | undefined {
  const state = advancePaymentState(order.payment.state, next);
  if (state === order.payment.state) return undefined;
  const underReview = order.risk.decision === 'review';
  const paymentStatus = orderStatusFor(state.state, underReview, order.review);
  const pickup = cancelledPickup(order.pickup, paymentStatus);
  const status = withPickupStatus(paymentStatus, pickup);
  const passed = new Set(order.milestones);
  const newMilestones = milestonesFor(state.state, order.payment.captureMethod).filter((m) => !passed.has(m));
  const at = now.toISOString();
  const releaseStock =
    !order.allocation.released && (newMilestones.includes('cancelled') || newMilestones.includes('refunded'));
  const reason = extra.reason ?? `payment ${state.state}`;
  return {
    order: {
      ...order,
      status,
      payment: {
        ...order.payment,
        state,
        ...(extra.captureBefore ? { captureBefore: extra.captureBefore } : {}),
      },
      milestones: [...order.milestones, ...newMilestones],
      allocation: releaseStock ? { ...order.allocation, released: true } : order.allocation,
      ...(pickup ? { pickup } : {}),
      ...((status === 'cancelled' || newMilestones.includes('cancelled')) && !order.cancellationReason
        ? { cancellationReason: reason }
        : {}),
      history: status === order.status ? order.history : [...order.history, { status, at, reason }],
      updatedAt: at,
      version: order.version + 1,
    },
    newMilestones,
    releaseStock,
  };
}

/**
 * An order as the API answers it: staff also see the risk assessment and the review; only the owner
 * sees the pickup code.
 */
export const OrderView = Order.omit({ risk: true, review: true })
  .safeExtend({ risk: RiskAssessment.optional(), review: OrderReview.optional() })
  .meta({ id: 'OrderView' });
export type OrderView = z.infer<typeof OrderView>;

/**
 * The order for its owner (without the screening details) or for staff (everything but the pickup
 * code: whoever hands the order over must hear it from the shopper).
 */
export function orderView(order: Order, staff: boolean): OrderView {
  if (staff) {
    if (!order.pickup?.code) return order;
    const { code: _code, ...pickup } = order.pickup;
    return { ...order, pickup };
  }
  const { risk: _risk, review: _review, ...rest } = order;
  return rest;
}
