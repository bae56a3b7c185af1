import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { errorResponse } from '../../../lib/runtime/http/error-envelope.ts';
import { DHL_TOKEN_HEADER } from '../../../lib/tracking/carriers/dhl.ts';
import { FEDEX_SIGNATURE_HEADERS } from '../../../lib/tracking/carriers/fedex.ts';
import { GENERIC_SIGNATURE_HEADER } from '../../../lib/tracking/carriers/generic.ts';
import { CARRIER_ADAPTERS, readCarrierWebhook } from '../../../lib/tracking/carriers/index.ts';
import { UPS_CREDENTIAL_HEADER } from '../../../lib/tracking/carriers/ups.ts';
import {
  CarrierPayloadError,
  CarrierSignatureError,
  CarrierWebhookNotConfiguredError,
} from '../../../lib/tracking/errors.ts';
import { TrackingEvent } from '../../../lib/tracking/tracking-event.ts';
import { signBody, signTimestamped } from '../../../lib/tracking/verify.ts';

const NOW = new Date('2026-03-10T12:00:00.000Z');
const T = Math.floor(NOW.getTime() / 1000);
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/carriers/${name}`, import.meta.url));

const DHL_TOKEN = 'dhl-hook-7Qz2-primary';
const FEDEX_TOKEN = 'fedex-aiv-security-token-3c9e';
const UPS_CREDENTIAL = 'ups-track-alert-credential-51b0';
const GENERIC_SECRET = 'vtr_whsec_generic_primary';

function failureOf<E extends Error>(type: new (...args: never[]) => E, run: () => unknown): E {
  try {
    run();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a ${type.name}`);
}

const summary = (events: readonly TrackingEvent[]) =>
  events.map((e) => [e.status, e.occurredAt, e.location?.city ?? null]);

describe('DHL Shipment Tracking – Unified push', () => {
  const headers = { [DHL_TOKEN_HEADER]: DHL_TOKEN };

  it('normalizes a delivered shipment’s history to statuses with place and time', () => {
    const { events, ignored } = readCarrierWebhook(
      'dhl',
      { rawBody: fixture('dhl-push-delivered.json'), headers },
      { secrets: [DHL_TOKEN], now: NOW },
    );

    expect(ignored).toBe(0);
    expect(summary(events)).toEqual([
      ['delivered', '2026-03-05T10:42:00.000Z', 'München'],
      ['out_for_delivery', '2026-03-05T06:55:00.000Z', 'München'],
      ['in_transit', '2026-03-04T20:10:00.000Z', 'Aschheim'],
      ['picked_up', '2026-03-03T17:30:00.000Z', 'Venlo'],
      ['label_created', '2026-03-03T08:02:00.000Z', null],
    ]);
    expect(events[0]).toEqual({
      eventKey: expect.stringMatching(/^dhl:h:[0-9a-f]{32}$/),
      source: 'dhl',
      carrier: 'dhl',
      trackingNumber: '00340434161094042557',
      status: 'delivered',
      code: 'delivered',
      description: 'The shipment has been successfully delivered to the recipient.',
      occurredAt: '2026-03-05T10:42:00.000Z',
      localTime: '2026-03-05T11:42:00+01:00',
      location: { city: 'München', postalCode: '80539', country: 'DE' },
    });
    for (const event of events) expect(TrackingEvent.parse(event)).toEqual(event);
    expect(new Set(events.map((e) => e.eventKey)).size).toBe(events.length);
  });

  it('reads attempts, customs and collections, and ignores unknown and unreadable scans', () => {
    const { events, ignored } = readCarrierWebhook(
      'dhl',
      { rawBody: fixture('dhl-push-exceptions.json'), headers },
      { secrets: [DHL_TOKEN], now: NOW },
    );

    expect(summary(events)).toEqual([
      ['delivery_attempted', '2026-03-09T13:20:00.000Z', 'Berlin'],
      ['customs', '2026-03-07T09:05:00.000Z', 'Schkeuditz'],
      ['picked_up', '2026-03-06T17:30:00.000Z', 'London'],
    ]);
    // `unknown` carries no position; "not a time" cannot be placed on a timeline.
    expect(ignored).toBe(2);
  });

  it('derives the same event key when DHL re-sends a scan in a later push', () => {
    const first = readCarrierWebhook(
      'dhl',
      { rawBody: fixture('dhl-push-delivered.json'), headers },
      { secrets: [DHL_TOKEN], now: NOW },
    );
    const resent = JSON.stringify(JSON.parse(fixture('dhl-push-delivered.json').toString('utf8')), null, 4);
    const second = readCarrierWebhook(
      'dhl',
      { rawBody: resent, headers },
      { secrets: [DHL_TOKEN], now: new Date(NOW.getTime() + 3_600_000) },
    );

    expect(second.events.map((e) => e.eventKey)).toEqual(first.events.map((e) => e.eventKey));
  });
});

describe('FedEx Advanced Integrated Visibility', () => {
  const body = fixture('fedex-aiv-international.json');

  it('normalizes scan events, their codes, offsets and places', () => {
    const { events, ignored } = readCarrierWebhook(
      'fedex',
      { rawBody: body, headers: { 'x-fedex-signature': signBody(body, FEDEX_TOKEN) } },
      { secrets: [FEDEX_TOKEN], now: NOW },
    );

    expect(summary(events)).toEqual([
      ['delivered', '2026-03-06T15:14:00.000Z', 'NEW YORK'],
      ['out_for_delivery', '2026-03-06T12:48:00.000Z', 'NEW YORK'],
      ['delivery_attempted', '2026-03-05T20:32:00.000Z', 'NEW YORK'],
      ['customs', '2026-03-05T03:05:00.000Z', 'NEWARK'],
      ['in_transit', '2026-03-05T00:40:00.000Z', 'NEWARK'],
      ['in_transit', '2026-03-04T10:20:00.000Z', 'ROISSY CHARLES DE GAULLE CEDEX'],
      ['picked_up', '2026-03-03T16:02:00.000Z', 'ROISSY-EN-FRANCE'],
      ['label_created', '2026-03-03T08:41:00.000Z', null],
    ]);
    // RR (delivery options requested) says nothing about where the parcel is.
    expect(ignored).toBe(1);
    expect(events.map((e) => e.code)).toEqual(['DL', 'OD', 'DE/08', 'CD/A12', 'AR', 'DP', 'PU', 'OC']);
    expect(events[2]).toMatchObject({
      description: 'Delivery exception: Customer not available or business closed',
      localTime: '2026-03-05T15:32:00-05:00',
      location: { city: 'NEW YORK', region: 'NY', postalCode: '10022', country: 'US' },
    });
    // An empty state code is dropped rather than kept as an empty string.
    expect(events[5]?.location).toEqual({
      city: 'ROISSY CHARLES DE GAULLE CEDEX',
      postalCode: '95700',
      country: 'FR',
    });
  });

  it('accepts the signature under FedEx’s own header name and in hex', () => {
    const hex = Buffer.from(signBody(body, FEDEX_TOKEN), 'base64').toString('hex');
    for (const headers of [
      { [FEDEX_SIGNATURE_HEADERS[1]]: signBody(body, FEDEX_TOKEN) },
      { 'x-fedex-signature': hex },
    ]) {
      expect(
        readCarrierWebhook('fedex', { rawBody: body, headers }, { secrets: [FEDEX_TOKEN], now: NOW }).events,
      ).toHaveLength(8);
    }
  });

  it('refuses a body changed after signing, even by whitespace', () => {
    const signature = signBody(body, FEDEX_TOKEN);
    const reformatted = JSON.stringify(JSON.parse(body.toString('utf8')));

    const error = failureOf(CarrierSignatureError, () =>
      readCarrierWebhook(
        'fedex',
        { rawBody: reformatted, headers: { 'x-fedex-signature': signature } },
        { secrets: [FEDEX_TOKEN], now: NOW },
      ),
    );
    expect(error.reason).toBe('no_valid_signature');
  });

  it('refuses a header that is not an HMAC-SHA256', () => {
    const error = failureOf(CarrierSignatureError, () =>
      readCarrierWebhook(
        'fedex',
        { rawBody: body, headers: { 'x-fedex-signature': 'sha256=not-base64!' } },
        { secrets: [FEDEX_TOKEN], now: NOW },
      ),
    );
    expect(error.reason).toBe('malformed_header');
  });
});

describe('UPS Track Alert', () => {
  const deliveries = (JSON.parse(fixture('ups-track-alert.json').toString('utf8')) as unknown[]).map((d) =>
    JSON.stringify(d),
  );
  const read = (rawBody: string) =>
    readCarrierWebhook(
      'ups',
      { rawBody, headers: { [UPS_CREDENTIAL_HEADER]: UPS_CREDENTIAL } },
      { secrets: [UPS_CREDENTIAL], now: NOW },
    );

  it('normalizes each activity, ordered by its GMT time and keeping the local one', () => {
    const events = deliveries.flatMap((d) => read(d).events);

    expect(summary(events)).toEqual([
      ['picked_up', '2026-03-02T22:15:00.000Z', 'NEW YORK'],
      ['in_transit', '2026-03-03T09:10:00.000Z', 'SECAUCUS'],
      ['out_for_delivery', '2026-03-04T14:12:00.000Z', 'CHICAGO'],
      ['delivery_attempted', '2026-03-04T21:30:00.000Z', 'CHICAGO'],
      ['delivered', '2026-03-05T17:27:00.000Z', 'CHICAGO'],
    ]);
    expect(events.map((e) => e.code)).toEqual(['P/PU', 'I/DP', 'O/OT', 'X/48', 'D/KB']);
    expect(events[4]).toMatchObject({
      trackingNumber: '1Z5338FF0107231059',
      localTime: '2026-03-05T11:27:00',
      description: 'DELIVERED',
      location: { city: 'CHICAGO', region: 'IL', postalCode: '60611', country: 'US' },
    });
  });

  it('ignores a voided manifest and an impossible date, and refuses a body without an activity', () => {
    const base = JSON.parse(deliveries[0] ?? '{}') as Record<string, unknown>;
    const voided = JSON.stringify({
      ...base,
      activityStatus: { type: 'MV', code: 'MV', description: 'Voided' },
    });
    const impossible = JSON.stringify({ ...base, gmtActivityDate: '20260231' });

    expect(read(voided)).toEqual({ events: [], ignored: 1 });
    expect(read(impossible)).toEqual({ events: [], ignored: 1 });
    expect(() => read(JSON.stringify({ trackingNumber: '1Z5338FF0107231059' }))).toThrow(CarrierPayloadError);
  });

  it('reads a status refined from UPS text: a customs hold on an exception', () => {
    const base = JSON.parse(deliveries[3] ?? '{}') as Record<string, unknown>;
    const held = JSON.stringify({
      ...base,
      activityStatus: {
        type: 'X',
        code: 'CD',
        description: 'Your package is being held for clearance by customs.',
      },
    });
    expect(read(held).events[0]?.status).toBe('customs');
  });
});

describe('generic tracking format', () => {
  const body = fixture('generic-colissimo.json');
  const signed = (rawBody: Buffer | string, timestamp = T, secret = GENERIC_SECRET) => ({
    rawBody,
    headers: { [GENERIC_SIGNATURE_HEADER]: signTimestamped(rawBody, secret, timestamp) },
  });

  it('normalizes a batch, keyed on the sender’s event ids', () => {
    const { events, ignored } = readCarrierWebhook('generic', signed(body), {
      secrets: [GENERIC_SECRET],
      now: NOW,
    });

    expect(ignored).toBe(0);
    expect(summary(events)).toEqual([
      ['delivered', '2026-03-04T11:18:00.000Z', 'Lyon'],
      ['out_for_delivery', '2026-03-04T07:02:00.000Z', 'Lyon'],
      ['in_transit', '2026-03-03T22:40:00.000Z', 'Chilly-Mazarin'],
      ['picked_up', '2026-03-03T15:55:00.000Z', 'Paris'],
    ]);
    expect(events[0]).toMatchObject({
      eventKey: 'colissimo:evt_6A23456789012_0004',
      source: 'generic',
      carrier: 'colissimo',
      code: 'LIVCFM',
    });
  });

  it('reads a single event and defaults its code to the status', () => {
    const single = fixture('generic-single.json');
    const { events } = readCarrierWebhook('generic', signed(single), { secrets: [GENERIC_SECRET], now: NOW });

    expect(events).toEqual([
      expect.objectContaining({
        eventKey: 'house-courier:hc-000184-attempt-1',
        carrier: 'house-courier',
        status: 'delivery_attempted',
        code: 'delivery_attempted',
        occurredAt: '2026-03-05T17:30:00.000Z',
        location: { city: 'Paris', postalCode: '75016', country: 'FR' },
      }),
    ]);
  });

  it('refuses a replayed delivery signed more than 300 s ago, or too far in the future', () => {
    for (const timestamp of [T - 301, T + 301]) {
      const error = failureOf(CarrierSignatureError, () =>
        readCarrierWebhook('generic', signed(body, timestamp), { secrets: [GENERIC_SECRET], now: NOW }),
      );
      expect(error.reason).toBe('timestamp_outside_tolerance');
    }
    for (const timestamp of [T - 300, T + 300]) {
      expect(
        readCarrierWebhook('generic', signed(body, timestamp), { secrets: [GENERIC_SECRET], now: NOW })
          .events,
      ).toHaveLength(4);
    }
  });

  it('refuses a header without a timestamp or a v1 signature', () => {
    const v1 = signTimestamped(body, GENERIC_SECRET, T).split(',')[1] ?? '';
    for (const header of [v1, `t=${T}`, `t=${T},v0=${'0'.repeat(64)}`, 'garbage']) {
      const error = failureOf(CarrierSignatureError, () =>
        readCarrierWebhook(
          'generic',
          { rawBody: body, headers: { [GENERIC_SIGNATURE_HEADER]: header } },
          { secrets: [GENERIC_SECRET], now: NOW },
        ),
      );
      expect(error.reason).toBe('malformed_header');
    }
  });

  it('refuses a signed body with an unknown field or status, naming where', () => {
    const unknownField = JSON.stringify({
      ...JSON.parse(fixture('generic-single.json').toString('utf8')),
      eta: 'x',
    });
    const unknownStatus = JSON.stringify({
      ...JSON.parse(fixture('generic-single.json').toString('utf8')),
      status: 'lost',
    });
    for (const rawBody of [unknownField, unknownStatus]) {
      const error = failureOf(CarrierPayloadError, () =>
        readCarrierWebhook('generic', signed(rawBody), { secrets: [GENERIC_SECRET], now: NOW }),
      );
      expect(error.status).toBe(400);
      expect(error.details).toHaveProperty('path');
    }
  });
});

/** How each feed authenticates a delivery, for the checks every feed must pass. */
const FEEDS = [
  {
    slug: 'dhl',
    file: 'dhl-push-delivered.json',
    secret: DHL_TOKEN,
    sign: (_: Buffer, secret: string) => ({ [DHL_TOKEN_HEADER]: secret }),
    signsBody: false,
  },
  {
    slug: 'fedex',
    file: 'fedex-aiv-international.json',
    secret: FEDEX_TOKEN,
    sign: (body: Buffer, secret: string) => ({ 'x-fedex-signature': signBody(body, secret) }),
    signsBody: true,
  },
  {
    slug: 'ups',
    file: 'ups-track-alert.json',
    secret: UPS_CREDENTIAL,
    sign: (_: Buffer, secret: string) => ({ [UPS_CREDENTIAL_HEADER]: secret }),
    signsBody: false,
  },
  {
    slug: 'generic',
    file: 'generic-colissimo.json',
    secret: GENERIC_SECRET,
    sign: (body: Buffer, secret: string) => ({
      [GENERIC_SIGNATURE_HEADER]: signTimestamped(body, secret, T),
    }),
    signsBody: true,
  },
] as const;

// A shared token authenticates the sender, not the bytes: only the HMAC schemes can notice tampering
// (TLS is what protects DHL's and UPS's bodies in transit).
describe.each(FEEDS.filter((feed) => feed.signsBody))('integrity of $slug deliveries', (feed) => {
  it('refuses a body tampered with after signing', () => {
    const body = fixture(feed.file);
    const headers = feed.sign(body, feed.secret);
    const tampered = Buffer.from(body.toString('utf8').replace(/"2026-03-0/, '"2026-03-1'));

    const error = failureOf(CarrierSignatureError, () =>
      readCarrierWebhook(feed.slug, { rawBody: tampered, headers }, { secrets: [feed.secret], now: NOW }),
    );
    expect(error.reason).toBe('no_valid_signature');
  });
});

describe.each(FEEDS)('verification of $slug deliveries', (feed) => {
  // UPS sends one activity per delivery: its first one stands in for the fixture's list.
  const raw = fixture(feed.file);
  const body =
    feed.slug === 'ups'
      ? Buffer.from(JSON.stringify((JSON.parse(raw.toString('utf8')) as unknown[])[0]))
      : raw;

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('accepts a delivery authenticated with the current or the previous secret', () => {
    for (const secret of [feed.secret, `${feed.secret}-previous`]) {
      const delivery = { rawBody: body, headers: feed.sign(body, secret) };
      const result = readCarrierWebhook(feed.slug, delivery, {
        secrets: [feed.secret, `${feed.secret}-previous`],
        now: NOW,
      });
      expect(result.events.length).toBeGreaterThan(0);
    }
  });

  it('answers 401 CARRIER_SIGNATURE_INVALID for a missing header, reading nothing', () => {
    const parse = vi.spyOn(JSON, 'parse');
    const normalize = vi.spyOn(CARRIER_ADAPTERS[feed.slug], 'normalize');

    const error = failureOf(CarrierSignatureError, () =>
      readCarrierWebhook(feed.slug, { rawBody: body, headers: {} }, { secrets: [feed.secret], now: NOW }),
    );

    expect(parse).not.toHaveBeenCalled();
    expect(normalize).not.toHaveBeenCalled();
    expect(error.reason).toBe('missing_header');
    const response = errorResponse(error, 'req-1');
    expect(response.statusCode).toBe(401);
    expect(JSON.parse(response.body)).toEqual({
      error: {
        code: 'CARRIER_SIGNATURE_INVALID',
        message: expect.any(String),
        requestId: 'req-1',
        details: { reason: 'missing_header' },
      },
    });
  });

  it('refuses a delivery authenticated with another secret, before parsing even a broken body', () => {
    const broken = Buffer.from('{"not": json');
    const parse = vi.spyOn(JSON, 'parse');

    const error = failureOf(CarrierSignatureError, () =>
      readCarrierWebhook(
        feed.slug,
        { rawBody: broken, headers: feed.sign(broken, 'someone-elses-secret') },
        { secrets: [feed.secret], now: NOW },
      ),
    );

    expect(parse).not.toHaveBeenCalled();
    expect(error).toMatchObject({
      status: 401,
      code: 'CARRIER_SIGNATURE_INVALID',
      reason: 'no_valid_signature',
    });
    expect(error.message).not.toContain(feed.secret);
  });

  it('answers 503 CARRIER_WEBHOOK_NOT_CONFIGURED when no secret is set, whatever the delivery says', () => {
    const normalize = vi.spyOn(CARRIER_ADAPTERS[feed.slug], 'normalize');
    for (const secrets of [[], ['', '  ']]) {
      const error = failureOf(CarrierWebhookNotConfiguredError, () =>
        readCarrierWebhook(feed.slug, { rawBody: body, headers: feed.sign(body, '') }, { secrets, now: NOW }),
      );
      expect(error).toMatchObject({ status: 503, code: 'CARRIER_WEBHOOK_NOT_CONFIGURED' });
    }
    expect(normalize).not.toHaveBeenCalled();
  });

  it('answers 400 CARRIER_PAYLOAD_INVALID for an authenticated body that is not the feed’s payload', () => {
    for (const rawBody of [Buffer.from('not json'), Buffer.from('{"shipments":"none","scanEvents":7}')]) {
      const error = failureOf(CarrierPayloadError, () =>
        readCarrierWebhook(
          feed.slug,
          { rawBody, headers: feed.sign(rawBody, feed.secret) },
          { secrets: [feed.secret], now: NOW },
        ),
      );
      expect(error).toMatchObject({ status: 400, code: 'CARRIER_PAYLOAD_INVALID' });
    }
  });
});
