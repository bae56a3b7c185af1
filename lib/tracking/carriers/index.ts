import type { HeaderDefinition } from '../../contracts/http.ts';
import type { CarrierSlug } from '../tracking-event.ts';
import { type CarrierWebhookDelivery, parseJsonPayload, type VerificationContext } from '../verify.ts';
import type { CarrierAdapter, NormalizedDelivery } from './adapter.ts';
import { dhlAdapter } from './dhl.ts';
import { fedexAdapter } from './fedex.ts';
import { genericAdapter } from './generic.ts';
import { upsAdapter } from './ups.ts';

export type { CarrierAdapter, NormalizedDelivery } from './adapter.ts';

/** Every webhook feed, by the slug in `POST /v1/webhooks/carriers/{carrier}`. */
export const CARRIER_ADAPTERS: Readonly<Record<CarrierSlug, CarrierAdapter>> = {
  dhl: dhlAdapter,
  fedex: fedexAdapter,
  ups: upsAdapter,
  generic: genericAdapter,
};

/** The authentication headers of every feed, for the webhook route's documentation. */
export const CARRIER_WEBHOOK_HEADERS: readonly HeaderDefinition[] = Object.values(CARRIER_ADAPTERS).flatMap(
  (adapter) => adapter.headers,
);

/** The adapter of one feed. */
export function carrierAdapter(slug: CarrierSlug): CarrierAdapter {
  return CARRIER_ADAPTERS[slug];
}

/**
 * Reads one carrier webhook delivery: verifies it with the feed's scheme (throwing CarrierSignatureError,
 * 401, before a byte of the body is parsed; CarrierWebhookNotConfiguredError, 503, when no secret is set),
 * then parses and normalizes it (CarrierPayloadError, 400, when it is not the feed's payload). Pass the
 * body's exact bytes and the secrets of `slug` only.
 */
export function readCarrierWebhook(
  slug: CarrierSlug,
  delivery: CarrierWebhookDelivery,
  context: VerificationContext,
): NormalizedDelivery {
  const adapter = carrierAdapter(slug);
  adapter.verify(delivery, context);
  return adapter.normalize(parseJsonPayload(slug, delivery.rawBody));
}
