import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import {
  asBytes,
  checkTimestampedSignature,
  signTimestamped as signWithTimestamp,
  type TimestampedSignatureFault,
} from '../platform/timestamped-signature.ts';
import { CarrierPayloadError, CarrierSignatureError, CarrierWebhookNotConfiguredError } from './errors.ts';

/** How far a signed timestamp may be from now, either way, for schemes that sign one (as Stripe: 5 min). */
export const DEFAULT_CARRIER_TOLERANCE_SECONDS = 300;

/** A webhook delivery as the HTTP layer hands it over: the exact body bytes and lower-cased headers. */
export interface CarrierWebhookDelivery {
  readonly rawBody: Buffer | string;
  readonly headers: Readonly<Record<string, string | undefined>>;
}

/** What verification needs besides the delivery: the secrets (several while one is rolled) and the time. */
export interface VerificationContext {
  readonly secrets: readonly string[];
  readonly now: Date;
  /** For schemes with a signed timestamp; 0 turns the check off (tests of old fixtures only). */
  readonly toleranceSeconds?: number;
}

/** A header by name, whatever its case; blank counts as missing. */
export function headerValue(
  headers: Readonly<Record<string, string | undefined>>,
  name: string,
): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted && value !== undefined && value.trim() !== '') return value.trim();
  }
  return undefined;
}

/** The configured secrets that can verify anything; none is a configuration fault, not the caller's. */
export function usableSecrets(carrier: string, secrets: readonly string[]): readonly string[] {
  const usable = secrets.filter((s) => s.trim().length > 0);
  if (usable.length === 0) {
    throw new CarrierWebhookNotConfiguredError(`No webhook secret is configured for ${carrier}`);
  }
  return usable;
}

// Hashing both sides first gives equal-length inputs, so the comparison leaks neither content nor length.
const digestOf = (value: string | Buffer) => createHash('sha256').update(value).digest();

/**
 * Checks a shared token sent in a header (UPS's `credential`, the token DHL was given at subscription)
 * against every configured secret in constant time, without stopping at the first match.
 */
export function verifySharedToken(
  carrier: string,
  headerName: string,
  delivery: CarrierWebhookDelivery,
  context: VerificationContext,
): void {
  const secrets = usableSecrets(carrier, context.secrets);
  const presented = headerValue(delivery.headers, headerName);
  if (!presented) throw new CarrierSignatureError('missing_header', `The ${headerName} header is missing`);
  const candidate = digestOf(presented);
  let matched = false;
  for (const secret of secrets) {
    if (timingSafeEqual(digestOf(secret), candidate)) matched = true;
  }
  if (!matched)
    throw new CarrierSignatureError('no_valid_signature', `The ${headerName} header does not match`);
}

/** HMAC-SHA256 of the exact body bytes, base64 (FedEx's encoding). Tests and the local runtime sign with it. */
export function signBody(rawBody: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(asBytes(rawBody)).digest('base64');
}

const HEX_SHA256 = /^[0-9a-f]{64}$/i;
const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

/** A presented HMAC-SHA256 in base64 or hex, as bytes; undefined when it is neither. */
function macBytes(value: string): Buffer | undefined {
  if (HEX_SHA256.test(value)) return Buffer.from(value, 'hex');
  if (BASE64_SHA256.test(value)) return Buffer.from(value, 'base64');
  return undefined;
}

/**
 * Checks an HMAC-SHA256 of the raw body sent in a header (FedEx). The scheme signs no timestamp, so it
 * cannot refuse a replayed delivery: dedupe on the scan's event key is what makes a replay harmless.
 */
export function verifyBodySignature(
  carrier: string,
  headerNames: readonly string[],
  delivery: CarrierWebhookDelivery,
  context: VerificationContext,
): void {
  const secrets = usableSecrets(carrier, context.secrets);
  const presented = headerNames.map((name) => headerValue(delivery.headers, name)).find(Boolean);
  if (!presented) {
    throw new CarrierSignatureError('missing_header', `The ${headerNames[0]} header is missing`);
  }
  const candidate = macBytes(presented);
  if (!candidate) {
    throw new CarrierSignatureError('malformed_header', `The ${headerNames[0]} header is not an HMAC-SHA256`);
  }
  const payload = asBytes(delivery.rawBody);
  let matched = false;
  for (const secret of secrets) {
    if (timingSafeEqual(createHmac('sha256', secret).update(payload).digest(), candidate)) matched = true;
  }
  if (!matched) throw new CarrierSignatureError('no_valid_signature', 'No signature matches the payload');
}

/**
 * Signs like Stripe: `t={unix seconds},v1={hex HMAC-SHA256 of "{t}.{body}"}`. The generic format's
 * senders sign this way; tests and the local runtime use it to build deliveries.
 */
export const signTimestamped = signWithTimestamp;

/**
 * Checks a `t=…,v1=…` signature over `{t}.{raw body}` (the generic format), then that `t` is within the
 * tolerance of now either way, so a captured delivery cannot be replayed later. Every configured secret and
 * every presented `v1` are compared in constant time.
 */
export function verifyTimestampedSignature(
  carrier: string,
  headerName: string,
  delivery: CarrierWebhookDelivery,
  context: VerificationContext,
): void {
  const secrets = usableSecrets(carrier, context.secrets);
  const tolerance = context.toleranceSeconds ?? DEFAULT_CARRIER_TOLERANCE_SECONDS;
  const header = headerValue(delivery.headers, headerName);
  const fault = checkTimestampedSignature(delivery.rawBody, header, secrets, tolerance, context.now);
  if (fault) throw new CarrierSignatureError(fault, TIMESTAMPED_FAULTS[fault](headerName, tolerance));
}

const TIMESTAMPED_FAULTS: Record<TimestampedSignatureFault, (header: string, tolerance: number) => string> = {
  missing_header: (header) => `The ${header} header is missing`,
  malformed_header: (header) => `The ${header} header has no t or v1 signature`,
  no_valid_signature: () => 'No signature matches the payload',
  timestamp_outside_tolerance: (_, tolerance) =>
    `The signature timestamp is outside the ${tolerance}s tolerance`,
};

/** The verified body as JSON; only ever called after verification succeeded. */
export function parseJsonPayload(carrier: string, rawBody: Buffer | string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(asBytes(rawBody)));
  } catch {
    throw new CarrierPayloadError(`The ${carrier} webhook body is not UTF-8 JSON`);
  }
}
