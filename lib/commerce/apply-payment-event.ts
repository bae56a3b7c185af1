import type { DropStore } from '../drops/ports.ts';
import { claimDropPaymentMethod, releaseDropHold } from '../drops/use-cases.ts';
import { VersionConflictError } from '../errors.ts';
import { OutOfStockError } from '../inventory/errors.ts';
import type { StockStore } from '../inventory/stock-store.ts';
import { PaymentIntentStateError } from '../payments/errors.ts';
import { idempotencyKeyFor } from '../payments/idempotency-keys.ts';
import type { PaymentGateway } from '../payments/payment-gateway.ts';
import type { PaymentIntentView } from '../payments/payment-intent.ts';
import { type PaymentStateSnapshot, shouldAdvancePaymentState } from '../payments/payment-state.ts';
import type { PaymentEvent } from '../payments/stripe-events.ts';
import { type Clock, type DomainEvent, domainEvent } from '../platform/domain-event.ts';
import type { Checkout } from './checkout.ts';
import type { CommerceRepository } from './commerce-repository.ts';
import {
  CheckoutAbandoned,
  OrderCancelled,
  OrderPlaced,
  PaymentAuthorized,
  PaymentCaptured,
  PaymentRefunded,
} from './events.ts';
import { orderNumberOf, parseZoneId } from './ids.ts';
import {
  applyPaymentState,
  fundsSecured,
  milestonesFor,
  type Order,
  type OrderMilestone,
  orderStatusFor,
  pickupForNewOrder,
} from './order.ts';
import type { CheckoutCarts } from './ports.ts';

/** What payment events need. */
export interface PaymentEventDeps {
  readonly commerce: CommerceRepository;
  readonly stock: StockStore;
  readonly payments: PaymentGateway;
  readonly checkoutCarts: Pick<CheckoutCarts, 'markCheckedOut'>;
  readonly clock: Clock;
  /**
   * The drops' store, to hold a drop order's payment method to the drop's limit before it is placed.
   * Without it drop orders are placed unchecked (a deployment with no drops).
   */
  readonly drops?: Pick<DropStore, 'get' | 'claimPaymentMethod' | 'unbindCheckout'>;
}

/** What applying one event did; the webhook logs it and tests count it. */
export type PaymentEventOutcome =
  | 'ignored'
  | 'unchanged'
  | 'checkout_updated'
  | 'order_placed'
  | 'order_updated'
  | 'compensated';

const MAX_ATTEMPTS = 6;

/** The events an order's newly passed milestones emit; ids name order and milestone, so each exists once. */
export function milestoneEvents(
  order: Order,
  milestones: readonly OrderMilestone[],
  now: Date,
): DomainEvent[] {
  const ref = {
    orderId: order.orderId,
    orderNumber: order.orderNumber,
    checkoutId: order.checkoutId,
    zone: order.zone,
    market: order.market,
  };
  const meta = (m: string) => ({
    eventId: `order:${order.orderId}:${m}`,
    correlationId: order.checkoutId,
    occurredAt: now,
  });
  const pi = order.payment.paymentIntentId;
  return milestones.map((m) => {
    switch (m) {
      case 'authorized':
        return domainEvent(
          PaymentAuthorized,
          {
            ...ref,
            paymentIntentId: pi,
            amount: order.payment.amount,
            ...(order.payment.captureBefore ? { captureBefore: order.payment.captureBefore } : {}),
            underReview: order.risk.decision === 'review',
          },
          meta(m),
        );
      case 'captured':
        return domainEvent(
          PaymentCaptured,
          { ...ref, paymentIntentId: pi, amount: order.payment.amount },
          meta(m),
        );
      case 'refunded':
        return domainEvent(
          PaymentRefunded,
          { ...ref, paymentIntentId: pi, amount: order.payment.amount },
          meta(m),
        );
      default:
        return domainEvent(
          OrderCancelled,
          { ...ref, reason: order.cancellationReason ?? 'payment cancelled' },
          meta(m),
        );
    }
  });
}

function snapshotOf(event: PaymentEvent): PaymentStateSnapshot {
  return {
    state: event.status,
    occurredAt: event.occurredAt,
    ...(event.amountRefunded ? { amountRefunded: event.amountRefunded.amount } : {}),
  };
}

/** CheckoutAbandoned of a checkout: one id per checkout, so it is emitted once whichever path gets there. */
export function abandonedEvent(
  checkout: Checkout,
  reason: 'hold_expired' | 'payment_canceled' | 'out_of_stock_at_payment' | 'payment_method_limit',
  now: Date,
) {
  return domainEvent(
    CheckoutAbandoned,
    {
      checkoutId: checkout.checkoutId,
      zone: checkout.zone,
      market: checkout.market,
      total: { amount: checkout.totals.total, currency: checkout.totals.currency },
      reason,
    },
    {
      eventId: `checkout:${checkout.checkoutId}:abandoned`,
      correlationId: checkout.checkoutId,
      occurredAt: now,
    },
  );
}

/**
 * Applies one verified Stripe event to its checkout and order. Safe under duplicates, concurrency and any
 * delivery order:
 * - every write is conditional on the version it read (a lost race re-reads and re-applies);
 * - payment states only move forward (`shouldAdvancePaymentState`), so an older event changes nothing;
 * - the order is created once per checkout (its id derives from the checkout's) when funds are held or
 *   taken, after its stock is allocated; if the hold had lapsed and the stock is gone, the payment is
 *   cancelled or refunded instead (keys `order:{id}:cancel` / `order:{id}:refund:stock`);
 * - events are emitted per milestone, once each.
 */
export async function applyPaymentEvent(
  deps: PaymentEventDeps,
  event: PaymentEvent,
): Promise<PaymentEventOutcome> {
  const checkoutId = event.checkoutId;
  if (!checkoutId || parseZoneId(checkoutId)?.kind !== 'chk') return 'ignored';
  for (let attempt = 1; ; attempt++) {
    try {
      return await applyOnce(deps, checkoutId, event);
    } catch (error) {
      if (!(error instanceof VersionConflictError) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

async function applyOnce(
  deps: PaymentEventDeps,
  checkoutId: string,
  event: PaymentEvent,
): Promise<PaymentEventOutcome> {
  const checkout = await deps.commerce.getCheckout(checkoutId);
  if (!checkout?.payment || checkout.payment.paymentIntentId !== event.paymentIntentId) return 'ignored';
  const snapshot = snapshotOf(event);
  const order = await deps.commerce.getOrder(checkout.orderId);
  if (order) return updateOrder(deps, order, snapshot);
  // Refunded for want of stock: the payment is settled, and no later event (the refund's own, once the
  // units are free again) may turn it into an order.
  if (checkout.abandonedReason === 'out_of_stock_at_payment') {
    return fundsSecured(event.status) ? compensate(deps, checkout, snapshot) : 'unchanged';
  }
  // Voided for a drop's payment-method limit: likewise settled, whatever arrives after.
  if (checkout.abandonedReason === DROP_LIMIT_REASON) {
    return fundsSecured(event.status) ? refuseDropPayment(deps, checkout, snapshot) : 'unchanged';
  }
  // Forward only here too: an authorization heard of after its cancellation (the sweeper voided it)
  // holds no funds any more and must not place an order.
  if (fundsSecured(event.status)) {
    if (shouldAdvancePaymentState(recordedState(checkout), snapshot))
      return placeOrder(deps, checkout, snapshot);
    // Only a recorded cancellation is never advanced from, and no order can be placed after it: units a
    // concurrent funds event allocated before losing the race to the cancellation go back.
    if (checkout.reservation) await deps.stock.release(checkoutId, 'payment_canceled', deps.clock.now());
    return 'unchanged';
  }
  return updateCheckout(deps, checkout, event, snapshot);
}

/** The payment state the checkout last heard of; none until the first event, so any event is newer. */
function recordedState(checkout: Checkout): PaymentStateSnapshot | undefined {
  const payment = checkout.payment;
  return payment?.updatedFromEventAt
    ? { state: payment.status, occurredAt: payment.updatedFromEventAt }
    : undefined;
}

async function updateOrder(
  deps: PaymentEventDeps,
  order: Order,
  snapshot: PaymentStateSnapshot,
): Promise<PaymentEventOutcome> {
  const now = deps.clock.now();
  const transition = applyPaymentState(order, snapshot, now);
  if (!transition) {
    // A crash between saving a cancelled order and releasing its stock is finished by the next event.
    if (order.allocation.released)
      await deps.stock.release(order.allocation.reservationId, 'order_closed', now);
    return 'unchanged';
  }
  await deps.commerce.saveOrder(
    transition.order,
    order.version,
    milestoneEvents(transition.order, transition.newMilestones, now),
  );
  if (transition.order.allocation.released) {
    await deps.stock.release(order.allocation.reservationId, transition.order.status, now);
  }
  return 'order_updated';
}

/** The abandoned reason of a drop checkout whose payment method was over the drop's limit. */
const DROP_LIMIT_REASON = 'payment_method_limit';

/**
 * The checks a drop order passes before it is placed, on the authorization: its payment method must be
 * under the drop's limit (else the authorization is voided and the winner may pay with another method),
 * and a payment that was only authorized for this check is captured. Answers the payment state to place
 * the order in (with the intent when it was read), or undefined when it was refused.
 */
async function checkDropPayment(
  deps: PaymentEventDeps,
  checkout: Checkout,
  snapshot: PaymentStateSnapshot,
): Promise<{ snapshot: PaymentStateSnapshot; intent?: PaymentIntentView } | undefined> {
  const payment = checkout.payment!;
  if (!checkout.dropId || !deps.drops) return { snapshot };
  const intent = await deps.payments.retrieve(payment.paymentIntentId);
  const verdict = await claimDropPaymentMethod(
    { drops: deps.drops },
    {
      dropId: checkout.dropId,
      sub: checkout.customerId,
      fingerprint: intent.paymentFingerprint,
      units: checkout.lines.reduce((sum, line) => sum + line.quantity, 0),
    },
  );
  if (!verdict.allowed) return undefined;
  if (!payment.captureWhenPlaced || snapshot.state !== 'requires_capture') return { snapshot, intent };
  try {
    const captured = await deps.payments.capture(payment.paymentIntentId, {
      idempotencyKey: idempotencyKeyFor('order.capture', checkout.orderId),
    });
    return captured.status === 'succeeded'
      ? { snapshot: { state: 'succeeded', occurredAt: snapshot.occurredAt } }
      : { snapshot, intent: captured };
  } catch (error) {
    // Captured or voided by a path that got there first: the order is placed as the event says, and
    // that path's own webhook moves it on.
    if (!(error instanceof PaymentIntentStateError)) throw error;
    return { snapshot };
  }
}

async function placeOrder(
  deps: PaymentEventDeps,
  checkout: Checkout,
  eventSnapshot: PaymentStateSnapshot,
): Promise<PaymentEventOutcome> {
  const checked = await checkDropPayment(deps, checkout, eventSnapshot);
  if (!checked) return refuseDropPayment(deps, checkout, eventSnapshot);
  const { snapshot } = checked;
  const now = deps.clock.now();
  const payment = checkout.payment!;
  let allocated: Awaited<ReturnType<StockStore['allocate']>>;
  try {
    allocated = await deps.stock.allocate(checkout.checkoutId, now);
  } catch (error) {
    if (!(error instanceof OutOfStockError)) throw error;
    return compensate(deps, checkout, snapshot);
  }

  let captureBefore: string | undefined;
  if (payment.captureMethod === 'manual' && snapshot.state === 'requires_capture') {
    // A drop's check has read the intent already.
    captureBefore = (checked.intent ?? (await deps.payments.retrieve(payment.paymentIntentId))).captureBefore;
  }
  const underReview = checkout.risk.decision === 'review';
  const status = orderStatusFor(snapshot.state, underReview, undefined);
  const milestones = milestonesFor(snapshot.state, payment.captureMethod);
  const releaseStock = milestones.includes('refunded');
  const at = now.toISOString();
  const names = new Map(checkout.lines.map((l) => [l.sku, l]));
  for (let numberAttempt = 0; numberAttempt < 5; numberAttempt++) {
    const order: Order = {
      orderId: checkout.orderId,
      orderNumber: orderNumberOf(checkout.orderId, numberAttempt),
      zone: checkout.zone,
      checkoutId: checkout.checkoutId,
      customerId: checkout.customerId,
      email: checkout.email,
      market: checkout.market,
      status,
      lines: checkout.totals.lines.map((l) => ({
        sku: l.sku,
        productId: names.get(l.sku)?.productId ?? '',
        name: names.get(l.sku)?.name ?? l.sku,
        quantity: l.quantity,
        unitPrice: l.unitPrice,
        lineTotal: l.lineTotal,
        tax: l.tax,
      })),
      totals: checkout.totals,
      delivery: checkout.delivery,
      allocation: {
        reservationId: allocated.reservationId,
        // Which fence (a channel's, a drop's) each unit came from is the stock store's concern.
        lines: allocated.lines.map((l) => ({ sku: l.sku, locationId: l.locationId, quantity: l.quantity })),
        released: releaseStock,
      },
      payment: {
        paymentIntentId: payment.paymentIntentId,
        captureMethod: payment.captureMethod,
        amount: payment.amount,
        state: snapshot,
        ...(captureBefore ? { captureBefore } : {}),
      },
      risk: checkout.risk.assessment,
      ...(checkout.delivery.pickupLocationId ? { pickup: pickupForNewOrder(checkout.delivery, status) } : {}),
      milestones,
      ...(checkout.dropId ? { dropId: checkout.dropId } : {}),
      history: [{ status, at, reason: `payment ${snapshot.state}` }],
      createdAt: at,
      updatedAt: at,
      version: 1,
    };
    const completed: Checkout = {
      ...checkout,
      status: 'completed',
      payment: {
        ...payment,
        status: snapshot.state === 'requires_capture' ? 'requires_capture' : 'succeeded',
        updatedFromEventAt: snapshot.occurredAt,
      },
      reservation: checkout.reservation ? { ...checkout.reservation, released: false } : null,
      updatedAt: at,
      version: checkout.version + 1,
    };
    const { abandonedReason: _previous, ...completedCheckout } = completed;
    const placed = domainEvent(
      OrderPlaced,
      {
        orderId: order.orderId,
        orderNumber: order.orderNumber,
        checkoutId: order.checkoutId,
        zone: order.zone,
        market: order.market,
        customerId: order.customerId,
        status,
        total: order.payment.amount,
        lines: allocated.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, locationId: l.locationId })),
        delivery: {
          method: checkout.delivery.method,
          ...(checkout.delivery.pickupLocationId
            ? { pickupLocationId: checkout.delivery.pickupLocationId }
            : {}),
          country: checkout.totals.destination.country,
        },
        ...(checkout.dropId ? { dropId: checkout.dropId } : {}),
      },
      { eventId: `order:${order.orderId}:placed`, correlationId: checkout.checkoutId, occurredAt: now },
    );
    const outcome = await deps.commerce.placeOrder(order, completedCheckout, checkout.version, [
      placed,
      ...milestoneEvents(order, milestones, now),
    ]);
    if (outcome === 'number_taken') continue;
    if (outcome === 'exists') throw new VersionConflictError('The order was placed concurrently');
    if (releaseStock) await deps.stock.release(allocated.reservationId, 'refunded', now);
    await deps.checkoutCarts.markCheckedOut(checkout.cartId).catch(() => undefined);
    return 'order_placed';
  }
  throw new Error(`No free order number for ${checkout.orderId} after 5 attempts`);
}

/** Funds arrived after the hold lapsed and the stock went to someone else: give the money back. */
function compensate(
  deps: PaymentEventDeps,
  checkout: Checkout,
  snapshot: PaymentStateSnapshot,
): Promise<PaymentEventOutcome> {
  return giveBack(deps, checkout, snapshot, 'out_of_stock_at_payment');
}

/**
 * A drop order paid with a payment method already used up to the drop's limit by other accounts: the
 * authorization is voided (refunded if it was captured), the units go back to the drop's fence, and the
 * winner's hold is freed for a new checkout with another method until its pay-by.
 */
function refuseDropPayment(
  deps: PaymentEventDeps,
  checkout: Checkout,
  snapshot: PaymentStateSnapshot,
): Promise<PaymentEventOutcome> {
  return giveBack(deps, checkout, snapshot, DROP_LIMIT_REASON, async (now) => {
    if (checkout.reservation) await deps.stock.release(checkout.checkoutId, DROP_LIMIT_REASON, now);
    if (checkout.dropId && deps.drops) {
      await releaseDropHold(
        { drops: deps.drops },
        { dropId: checkout.dropId, sub: checkout.customerId, checkoutId: checkout.checkoutId },
      );
    }
  });
}

/**
 * The payment's idempotency-key qualifiers per reason a checkout's funds are given back. Out of stock
 * keeps the keys its orders were first voided and refunded under.
 */
const GIVE_BACK_KEYS = {
  out_of_stock_at_payment: { cancel: undefined, refund: 'stock' },
  payment_method_limit: { cancel: DROP_LIMIT_REASON, refund: DROP_LIMIT_REASON },
} as const;

/**
 * Voids the checkout's authorization (or refunds what was captured), runs `settle`, then records the
 * checkout abandoned for `reason`. That record comes last: it is what later events of the payment see,
 * so every step before it is repeated, idempotently, until it is written.
 */
async function giveBack(
  deps: PaymentEventDeps,
  checkout: Checkout,
  snapshot: PaymentStateSnapshot,
  reason: keyof typeof GIVE_BACK_KEYS,
  settle?: (now: Date) => Promise<void>,
): Promise<PaymentEventOutcome> {
  const now = deps.clock.now();
  const pi = checkout.payment!.paymentIntentId;
  const keys = GIVE_BACK_KEYS[reason];
  try {
    if (snapshot.state === 'requires_capture') {
      // Not `fraudulent`: that would teach Radar the card is stolen.
      await deps.payments.cancel(pi, {
        reason: 'abandoned',
        idempotencyKey: idempotencyKeyFor('order.cancel', checkout.orderId, keys.cancel),
      });
    } else if (snapshot.state !== 'refunded') {
      await deps.payments.refund(pi, {
        reason: 'requested_by_customer',
        metadata: { checkoutId: checkout.checkoutId, reason },
        idempotencyKey: idempotencyKeyFor('order.refund', checkout.orderId, keys.refund),
      });
    }
  } catch (error) {
    // Already cancelled or refunded by an earlier delivery of this event.
    if (!(error instanceof PaymentIntentStateError)) throw error;
  }
  await settle?.(now);
  if (checkout.status !== 'abandoned' || checkout.abandonedReason !== reason) {
    await deps.commerce.saveCheckout(
      {
        ...checkout,
        status: 'abandoned',
        abandonedReason: reason,
        reservation: checkout.reservation ? { ...checkout.reservation, released: true } : null,
        updatedAt: now.toISOString(),
        version: checkout.version + 1,
      },
      checkout.version,
      checkout.status === 'abandoned' ? [] : [abandonedEvent(checkout, reason, now)],
    );
  }
  return 'compensated';
}

async function updateCheckout(
  deps: PaymentEventDeps,
  checkout: Checkout,
  event: PaymentEvent,
  snapshot: PaymentStateSnapshot,
): Promise<PaymentEventOutcome> {
  const payment = checkout.payment!;
  if (!shouldAdvancePaymentState(recordedState(checkout), snapshot)) return 'unchanged';
  const now = deps.clock.now();
  const at = now.toISOString();
  const failed = event.type === 'payment_intent.payment_failed';
  const canceled = event.status === 'canceled';
  const release = (failed || canceled) && checkout.reservation !== null;
  if (release) {
    // A decline must not undo a later attempt that succeeded and allocated the units while this one
    // was being applied (its order keeps them); a cancelled intent has no such later attempt.
    await deps.stock.release(
      checkout.checkoutId,
      canceled ? 'payment_canceled' : 'payment_failed',
      now,
      canceled ? {} : { ifHeld: true },
    );
  }
  const status =
    checkout.status === 'completed' || checkout.status === 'declined'
      ? checkout.status
      : canceled
        ? 'abandoned'
        : failed
          ? 'payment_failed'
          : checkout.status === 'abandoned'
            ? 'abandoned'
            : 'awaiting_payment';
  const { lastPaymentError: _old, ...rest } = payment;
  const updated: Checkout = {
    ...checkout,
    status,
    ...(canceled && checkout.status !== 'abandoned' ? { abandonedReason: 'payment_canceled' } : {}),
    payment: {
      ...rest,
      status:
        event.status === 'partially_refunded' || event.status === 'refunded' ? 'succeeded' : event.status,
      ...(event.lastPaymentError ? { lastPaymentError: event.lastPaymentError } : {}),
      updatedFromEventAt: snapshot.occurredAt,
    },
    reservation:
      checkout.reservation && release ? { ...checkout.reservation, released: true } : checkout.reservation,
    updatedAt: at,
    version: checkout.version + 1,
  };
  const events =
    status === 'abandoned' && checkout.status !== 'abandoned'
      ? [abandonedEvent(checkout, 'payment_canceled', now)]
      : [];
  await deps.commerce.saveCheckout(updated, checkout.version, events);
  return 'checkout_updated';
}
