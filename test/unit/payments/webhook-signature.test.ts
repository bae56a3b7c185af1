import fc from 'fast-check';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { WebhookPayloadError, WebhookSignatureError } from '../../../lib/payments/errors.ts';
import {
  rawBodyOf,
  signStripePayload,
  verifyStripeSignature,
} from '../../../lib/payments/webhook-signature.ts';

const SECRET = 'whsec_test_vitrine_primary';
const OLD_SECRET = 'whsec_test_vitrine_previous';
const NOW = new Date('2026-03-01T10:00:00.000Z');
const T = Math.floor(NOW.getTime() / 1000);
// Pretty-printed, as Stripe sends it: re-serializing a parsed copy changes the bytes.
const PAYLOAD = JSON.stringify(
  {
    id: 'evt_1',
    object: 'event',
    type: 'payment_intent.succeeded',
    created: T,
    livemode: false,
    data: { object: { id: 'pi_1', object: 'payment_intent', description: 'Rivière – 18 ct ✦' } },
  },
  null,
  2,
);
const stripe = new Stripe('sk_test_unused');

function failureOf(run: () => unknown): WebhookSignatureError {
  try {
    run();
  } catch (error) {
    if (error instanceof WebhookSignatureError) return error;
    throw error;
  }
  throw new Error('expected a WebhookSignatureError');
}

describe('signStripePayload and verifyStripeSignature', () => {
  describe('equivalence with stripe-node', () => {
    it("produces exactly stripe-node's generateTestHeaderString header", () => {
      const ours = signStripePayload(PAYLOAD, SECRET, T);
      const theirs = stripe.webhooks.generateTestHeaderString({
        payload: PAYLOAD,
        secret: SECRET,
        timestamp: T,
      });

      expect(ours).toBe(theirs);
      expect(ours).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    });

    it('signs headers stripe.webhooks.constructEvent accepts, and accepts the headers stripe-node signs', () => {
      const now = Math.floor(Date.now() / 1000);
      const ours = signStripePayload(PAYLOAD, SECRET, now);
      const theirs = stripe.webhooks.generateTestHeaderString({
        payload: PAYLOAD,
        secret: SECRET,
        timestamp: now,
      });

      expect(stripe.webhooks.constructEvent(PAYLOAD, ours, SECRET).id).toBe('evt_1');
      expect(verifyStripeSignature(PAYLOAD, theirs, [SECRET]).id).toBe('evt_1');
    });

    it('agrees with stripe-node for any payload, secret and timestamp', () => {
      fc.assert(
        fc.property(
          fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }),
          fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() === s && s.length > 0),
          fc.integer({ min: 1, max: 4_000_000_000 }),
          (payload, secret, timestamp) => {
            const ours = signStripePayload(payload, secret, timestamp);
            expect(ours).toBe(stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp }));
            // Buffers and strings sign the same bytes.
            expect(signStripePayload(Buffer.from(payload, 'utf8'), secret, timestamp)).toBe(ours);
          },
        ),
        { numRuns: 200 },
      );
    });
  });

  describe('accepting', () => {
    it('returns the parsed event envelope, unknown fields kept', () => {
      const event = verifyStripeSignature(PAYLOAD, signStripePayload(PAYLOAD, SECRET, T), [SECRET], 300, NOW);

      expect(event).toMatchObject({ id: 'evt_1', type: 'payment_intent.succeeded', created: T });
      expect(event.data.object).toMatchObject({ description: 'Rivière – 18 ct ✦' });
    });

    it('verifies a Buffer body byte for byte', () => {
      const header = signStripePayload(PAYLOAD, SECRET, T);

      expect(verifyStripeSignature(Buffer.from(PAYLOAD, 'utf8'), header, [SECRET], 300, NOW).id).toBe(
        'evt_1',
      );
    });

    it('accepts any matching v1 entry among several, and ignores other schemes', () => {
      const good = signStripePayload(PAYLOAD, SECRET, T).split(',v1=')[1];
      const other = signStripePayload(PAYLOAD, 'whsec_someone_else', T).split(',v1=')[1];
      const header = `t=${T},v0=${'0'.repeat(64)},v1=${other},v1=not-hex,v1=${good}`;

      expect(verifyStripeSignature(PAYLOAD, header, [SECRET], 300, NOW).id).toBe('evt_1');
    });

    it('accepts the previous secret while secrets are rolled', () => {
      const header = signStripePayload(PAYLOAD, OLD_SECRET, T);

      expect(verifyStripeSignature(PAYLOAD, header, [SECRET, OLD_SECRET], 300, NOW).id).toBe('evt_1');
    });

    it('accepts timestamps up to the tolerance in either direction, and any age with tolerance 0', () => {
      expect(() =>
        verifyStripeSignature(PAYLOAD, signStripePayload(PAYLOAD, SECRET, T - 300), [SECRET], 300, NOW),
      ).not.toThrow();
      expect(() =>
        verifyStripeSignature(PAYLOAD, signStripePayload(PAYLOAD, SECRET, T + 300), [SECRET], 300, NOW),
      ).not.toThrow();
      expect(() =>
        verifyStripeSignature(PAYLOAD, signStripePayload(PAYLOAD, SECRET, T - 86_400), [SECRET], 0, NOW),
      ).not.toThrow();
    });
  });

  describe('rejecting', () => {
    it('rejects a missing or empty header', () => {
      expect(failureOf(() => verifyStripeSignature(PAYLOAD, undefined, [SECRET], 300, NOW)).reason).toBe(
        'missing_header',
      );
      expect(failureOf(() => verifyStripeSignature(PAYLOAD, '  ', [SECRET], 300, NOW)).reason).toBe(
        'missing_header',
      );
    });

    it('rejects a header without a timestamp or a v1 signature', () => {
      const signature = signStripePayload(PAYLOAD, SECRET, T).split(',')[1];
      expect(failureOf(() => verifyStripeSignature(PAYLOAD, `${signature}`, [SECRET], 300, NOW)).reason).toBe(
        'malformed_header',
      );
      expect(failureOf(() => verifyStripeSignature(PAYLOAD, `t=${T}`, [SECRET], 300, NOW)).reason).toBe(
        'malformed_header',
      );
      expect(failureOf(() => verifyStripeSignature(PAYLOAD, 'garbage', [SECRET], 300, NOW)).reason).toBe(
        'malformed_header',
      );
    });

    it('rejects a tampered body, down to one byte', () => {
      const header = signStripePayload(PAYLOAD, SECRET, T);
      const tampered = PAYLOAD.replace('"pi_1"', '"pi_2"');

      expect(failureOf(() => verifyStripeSignature(tampered, header, [SECRET], 300, NOW)).reason).toBe(
        'no_valid_signature',
      );
    });

    it('rejects a body that was parsed and re-serialized', () => {
      const header = signStripePayload(PAYLOAD, SECRET, T);
      const reserialized = JSON.stringify(JSON.parse(PAYLOAD));

      expect(failureOf(() => verifyStripeSignature(reserialized, header, [SECRET], 300, NOW)).reason).toBe(
        'no_valid_signature',
      );
    });

    it('rejects a signature made with another secret', () => {
      const header = signStripePayload(PAYLOAD, 'whsec_attacker', T);

      const failure = failureOf(() => verifyStripeSignature(PAYLOAD, header, [SECRET, OLD_SECRET], 300, NOW));

      expect(failure.reason).toBe('no_valid_signature');
      expect(failure.status).toBe(400);
      expect(failure.message).not.toContain(SECRET);
    });

    it('rejects a signed timestamp outside the tolerance (a replayed or future-dated delivery)', () => {
      const stale = signStripePayload(PAYLOAD, SECRET, T - 301);
      const future = signStripePayload(PAYLOAD, SECRET, T + 301);

      expect(failureOf(() => verifyStripeSignature(PAYLOAD, stale, [SECRET], 300, NOW)).reason).toBe(
        'timestamp_outside_tolerance',
      );
      expect(failureOf(() => verifyStripeSignature(PAYLOAD, future, [SECRET], 300, NOW)).reason).toBe(
        'timestamp_outside_tolerance',
      );
    });

    it('checks the signature before the timestamp, so a forged stale delivery learns nothing', () => {
      const forgedStale = signStripePayload(PAYLOAD, 'whsec_attacker', T - 10_000);

      expect(failureOf(() => verifyStripeSignature(PAYLOAD, forgedStale, [SECRET], 300, NOW)).reason).toBe(
        'no_valid_signature',
      );
    });

    it('rejects a correctly signed body that is not a Stripe event', () => {
      const notAnEvent = '{"hello":"world"}';
      const notJson = Buffer.from([0xff, 0xfe, 0x00]);

      expect(() =>
        verifyStripeSignature(notAnEvent, signStripePayload(notAnEvent, SECRET, T), [SECRET], 300, NOW),
      ).toThrow(WebhookPayloadError);
      expect(() =>
        verifyStripeSignature(notJson, signStripePayload(notJson, SECRET, T), [SECRET], 300, NOW),
      ).toThrow(WebhookPayloadError);
    });

    it('refuses to run without a configured secret', () => {
      expect(() =>
        verifyStripeSignature(PAYLOAD, signStripePayload(PAYLOAD, SECRET, T), [' '], 300, NOW),
      ).toThrow('No webhook signing secret');
    });
  });

  describe('rawBodyOf', () => {
    it('decodes a base64-encoded API Gateway body to the exact signed bytes', () => {
      const header = signStripePayload(PAYLOAD, SECRET, T);
      const event = { body: Buffer.from(PAYLOAD, 'utf8').toString('base64'), isBase64Encoded: true };

      const raw = rawBodyOf(event);

      expect(raw.equals(Buffer.from(PAYLOAD, 'utf8'))).toBe(true);
      expect(verifyStripeSignature(raw, header, [SECRET], 300, NOW).id).toBe('evt_1');
    });

    it('fails verification if a base64 body is used without decoding', () => {
      const header = signStripePayload(PAYLOAD, SECRET, T);
      const encoded = Buffer.from(PAYLOAD, 'utf8').toString('base64');

      expect(failureOf(() => verifyStripeSignature(encoded, header, [SECRET], 300, NOW)).reason).toBe(
        'no_valid_signature',
      );
    });

    it('reads a plain body as UTF-8 and a missing body as empty', () => {
      expect(rawBodyOf({ body: PAYLOAD, isBase64Encoded: false }).toString('utf8')).toBe(PAYLOAD);
      expect(rawBodyOf({ body: null })).toHaveLength(0);
      expect(rawBodyOf({})).toHaveLength(0);
    });
  });
});
