import { createHash, randomBytes } from 'node:crypto';

/** Crockford's base32: no I, L, O or U, so ids and order numbers read aloud and type back safely. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function base32(bytes: Uint8Array, length: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

/** 26 base32 characters: 130 bits, unguessable. */
const SUFFIX_LENGTH = 26;
const ID_PATTERN = /^(crt|chk|ord)_([a-z]{2,8})_([0-9A-HJKMNP-TV-Z]{26})$/;

export type IdKind = 'crt' | 'chk' | 'ord';

/**
 * Ids of zone-resident records carry their residency zone (`chk_eu_…`), so any region can tell which
 * zone's tables hold the record without a lookup.
 */
export function newZoneId(kind: IdKind, zone: string): string {
  return `${kind}_${zone}_${base32(randomBytes(17), SUFFIX_LENGTH)}`;
}

/** A zone id derived from a seed: the same seed always names the same record (retries resume, never duplicate). */
export function derivedZoneId(kind: IdKind, zone: string, seed: string): string {
  return `${kind}_${zone}_${base32(createHash('sha256').update(seed).digest(), SUFFIX_LENGTH)}`;
}

/** The kind and zone of an id, or undefined when it is not one of ours (answer 404, never 400 or 500). */
export function parseZoneId(id: string): { kind: IdKind; zone: string; suffix: string } | undefined {
  const match = ID_PATTERN.exec(id);
  if (!match) return undefined;
  return { kind: match[1] as IdKind, zone: match[2] as string, suffix: match[3] as string };
}

/** The order that a checkout places, if it places one: one id per checkout, so an order exists at most once. */
export function orderIdOf(checkoutId: string): string {
  const parsed = parseZoneId(checkoutId);
  if (parsed?.kind !== 'chk') throw new RangeError(`${checkoutId} is not a checkout id`);
  return `ord_${parsed.zone}_${parsed.suffix}`;
}

/**
 * The human-friendly order number printed on receipts and read out to a client advisor, e.g.
 * `V-7K4M-9Q2X-HW3P`: 60 bits derived from the order id (a pointer item keeps numbers unique; on the
 * rare collision the attempt number is mixed in).
 */
export function orderNumberOf(orderId: string, attempt = 0): string {
  const digest = createHash('sha256')
    .update(attempt === 0 ? orderId : `${orderId}#${attempt}`)
    .digest();
  const code = base32(digest, 12);
  return `V-${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8, 12)}`;
}
