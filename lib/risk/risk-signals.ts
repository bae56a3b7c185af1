import { z } from 'zod';
import { Money } from '../money/currency.ts';
import { MARKETS, MarketCode } from '../money/markets.ts';
import { parseIp } from './ip.ts';

/** ISO 3166-1 alpha-2 country code. */
export const CountryCode = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code, e.g. FR');

const Line = (max: number) => z.string().trim().min(1).max(max);

/** A postal address as checkout collects it (the recipient's name stays out of risk screening). */
export const PostalAddress = z.strictObject({
  line1: Line(200),
  line2: Line(200).optional(),
  city: Line(100),
  region: Line(100).optional(),
  postalCode: Line(20).optional(),
  country: CountryCode,
});
export type PostalAddress = z.infer<typeof PostalAddress>;

/** One order line as risk sees it. */
export const RiskOrderItem = z.strictObject({
  sku: z.string().min(1).max(64),
  quantity: z.number().int().positive().max(10_000),
  /** A numbered or limited-edition piece: resale rules watch it even outside a drop. */
  limitedEdition: z.boolean().default(false),
  /** Set when the line was bought through a drop. */
  dropId: z.string().min(1).max(100).optional(),
});
export type RiskOrderItem = z.infer<typeof RiskOrderItem>;

/** Everything screening knows about one checkout attempt. */
export const RiskSignals = z
  .strictObject({
    order: z.strictObject({
      total: Money,
      market: MarketCode,
      items: z.array(RiskOrderItem).min(1).max(500),
    }),
    customer: z.strictObject({
      /** Absent for guest checkout. */
      id: z.string().min(1).max(100).optional(),
      accountCreatedAt: z.iso.datetime({ offset: true }).optional(),
      email: z.email().max(320),
      previousPaidOrders: z.number().int().nonnegative(),
      /** Lifetime spend; only compared when it is in the market's currency (amounts are never converted). */
      lifetimeValue: Money.optional(),
      /** Clienteling tier, as clienteling names it; the policy says which tiers are VIP. */
      tier: z.string().min(1).max(40).optional(),
      /** Chargebacks on record; any at all and the customer is not in good standing. */
      chargebacks: z.number().int().nonnegative().default(0),
    }),
    context: z.strictObject({
      /**
       * Names this screening attempt, e.g. `checkout:{id}:pay:{n}`. Velocity counts each id once, so a
       * retried request is not counted twice while a new payment attempt is.
       */
      attemptId: z.string().min(1).max(200),
      ip: z.string().refine((ip) => parseIp(ip) !== undefined, 'must be an IPv4 or IPv6 address'),
      userAgent: z.string().max(1000).optional(),
      /** Stripe's card fingerprint (or another gateway's equivalent), once a payment method is known. */
      paymentFingerprint: z.string().min(1).max(100).optional(),
      shippingAddress: PostalAddress,
      billingCountry: CountryCode.optional(),
      /** Evaluation time, from the caller's clock: screening never reads the wall clock. */
      now: z.iso.datetime({ offset: true }),
    }),
  })
  .superRefine((signals, ctx) => {
    const currency = MARKETS[signals.order.market].currency;
    if (signals.order.total.currency !== currency) {
      ctx.addIssue({
        code: 'custom',
        path: ['order', 'total', 'currency'],
        message: `order total must be in ${currency}, the currency of market ${signals.order.market}`,
      });
    }
  });
export type RiskSignals = z.infer<typeof RiskSignals>;
export type RiskSignalsInput = z.input<typeof RiskSignals>;
