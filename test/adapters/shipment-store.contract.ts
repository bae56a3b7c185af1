import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { VersionConflictError } from '../../lib/errors.ts';
import { createShipment } from '../../lib/tracking/create-shipment.ts';
import { ShipmentLinesInvalidError, TrackingNumberInUseError } from '../../lib/tracking/errors.ts';
import type { ShipmentLateChecks, ShipmentStore } from '../../lib/tracking/ports.ts';
import type { NewShipment, Shipment, ShipmentEstimate } from '../../lib/tracking/shipment.ts';
import type { TrackingStatus } from '../../lib/tracking/status.ts';
import { applyTrackingEvents } from '../../lib/tracking/timeline.ts';
import type { TrackingEvent } from '../../lib/tracking/tracking-event.ts';

/** A store under test, and a look at what it committed to the outbox of a zone. */
export interface ShipmentStoreFixture {
  readonly store: ShipmentStore & ShipmentLateChecks;
  outboxed(zone: string, eventId: string): Promise<boolean>;
}

const T0 = Date.parse('2026-03-03T07:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

/** A booked shipment of its own (fresh ids and tracking number), as fulfilment creates it. */
export function bookedShipment(overrides: Partial<NewShipment> = {}, createdAt = at(0)) {
  const suffix = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
  return createShipment(
    {
      shipmentId: `shp_${suffix}`,
      orderId: `ord_eu_${suffix}`,
      customerId: `cus_${suffix}`,
      zone: 'eu',
      locationId: 'roissy-warehouse',
      lines: [{ sku: 'VT-SAC-PLUME-NOIR', quantity: 1 }],
      carrier: 'dhl',
      service: 'express',
      trackingNumber: `JD${suffix}`,
      labelRef: `LBL-${suffix}`,
      signatureRequired: true,
      ...overrides,
    },
    { now: createdAt, correlationId: 'req-fulfil' },
  );
}

export function scanOf(shipment: Shipment, status: TrackingStatus, minutes: number): TrackingEvent {
  return {
    eventKey: `${shipment.carrier}:${status}@${minutes}`,
    source: 'generic',
    carrier: shipment.carrier,
    trackingNumber: shipment.trackingNumber,
    status,
    code: status,
    occurredAt: at(minutes).toISOString(),
    location: { city: 'Paris', postalCode: '75008', country: 'FR' },
  };
}

const scanned = (shipment: Shipment, status: TrackingStatus, minutes: number) =>
  applyTrackingEvents(shipment, [scanOf(shipment, status, minutes)], {
    now: at(minutes + 5),
    correlationId: 'req-carrier',
  });

/** The behaviour every shipment store shares; each test books shipments of its own. */
export function describeShipmentStoreContract(name: string, make: () => Promise<ShipmentStoreFixture>) {
  describe(`shipment store contract: ${name}`, () => {
    it('creates a shipment with its event, and answers a retried create with the stored one', async () => {
      const { store, outboxed } = await make();
      const { shipment, event } = bookedShipment();

      expect(await store.create(shipment, [event])).toEqual({ created: true, shipment });
      expect(await store.get('eu', shipment.shipmentId)).toEqual(shipment);
      expect(await outboxed('eu', event.metadata.eventId)).toBe(true);

      // The retry carries what fulfilment knows now; the stored shipment is the answer, unchanged.
      const retried = { ...shipment, labelRef: 'LBL-REPRINTED', updatedAt: at(9).toISOString() };
      expect(await store.create(retried, [event])).toEqual({ created: false, shipment });
      expect(await store.get('eu', shipment.shipmentId)).toEqual(shipment);
      expect(await store.get('us', shipment.shipmentId)).toBeUndefined();
    });

    it('refuses a tracking number already on another shipment of the carrier, and writes nothing', async () => {
      const { store, outboxed } = await make();
      const first = bookedShipment();
      await store.create(first.shipment, [first.event]);
      const second = bookedShipment({ trackingNumber: first.shipment.trackingNumber });

      const refusal = store.create(second.shipment, [second.event]);
      await expect(refusal).rejects.toBeInstanceOf(TrackingNumberInUseError);
      await expect(refusal).rejects.toMatchObject({ code: 'TRACKING_NUMBER_IN_USE', status: 409 });
      expect(await store.get('eu', second.shipment.shipmentId)).toBeUndefined();
      expect(await store.listByOrder('eu', second.shipment.orderId)).toEqual([]);
      expect(await outboxed('eu', second.event.metadata.eventId)).toBe(false);
      expect(
        await store.findByTrackingNumber(first.shipment.carrier, first.shipment.trackingNumber),
      ).toMatchObject({ shipmentId: first.shipment.shipmentId });

      // Numbers are unique per carrier: another carrier may print the same one.
      const otherCarrier = bookedShipment({ trackingNumber: first.shipment.trackingNumber, carrier: 'ups' });
      expect((await store.create(otherCarrier.shipment, [otherCarrier.event])).created).toBe(true);
    });

    it("lists an order's shipments in its zone, oldest first", async () => {
      const { store } = await make();
      const first = bookedShipment({}, at(0));
      const { orderId } = first.shipment;
      const third = bookedShipment({ orderId }, at(120));
      const second = bookedShipment({ orderId }, at(60));
      const elsewhere = bookedShipment({}, at(30));
      for (const booked of [third, first, elsewhere, second]) {
        await store.create(booked.shipment, [booked.event]);
      }

      const listed = await store.listByOrder('eu', orderId);
      expect(listed.map((s) => s.shipmentId)).toEqual(
        [first, second, third].map((b) => b.shipment.shipmentId),
      );
      expect(listed[1]).toEqual(second.shipment);
      expect(await store.listByOrder('us', orderId)).toEqual([]);
      expect(await store.listByOrder('eu', `ord_eu_${randomUUID()}`)).toEqual([]);
    });

    it("finds the shipment a carrier's tracking number belongs to", async () => {
      const { store } = await make();
      const { shipment, event } = bookedShipment({ zone: 'us', carrier: 'fedex' });
      await store.create(shipment, [event]);

      expect(await store.findByTrackingNumber('fedex', shipment.trackingNumber)).toEqual({
        shipmentId: shipment.shipmentId,
        orderId: shipment.orderId,
        zone: 'us',
      });
      expect(await store.findByTrackingNumber('dhl', shipment.trackingNumber)).toBeUndefined();
      expect(await store.findByTrackingNumber('fedex', `${shipment.trackingNumber}0`)).toBeUndefined();
      expect(await store.get('us', shipment.shipmentId)).toEqual(shipment);
    });

    it('saves over the version read with its events, and refuses a stale version writing nothing', async () => {
      const { store, outboxed } = await make();
      const { shipment, event } = bookedShipment();
      await store.create(shipment, [event]);

      const pickedUp = scanned(shipment, 'picked_up', 60);
      await store.save(pickedUp.shipment, shipment.version, pickedUp.events);
      expect(await store.get('eu', shipment.shipmentId)).toEqual(pickedUp.shipment);
      expect(pickedUp.events).toHaveLength(1);
      expect(await outboxed('eu', pickedUp.events[0]!.metadata.eventId)).toBe(true);

      // A concurrent delivery read version 1 too and lost the race.
      const stale = scanned(shipment, 'in_transit', 240);
      const refusal = store.save(stale.shipment, shipment.version, stale.events);
      await expect(refusal).rejects.toBeInstanceOf(VersionConflictError);
      expect(await store.get('eu', shipment.shipmentId)).toEqual(pickedUp.shipment);
      expect(await outboxed('eu', stale.events[0]!.metadata.eventId)).toBe(false);

      // Re-read and re-applied, it goes through.
      const current = (await store.get('eu', shipment.shipmentId)) as Shipment;
      const retried = scanned(current, 'in_transit', 240);
      await store.save(retried.shipment, current.version, retried.events);
      expect(await store.get('eu', shipment.shipmentId)).toMatchObject({ status: 'in_transit', version: 3 });
      expect(await store.listByOrder('eu', shipment.orderId)).toEqual([retried.shipment]);
    });

    it('lists the shipments due for a late check across zones, by due time, page by page', async () => {
      const { store } = await make();
      // Dates of their own: no other test's shipment has an estimate, so the index holds these alone.
      const promised = (latest: string): ShipmentEstimate => ({
        earliest: '2025-01-02',
        latest,
        confidence: 0.9,
        basis: 'default',
        revisedAt: '2025-01-01T09:00:00.000Z',
      });
      const inEu = bookedShipment({ estimate: promised('2025-01-05') });
      const inUs = bookedShipment({ zone: 'us', estimate: promised('2025-01-04') });
      const notYet = bookedShipment({ estimate: promised('2025-01-20') });
      const unpromised = bookedShipment();
      for (const booked of [inEu, inUs, notYet, unpromised])
        await store.create(booked.shipment, [booked.event]);
      const now = new Date('2025-01-10T12:00:00.000Z');
      const dueUs = { zone: 'us', shipmentId: inUs.shipment.shipmentId, dueAt: '2025-01-04T10:00:00.000Z' };
      const dueEu = { zone: 'eu', shipmentId: inEu.shipment.shipmentId, dueAt: '2025-01-05T10:00:00.000Z' };

      expect(await store.dueForLateCheck(now, 10)).toEqual([dueUs, dueEu]);
      expect(await store.dueForLateCheck(now, 1)).toEqual([dueUs]);
      expect(await store.dueForLateCheck(now, 1, dueUs)).toEqual([dueEu]);
      expect(await store.dueForLateCheck(now, 1, dueEu)).toEqual([]);
      expect(await store.dueForLateCheck(new Date('2025-01-04T10:00:00.000Z'), 10)).toEqual([dueUs]);

      // Delivered: nothing to check any more. Promised later: due later.
      const delivered = applyTrackingEvents(inEu.shipment, [scanOf(inEu.shipment, 'delivered', 60)], {
        now,
        correlationId: 'req-carrier',
      });
      await store.save(delivered.shipment, 1, delivered.events);
      const revised = { ...inUs.shipment, estimate: promised('2025-01-12'), version: 2 };
      await store.save(revised, 1, []);
      expect(await store.dueForLateCheck(now, 10)).toEqual([]);
      expect(await store.dueForLateCheck(new Date('2025-01-30T00:00:00.000Z'), 10)).toEqual([
        { zone: 'us', shipmentId: inUs.shipment.shipmentId, dueAt: '2025-01-12T10:00:00.000Z' },
        { zone: 'eu', shipmentId: notYet.shipment.shipmentId, dueAt: '2025-01-20T10:00:00.000Z' },
      ]);
    });

    it('never lets shipments created at once take more of a SKU than the order holds at the location', async () => {
      const { store, outboxed } = await make();
      const { orderId } = bookedShipment().shipment;
      const allowance = { allowed: { 'VT-SAC-PLUME-NOIR': 5, 'VT-CARRE-SOIE': 1 } };
      // Ten parcels of 1 to 3 bags (20 in all) for the order's 5 at Roissy, each with its own number.
      const rivals = Array.from({ length: 10 }, (_, i) =>
        bookedShipment({ orderId, lines: [{ sku: 'VT-SAC-PLUME-NOIR', quantity: 1 + (i % 3) }] }),
      );
      const settled = await Promise.allSettled(
        rivals.map((r) => store.create(r.shipment, [r.event], allowance)),
      );

      const created = rivals.filter((_, i) => settled[i]!.status === 'fulfilled');
      const units = created.reduce((sum, r) => sum + r.shipment.lines[0]!.quantity, 0);
      expect(units).toBeLessThanOrEqual(5);
      // Whatever won, no parcel of one bag was refused while the order still had a bag left.
      expect(units).toBeGreaterThanOrEqual(4);
      for (const [i, s] of settled.entries()) {
        if (s.status === 'fulfilled') continue;
        expect(s.reason).toBeInstanceOf(ShipmentLinesInvalidError);
        expect(s.reason).toMatchObject({
          code: 'SHIPMENT_LINES_INVALID',
          status: 422,
          details: {
            locationId: 'roissy-warehouse',
            lines: [expect.objectContaining({ sku: 'VT-SAC-PLUME-NOIR' })],
          },
        });
        expect(await store.get('eu', rivals[i]!.shipment.shipmentId)).toBeUndefined();
        expect(await outboxed('eu', rivals[i]!.event.metadata.eventId)).toBe(false);
        expect(await store.findByTrackingNumber('dhl', rivals[i]!.shipment.trackingNumber)).toBeUndefined();
      }
      const listed = await store.listByOrder('eu', orderId);
      expect(listed.map((s) => s.shipmentId).sort()).toEqual(
        created.map((r) => r.shipment.shipmentId).sort(),
      );

      // A retry of a created parcel answers it, and is not counted again.
      const first = created[0]!;
      expect(await store.create(first.shipment, [first.event], allowance)).toEqual({
        created: false,
        shipment: first.shipment,
      });
      const room = 5 - units;
      if (room > 0) {
        const last = bookedShipment({ orderId, lines: [{ sku: 'VT-SAC-PLUME-NOIR', quantity: room }] });
        expect((await store.create(last.shipment, [last.event], allowance)).created).toBe(true);
      }
      const over = bookedShipment({ orderId, lines: [{ sku: 'VT-SAC-PLUME-NOIR', quantity: 1 }] });
      await expect(store.create(over.shipment, [over.event], allowance)).rejects.toMatchObject({
        code: 'SHIPMENT_LINES_INVALID',
        details: { lines: [{ sku: 'VT-SAC-PLUME-NOIR', requested: 1, unshipped: 0 }] },
      });

      // Another SKU, and the same SKU from another location, have room of their own.
      const scarf = bookedShipment({ orderId, lines: [{ sku: 'VT-CARRE-SOIE', quantity: 1 }] });
      expect((await store.create(scarf.shipment, [scarf.event], allowance)).created).toBe(true);
      const boutique = bookedShipment({
        orderId,
        locationId: 'paris-saint-honore',
        lines: [{ sku: 'VT-SAC-PLUME-NOIR', quantity: 2 }],
      });
      expect(
        (await store.create(boutique.shipment, [boutique.event], { allowed: { 'VT-SAC-PLUME-NOIR': 2 } }))
          .created,
      ).toBe(true);
    });

    it('refuses a parcel larger than its whole allowance, and units the order does not hold there', async () => {
      const { store, outboxed } = await make();
      const oversized = bookedShipment({ lines: [{ sku: 'VT-SAC-PLUME-NOIR', quantity: 3 }] });
      const allowance = { allowed: { 'VT-SAC-PLUME-NOIR': 2 } };

      await expect(store.create(oversized.shipment, [oversized.event], allowance)).rejects.toMatchObject({
        code: 'SHIPMENT_LINES_INVALID',
        details: { lines: [{ sku: 'VT-SAC-PLUME-NOIR', requested: 3, unshipped: 2 }] },
      });
      const { orderId } = oversized.shipment;
      const stranger = bookedShipment({ orderId, lines: [{ sku: 'VT-CARRE-SOIE', quantity: 1 }] });
      await expect(store.create(stranger.shipment, [stranger.event], allowance)).rejects.toBeInstanceOf(
        ShipmentLinesInvalidError,
      );
      expect(await store.listByOrder('eu', orderId)).toEqual([]);
      expect(await outboxed('eu', oversized.event.metadata.eventId)).toBe(false);

      // Nothing was counted: the whole allowance is still there.
      const whole = bookedShipment({ orderId, lines: [{ sku: 'VT-SAC-PLUME-NOIR', quantity: 2 }] });
      expect((await store.create(whole.shipment, [whole.event], allowance)).created).toBe(true);
    });

    it('counts shipments created without an allowance against a later bounded one', async () => {
      const { store } = await make();
      const unbounded = bookedShipment({ lines: [{ sku: 'VT-SAC-PLUME-NOIR', quantity: 2 }] });
      await store.create(unbounded.shipment, [unbounded.event]);
      const { orderId } = unbounded.shipment;
      const next = bookedShipment({ orderId, lines: [{ sku: 'VT-SAC-PLUME-NOIR', quantity: 1 }] });

      await expect(
        store.create(next.shipment, [next.event], { allowed: { 'VT-SAC-PLUME-NOIR': 2 } }),
      ).rejects.toBeInstanceOf(ShipmentLinesInvalidError);
      expect(
        (await store.create(next.shipment, [next.event], { allowed: { 'VT-SAC-PLUME-NOIR': 3 } })).created,
      ).toBe(true);
    });

    it('answers a retried create with the stored shipment before looking at its units', async () => {
      const { store } = await make();
      const { shipment, event } = bookedShipment({ lines: [{ sku: 'VT-SAC-PLUME-NOIR', quantity: 2 }] });
      const allowance = { allowed: { 'VT-SAC-PLUME-NOIR': 2 } };
      await store.create(shipment, [event], allowance);

      // The order's units are all counted, and this very parcel counted them.
      expect(await store.create(shipment, [event], allowance)).toEqual({ created: false, shipment });
      // A retry whose allowance has changed since (the order read again) still finds its parcel.
      expect(await store.create(shipment, [event], { allowed: {} })).toEqual({ created: false, shipment });
    });

    it('refuses to save a shipment that was never created', async () => {
      const { store, outboxed } = await make();
      const { shipment } = bookedShipment();
      const update = scanned(shipment, 'picked_up', 60);

      await expect(store.save(update.shipment, shipment.version, update.events)).rejects.toBeInstanceOf(
        VersionConflictError,
      );
      expect(await store.get('eu', shipment.shipmentId)).toBeUndefined();
      expect(await outboxed('eu', update.events[0]!.metadata.eventId)).toBe(false);
    });
  });
}
