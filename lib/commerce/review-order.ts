import { z } from 'zod';
import { ConflictError, NotFoundError, VersionConflictError } from '../errors.ts';
import type { StockStore } from '../inventory/stock-store.ts';
import { idempotencyKeyFor } from '../payments/idempotency-keys.ts';
import type { PaymentGateway } from '../payments/payment-gateway.ts';
import type { Clock } from '../platform/domain-event.ts';
import { milestoneEvents } from './apply-payment-event.ts';
import type { CommerceRepository } from './commerce-repository.ts';
import { applyPaymentState, type Order } from './order.ts';

/** Body of `POST /v1/admin/orders/{orderId}/review`. */
export const ReviewRequest = z
  .strictObject({
    decision: z
      .enum(['approve', 'reject'])
      .describe('approve: capture the held funds; reject: cancel and release stock'),
    note: z.string().trim().min(1).max(1000).optional(),
  })
  .meta({ id: 'ReviewRequest' });
export type ReviewRequest = z.infer<typeof ReviewRequest>;

export class OrderNotReviewableError extends ConflictError {
  override readonly code = 'ORDER_NOT_REVIEWABLE';
}

/** Saves tried before a decision gives up on an order that keeps changing under it. */
const MAX_SAVE_ATTEMPTS = 5;

export interface ReviewDeps {
  readonly commerce: CommerceRepository;
  readonly stock: StockStore;
  readonly payments: PaymentGateway;
  readonly clock: Clock;
}

/**
 * A person's decision on an order whose funds are held (under review, or above the manual-capture
 * threshold): approve captures (key `order:{id}:capture`), reject cancels the authorization (key
 * `order:{id}:cancel`) and releases the stock. Repeating the same decision answers the order as it
 * stands; a contrary decision after the first is refused.
 */
export async function reviewOrder(
  deps: ReviewDeps,
  orderId: string,
  reviewer: string,
  request: ReviewRequest,
): Promise<Order> {
  const order = await deps.commerce.getOrder(orderId);
  if (!order) throw new NotFoundError('No such order');
  if (order.review) {
    if (order.review.decision === request.decision) return order;
    throw new OrderNotReviewableError(`The order was already ${order.review.decision}d`);
  }
  if (order.payment.state.state !== 'requires_capture') {
    throw new OrderNotReviewableError(
      `Only orders with held funds can be reviewed; this one is ${order.status}`,
    );
  }
  const pi = order.payment.paymentIntentId;
  const intent =
    request.decision === 'approve'
      ? await deps.payments.capture(pi, { idempotencyKey: idempotencyKeyFor('order.capture', orderId) })
      : await deps.payments.cancel(pi, {
          reason: 'fraudulent',
          idempotencyKey: idempotencyKeyFor('order.cancel', orderId),
        });
  const now = deps.clock.now();
  // Stripe's webhook for this very capture or cancel may change the order before the decision is saved
  // here: the decision is then recorded over the order as it stands, never lost to a version conflict.
  for (let current = order, attempt = 1; ; attempt++) {
    const reviewed: Order = {
      ...current,
      review: {
        decision: request.decision,
        by: reviewer,
        at: now.toISOString(),
        ...(request.note ? { note: request.note } : {}),
      },
    };
    // The intent as the gateway answered it: its webhook, whether it came first or comes later, is a no-op.
    const transition = applyPaymentState(
      reviewed,
      { state: intent.status, occurredAt: now.toISOString() },
      now,
      { reason: request.decision === 'approve' ? 'approved in review' : 'rejected in review' },
    );
    const next = transition?.order ?? {
      ...reviewed,
      version: current.version + 1,
      updatedAt: now.toISOString(),
    };
    try {
      await deps.commerce.saveOrder(
        next,
        current.version,
        transition ? milestoneEvents(next, transition.newMilestones, now) : [],
      );
    } catch (error) {
      if (!(error instanceof VersionConflictError) || attempt >= MAX_SAVE_ATTEMPTS) throw error;
      const fresh = await deps.commerce.getOrder(orderId);
      if (!fresh) throw error;
      if (fresh.review) {
        if (fresh.review.decision === request.decision) return fresh;
        throw new OrderNotReviewableError(`The order was already ${fresh.review.decision}d`);
      }
      current = fresh;
      continue;
    }
    if (next.allocation.released)
      await deps.stock.release(order.allocation.reservationId, 'rejected_in_review', now);
    return next;
  }
}
