import { randomInt, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import {
  ConflictError,
  DomainError,
  NotFoundError,
  UnprocessableError,
  VersionConflictError,
} from '../errors.ts';
import type { StockStore } from '../inventory/stock-store.ts';
import { PaymentAmountError, PaymentIntentStateError } from '../payments/errors.ts';
import { idempotencyKeyFor } from '../payments/idempotency-keys.ts';
import type { PaymentGateway } from '../payments/payment-gateway.ts';
import type { PaymentIntentView } from '../payments/payment-intent.ts';
import type { PaymentStateSnapshot } from '../payments/payment-state.ts';
import { type Clock, type DomainEvent, domainEvent } from '../platform/domain-event.ts';
import { milestoneEvents } from './apply-payment-event.ts';
import type { CommerceRepository, PickupDeadlines } from './commerce-repository.ts';
import { OrderCollected, PickupExpired, ReadyForPickup } from './events.ts';
import { applyPaymentState, type Order, type OrderMilestone, type OrderPickup, statusOf } from './order.ts';
import type { LocationDirectory } from './ports.ts';

/** Digits of a pickup code: short enough to read out at a counter, with the attempt limit below. */
export const PICKUP_CODE_DIGITS = 6;
/**
 * Wrong codes tolerated per issued code. With a million codes, five guesses succeed once in 200,000:
 * after that only staff can issue a new code (by marking the order ready again).
 */
export const MAX_PICKUP_CODE_ATTEMPTS = 5;
/** How long a boutique keeps a ready order when its location sets no period of its own. */
export const DEFAULT_COLLECT_WITHIN_DAYS = 14;

const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * Saves tried before giving up on an order that keeps changing. Every lost race is another request's
 * successful write, and wrong codes can win at most {@link MAX_PICKUP_CODE_ATTEMPTS} of them, so a burst
 * of guesses still ends in answers (invalid, then locked) rather than conflicts.
 */
const MAX_SAVE_ATTEMPTS = MAX_PICKUP_CODE_ATTEMPTS + 3;
const SWEEP_PAGE = 50;
const SWEEP_CONCURRENCY = 4;

/** Body of `POST /v1/admin/orders/{orderId}/pickup/collect`. */
export const CollectPickupRequest = z
  .strictObject({
    code: z
      .string()
      .regex(/^\d{6}$/, 'must be the six-digit code the shopper shows')
      .describe('The pickup code the shopper shows at the counter'),
  })
  .meta({ id: 'CollectPickupRequest' });
export type CollectPickupRequest = z.infer<typeof CollectPickupRequest>;

/** The order is not click and collect, or cannot be made ready (unpaid, cancelled, stock elsewhere). */
export class PickupNotAllowedError extends ConflictError {
  override readonly code = 'PICKUP_NOT_ALLOWED';
}

/** The order is not waiting at the boutique (not ready yet, expired or cancelled). */
export class PickupNotReadyError extends ConflictError {
  override readonly code = 'PICKUP_NOT_READY';
}

/** The code does not match; `details.attemptsLeft` says how many more tries the current code allows. */
export class PickupCodeInvalidError extends UnprocessableError {
  override readonly code = 'PICKUP_CODE_INVALID';
}

/** Too many wrong codes: no code is accepted until staff issue a new one. */
export class PickupCodeLockedError extends DomainError {
  readonly code = 'PICKUP_CODE_LOCKED';
  readonly status = 423;
}

/** The held authorization could not be captured (it lapsed or was cancelled): nothing may be handed over. */
export class PickupPaymentUnavailableError extends ConflictError {
  override readonly code = 'PICKUP_PAYMENT_UNAVAILABLE';
}

/** What marking ready and collecting need. */
export interface PickupDeps {
  readonly commerce: CommerceRepository;
  readonly stock: StockStore;
  readonly payments: PaymentGateway;
  readonly locations: LocationDirectory;
  readonly clock: Clock;
}

/** What the pickup sweeper needs. */
export interface PickupSweepDeps {
  readonly commerce: CommerceRepository & PickupDeadlines;
  readonly stock: StockStore;
  readonly payments: PaymentGateway;
  readonly clock: Clock;
}

/** A fresh pickup code: six digits from the system's cryptographic generator, uniformly drawn. */
export function newPickupCode(): string {
  return String(randomInt(0, 10 ** PICKUP_CODE_DIGITS)).padStart(PICKUP_CODE_DIGITS, '0');
}

/**
 * Whether the shopper's code is the issued one, in time that does not depend on where they differ (a
 * counter's answer times must not leak the code digit by digit).
 */
export function pickupCodeMatches(issued: string | undefined, given: string): boolean {
  if (!issued) return false;
  const expected = Buffer.from(issued, 'utf8');
  const actual = Buffer.from(given, 'utf8');
  if (expected.length !== actual.length) {
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(expected, actual);
}

const LocationPickupPeriod = z.object({ collectWithinDays: z.number().int().min(1).max(90) });

/** Days a boutique keeps a ready order: the location's own `collectWithinDays`, else the default. */
export function collectWithinDays(location: unknown): number {
  const parsed = LocationPickupPeriod.safeParse(location);
  return parsed.success ? parsed.data.collectWithinDays : DEFAULT_COLLECT_WITHIN_DAYS;
}

async function mustGetOrder(commerce: CommerceRepository, orderId: string): Promise<Order> {
  const order = await commerce.getOrder(orderId);
  if (!order) throw new NotFoundError('No such order');
  return order;
}

function pickupOf(order: Order): OrderPickup {
  if (!order.pickup) throw new PickupNotAllowedError('This order is delivered, not collected in a boutique');
  return order.pickup;
}

/** The order moved on: the status follows from payment and pickup, a new milestone is recorded once. */
function advance(
  order: Order,
  pickup: OrderPickup,
  milestone: OrderMilestone | undefined,
  now: Date,
  reason: string,
  changes: Partial<Pick<Order, 'allocation'>> = {},
): Order {
  const draft: Order = { ...order, ...changes, pickup };
  const status = statusOf(draft);
  const at = now.toISOString();
  return {
    ...draft,
    status,
    milestones:
      milestone && !order.milestones.includes(milestone)
        ? [...order.milestones, milestone]
        : order.milestones,
    history: status === order.status ? order.history : [...order.history, { status, at, reason }],
    updatedAt: at,
    version: order.version + 1,
  };
}

function pickupRef(order: Order, pickup: OrderPickup) {
  return {
    orderId: order.orderId,
    orderNumber: order.orderNumber,
    checkoutId: order.checkoutId,
    zone: order.zone,
    market: order.market,
    customerId: order.customerId,
    locationId: pickup.locationId,
  };
}

const eventMeta = (order: Order, name: string, now: Date) => ({
  eventId: `order:${order.orderId}:${name}`,
  correlationId: order.checkoutId,
  occurredAt: now,
});

/** Refuses, with the reason, an order that cannot be made ready at its boutique. */
function assertCanBeReady(order: Order, pickup: OrderPickup): void {
  if (pickup.status !== 'awaiting_preparation') {
    throw new PickupNotAllowedError(`The pickup is ${pickup.status.replaceAll('_', ' ')}`);
  }
  if (order.status !== 'paid' && order.status !== 'authorized') {
    throw new PickupNotAllowedError(
      `Only paid or authorized orders can be made ready; this one is ${order.status.replaceAll('_', ' ')}`,
    );
  }
  const elsewhere = order.allocation.lines.filter((l) => l.locationId !== pickup.locationId);
  if (order.allocation.released || elsewhere.length > 0) {
    throw new PickupNotAllowedError(`The order's pieces are not all held at ${pickup.locationId}`, {
      skus: elsewhere.map((l) => l.sku),
    });
  }
}

/**
 * When a ready order must be collected: `collectWithinDays` of its location after `now`, but never
 * after a held authorization lapses (nothing could be captured at the counter by then).
 */
function collectByFor(order: Order, location: unknown, now: Date): string {
  const byPolicy = now.getTime() + collectWithinDays(location) * DAY_MS;
  const lapses =
    order.payment.state.state === 'requires_capture' && order.payment.captureBefore
      ? Date.parse(order.payment.captureBefore)
      : Number.POSITIVE_INFINITY;
  return new Date(Math.min(byPolicy, lapses)).toISOString();
}

/**
 * Staff mark a click-and-collect order ready at its boutique (`POST .../pickup/ready`): a six-digit code
 * is issued for the owner's eyes only, `collectBy` is set and ReadyForPickup is written with the order.
 * Only a paid or authorized order whose every piece is held at its boutique can be made ready
 * (PickupNotAllowedError otherwise). Repeating it answers the order as it stands, except that a pickup
 * locked by wrong codes gets a new code (and a ReadyForPickup with `reissued`), with the same deadline.
 */
export async function markReadyForPickup(deps: PickupDeps, orderId: string, staff: string): Promise<Order> {
  for (let attempt = 1; ; attempt++) {
    const order = await mustGetOrder(deps.commerce, orderId);
    const pickup = pickupOf(order);
    const now = deps.clock.now();
    const at = now.toISOString();
    let next: Order;
    if (pickup.status === 'ready' && order.status === 'ready_for_pickup') {
      if (!pickup.lockedAt) return order;
      const { lockedAt: _locked, ...unlocked } = pickup;
      const issue = (pickup.codesIssued ?? 1) + 1;
      next = {
        ...order,
        pickup: {
          ...unlocked,
          code: newPickupCode(),
          failedAttempts: 0,
          codesIssued: issue,
          codeIssuedBy: staff,
        },
        // The status does not change, but who unlocked a pickup after wrong codes is worth keeping.
        history: [...order.history, { status: order.status, at, reason: 'pickup code reissued' }],
        updatedAt: at,
        version: order.version + 1,
      };
      if (await saved(deps, next, order.version, [readyEvent(next, issue, now)], attempt)) return next;
      continue;
    }
    assertCanBeReady(order, pickup);
    const location = await deps.locations.get(pickup.locationId);
    next = advance(
      order,
      {
        ...pickup,
        status: 'ready',
        code: newPickupCode(),
        readyAt: at,
        collectBy: collectByFor(order, location, now),
        failedAttempts: 0,
        codesIssued: 1,
        codeIssuedBy: staff,
      },
      'ready_for_pickup',
      now,
      'ready for pickup',
    );
    if (await saved(deps, next, order.version, [readyEvent(next, 1, now)], attempt)) return next;
  }
}

function readyEvent(order: Order, issue: number, now: Date): DomainEvent {
  const pickup = order.pickup!;
  return domainEvent(
    ReadyForPickup,
    {
      ...pickupRef(order, pickup),
      readyAt: pickup.readyAt!,
      collectBy: pickup.collectBy!,
      reissued: issue > 1,
    },
    eventMeta(order, issue > 1 ? `ready_for_pickup:${issue}` : 'ready_for_pickup', now),
  );
}

/** Saves at the version read; false when the order changed meanwhile (read it again and redo). */
async function saved(
  deps: { commerce: CommerceRepository },
  next: Order,
  expectedVersion: number,
  events: readonly DomainEvent[],
  attempt: number,
): Promise<boolean> {
  try {
    await deps.commerce.saveOrder(next, expectedVersion, events);
    return true;
  } catch (error) {
    if (!(error instanceof VersionConflictError) || attempt >= MAX_SAVE_ATTEMPTS) throw error;
    return false;
  }
}

/**
 * Staff hand a ready order over (`POST .../pickup/collect`) once the shopper's code matches:
 * - a wrong code is counted (in the order, at the version read, so parallel guesses cannot exceed the
 *   limit) and answered PICKUP_CODE_INVALID; after {@link MAX_PICKUP_CODE_ATTEMPTS} every code is
 *   refused with PICKUP_CODE_LOCKED until staff issue a new one;
 * - a held authorization is captured first (key `order:{id}:capture`): nothing leaves the counter
 *   unpaid;
 * - the order becomes `collected` with OrderCollected in one conditional write (so exactly once, and
 *   never after the sweeper expired it), then its units are fulfilled (`collected`, by the staff
 *   member). Collecting a collected order answers it as it stands and finishes a fulfilment a crash
 *   interrupted.
 */
export async function collectPickup(
  deps: PickupDeps,
  orderId: string,
  staff: string,
  request: CollectPickupRequest,
): Promise<Order> {
  for (let attempt = 1; ; attempt++) {
    const order = await mustGetOrder(deps.commerce, orderId);
    const pickup = pickupOf(order);
    if (pickup.status === 'collected') {
      await fulfilStock(deps, order, staff);
      return order;
    }
    if (pickup.status !== 'ready' || order.status !== 'ready_for_pickup') {
      throw new PickupNotReadyError(
        `The order is ${order.status.replaceAll('_', ' ')}, not ready for pickup`,
      );
    }
    if (pickup.lockedAt) {
      throw new PickupCodeLockedError('Too many wrong codes: a new code must be issued before collection');
    }
    const now = deps.clock.now();
    const at = now.toISOString();
    if (!pickupCodeMatches(pickup.code, request.code)) {
      const failedAttempts = pickup.failedAttempts + 1;
      const locked = failedAttempts >= MAX_PICKUP_CODE_ATTEMPTS;
      const counted: Order = {
        ...order,
        pickup: { ...pickup, failedAttempts, ...(locked ? { lockedAt: at } : {}) },
        updatedAt: at,
        version: order.version + 1,
      };
      if (!(await saved(deps, counted, order.version, [], attempt))) continue;
      throw new PickupCodeInvalidError('The pickup code does not match', {
        attemptsLeft: MAX_PICKUP_CODE_ATTEMPTS - failedAttempts,
      });
    }
    const captured = await captureHeldFunds(deps, order, now);
    const events: DomainEvent[] = [];
    let paid = order;
    const transition =
      captured && applyPaymentState(order, captured, now, { reason: 'captured at collection' });
    if (transition) {
      paid = transition.order;
      events.push(...milestoneEvents(paid, transition.newMilestones, now));
    }
    const { code: _code, ...rest } = pickup;
    const next: Order = {
      ...advance(
        paid,
        { ...rest, status: 'collected', collectedAt: at, handedOverBy: staff },
        'collected',
        now,
        'collected at the boutique',
      ),
      version: order.version + 1,
    };
    events.push(
      domainEvent(
        OrderCollected,
        {
          ...pickupRef(next, pickup),
          collectedAt: at,
          lines: next.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
        },
        eventMeta(next, 'collected', now),
      ),
    );
    if (!(await saved(deps, next, order.version, events, attempt))) continue;
    await fulfilStock(deps, next, staff);
    return next;
  }
}

/** Captures a held authorization; undefined when the funds were already taken. */
async function captureHeldFunds(
  deps: PickupDeps,
  order: Order,
  now: Date,
): Promise<PaymentStateSnapshot | undefined> {
  if (order.payment.state.state !== 'requires_capture') return undefined;
  const pi = order.payment.paymentIntentId;
  let intent: PaymentIntentView;
  try {
    intent = await deps.payments.capture(pi, {
      idempotencyKey: idempotencyKeyFor('order.capture', order.orderId),
    });
  } catch (error) {
    if (!(error instanceof PaymentIntentStateError)) throw error;
    intent = await deps.payments.retrieve(pi);
  }
  if (intent.status !== 'succeeded') {
    throw new PickupPaymentUnavailableError(
      'The payment authorization can no longer be captured; the order cannot be handed over',
    );
  }
  return { state: 'succeeded', occurredAt: now.toISOString() };
}

/** Takes the collected units off the boutique's books, unless that is already done. */
async function fulfilStock(deps: Pick<PickupDeps, 'stock' | 'clock'>, order: Order, staff: string) {
  const reservationId = order.allocation.reservationId;
  const reservation = await deps.stock.get(reservationId);
  if (reservation?.status !== 'allocated') return;
  await deps.stock.fulfil(reservationId, {
    actor: { kind: 'staff', id: staff },
    reason: 'collected',
    reference: order.orderId,
    now: deps.clock.now(),
  });
}

/** What one pickup sweep did. */
export interface PickupSweepReport {
  /** Ready orders past their collect-by time that became `uncollected`. */
  readonly expired: number;
  /** Uncollected orders whose units went back to the boutique and whose payment was given back. */
  readonly settled: number;
  /** Orders the sweep could not finish; the next sweep retries them. */
  readonly failed: readonly { readonly orderId: string; readonly error: string }[];
}

/**
 * The scheduled pickup sweeper: ready orders past `collectBy` become `uncollected`, then their units go
 * back to the boutique (`stock.release`, reason `uncollected`) and their payment to the shopper: a held
 * authorization is cancelled (key `order:{id}:cancel:uncollected`), captured funds are refunded (key
 * `order:{id}:refund:uncollected`). Expiry and settlement are two conditional writes, each with its
 * events (PickupExpired, then PaymentRefunded or OrderCancelled), and the order stays in the due index
 * until both are done, so a crash anywhere is finished by the next sweep and a collection racing the
 * expiry either wins outright or is refused.
 *
 * `now` defaults to the clock; pass a later one to play the sweep of a future day.
 */
export async function sweepUncollected(
  deps: PickupSweepDeps,
  options: { readonly now?: Date } = {},
): Promise<PickupSweepReport> {
  const now = options.now ?? deps.clock.now();
  let expired = 0;
  let settled = 0;
  const failed = new Map<string, string>();
  for (let pass = 0; pass < 20; pass++) {
    const due = (await deps.commerce.duePickups(now, SWEEP_PAGE)).filter((d) => !failed.has(d.orderId));
    if (due.length === 0) break;
    let progress = 0;
    let next = 0;
    const worker = async () => {
      while (next < due.length) {
        const { orderId } = due[next++]!;
        const outcome = { expired: false, settled: false };
        try {
          await expireAndSettle(deps, orderId, now, outcome);
        } catch (error) {
          failed.set(orderId, error instanceof Error ? error.message : String(error));
        }
        if (outcome.expired) expired++;
        if (outcome.settled) settled++;
        if (outcome.expired || outcome.settled) progress++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(SWEEP_CONCURRENCY, due.length) }, worker));
    // The index is eventually consistent: entries already handled can come back for a moment.
    if (progress === 0 || due.length < SWEEP_PAGE) break;
  }
  return { expired, settled, failed: [...failed].map(([orderId, error]) => ({ orderId, error })) };
}

/** Expires one overdue pickup, then settles it; `outcome` records each step once it is saved. */
async function expireAndSettle(
  deps: PickupSweepDeps,
  orderId: string,
  now: Date,
  outcome: { expired: boolean; settled: boolean },
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    let order = await deps.commerce.getOrder(orderId);
    const pickup = order?.pickup;
    if (!order || !pickup) return;
    if (pickup.status === 'ready' && order.status === 'ready_for_pickup') {
      if (!pickup.collectBy || pickup.collectBy >= now.toISOString()) return;
      const { code: _code, ...rest } = pickup;
      const next = advance(
        order,
        { ...rest, status: 'uncollected', expiredAt: now.toISOString() },
        'uncollected',
        now,
        `not collected by ${pickup.collectBy}`,
        { allocation: { ...order.allocation, released: true } },
      );
      const event = domainEvent(
        PickupExpired,
        { ...pickupRef(order, pickup), collectBy: pickup.collectBy, expiredAt: now.toISOString() },
        eventMeta(order, 'pickup_expired', now),
      );
      if (!(await saved(deps, next, order.version, [event], attempt))) continue;
      outcome.expired = true;
      order = next;
    }
    if (order.pickup?.status !== 'uncollected' || order.pickup.settledAt) return;
    await deps.stock.release(order.allocation.reservationId, 'uncollected', now);
    const payment = await givePaymentBack(deps, order, now);
    const settledOrder: Order = {
      ...order,
      pickup: { ...order.pickup, settledAt: now.toISOString() },
    };
    const transition =
      payment && applyPaymentState(settledOrder, payment, now, { reason: 'not collected in time' });
    const next: Order = transition
      ? transition.order
      : { ...settledOrder, updatedAt: now.toISOString(), version: order.version + 1 };
    const events = transition ? milestoneEvents(next, transition.newMilestones, now) : [];
    if (await saved(deps, next, order.version, events, attempt)) {
      outcome.settled = true;
      return;
    }
  }
}

/**
 * Cancels a held authorization or refunds captured funds, with keys naming the operation so a sweep
 * that runs again replays Stripe's first answer. Answers the payment state it left, or undefined when
 * the payment was already settled.
 */
async function givePaymentBack(
  deps: PickupSweepDeps,
  order: Order,
  now: Date,
): Promise<PaymentStateSnapshot | undefined> {
  const state = order.payment.state.state;
  if (state === 'canceled' || state === 'refunded') return undefined;
  const pi = order.payment.paymentIntentId;
  const occurredAt = now.toISOString();
  if (state === 'requires_capture') {
    try {
      const intent = await deps.payments.cancel(pi, {
        reason: 'abandoned',
        idempotencyKey: idempotencyKeyFor('order.cancel', order.orderId, 'uncollected'),
      });
      return { state: intent.status, occurredAt };
    } catch (error) {
      if (!(error instanceof PaymentIntentStateError)) throw error;
      // Cancelled by Stripe when the hold lapsed, or captured by a collection that lost the race.
      const intent = await deps.payments.retrieve(pi);
      if (intent.status === 'canceled') return { state: 'canceled', occurredAt };
      if (intent.status !== 'succeeded') throw error;
    }
  }
  try {
    const refund = await deps.payments.refund(pi, {
      metadata: { orderId: order.orderId, reason: 'uncollected' },
      idempotencyKey: idempotencyKeyFor('order.refund', order.orderId, 'uncollected'),
    });
    return refundedState(refund.paymentIntent, occurredAt);
  } catch (error) {
    if (!(error instanceof PaymentIntentStateError || error instanceof PaymentAmountError)) throw error;
    // Nothing left to refund: someone refunded it by hand meanwhile.
    const intent = await deps.payments.retrieve(pi);
    if (intent.amountRefunded.amount < intent.amountReceived.amount) throw error;
    return refundedState(intent, occurredAt);
  }
}

function refundedState(intent: PaymentIntentView, occurredAt: string): PaymentStateSnapshot {
  const amountRefunded = intent.amountRefunded.amount;
  return {
    state: amountRefunded >= intent.amountReceived.amount ? 'refunded' : 'partially_refunded',
    occurredAt,
    amountRefunded,
  };
}
