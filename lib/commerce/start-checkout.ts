import type { ProductRepository } from '../catalog/ports.ts';
import type { TransitModelSource } from '../delivery/lane-history.ts';
import type { DropStore } from '../drops/ports.ts';
import { type DropHold, dropHoldForCheckout } from '../drops/use-cases.ts';
import { DomainError, NotFoundError, UnprocessableError } from '../errors.ts';
import { OutOfStockError } from '../inventory/errors.ts';
import { planReservation } from '../inventory/plan-reservation.ts';
import type { Channel, DemandLine, Reservation, ReservationLine } from '../inventory/stock.ts';
import type { StockStore } from '../inventory/stock-store.ts';
import type { MarketCode } from '../money/markets.ts';
import { captureMethodFor, capturePolicyFor } from '../payments/capture-policy.ts';
import { idempotencyKeyFor } from '../payments/idempotency-keys.ts';
import type { PaymentGateway } from '../payments/payment-gateway.ts';
import { type Clock, domainEvent } from '../platform/domain-event.ts';
import { priceCart } from '../pricing/price-cart.ts';
import type { Destination, ShippingMethodId } from '../pricing/schemas.ts';
import { type RiskPolicy, riskPolicyFor } from '../risk/risk-policy.ts';
import { screenRisk } from '../risk/screen-risk.ts';
import type { VelocityStore } from '../risk/velocity-store.ts';
import { CartCheckedOutError, SkuNotAvailableError } from './cart.ts';
import { type Checkout, type CheckoutRequest, type CheckoutView, SHOPPER_CHANNELS } from './checkout.ts';
import type { CommerceRepository } from './commerce-repository.ts';
import { deliveryPromise, paidLines } from './delivery-promise.ts';
import { CheckoutStarted } from './events.ts';
import { derivedZoneId, orderIdOf } from './ids.ts';
import {
  type CheckoutCarts,
  type CheckoutStep,
  type FaultHook,
  type LocationDirectory,
  locationsById,
} from './ports.ts';

/** How long checkout holds stock while the shopper pays. Orders turn the hold into an allocation. */
export const DEFAULT_HOLD_MINUTES = 15;

export class CartEmptyError extends UnprocessableError {
  override readonly code = 'CART_EMPTY';
}
export class PickupLocationUnavailableError extends UnprocessableError {
  override readonly code = 'PICKUP_LOCATION_UNAVAILABLE';
}
/** A checkout naming a drop whose cart is not exactly the units the shopper won in it. */
export class DropCartMismatchError extends UnprocessableError {
  override readonly code = 'DROP_CART_MISMATCH';
}
/** A channel operated by the house (boutique, social, clienteling) asked for without the staff scope. */
export class ChannelNotAllowedError extends DomainError {
  readonly code = 'CHANNEL_NOT_ALLOWED';
  readonly status = 403;
}

/** Everything checkout uses; both composition roots build it. */
export interface CheckoutDeps {
  readonly commerce: CommerceRepository;
  readonly checkoutCarts: CheckoutCarts;
  readonly products: Pick<ProductRepository, 'getBySku'>;
  readonly stock: StockStore;
  readonly locations: LocationDirectory;
  readonly payments: PaymentGateway;
  readonly velocity: VelocityStore;
  readonly clock: Clock;
  readonly region: string;
  /** @default DEFAULT_HOLD_MINUTES */
  readonly holdMinutes?: number;
  /** @default the built-in policy of each market */
  readonly riskPolicy?: (market: MarketCode) => RiskPolicy;
  readonly faults?: FaultHook;
  /**
   * The drops' store, for checkouts that pay for units won in a drop (`dropId`).
   * @default - none: such a checkout fails as misconfigured
   */
  readonly drops?: Pick<DropStore, 'get' | 'getEntry' | 'bindCheckout'>;
  /**
   * The transit times learned from delivered shipments, for the delivery windows of the promise.
   * @default - the default table of every lane
   */
  readonly transitModel?: TransitModelSource;
}

/** Who is checking out, and the request's `Idempotency-Key` (scoped to them) that names this checkout. */
export interface CheckoutCaller {
  readonly customerId: string;
  readonly ip: string;
  readonly userAgent?: string | undefined;
  readonly idempotency: { readonly scope: string; readonly key: string };
  /** Whether the token carries the staff scope: house-operated channels need it. */
  readonly staff?: boolean | undefined;
}

async function step(deps: CheckoutDeps, name: CheckoutStep): Promise<void> {
  await deps.faults?.(name);
}

interface ResolvedLine {
  readonly sku: string;
  readonly productId: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPrice: number;
  readonly limitedEdition: boolean;
  /** The product's category: some always travel against a signature. */
  readonly category: string;
}

async function resolveLines(
  deps: CheckoutDeps,
  market: MarketCode,
  lines: readonly { sku: string; quantity: number }[],
): Promise<ResolvedLine[]> {
  const found = await Promise.all(lines.map((line) => deps.products.getBySku(line.sku)));
  const unavailable: string[] = [];
  const resolved: ResolvedLine[] = [];
  lines.forEach((line, i) => {
    const hit = found[i];
    const price = hit?.product.prices.find((p) => p.market === market);
    if (hit?.product.status !== 'active' || !price) {
      unavailable.push(line.sku);
      return;
    }
    resolved.push({
      sku: line.sku,
      productId: hit.product.productId,
      name: hit.product.name,
      quantity: line.quantity,
      unitPrice: price.amount,
      limitedEdition: hit.variant.edition !== undefined,
      category: hit.product.category.id,
    });
  });
  if (unavailable.length > 0) {
    throw new SkuNotAvailableError(`${unavailable.join(', ')} can no longer be bought in ${market}`, {
      skus: unavailable,
    });
  }
  return resolved;
}

/**
 * Plans where the stock comes from: the pools of the cart's SKUs (an eventually consistent read) and
 * the locations holding them, from the directory, which says each one's home region and priority.
 */
async function planStock(
  deps: CheckoutDeps,
  demand: readonly DemandLine[],
  preference: { zone: string; channel: Channel; pickupLocationId?: string | undefined },
): Promise<ReservationLine[]> {
  const pools = await deps.stock.pools(demand.map((line) => line.sku));
  const locations = await locationsById(
    deps.locations,
    pools.map((pool) => pool.locationId),
  );
  return planReservation(demand, pools, { ...preference, locations });
}

/** Units per SKU, lines of one SKU summed. */
function unitsBySku(lines: readonly { sku: string; quantity: number }[]): Map<string, number> {
  const units = new Map<string, number>();
  for (const line of lines) units.set(line.sku, (units.get(line.sku) ?? 0) + line.quantity);
  return units;
}

/**
 * Binds the caller's won drop entry to this checkout, once the cart is found to hold exactly the won
 * units and a pickup to be at the location holding them; both are checked before binding, so a refused
 * checkout leaves the hold free for the shopper's next attempt.
 */
async function bindDropHold(
  deps: CheckoutDeps,
  request: { readonly dropId: string; readonly pickupLocationId?: string | undefined },
  caller: CheckoutCaller,
  checkoutId: string,
  cartLines: readonly { sku: string; quantity: number }[],
  now: Date,
): Promise<DropHold> {
  const drops = deps.drops;
  if (!drops) throw new Error('Checkout has no drop store: drop checkouts are not wired here');
  const { dropId, pickupLocationId } = request;
  return dropHoldForCheckout(
    { drops },
    {
      dropId,
      sub: caller.customerId,
      checkoutId,
      now,
      accept: (hold) => {
        const cart = unitsBySku(cartLines);
        const won = unitsBySku(hold.lines);
        if (cart.size !== won.size || [...won].some(([sku, units]) => cart.get(sku) !== units)) {
          throw new DropCartMismatchError(`The cart must hold exactly the units won in drop ${dropId}`, {
            dropId,
            won: hold.lines,
          });
        }
        if (pickupLocationId !== undefined && pickupLocationId !== hold.locationId) {
          throw new PickupLocationUnavailableError(
            `The units won in drop ${dropId} can only be collected at ${hold.locationId}`,
            { dropId, locationId: hold.locationId },
          );
        }
      },
    },
  );
}

/** The reservation of a drop hold: its units, at its location, all from the drop's fence. */
function dropLines(hold: DropHold): ReservationLine[] {
  return hold.lines.map((line) => ({
    sku: line.sku,
    locationId: hold.locationId,
    quantity: line.quantity,
    fence: { key: hold.fenceKey, units: line.quantity },
  }));
}

async function deliveryOf(
  deps: CheckoutDeps,
  zone: string,
  request: CheckoutRequest,
): Promise<{ destination: Destination; method: ShippingMethodId }> {
  if (request.pickupLocationId) {
    const location = await deps.locations.get(request.pickupLocationId);
    if (!location?.pickupCapable || location.zone !== zone) {
      throw new PickupLocationUnavailableError(
        `${request.pickupLocationId} is not a boutique offering click and collect for this market`,
      );
    }
    return {
      destination: {
        country: location.country,
        ...(location.subdivision ? { region: location.subdivision } : {}),
      },
      method: 'pickup',
    };
  }
  const address = request.shippingAddress!;
  return {
    destination: { country: address.country, ...(address.region ? { region: address.region } : {}) },
    method: request.shippingMethod!,
  };
}

/**
 * Starts a checkout (`POST /v1/checkouts`): validates and prices the cart from the market's price list,
 * screens risk, reserves every line's stock in one transaction, creates the PaymentIntent and stores the
 * checkout with its `CheckoutStarted` event.
 *
 * The checkout id is derived from the caller's Idempotency-Key, and every step is idempotent on it (the
 * reservation is a conditional put named by the checkout, the PaymentIntent's Stripe key is
 * `checkout:{id}:pi-create`, the checkout a conditional put), so a retry after a crash at any step
 * resumes where the first attempt stopped: never a second reservation or a second intent. A crash that is
 * never retried leaves a hold the sweeper releases at `holdUntil`.
 */
export async function startCheckout(
  deps: CheckoutDeps,
  caller: CheckoutCaller,
  request: CheckoutRequest,
): Promise<Checkout> {
  const channel = request.channel ?? 'web';
  if (!SHOPPER_CHANNELS.includes(channel) && !caller.staff) {
    throw new ChannelNotAllowedError(
      `The ${channel} channel is operated by the house: its clients call with the staff scope`,
      { channel, allowed: [...SHOPPER_CHANNELS] },
    );
  }
  const cart = await deps.checkoutCarts.getForCheckout(request.cartId);
  if (!cart || cart.customerId !== caller.customerId) {
    throw new NotFoundError('No such cart among yours; sign in and claim it first');
  }
  const zone = cart.zone;
  const checkoutId = derivedZoneId('chk', zone, `${caller.idempotency.scope}\n${caller.idempotency.key}`);
  const existing = await deps.commerce.getCheckout(checkoutId);
  if (existing) return existing;
  if (cart.status !== 'active') throw new CartCheckedOutError('This cart has already been ordered');
  if (cart.lines.length === 0) throw new CartEmptyError('The cart is empty');

  const market = cart.market as MarketCode;
  const now = deps.clock.now();
  const lines = await resolveLines(deps, market, cart.lines);
  const { destination, method } = await deliveryOf(deps, zone, request);
  const totals = priceCart({
    market,
    lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: l.unitPrice })),
    destination,
    shippingMethod: method,
  });
  await step(deps, 'priced');

  // Stock is planned before screening so that, once a piece sells out, losers are refused without
  // writing velocity counters. A retry after a crash past the reservation resumes its own lines:
  // planning again would count the units it holds as taken (OUT_OF_STOCK on the last piece) or
  // choose another location (a conflict with the stored lines).
  const previous = await deps.stock.get(checkoutId);
  const demand = lines.map((l) => ({ sku: l.sku, quantity: l.quantity }));
  const preference = { zone, channel, pickupLocationId: request.pickupLocationId };
  // A drop winner's units are not planned: they wait in the drop's fence at the drop's location.
  const hold = request.dropId
    ? await bindDropHold(deps, { ...request, dropId: request.dropId }, caller, checkoutId, cart.lines, now)
    : undefined;
  const plan = previous?.lines ?? (hold ? dropLines(hold) : await planStock(deps, demand, preference));

  const total = { amount: totals.total, currency: totals.currency };
  const address = request.shippingAddress;
  const assessment = await screenRisk(
    (deps.riskPolicy ?? riskPolicyFor)(market),
    {
      order: {
        total,
        market,
        items: lines.map((l) => ({ sku: l.sku, quantity: l.quantity, limitedEdition: l.limitedEdition })),
      },
      customer: {
        id: caller.customerId,
        email: request.email,
        previousPaidOrders: await deps.commerce.countPaidOrders(caller.customerId, zone, 10),
      },
      context: {
        attemptId: `checkout:${checkoutId}`,
        ip: caller.ip,
        ...(caller.userAgent ? { userAgent: caller.userAgent.slice(0, 1000) } : {}),
        shippingAddress: address
          ? {
              line1: address.line1,
              ...(address.line2 ? { line2: address.line2 } : {}),
              city: address.city,
              ...(address.region ? { region: address.region } : {}),
              postalCode: address.postalCode,
              country: address.country,
            }
          : { line1: `pickup ${request.pickupLocationId}`, city: 'pickup', country: destination.country },
        now: now.toISOString(),
      },
    },
    deps.velocity,
  );
  await step(deps, 'screened');

  const base: Checkout = {
    checkoutId,
    zone,
    status: 'declined',
    customerId: caller.customerId,
    cartId: cart.cartId,
    market,
    email: request.email,
    channel,
    delivery: {
      method,
      ...(address ? { shippingAddress: address } : {}),
      ...(request.pickupLocationId ? { pickupLocationId: request.pickupLocationId } : {}),
    },
    lines: lines.map((l) => ({ sku: l.sku, productId: l.productId, name: l.name, quantity: l.quantity })),
    totals,
    risk: { decision: assessment.decision, assessment },
    payment: null,
    reservation: null,
    orderId: orderIdOf(checkoutId),
    ...(request.dropId ? { dropId: request.dropId } : {}),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 1,
  };
  if (assessment.decision === 'decline') {
    // Refused before any stock is held or any intent exists; stored so staff can see why.
    return deps.commerce.createCheckout(base, []);
  }

  // A drop's units are the winner's until the drop's pay-by, not for the usual checkout hold.
  const holdUntil = hold
    ? new Date(hold.holdUntil)
    : new Date(now.getTime() + (deps.holdMinutes ?? DEFAULT_HOLD_MINUTES) * 60_000);
  const reserve = (reservationLines: ReservationLine[]) =>
    deps.stock.reserve({
      reservationId: checkoutId,
      lines: reservationLines,
      holdUntil,
      owner: { zone, checkoutId },
      now,
    });
  let reservation: Reservation;
  try {
    reservation = await reserve(plan);
  } catch (error) {
    // The plan was made from an eventually consistent read, which may still show units another checkout
    // took, or miss units just received or released elsewhere: read and plan once more before refusing.
    // A resumed reservation's lines are fixed, so only a fresh plan is retried.
    if (!(error instanceof OutOfStockError) || previous || hold) throw error;
    reservation = await reserve(await planStock(deps, demand, preference));
  }
  await step(deps, 'reserved');

  const policyCapture = captureMethodFor(
    capturePolicyFor(market),
    assessment.decision === 'review' ? 'review' : 'normal',
    total,
  );
  // A drop's payment is only authorized at first: its payment method is held to the drop's limit when
  // the order is placed, and one over it is voided, never charged and refunded. Under the limit it is
  // captured at once, unless the policy would have held it anyway.
  const captureMethod = hold ? 'manual' : policyCapture;
  const captureWhenPlaced = hold !== undefined && policyCapture === 'automatic';
  const require3ds = assessment.decision === 'require_3ds';
  let intent: Awaited<ReturnType<PaymentGateway['createPaymentIntent']>>;
  try {
    intent = await deps.payments.createPaymentIntent({
      amount: total,
      captureMethod,
      require3ds,
      metadata: { checkoutId, orderId: base.orderId, zone, market },
      idempotencyKey: idempotencyKeyFor('checkout.pi-create', checkoutId),
    });
  } catch (error) {
    // A refusal will not change on retry: give the stock back now. A transient failure keeps the hold
    // so the client's retry resumes with it (the sweeper frees it if no retry comes).
    if (error instanceof DomainError && error.status < 500) {
      await deps.stock.release(checkoutId, 'payment_intent_refused', now);
    }
    throw error;
  }
  await step(deps, 'payment-intent-created');

  // Made from the units actually held, so the parcels shown before payment are the ones that ship.
  const model = await deps.transitModel?.();
  const promise = deliveryPromise(
    {
      market,
      lines: paidLines(totals, (sku) => lines.find((l) => l.sku === sku)?.category),
      reserved: reservation.lines,
      delivery: base.delivery,
      locations: await locationsById(
        deps.locations,
        reservation.lines.map((l) => l.locationId),
      ),
      now,
    },
    model ? { model } : {},
  );

  const checkout: Checkout = {
    ...base,
    status: 'awaiting_payment',
    payment: {
      paymentIntentId: intent.id,
      ...(intent.clientSecret ? { clientSecret: intent.clientSecret } : {}),
      status: intent.status,
      captureMethod,
      ...(captureWhenPlaced ? { captureWhenPlaced } : {}),
      amount: total,
      require3ds,
    },
    reservation: {
      reservationId: reservation.reservationId,
      holdUntil: reservation.holdUntil,
      // Which fence each unit came from is the stock store's concern; the shopper sees where it ships from.
      lines: reservation.lines.map((l) => ({ sku: l.sku, locationId: l.locationId, quantity: l.quantity })),
      released: reservation.status === 'released',
    },
    deliveryPromise: promise,
  };
  const started = domainEvent(
    CheckoutStarted,
    {
      checkoutId,
      zone,
      market,
      total,
      riskDecision: assessment.decision,
      captureMethod,
      holdUntil: reservation.holdUntil,
      skus: lines.map((l) => l.sku),
    },
    { eventId: `checkout:${checkoutId}:started`, correlationId: checkoutId, occurredAt: now },
  );
  const saved = await deps.commerce.createCheckout(checkout, [started]);
  await step(deps, 'checkout-saved');
  return saved;
}

/** The checkout as its owner sees it: the risk decision without the reasons, which are for staff. */
export function checkoutView(checkout: Checkout, staff: boolean): CheckoutView {
  if (staff) return checkout;
  return { ...checkout, risk: { decision: checkout.risk.decision } };
}
