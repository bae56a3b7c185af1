import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures in Stripe's scheme, which Vitrine's own generic carrier feed also uses: a header
 * `t={unix seconds},v1={hex HMAC-SHA256 of "{t}.{raw body}"}`. Each caller maps a fault to its own error.
 */
const SCHEME = 'v1';
const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** Why a signature was refused, in the order the checks run. */
export type TimestampedSignatureFault =
  | 'missing_header'
  | 'malformed_header'
  | 'no_valid_signature'
  | 'timestamp_outside_tolerance';

export const asBytes = (payload: Buffer | string): Buffer =>
  typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;

function hmac(timestamp: number, payload: Buffer, secret: string): Buffer {
  // Over the exact bytes received: decoding and re-encoding (or JSON.parse then stringify) changes them.
  return createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(payload).digest();
}

/** The header value signing `payload` with `secret` at `timestamp` (unix seconds). */
export function signTimestamped(payload: Buffer | string, secret: string, timestamp: number): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0)
    throw new RangeError('timestamp must be unix seconds');
  return `t=${timestamp},${SCHEME}=${hmac(timestamp, asBytes(payload), secret).toString('hex')}`;
}

function parseHeader(header: string): { timestamp: number; signatures: Buffer[] } | undefined {
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const item of header.split(',')) {
    const at = item.indexOf('=');
    if (at < 0) continue;
    const key = item.slice(0, at).trim();
    const value = item.slice(at + 1).trim();
    if (key === 't' && /^\d{1,15}$/.test(value)) timestamp = Number(value);
    // Malformed entries and unknown schemes are skipped, not fatal: a sender may add schemes, and one bad
    // entry must not hide a good one.
    else if (key === SCHEME && HEX_SHA256.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  return timestamp === undefined || signatures.length === 0 ? undefined : { timestamp, signatures };
}

/**
 * Checks a signature header over the raw body: well formed; one of its `v1` signatures matches one of
 * `secrets` (several while one is rolled; every candidate compared in constant time, with no early exit);
 * and the signed timestamp within `toleranceSeconds` of `now` either way (0 turns that off), so a captured
 * delivery cannot be replayed later.
 * @returns undefined when valid, else the first fault found
 */
export function checkTimestampedSignature(
  rawBody: Buffer | string,
  header: string | undefined,
  secrets: readonly string[],
  toleranceSeconds: number,
  now: Date,
): TimestampedSignatureFault | undefined {
  if (!header || header.trim() === '') return 'missing_header';
  const parsed = parseHeader(header);
  if (!parsed) return 'malformed_header';
  const payload = asBytes(rawBody);
  let matched = false;
  for (const secret of secrets) {
    const expected = hmac(parsed.timestamp, payload, secret);
    for (const candidate of parsed.signatures) {
      if (timingSafeEqual(expected, candidate)) matched = true;
    }
  }
  if (!matched) return 'no_valid_signature';
  const age = Math.floor(now.getTime() / 1000) - parsed.timestamp;
  if (toleranceSeconds > 0 && Math.abs(age) > toleranceSeconds) return 'timestamp_outside_tolerance';
  return undefined;
}
