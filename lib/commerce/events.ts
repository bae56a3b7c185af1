import { z } from 'zod';
import { defineEvent } from '../contracts/events.ts';
import { Money } from '../money/currency.ts';
import { MarketCode } from '../money/markets.ts';

const CheckoutRef = {
  checkoutId: z.string(),
  zone: z.string(),
  market: MarketCode,
  total: Money,
};

/** A checkout priced, screened, its stock reserved and its PaymentIntent created. */
export const CheckoutStarted = defineEvent({
  source: 'vitrine.checkout',
  detailType: 'CheckoutStarted',
  version: 1,
  data: z.strictObject({
    ...CheckoutRef,
    riskDecision: z.string(),
    captureMethod: z.enum(['automatic', 'manual']),
    holdUntil: z.iso.datetime(),
    skus: z.array(z.string()),
  }),
});

/**
 * A checkout ended without an order: the hold expired, the payment was cancelled, stock ran out at
 * payment, or a drop's payment method was over its limit (the authorization was voided).
 */
export const CheckoutAbandoned = defineEvent({
  source: 'vitrine.checkout',
  detailType: 'CheckoutAbandoned',
  version: 1,
  data: z.strictObject({
    ...CheckoutRef,
    reason: z.enum(['hold_expired', 'payment_canceled', 'out_of_stock_at_payment', 'payment_method_limit']),
  }),
});

const OrderRef = {
  orderId: z.string(),
  orderNumber: z.string(),
  checkoutId: z.string(),
  zone: z.string(),
  market: MarketCode,
};

/** An order exists: its payment was authorized or taken, and its stock is allocated. */
export const OrderPlaced = defineEvent({
  source: 'vitrine.orders',
  detailType: 'OrderPlaced',
  version: 1,
  data: z.strictObject({
    ...OrderRef,
    customerId: z.string(),
    status: z.string(),
    total: Money,
    lines: z.array(z.strictObject({ sku: z.string(), quantity: z.number().int(), locationId: z.string() })),
    delivery: z.strictObject({
      method: z.string(),
      pickupLocationId: z.string().optional(),
      country: z.string(),
    }),
    /** The drop whose won units the order bought: the drops service marks the entry purchased. */
    dropId: z.string().optional(),
  }),
});

/** A manual-capture authorization is held; it must be captured before `captureBefore`. */
export const PaymentAuthorized = defineEvent({
  source: 'vitrine.orders',
  detailType: 'PaymentAuthorized',
  version: 1,
  data: z.strictObject({
    ...OrderRef,
    paymentIntentId: z.string(),
    amount: Money,
    captureBefore: z.iso.datetime().optional(),
    underReview: z.boolean(),
  }),
});

/** Funds were captured. */
export const PaymentCaptured = defineEvent({
  source: 'vitrine.orders',
  detailType: 'PaymentCaptured',
  version: 1,
  data: z.strictObject({ ...OrderRef, paymentIntentId: z.string(), amount: Money }),
});

/** Captured funds were refunded in full. */
export const PaymentRefunded = defineEvent({
  source: 'vitrine.orders',
  detailType: 'PaymentRefunded',
  version: 1,
  data: z.strictObject({ ...OrderRef, paymentIntentId: z.string(), amount: Money }),
});

/** An order was cancelled (rejected in review, authorization expired or cancelled) and its stock released. */
export const OrderCancelled = defineEvent({
  source: 'vitrine.orders',
  detailType: 'OrderCancelled',
  version: 1,
  data: z.strictObject({ ...OrderRef, reason: z.string() }),
});

const PickupRef = {
  ...OrderRef,
  customerId: z.string(),
  locationId: z.string(),
};

/**
 * A click-and-collect order is ready at its boutique (or, after too many wrong codes, a new code was
 * issued: `reissued`). The code itself is never in the event: the shopper reads it from their order.
 */
export const ReadyForPickup = defineEvent({
  source: 'vitrine.orders',
  detailType: 'ReadyForPickup',
  version: 1,
  data: z.strictObject({
    ...PickupRef,
    readyAt: z.iso.datetime(),
    collectBy: z.iso.datetime(),
    reissued: z.boolean(),
  }),
});

/** The shopper collected the order at its boutique: the code matched and the units left the shelf. */
export const OrderCollected = defineEvent({
  source: 'vitrine.orders',
  detailType: 'OrderCollected',
  version: 1,
  data: z.strictObject({
    ...PickupRef,
    collectedAt: z.iso.datetime(),
    lines: z.array(z.strictObject({ sku: z.string(), quantity: z.number().int() })),
  }),
});

/**
 * A ready order was not collected by its deadline: its units go back to the boutique and its payment to
 * the shopper (PaymentRefunded or OrderCancelled follow once that is done).
 */
export const PickupExpired = defineEvent({
  source: 'vitrine.orders',
  detailType: 'PickupExpired',
  version: 1,
  data: z.strictObject({
    ...PickupRef,
    collectBy: z.iso.datetime(),
    expiredAt: z.iso.datetime(),
  }),
});
