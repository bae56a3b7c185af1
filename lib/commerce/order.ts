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
 * An order's status, derived from its payment and its review:
 * - `pending_payment`: not yet authorized (an order is normally created at authorization, so this is
 *   only seen on orders whose payment is `processing`);
 * - `authorized`: funds held (manual capture), to be captured before `payment.captureBefore`;
 * - `under_review`: funds held and risk screening asked a person to look before capture;
 * - `paid`, `cancelled` (stock released), `refunded` (in full; stock released while unshipped).
 */
export const OrderStatus = z.enum([
  'pending_payment',
  'authorized',
  'under_review',
  'paid',
  'cancelled',
  'refunded',
]);
export type OrderStatus = z.infer<typeof OrderStatus>;

/** Milestones an order passes at most once; each emits one event, whatever order webhooks arrive in. */
export const OrderMilestone = z.enum(['authorized', 'captured', 'refunded', 'cancelled']);
export type OrderMilestone = z.infer<typeof OrderMilestone>;

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
    milestones: z.array(OrderMilestone),
    cancellationReason: z.string().optional(),
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
  const status = orderStatusFor(state.state, underReview, order.review);
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
      ...(status === 'cancelled' && !order.cancellationReason ? { cancellationReason: reason } : {}),
      history: status === order.status ? order.history : [...order.history, { status, at, reason }],
      updatedAt: at,
      version: order.version + 1,
    },
    newMilestones,
    releaseStock,
  };
}

/** An order as the API answers it: staff also see the risk assessment and the review. */
export const OrderView = Order.omit({ risk: true, review: true })
  .safeExtend({ risk: RiskAssessment.optional(), review: OrderReview.optional() })
  .meta({ id: 'OrderView' });
export type OrderView = z.infer<typeof OrderView>;

/** The order for its owner (without the screening details) or for staff (everything). */
export function orderView(order: Order, staff: boolean): OrderView {
  if (staff) return order;
  const { risk: _risk, review: _review, ...rest } = order;
  return rest;
}
