import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../lib/platform/domain-event.ts';
import { readCarrierWebhook } from '../../../lib/tracking/carriers/index.ts';
import { createShipment } from '../../../lib/tracking/create-shipment.ts';
import { ShipmentStatusChanged } from '../../../lib/tracking/events.ts';
import { Shipment } from '../../../lib/tracking/shipment.ts';
import { isTerminal, STATUS_RANK, TrackingStatus } from '../../../lib/tracking/status.ts';
import { applyTrackingEvents } from '../../../lib/tracking/timeline.ts';
import type { TrackingEvent } from '../../../lib/tracking/tracking-event.ts';
import { signBody } from '../../../lib/tracking/verify.ts';

const CREATED = new Date('2026-03-03T07:00:00.000Z');
const NOW = new Date('2026-03-10T12:00:00.000Z');
const CONTEXT = { now: NOW, correlationId: 'req-carrier-1' };
const TRACKING_NUMBER = '794612345678';
const FIRST_SCAN = Date.parse('2026-03-03T08:00:00.000Z');

function booked(): Shipment {
  return createShipment(
    {
      shipmentId: 'shp_01HZX4',
      orderId: 'ord_01HZX3',
      customerId: 'cus_7f3a',
      zone: 'eu',
      locationId: 'roissy-warehouse',
      lines: [{ sku: 'VT-SAC-PLUME-NOIR', quantity: 1 }],
      carrier: 'fedex',
      service: 'international_priority',
      trackingNumber: TRACKING_NUMBER,
      labelRef: 'LBL-794612345678',
      signatureRequired: true,
    },
    { now: CREATED, correlationId: 'req-fulfil-1' },
  ).shipment;
}

const minutesAfterFirstScan = (minutes: number) => new Date(FIRST_SCAN + minutes * 60_000).toISOString();

function scan(status: TrackingStatus, minutes: number, id = `${status}@${minutes}`): TrackingEvent {
  return {
    eventKey: `fedex:${id}`,
    source: 'fedex',
    carrier: 'fedex',
    trackingNumber: TRACKING_NUMBER,
    status,
    code: status,
    occurredAt: minutesAfterFirstScan(minutes),
    location: { city: 'NEWARK', country: 'US' },
  };
}

/** Applies scans one delivery each, as carriers send them, collecting what was emitted. */
function deliverEach(shipment: Shipment, scans: readonly TrackingEvent[]) {
  let current = shipment;
  const emitted: DomainEvent[] = [];
  for (const s of scans) {
    const update = applyTrackingEvents(current, [s], CONTEXT);
    emitted.push(...update.events);
    current = update.shipment;
  }
  return { shipment: current, emitted };
}

const changes = (emitted: readonly DomainEvent[]) =>
  emitted.map((e) => ShipmentStatusChanged.data.parse(e.data)).map((d) => [d.from, d.to, d.occurredAt]);

describe('createShipment', () => {
  it('books a shipment as label_created with an empty timeline and a ShipmentCreated event', () => {
    const { shipment, event } = createShipment(
      {
        shipmentId: 'shp_1',
        orderId: 'ord_1',
        customerId: 'cus_1',
        zone: 'eu',
        locationId: 'paris-saint-honore',
        lines: [{ sku: 'VT-1', quantity: 2 }],
        carrier: 'dhl',
        service: 'express',
        trackingNumber: '1234567890',
        labelRef: 'awb-1234567890',
        signatureRequired: false,
      },
      { now: CREATED, correlationId: 'req-1' },
    );

    expect(Shipment.parse(shipment)).toEqual(shipment);
    expect(shipment).toMatchObject({
      status: 'label_created',
      statusAt: CREATED.toISOString(),
      events: [],
      version: 1,
    });
    expect(event.definition.source).toBe('vitrine.fulfilment');
    expect(event.metadata).toEqual({
      eventId: 'shipment:shp_1:created',
      correlationId: 'req-1',
      occurredAt: CREATED.toISOString(),
      schemaVersion: 1,
    });
    expect(event.definition.detail.parse({ data: event.data, metadata: event.metadata })).toBeTruthy();
  });
});

describe('applyTrackingEvents', () => {
  it('places a late scan at its event time and keeps the status of the latest scan', () => {
    const { shipment, emitted } = deliverEach(booked(), [scan('in_transit', 600), scan('picked_up', 10)]);

    expect(shipment.events.map((e) => e.status)).toEqual(['picked_up', 'in_transit']);
    expect(shipment).toMatchObject({
      status: 'in_transit',
      statusAt: minutesAfterFirstScan(600),
      version: 3,
    });
    expect(changes(emitted)).toEqual([['label_created', 'in_transit', minutesAfterFirstScan(600)]]);
  });

  it('records a duplicate scan once and changes nothing when it comes again', () => {
    const first = applyTrackingEvents(booked(), [scan('picked_up', 10)], CONTEXT);
    const again = applyTrackingEvents(
      first.shipment,
      [scan('picked_up', 10), scan('picked_up', 10)],
      CONTEXT,
    );

    expect(again).toEqual({
      shipment: first.shipment,
      changed: false,
      added: 0,
      duplicates: 2,
      mismatched: 0,
      events: [],
    });
    expect(again.shipment).toBe(first.shipment);
  });

  it('does not let an earlier-timed scan arriving late override a delivery', () => {
    const { shipment, emitted } = deliverEach(booked(), [
      scan('delivered', 3_000),
      scan('out_for_delivery', 2_900),
      scan('delivery_attempted', 2_000),
    ]);

    expect(shipment.status).toBe('delivered');
    expect(shipment.events.map((e) => e.status)).toEqual([
      'delivery_attempted',
      'out_for_delivery',
      'delivered',
    ]);
    expect(changes(emitted)).toEqual([['label_created', 'delivered', minutesAfterFirstScan(3_000)]]);
  });

  it('records an exception scanned after the delivery without reverting it', () => {
    const delivered = deliverEach(booked(), [scan('out_for_delivery', 100), scan('delivered', 200)]);
    const later = applyTrackingEvents(delivered.shipment, [scan('exception', 900)], CONTEXT);

    expect(later.changed).toBe(true);
    expect(later.shipment.events.at(-1)?.status).toBe('exception');
    expect(later.shipment).toMatchObject({ status: 'delivered', statusAt: minutesAfterFirstScan(200) });
    expect(later.events).toEqual([]);
  });

  it('keeps a returned parcel returned when the return leg’s delivery scan follows', () => {
    const { shipment } = deliverEach(booked(), [
      scan('delivery_attempted', 100),
      scan('returned_to_sender', 5_000),
      scan('delivered', 9_000),
    ]);

    expect(shipment.status).toBe('returned_to_sender');
  });

  it('moves the customer once when a delivery carries the whole history', () => {
    const history = [
      scan('label_created', 0),
      scan('picked_up', 10),
      scan('in_transit', 600),
      scan('out_for_delivery', 2_900),
    ];
    const update = applyTrackingEvents(booked(), [...history].reverse(), CONTEXT);

    expect(update).toMatchObject({ added: 4, duplicates: 0, changed: true });
    expect(update.shipment.version).toBe(2);
    expect(changes(update.events)).toEqual([
      ['label_created', 'out_for_delivery', minutesAfterFirstScan(2_900)],
    ]);
  });

  it('emits nothing when the status stays the same', () => {
    const first = applyTrackingEvents(booked(), [scan('in_transit', 100)], CONTEXT);
    const second = applyTrackingEvents(first.shipment, [scan('in_transit', 400)], CONTEXT);

    expect(second.changed).toBe(true);
    expect(second.shipment.statusAt).toBe(minutesAfterFirstScan(400));
    expect(second.events).toEqual([]);
  });

  it('leaves out scans of another tracking number or carrier', () => {
    const other = { ...scan('delivered', 100), trackingNumber: '794699999999' };
    const otherCarrier = { ...scan('delivered', 100), carrier: 'ups' };
    const update = applyTrackingEvents(booked(), [other, otherCarrier], CONTEXT);

    expect(update).toMatchObject({ changed: false, mismatched: 2, added: 0 });
  });

  it('emits a schema-valid ShipmentStatusChanged named by shipment, status and scan time', () => {
    const update = applyTrackingEvents(booked(), [scan('out_for_delivery', 2_900)], CONTEXT);
    const [event] = update.events;

    expect(event?.definition).toBe(ShipmentStatusChanged);
    expect(event?.metadata).toEqual({
      eventId: `shipment:shp_01HZX4:status:out_for_delivery:${minutesAfterFirstScan(2_900)}`,
      correlationId: 'req-carrier-1',
      occurredAt: minutesAfterFirstScan(2_900),
      schemaVersion: 1,
    });
    expect(ShipmentStatusChanged.detail.parse({ data: event?.data, metadata: event?.metadata }).data).toEqual(
      {
        shipmentId: 'shp_01HZX4',
        orderId: 'ord_01HZX3',
        customerId: 'cus_7f3a',
        zone: 'eu',
        carrier: 'fedex',
        service: 'international_priority',
        trackingNumber: TRACKING_NUMBER,
        signatureRequired: true,
        from: 'label_created',
        to: 'out_for_delivery',
        occurredAt: minutesAfterFirstScan(2_900),
        eventKey: `fedex:out_for_delivery@2900`,
        location: { city: 'NEWARK', country: 'US' },
      },
    );
    expect(Shipment.parse(update.shipment)).toEqual(update.shipment);
  });

  it('builds the timeline of a real FedEx push in event-time order', () => {
    const body = readFileSync(
      new URL('../../fixtures/carriers/fedex-aiv-international.json', import.meta.url),
    );
    const { events } = readCarrierWebhook(
      'fedex',
      { rawBody: body, headers: { 'x-fedex-signature': signBody(body, 'token') } },
      { secrets: ['token'], now: NOW },
    );
    const update = applyTrackingEvents(booked(), events, CONTEXT);

    expect(update.shipment.events.map((e) => e.code)).toEqual([
      'OC',
      'PU',
      'DP',
      'AR',
      'CD/A12',
      'DE/08',
      'OD',
      'DL',
    ]);
    expect(update.shipment).toMatchObject({ status: 'delivered', statusAt: '2026-03-06T15:14:00.000Z' });
    expect(changes(update.events)).toEqual([['label_created', 'delivered', '2026-03-06T15:14:00.000Z']]);
  });
});

/** A set of distinct scans: times on a coarse grid so that some share an instant. */
const scanSet = fc
  .uniqueArray(
    fc.record({
      id: fc.integer({ min: 0, max: 10_000 }),
      status: fc.constantFrom(...TrackingStatus.options),
      minutes: fc.integer({ min: 0, max: 20 }).map((slot) => slot * 90),
    }),
    { minLength: 1, maxLength: 10, selector: (s) => s.id },
  )
  .map((specs) => specs.map((s) => scan(s.status, s.minutes, `e${s.id}`)));

/** The scans, some re-sent, in an arbitrary arrival order. */
const arrivals = scanSet.chain((scans) =>
  fc.array(fc.nat({ max: scans.length - 1 }), { maxLength: 6 }).chain((resent) => {
    const withDuplicates = [...scans, ...resent.map((i) => scans[i]!)];
    return fc.tuple(
      fc.constant(scans),
      fc.shuffledSubarray(withDuplicates, {
        minLength: withDuplicates.length,
        maxLength: withDuplicates.length,
      }),
    );
  }),
);

/** Reference, written apart from the implementation: the in-order sequence and its status changes. */
function inOrder(scans: readonly TrackingEvent[]) {
  const sorted = [...scans].sort(
    (a, b) =>
      Date.parse(a.occurredAt) - Date.parse(b.occurredAt) ||
      STATUS_RANK[a.status] - STATUS_RANK[b.status] ||
      a.eventKey.localeCompare(b.eventKey),
  );
  let status: TrackingStatus = 'label_created';
  let at = CREATED.toISOString();
  let statusChanges = 0;
  let ended = false;
  for (const s of sorted) {
    if (ended) continue;
    if (s.status !== status) statusChanges += 1;
    status = s.status;
    at = s.occurredAt;
    ended = isTerminal(s.status);
  }
  const firstTerminal = sorted.findIndex((s) => isTerminal(s.status));
  const afterTerminal = firstTerminal >= 0 ? sorted.length - 1 - firstTerminal : 0;
  return { sorted, status, at, statusChanges, afterTerminal };
}

describe('applyTrackingEvents under redelivery and reordering', () => {
  it('ends in the same timeline and status for every arrival order, with or without duplicates', () => {
    fc.assert(
      fc.property(arrivals, ([scans, arrived]) => {
        const reference = inOrder(scans);
        const { shipment } = deliverEach(booked(), arrived);

        expect(shipment.events.map((e) => e.eventKey)).toEqual(reference.sorted.map((s) => s.eventKey));
        expect(shipment.status).toBe(reference.status);
        expect(shipment.statusAt).toBe(reference.at);
        // One write per new scan; a duplicate writes nothing.
        expect(shipment.version).toBe(1 + scans.length);
      }),
    );
  });

  it('emits exactly the status changes of the in-order sequence when scans arrive in order', () => {
    fc.assert(
      fc.property(scanSet, (scans) => {
        const reference = inOrder(scans);
        // Each scan delivered twice in a row, as a carrier retrying a timed-out delivery does.
        const { emitted } = deliverEach(
          booked(),
          reference.sorted.flatMap((s) => [s, s]),
        );

        expect(emitted).toHaveLength(reference.statusChanges);
      }),
    );
  });

  it('emits, in any arrival order, a chain of distinct changes that ends in the final status', () => {
    fc.assert(
      fc.property(arrivals, ([scans, arrived]) => {
        const reference = inOrder(scans);
        const { shipment, emitted } = deliverEach(booked(), arrived);
        const data = emitted.map((e) => ShipmentStatusChanged.data.parse(e.data));

        // Deduped by (shipment, status, scan time) there is nothing to drop: no change is emitted twice.
        const ids = emitted.map((e) => e.metadata.eventId);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids).toEqual(
          data.map((d) => `shipment:${shipment.shipmentId}:status:${d.to}:${d.occurredAt}`),
        );
        // Each change starts where the previous one ended, and changes something.
        let previous: TrackingStatus = 'label_created';
        for (const d of data) {
          expect(d.from).toBe(previous);
          expect(d.to).not.toBe(d.from);
          expect(scans.some((s) => s.status === d.to && s.occurredAt === d.occurredAt)).toBe(true);
          previous = d.to;
        }
        // The last change is to the final status, so a consumer that keeps the latest change is right.
        // (Its time may differ from statusAt: a later scan of the same status moves that silently.)
        expect(previous).toBe(shipment.status);
        // Out of order, changes can only be skipped, never invented, unless scans follow the journey's
        // end (then a stray later scan can be announced before the delivery it follows arrives).
        if (reference.afterTerminal === 0) expect(data.length).toBeLessThanOrEqual(reference.statusChanges);
      }),
    );
  });

  it('ends in the same shipment whether scans come one per delivery or all in one', () => {
    fc.assert(
      fc.property(arrivals, ([, arrived]) => {
        const oneByOne = deliverEach(booked(), arrived).shipment;
        const batch = applyTrackingEvents(booked(), arrived, CONTEXT);

        expect({ ...batch.shipment, version: 0 }).toEqual({ ...oneByOne, version: 0 });
        expect(batch.events.length).toBeLessThanOrEqual(1);
      }),
    );
  });
});
