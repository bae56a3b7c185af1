import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { type CarrierWebhookDeps, makeHandler } from '../../functions/tracking/carrier-webhook.ts';
import { ShipmentTooLargeError } from '../../lib/adapters/dynamo/dynamo-shipment-store.ts';
import type { Order } from '../../lib/commerce/order.ts';
import { carrierWebhookRoute } from '../../lib/contracts/routes/tracking.ts';
import { demoLocations } from '../../lib/demo/locations.ts';
import type { DomainEvent } from '../../lib/platform/domain-event.ts';
import { DHL_TOKEN_HEADER } from '../../lib/tracking/carriers/dhl.ts';
import { GENERIC_SIGNATURE_HEADER } from '../../lib/tracking/carriers/generic.ts';
import { UPS_CREDENTIAL_HEADER } from '../../lib/tracking/carriers/ups.ts';
import { createShipment } from '../../lib/tracking/create-shipment.ts';
import { InMemoryShipmentStore } from '../../lib/tracking/in-memory-shipment-store.ts';
import type { NewShipment, Shipment } from '../../lib/tracking/shipment.ts';
import { applyTrackingEvents } from '../../lib/tracking/timeline.ts';
import type { CarrierSlug } from '../../lib/tracking/tracking-event.ts';
import { signBody, signTimestamped } from '../../lib/tracking/verify.ts';
import { apiEvent, invoke } from '../support/api-event.ts';
import { FixedClock } from '../support/fakes.ts';

const NOW = new Date('2026-03-10T12:00:00.000Z');
const T = Math.floor(NOW.getTime() / 1000);
const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/carriers/${name}`, import.meta.url)).toString('utf8');

const SECRETS: Record<CarrierSlug, string[]> = {
  dhl: ['dhl-hook-token-old', 'dhl-hook-token-new'],
  fedex: ['fedex-aiv-security-token'],
  ups: ['ups-track-alert-credential'],
  generic: ['vtr_whsec_generic'],
};

const signed = {
  dhl: (_body: string) => ({ [DHL_TOKEN_HEADER]: SECRETS.dhl[1] as string }),
  fedex: (body: string) => ({ 'x-fedex-signature': signBody(body, SECRETS.fedex[0] as string) }),
  ups: (_body: string) => ({ [UPS_CREDENTIAL_HEADER]: SECRETS.ups[0] as string }),
  generic: (body: string, timestamp = T) => ({
    [GENERIC_SIGNATURE_HEADER]: signTimestamped(body, SECRETS.generic[0] as string, timestamp),
  }),
} satisfies Record<CarrierSlug, (body: string) => Record<string, string>>;

/** The parts of an order a revision reads: where it goes and how. */
function orderTo(country: string, postalCode: string, method = 'express'): Order {
  return {
    delivery: {
      method,
      shippingAddress: { name: 'Claire Martin', line1: '1 rue du Faubourg', city: 'x', postalCode, country },
    },
  } as unknown as Order;
}

interface World {
  readonly store: InMemoryShipmentStore;
  readonly deps: CarrierWebhookDeps;
  readonly orders: Map<string, Order>;
  deliver(
    carrier: CarrierSlug,
    rawBody: string,
    headers?: Record<string, string>,
    options?: { base64?: boolean },
  ): ReturnType<typeof invoke>;
  book(input: Partial<NewShipment> & Pick<NewShipment, 'carrier' | 'trackingNumber'>): Promise<Shipment>;
}

function world(store = new InMemoryShipmentStore(), secrets = SECRETS): World {
  const orders = new Map<string, Order>();
  const deps: CarrierWebhookDeps = {
    shipments: store,
    carrierSecrets: async (carrier) => secrets[carrier],
    commerce: { getOrder: async (orderId) => orders.get(orderId) },
    locations: { get: async (locationId) => demoLocations().find((l) => l.locationId === locationId) },
    clock: new FixedClock(NOW),
  };
  const handler = makeHandler(deps);
  let booked = 0;
  return {
    store,
    deps,
    orders,
    deliver: (carrier, rawBody, headers = signed[carrier](rawBody), options = {}) =>
      invoke(
        handler,
        apiEvent(carrierWebhookRoute, { params: { carrier }, rawBody, headers, base64: options.base64 }),
      ),
    async book(input) {
      booked += 1;
      const { shipment, event } = createShipment(
        {
          shipmentId: `shp_${booked}`,
          orderId: `ord_eu_${booked}`,
          customerId: 'cus_claire',
          zone: 'eu',
          locationId: 'roissy-warehouse',
          lines: [{ sku: 'VT-SAC-PLUME-NOIR', quantity: 1 }],
          service: 'express',
          labelRef: `LBL-${booked}`,
          signatureRequired: true,
          ...input,
        },
        { now: new Date('2026-03-02T16:00:00.000Z'), correlationId: 'req-fulfil' },
      );
      await store.create(shipment, [event]);
      return shipment;
    },
  };
}

const statusEvents = (events: readonly DomainEvent[]) =>
  events.filter((e) => e.definition.detailType === 'ShipmentStatusChanged');

/** A shipment without what differs by arrival time alone. */
const settled = ({ events, updatedAt: _u, version: _v, ...rest }: Shipment) => ({
  ...rest,
  events: events.map(({ receivedAt: _r, ...entry }) => entry),
});

const DHL_NUMBER = '00340434161094042557';
const UPS_NUMBER = '1Z5338FF0107231059';
const upsDeliveries = (JSON.parse(fixture('ups-track-alert.json')) as unknown[]).map((d) =>
  JSON.stringify(d),
);

describe('POST /v1/webhooks/carriers/{carrier}', () => {
  let w: World;
  beforeEach(() => {
    w = world();
  });

  it('puts a verified history on its shipment and publishes the status change once', async () => {
    const shipment = await w.book({ carrier: 'dhl', trackingNumber: DHL_NUMBER });
    const body = fixture('dhl-push-delivered.json');

    const first = await w.deliver('dhl', body);
    expect(first).toMatchObject({ status: 200, json: { received: 5, duplicate: 0, ignored: 0 } });
    const stored = (await w.store.get('eu', shipment.shipmentId)) as Shipment;
    expect(stored).toMatchObject({ status: 'delivered', statusAt: '2026-03-05T10:42:00.000Z', version: 2 });
    expect(stored.events.map((e) => e.status)).toEqual([
      'label_created',
      'picked_up',
      'in_transit',
      'out_for_delivery',
      'delivered',
    ]);
    const published = statusEvents(w.store.events);
    expect(published).toHaveLength(1);
    expect(published[0]?.data).toMatchObject({ from: 'label_created', to: 'delivered' });
    expect(published[0]?.metadata).toMatchObject({
      eventId: `shipment:${shipment.shipmentId}:status:delivered:2026-03-05T10:42:00.000Z`,
      correlationId: 'req-test',
    });

    // DHL retries, or pushes the same history again: nothing changes, nothing is published.
    const again = await w.deliver('dhl', body);
    expect(again).toMatchObject({ status: 200, json: { received: 5, duplicate: 5, ignored: 0 } });
    expect(await w.store.get('eu', shipment.shipmentId)).toEqual(stored);
    expect(statusEvents(w.store.events)).toHaveLength(1);
  });

  it('verifies the exact bytes of a base64-encoded body', async () => {
    await w.book({ carrier: 'fedex', trackingNumber: '794612345678' });
    const body = fixture('fedex-aiv-international.json');

    const answer = await w.deliver('fedex', body, signed.fedex(body), { base64: true });
    expect(answer).toMatchObject({ status: 200, json: { received: 9, duplicate: 0, ignored: 1 } });
  });

  it.each([
    ['dhl', 'no token', {}],
    ['dhl', 'a wrong token', { [DHL_TOKEN_HEADER]: 'dhl-hook-token-guessed' }],
    ['ups', 'another feed’s secret', { [UPS_CREDENTIAL_HEADER]: SECRETS.dhl[0] as string }],
    [
      'fedex',
      'a signature of another body',
      { 'x-fedex-signature': signBody('{}', SECRETS.fedex[0] as string) },
    ],
    ['generic', 'a stale signed timestamp', 'stale'],
  ] as const)(
    'answers 401 to %s delivery with %s, and reads and writes nothing',
    async (carrier, _what, headers) => {
      const inner = new InMemoryShipmentStore();
      const calls: string[] = [];
      const spied = new Proxy(inner, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver);
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            calls.push(String(property));
            return value.apply(target, args);
          };
        },
      });
      const spiedWorld = world(spied);
      const body =
        carrier === 'generic'
          ? fixture('generic-colissimo.json')
          : carrier === 'ups'
            ? (upsDeliveries[0] as string)
            : fixture(carrier === 'dhl' ? 'dhl-push-delivered.json' : 'fedex-aiv-international.json');
      const sent = headers === 'stale' ? signed.generic(body, T - 301) : headers;

      const answer = await spiedWorld.deliver(carrier, body, sent);
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual({
        error: {
          code: 'CARRIER_SIGNATURE_INVALID',
          message: expect.any(String),
          requestId: 'req-test',
          details: expect.any(Object),
        },
      });
      expect(calls).toEqual([]);
      expect(inner.events).toEqual([]);
    },
  );

  it('leaves the shipment unchanged when a forged delivery names it', async () => {
    const shipment = await w.book({ carrier: 'dhl', trackingNumber: DHL_NUMBER });
    const answer = await w.deliver('dhl', fixture('dhl-push-delivered.json'), {
      [DHL_TOKEN_HEADER]: 'forged',
    });

    expect(answer.status).toBe(401);
    expect(await w.store.get('eu', shipment.shipmentId)).toEqual(shipment);
    expect(statusEvents(w.store.events)).toEqual([]);
  });

  it('answers 400 to an authenticated body that is not the feed’s payload, changing nothing', async () => {
    await w.book({ carrier: 'colissimo', trackingNumber: '6A23456789012' });
    const notGeneric = JSON.stringify({
      carrier: 'colissimo',
      trackingNumber: '6A23456789012',
      state: 'moving',
    });
    const notJson = 'trackingNumber=6A23456789012&status=delivered';

    for (const [carrier, body] of [
      ['generic', notGeneric],
      ['dhl', notJson],
    ] as const) {
      const answer = await w.deliver(carrier, body);
      expect(answer).toMatchObject({
        status: 400,
        json: { error: { code: 'CARRIER_PAYLOAD_INVALID', requestId: 'req-test' } },
      });
    }
    expect(statusEvents(w.store.events)).toEqual([]);
  });

  it('answers 503 while a feed has no secret, so the carrier retries once one is set', async () => {
    const unconfigured = world(new InMemoryShipmentStore(), { ...SECRETS, ups: [] });
    const answer = await unconfigured.deliver('ups', upsDeliveries[0] as string);
    expect(answer).toMatchObject({
      status: 503,
      json: { error: { code: 'CARRIER_WEBHOOK_NOT_CONFIGURED' } },
    });
  });

  it('accepts either secret of a feed while one is rolled', async () => {
    await w.book({ carrier: 'dhl', trackingNumber: DHL_NUMBER });
    const body = fixture('dhl-push-delivered.json');
    expect((await w.deliver('dhl', body, { [DHL_TOKEN_HEADER]: SECRETS.dhl[0] as string })).status).toBe(200);
    expect((await w.deliver('dhl', body, { [DHL_TOKEN_HEADER]: SECRETS.dhl[1] as string })).json).toEqual({
      received: 5,
      duplicate: 5,
      ignored: 0,
    });
  });

  it('counts scans of tracking numbers no shipment has as ignored, and records the rest', async () => {
    const shipment = await w.book({ carrier: 'colissimo', trackingNumber: '6A23456789012' });
    const batch = JSON.parse(fixture('generic-colissimo.json')) as { events: Record<string, unknown>[] };
    const stranger = { ...batch.events[0], trackingNumber: '6A99999999999', eventId: 'evt_stranger' };
    const body = JSON.stringify({ events: [...batch.events, stranger] });

    const answer = await w.deliver('generic', body);
    expect(answer).toMatchObject({ status: 200, json: { received: 5, duplicate: 0, ignored: 1 } });
    expect((await w.store.get('eu', shipment.shipmentId))?.events).toHaveLength(4);
    expect(await w.deliver('generic', fixture('generic-single.json'))).toMatchObject({
      status: 200,
      json: { received: 1, duplicate: 0, ignored: 1 },
    });
  });

  it('ends in the same shipment and the same final event whatever order and however often deliveries arrive', async () => {
    const reference = world();
    const shipment = await reference.book({ carrier: 'ups', trackingNumber: UPS_NUMBER });
    for (const body of upsDeliveries) await reference.deliver('ups', body);
    const expected = (await reference.store.get('eu', shipment.shipmentId)) as Shipment;
    expect(expected.status).toBe('delivered');
    const finalEvent = statusEvents(reference.store.events).at(-1);

    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(upsDeliveries, { minLength: upsDeliveries.length }),
        fc.array(fc.integer({ min: 0, max: upsDeliveries.length - 1 }), { maxLength: 3 }),
        async (order, repeats) => {
          const run = world();
          await run.book({ carrier: 'ups', trackingNumber: UPS_NUMBER });
          const sequence = [...order, ...repeats.map((i) => upsDeliveries[i] as string)];
          let duplicates = 0;
          for (const body of sequence) duplicates += (await run.deliver('ups', body)).json.duplicate;

          const final = (await run.store.get('eu', shipment.shipmentId)) as Shipment;
          expect(settled(final)).toEqual(settled(expected));
          expect(duplicates).toBe(repeats.length);
          const published = statusEvents(run.store.events);
          expect(new Set(published.map((e) => e.metadata.eventId)).size).toBe(published.length);
          expect(published.at(-1)?.metadata.eventId).toBe(finalEvent?.metadata.eventId);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('publishes the same events for the same scans in one delivery, in any order', async () => {
    const batch = JSON.parse(fixture('generic-colissimo.json')) as { events: unknown[] };
    const outcomes = await Promise.all(
      [
        batch.events,
        [...batch.events].reverse(),
        [batch.events[2], batch.events[0], batch.events[3], batch.events[1]],
      ].map(async (events) => {
        const run = world();
        const shipment = await run.book({ carrier: 'colissimo', trackingNumber: '6A23456789012' });
        await run.deliver('generic', JSON.stringify({ events }));
        return {
          shipment: settled((await run.store.get('eu', shipment.shipmentId)) as Shipment),
          events: statusEvents(run.store.events).map((e) => ({ data: e.data, metadata: e.metadata })),
        };
      }),
    );
    expect(outcomes[0]?.events).toHaveLength(1);
    expect(outcomes[1]).toEqual(outcomes[0]);
    expect(outcomes[2]).toEqual(outcomes[0]);
  });

  it('re-reads and re-applies when a concurrent delivery saved the shipment first', async () => {
    class RacingStore extends InMemoryShipmentStore {
      losses = 1;
      override async save(shipment: Shipment, expectedVersion: number, events: readonly DomainEvent[]) {
        if (this.losses > 0) {
          this.losses -= 1;
          // Another delivery (the pickup scan) lands between this one's read and its write.
          const current = (await this.get(shipment.zone, shipment.shipmentId)) as Shipment;
          const rival = applyTrackingEvents(
            current,
            [
              {
                eventKey: 'ups:rival-pickup',
                source: 'ups',
                carrier: 'ups',
                trackingNumber: UPS_NUMBER,
                status: 'picked_up',
                code: 'P',
                occurredAt: '2026-03-02T22:15:00.000Z',
              },
            ],
            { now: NOW, correlationId: 'req-rival' },
          );
          await super.save(rival.shipment, current.version, rival.events);
        }
        return super.save(shipment, expectedVersion, events);
      }
    }
    const racing = world(new RacingStore());
    const shipment = await racing.book({ carrier: 'ups', trackingNumber: UPS_NUMBER });

    const answer = await racing.deliver('ups', upsDeliveries[4] as string);
    expect(answer).toMatchObject({ status: 200, json: { received: 1, duplicate: 0, ignored: 0 } });
    const stored = (await racing.store.get('eu', shipment.shipmentId)) as Shipment;
    expect(stored.events.map((e) => e.eventKey)).toContain('ups:rival-pickup');
    expect(stored).toMatchObject({ status: 'delivered', version: 3 });
    expect(statusEvents(racing.store.events).map((e) => (e.data as { to: string }).to)).toEqual([
      'picked_up',
      'delivered',
    ]);
  });

  it('answers 409 after losing five races in a row, having written nothing, so the carrier retries', async () => {
    class AlwaysLosing extends InMemoryShipmentStore {
      attempts = 0;
      override async save(shipment: Shipment, expectedVersion: number, events: readonly DomainEvent[]) {
        this.attempts += 1;
        return super.save(shipment, expectedVersion - 1, events);
      }
    }
    const store = new AlwaysLosing();
    const losing = world(store);
    const shipment = await losing.book({ carrier: 'ups', trackingNumber: UPS_NUMBER });

    const answer = await losing.deliver('ups', upsDeliveries[4] as string);
    expect(answer).toMatchObject({ status: 409, json: { error: { code: 'VERSION_CONFLICT' } } });
    expect(store.attempts).toBe(5);
    expect(await store.get('eu', shipment.shipmentId)).toEqual(shipment);
  });

  it('revises the estimate after the scan the status comes from, and publishes it with the change', async () => {
    const estimate = {
      earliest: '2026-03-05',
      latest: '2026-03-06',
      confidence: 0.9,
      basis: 'default' as const,
      revisedAt: '2026-03-02T16:00:00.000Z',
    };
    const shipment = await w.book({ carrier: 'colissimo', trackingNumber: '6A23456789012', estimate });
    w.orders.set(shipment.orderId, orderTo('FR', '69002'));
    const batch = JSON.parse(fixture('generic-colissimo.json')) as { events: unknown[] };
    // Out for delivery in Lyon on the morning of 4 March: delivery that day.
    const outForDelivery = JSON.stringify({ events: batch.events.slice(1) });

    await w.deliver('generic', outForDelivery);
    const revised = {
      earliest: '2026-03-04',
      latest: '2026-03-04',
      confidence: 0.95,
      basis: 'default',
      revisedAt: NOW.toISOString(),
    };
    expect((await w.store.get('eu', shipment.shipmentId))?.estimate).toEqual(revised);
    expect(statusEvents(w.store.events).at(-1)?.data).toMatchObject({
      to: 'out_for_delivery',
      estimate: revised,
    });

    // A new scan from before the one the status comes from leaves the estimate alone.
    const sorted = {
      carrier: 'colissimo',
      trackingNumber: '6A23456789012',
      eventId: 'evt_6A23456789012_sort',
      status: 'in_transit',
      occurredAt: '2026-03-04T02:00:00+01:00',
    };
    expect(await w.deliver('generic', JSON.stringify(sorted))).toMatchObject({
      json: { received: 1, duplicate: 0, ignored: 0 },
    });
    expect((await w.store.get('eu', shipment.shipmentId))?.estimate).toEqual(revised);
  });

  it('drops the estimate of a parcel going back to its sender, and keeps it when the lane is unknown', async () => {
    const estimate = {
      earliest: '2026-03-05',
      latest: '2026-03-06',
      confidence: 0.9,
      basis: 'default' as const,
      revisedAt: '2026-03-02T16:00:00.000Z',
    };
    const returning = await w.book({ carrier: 'house-courier', trackingNumber: 'VTR-PAR-000184', estimate });
    w.orders.set(returning.orderId, orderTo('FR', '75016', 'white_glove'));
    const unknownLane = await w.book({ carrier: 'colissimo', trackingNumber: '6A23456789012', estimate });
    const scan = (carrier: string, trackingNumber: string, status: string) => ({
      carrier,
      trackingNumber,
      eventId: `${trackingNumber}-${status}`,
      status,
      occurredAt: '2026-03-05T18:30:00+01:00',
    });

    const answer = await w.deliver(
      'generic',
      JSON.stringify({
        events: [
          scan('house-courier', 'VTR-PAR-000184', 'returned_to_sender'),
          scan('colissimo', '6A23456789012', 'in_transit'),
        ],
      }),
    );
    expect(answer.json).toEqual({ received: 2, duplicate: 0, ignored: 0 });
    expect(await w.store.get('eu', returning.shipmentId)).not.toHaveProperty('estimate');
    expect((await w.store.get('eu', unknownLane.shipmentId))?.estimate).toEqual(estimate);
  });

  it('drops the scans of a shipment whose timeline is full, and still answers for the others', async () => {
    class FullStore extends InMemoryShipmentStore {
      override async save(shipment: Shipment, expectedVersion: number, events: readonly DomainEvent[]) {
        if (shipment.carrier === 'colissimo') throw new ShipmentTooLargeError('full');
        return super.save(shipment, expectedVersion, events);
      }
    }
    const full = world(new FullStore());
    const stuck = await full.book({ carrier: 'colissimo', trackingNumber: '6A23456789012' });
    const moving = await full.book({ carrier: 'house-courier', trackingNumber: 'VTR-PAR-000184' });
    const batch = JSON.parse(fixture('generic-colissimo.json')) as { events: unknown[] };
    const single = JSON.parse(fixture('generic-single.json')) as unknown;

    const answer = await full.deliver('generic', JSON.stringify({ events: [...batch.events, single] }));
    expect(answer).toMatchObject({ status: 200, json: { received: 5, duplicate: 0, ignored: 4 } });
    expect(await full.store.get('eu', stuck.shipmentId)).toEqual(stuck);
    expect((await full.store.get('eu', moving.shipmentId))?.status).toBe('delivery_attempted');
  });
});
