import { z } from 'zod';
import { Slug } from '../contracts/catalog.ts';
import { DropId } from '../drops/drop.ts';
import { Channel } from '../inventory/stock.ts';
import { Money } from '../money/currency.ts';
import { MarketCode } from '../money/markets.ts';
import { LastPaymentError, PaymentIntentStatus } from '../payments/payment-intent.ts';
import { CartTotals, ShippingMethodId } from '../pricing/schemas.ts';
import { RiskAssessment, RiskDecision } from '../risk/risk-assessment.ts';
import { DeliveryPromise } from './delivery-promise.ts';

const Text = (max: number) => z.string().trim().min(1).max(max);

/** Where a shipped order goes. The name is the recipient's; screening never reads it. */
export const ShippingAddress = z
  .strictObject({
    name: Text(200),
    line1: Text(200),
    line2: Text(200).optional(),
    city: Text(100),
    region: z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be a two-letter state or province code such as NY')
      .optional()
      .describe('US state or Canadian province; required for US and CA'),
    postalCode: Text(20),
    country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as FR'),
  })
  .meta({ id: 'ShippingAddress' });
export type ShippingAddress = z.infer<typeof ShippingAddress>;

/** How an order reaches the shopper: shipped to an address, or collected in a boutique. */
export const Delivery = z
  .strictObject({
    method: ShippingMethodId,
    shippingAddress: ShippingAddress.optional(),
    pickupLocationId: z.string().optional(),
  })
  .meta({ id: 'Delivery' });
export type Delivery = z.infer<typeof Delivery>;

/**
 * The channels a shopper's own token may sell through. The others are operated by the house: boutique
 * tablets, sales associates (clienteling) and the social-commerce integrations call as staff clients.
 */
export const SHOPPER_CHANNELS: readonly Channel[] = ['web', 'app'];

/** Body of `POST /v1/checkouts`: a shipping method with an address, or a boutique for click and collect. */
export const CheckoutRequest = z
  .strictObject({
    cartId: z.string().min(1).max(64),
    email: z.email().max(320),
    shippingAddress: ShippingAddress.optional().describe('Required unless pickupLocationId is given'),
    shippingMethod: ShippingMethodId.exclude(['pickup']).optional(),
    pickupLocationId: Slug.optional().describe('Collect in this boutique instead of shipping'),
    channel: Channel.optional().describe(
      'The sales channel, which decides the stock allocation drawn on. `web` (default) or `app` for ' +
        'shoppers; the others need the staff scope (boutique tablets, sales associates, social integrations)',
    ),
    dropId: DropId.optional().describe(
      'Pay for units won in this drop: the cart must hold exactly the won SKU and quantity; they are held ' +
        'from the drop until its pay-by time',
    ),
  })
  .superRefine((body, ctx) => {
    const pickup = body.pickupLocationId !== undefined;
    if (pickup === (body.shippingMethod !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['shippingMethod'],
        message: 'give either shippingMethod (with shippingAddress) or pickupLocationId',
      });
    }
    if (!pickup && !body.shippingAddress) {
      ctx.addIssue({ code: 'custom', path: ['shippingAddress'], message: 'required when shipping' });
    }
  })
  .meta({ id: 'CheckoutRequest' });
export type CheckoutRequest = z.infer<typeof CheckoutRequest>;

/**
 * Where a checkout stands:
 * - `awaiting_payment`: stock is held until `reservation.holdUntil`; the storefront confirms the intent;
 * - `payment_failed`: the last attempt was declined and the held stock released; a new attempt on the
 *   same intent takes the stock again if it is still there;
 * - `completed`: the order exists (`orderId`);
 * - `abandoned`: the hold expired or the intent was cancelled; stock released;
 * - `declined`: risk screening refused it; no stock was held and no intent created.
 */
export const CheckoutStatus = z.enum([
  'awaiting_payment',
  'payment_failed',
  'completed',
  'abandoned',
  'declined',
]);
export type CheckoutStatus = z.infer<typeof CheckoutStatus>;

export const CheckoutPayment = z
  .strictObject({
    paymentIntentId: z.string(),
    clientSecret: z.string().optional().describe('For Stripe Elements; confirms this one intent only'),
    status: PaymentIntentStatus,
    captureMethod: z.enum(['automatic', 'manual']),
    captureWhenPlaced: z
      .boolean()
      .optional()
      .describe(
        'Authorized only for the checks made when the order is placed (a drop payment method under ' +
          "the drop's limit), then captured at once",
      ),
    amount: Money,
    require3ds: z.boolean(),
    nextActionType: z.string().optional(),
    lastPaymentError: LastPaymentError.optional(),
    /** Stripe's `created` of the last event applied, so an older event never overwrites a newer one. */
    updatedFromEventAt: z.iso.datetime().optional(),
  })
  .meta({ id: 'CheckoutPayment' });
export type CheckoutPayment = z.infer<typeof CheckoutPayment>;

export const ReservedLine = z.strictObject({
  sku: z.string(),
  locationId: z.string(),
  quantity: z.number().int().positive(),
});

/** The stored checkout, also its API view (the owner sees all of it; staff see it too). */
export const Checkout = z
  .strictObject({
    checkoutId: z.string(),
    zone: z.string(),
    status: CheckoutStatus,
    customerId: z.string(),
    cartId: z.string(),
    market: MarketCode,
    email: z.string(),
    channel: Channel.optional().describe(
      'The channel that sold it; absent on checkouts from before channels (web)',
    ),
    delivery: Delivery,
    lines: z.array(
      z.strictObject({
        sku: z.string(),
        productId: z.string(),
        name: z.string(),
        quantity: z.number().int(),
      }),
    ),
    totals: CartTotals,
    risk: z.strictObject({ decision: RiskDecision, assessment: RiskAssessment }),
    payment: CheckoutPayment.nullable(),
    reservation: z
      .strictObject({
        reservationId: z.string(),
        holdUntil: z.iso.datetime(),
        lines: z.array(ReservedLine),
        released: z.boolean(),
      })
      .nullable(),
    deliveryPromise: DeliveryPromise.optional().describe(
      'The signature rule and delivery dates (or pickup day), made from the reserved stock; show the ' +
        'signature notice before payment. Absent on declined checkouts and on those from before promises',
    ),
    orderId: z
      .string()
      .describe('The id the order gets when payment is authorized; exists only once completed'),
    abandonedReason: z
      .string()
      .optional()
      .describe(
        'Why an abandoned checkout ended: hold_expired, payment_canceled, out_of_stock_at_payment, or ' +
          "payment_method_limit (a drop's payment method had paid for its limit; nothing was charged and " +
          'the won units may be paid for in a new checkout with another method until the pay-by)',
      ),
    dropId: z.string().optional().describe('The drop whose won units this checkout pays for'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    version: z.number().int().positive(),
  })
  .meta({ id: 'Checkout' });
export type Checkout = z.infer<typeof Checkout>;

/** A checkout as the API answers it: staff see the risk reasons, the shopper only the decision. */
export const CheckoutView = Checkout.omit({ risk: true })
  .safeExtend({ risk: z.strictObject({ decision: RiskDecision, assessment: RiskAssessment.optional() }) })
  .meta({ id: 'CheckoutView' });
export type CheckoutView = z.infer<typeof CheckoutView>;
