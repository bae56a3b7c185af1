import { applyPaymentEvent, type PaymentEventDeps } from '#lib/commerce/apply-payment-event.ts';
import { stripeWebhookRoute } from '#lib/contracts/routes/checkout.ts';
import { parseStripeEvent, toPaymentEvent } from '#lib/payments/stripe-events.ts';
import { STRIPE_SIGNATURE_HEADER, verifyStripeSignature } from '#lib/payments/webhook-signature.ts';
import type { IdempotencyStore } from '#lib/platform/idempotency.ts';
import { awsCheckoutDeps, awsWebhookSecrets } from '#lib/runtime/aws/commerce-deps.ts';
import { awsDropStore, awsWebhookInbox } from '#lib/runtime/aws/deps.ts';
import { httpHandler, ok } from '#lib/runtime/http/http-handler.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';
import { logger } from '#lib/runtime/observability.ts';

/** How long one delivery may hold an event before a concurrent duplicate may process it instead. */
const LEASE_MS = 60_000;

export interface StripeWebhookDeps extends PaymentEventDeps {
  /** The webhook inbox: the idempotency store, keyed by Stripe event id. */
  readonly inbox: IdempotencyStore;
  /** The endpoint's signing secrets (several while one is being rolled). */
  readonly webhookSecrets: () => Promise<readonly string[]>;
}

export const makeHandler = (deps: StripeWebhookDeps) =>
  httpHandler(stripeWebhookRoute, async ({ rawBody, headers }) => {
    const now = deps.clock.now();
    // Nothing is read, stored or logged before the signature over the exact bytes checks out.
    const envelope = verifyStripeSignature(
      rawBody,
      headers[STRIPE_SIGNATURE_HEADER],
      await deps.webhookSecrets(),
      undefined,
      now,
    );
    const event = parseStripeEvent(envelope);
    if (!event) return ok({ received: true, duplicate: false });

    const key = `stripe-event:${envelope.id}`;
    const begun = await deps.inbox.begin(key, envelope.id, now, new Date(now.getTime() + LEASE_MS));
    // Done, or being done by a concurrent delivery (which answers Stripe with its own outcome).
    if (begun.kind === 'existing') return ok({ received: true, duplicate: true });
    try {
      const outcome = await applyPaymentEvent(deps, toPaymentEvent(event));
      logger.info('stripe event applied', { eventId: envelope.id, type: envelope.type, outcome });
    } catch (error) {
      await deps.inbox.abandon(key);
      throw error;
    }
    await deps.inbox.complete(key, envelope.id, { status: 200, body: '', headers: {} }, deps.clock.now());
    return ok({ received: true, duplicate: false });
  });

export const handler = lambdaHandler(() =>
  makeHandler({
    ...awsCheckoutDeps(),
    drops: awsDropStore(),
    inbox: awsWebhookInbox(),
    webhookSecrets: awsWebhookSecrets,
  }),
);
