import {
  getCheckoutRoute,
  getOrderRoute,
  listMyOrdersRoute,
  reviewOrderRoute,
  startCheckoutRoute,
  stripeWebhookRoute,
} from '#lib/contracts/routes/checkout.ts';
import { collectPickupRoute, markReadyForPickupRoute } from '#lib/contracts/routes/pickup.ts';
import { defineService } from '#lib/platform/manifest.ts';

// Least privilege: only checkout reads the catalog (prices); only HTTP functions keep idempotency records.
const paymentTables = { inventory: 'write', commerce: 'write', idempotency: 'write' } as const;

export const checkoutService = defineService({
  name: 'checkout',
  functions: {
    checkouts: {
      entry: 'functions/checkout/checkouts.ts',
      description: 'Starts checkouts: pricing, risk screening, stock reservation and the PaymentIntent',
      timeoutSeconds: 15,
      routes: [startCheckoutRoute, getCheckoutRoute],
      tables: { catalog: 'read', ...paymentTables },
      secrets: ['payments'],
    },
    orders: {
      entry: 'functions/checkout/orders.ts',
      description: 'Orders for their owner and staff, and staff review of held payments',
      timeoutSeconds: 15,
      routes: [getOrderRoute, listMyOrdersRoute, reviewOrderRoute],
      tables: paymentTables,
      secrets: ['payments'],
    },
    stripeWebhook: {
      entry: 'functions/checkout/stripe-webhook.ts',
      description: 'Verified Stripe events: orders placed once, payment states moved forward only',
      timeoutSeconds: 15,
      routes: [stripeWebhookRoute],
      tables: paymentTables,
      secrets: ['payments'],
    },
    holdSweeper: {
      entry: 'functions/checkout/hold-sweeper.ts',
      description: 'Releases stock holds of unpaid checkouts once they expire, and cancels their intents',
      timeoutSeconds: 60,
      schedules: [{ expression: 'rate(1 minute)', description: 'Release expired checkout stock holds' }],
      tables: { inventory: 'write', commerce: 'write' },
      secrets: ['payments'],
    },
    pickup: {
      entry: 'functions/checkout/pickup.ts',
      description: 'Click and collect at the boutique: staff mark orders ready and hand them over',
      timeoutSeconds: 15,
      routes: [markReadyForPickupRoute, collectPickupRoute],
      tables: paymentTables,
      secrets: ['payments'],
    },
    pickupSweeper: {
      entry: 'functions/checkout/pickup-sweeper.ts',
      description:
        'Cancels and refunds pickups not collected in time, giving their units back to the boutique',
      timeoutSeconds: 120,
      schedules: [{ expression: 'rate(1 hour)', description: 'Expire uncollected click-and-collect orders' }],
      tables: { inventory: 'write', commerce: 'write' },
      secrets: ['payments'],
    },
  },
});
