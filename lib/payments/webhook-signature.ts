import { z } from 'zod';
import {
  asBytes,
  checkTimestampedSignature,
  signTimestamped,
  type TimestampedSignatureFault,
} from '../platform/timestamped-signature.ts';
import { WebhookPayloadError, WebhookSignatureError } from './errors.ts';

/** The header Stripe signs webhooks in (lower-cased, as the HTTP layer hands headers over). */
export const STRIPE_SIGNATURE_HEADER = 'stripe-signature';

/** stripe-node's `DEFAULT_TOLERANCE` and stripe-go's `DefaultTolerance`: five minutes. */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

/**
 * A Stripe event as delivered, before we know whether the platform handles its type: typed on the
 * envelope, loose on everything else.
 */
export const StripeEventEnvelope = z.looseObject({
  id: z.string().min(1),
  object: z.literal('event'),
  type: z.string().min(1),
  created: z.number().int(),
  livemode: z.boolean(),
  api_version: z.string().nullable().optional(),
  data: z.looseObject({ object: z.looseObject({}) }),
});
export type StripeEventEnvelope = z.infer<typeof StripeEventEnvelope>;

/**
 * Signs a payload exactly as Stripe signs webhooks: `t={unix seconds},v1={hex HMAC-SHA256 of
 * "{t}.{payload}" keyed with the endpoint secret}`. The local gateway signs with it; tests use it to
 * build valid and tampered deliveries.
 */
export function signStripePayload(payload: Buffer | string, secret: string, timestamp: number): string {
  return signTimestamped(payload, secret, timestamp);
}

const STRIPE_FAULTS: Record<TimestampedSignatureFault, (toleranceSeconds: number) => string> = {
  missing_header: () => 'The Stripe-Signature header is missing',
  malformed_header: () => 'The Stripe-Signature header has no timestamp or v1 signature',
  no_valid_signature: () => 'No signature matches the payload',
  timestamp_outside_tolerance: (t) => `The signature timestamp is outside the ${t}s tolerance`,
};

/**
 * Verifies a Stripe webhook over its raw body and returns the parsed event envelope. Checks, in order:
 * a signature header is present and well formed; one of its `v1` signatures matches one of `secrets`
 * (several while a secret is being rolled; every candidate is compared in constant time); the signed
 * timestamp is within `toleranceSeconds` of `now` either way, so a captured delivery cannot be replayed
 * later; and only then parses the body. Throws WebhookSignatureError (answer 400 before any side effect)
 * or WebhookPayloadError.
 *
 * Pass the body's exact bytes: `rawBodyOf` decodes API Gateway's base64 bodies.
 */
export function verifyStripeSignature(
  rawBody: Buffer | string,
  header: string | undefined,
  secrets: readonly string[],
  toleranceSeconds: number = DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
  now: Date = new Date(),
): StripeEventEnvelope {
  const usable = secrets.filter((s) => s.trim().length > 0);
  if (usable.length === 0) throw new Error('No webhook signing secret is configured');
  const fault = checkTimestampedSignature(rawBody, header, usable, toleranceSeconds, now);
  if (fault) throw new WebhookSignatureError(fault, STRIPE_FAULTS[fault](toleranceSeconds));

  const payload = asBytes(rawBody);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    throw new WebhookPayloadError('The webhook body is not UTF-8 JSON');
  }
  const envelope = StripeEventEnvelope.safeParse(json);
  if (!envelope.success) throw new WebhookPayloadError('The webhook body is not a Stripe event');
  return envelope.data;
}

/**
 * The exact bytes of an HTTP body as API Gateway hands it over: base64-decoded when `isBase64Encoded`
 * (binary media types, or a body that is not valid UTF-8), else the UTF-8 bytes of the string. Never
 * re-serialize a parsed body for verification.
 */
export function rawBodyOf(event: { body?: string | null; isBase64Encoded?: boolean }): Buffer {
  if (event.body === undefined || event.body === null) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}
