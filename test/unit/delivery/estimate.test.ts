import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Origin } from '../../../lib/delivery/cutoff.ts';
import { localDate } from '../../../lib/delivery/cutoff.ts';
import {
  DeliveryEstimate,
  type EstimateRequest,
  estimateBeforePurchase,
  isLate,
  reviseAfterScan,
} from '../../../lib/delivery/estimate.ts';
import { demoLaneProfiles, generateHistory } from '../../../lib/delivery/history.ts';
import { type DeliveryService, deliveryCalendar, laneOf } from '../../../lib/delivery/lanes.ts';
import { TransitModel } from '../../../lib/delivery/transit-model.ts';
import { demoLocations } from '../../../lib/demo/locations.ts';
import { TrackingStatus } from '../../../lib/tracking/status.ts';

const ORIGINS: Origin[] = demoLocations().map((l) => ({
  locationId: l.locationId,
  country: l.country,
  timezone: l.timezone,
}));
const origin = (id: string) => ORIGINS.find((o) => o.locationId === id)!;
const roissy = origin('roissy-warehouse');
const secaucus = origin('secaucus-warehouse');
const narita = origin('narita-warehouse');
const at = (iso: string) => new Date(iso);

const toParis = (orderedAt: string): EstimateRequest => ({
  origin: roissy,
  destination: { country: 'FR', postalCode: '75008' },
  method: 'standard',
  orderedAt: at(orderedAt),
});
const parisLane = laneOf(roissy, { country: 'FR', postalCode: '75008' }, 'standard');

/** A model that has seen `days` transit days on the Roissy → Paris standard lane. */
function parisModel(days: Record<number, number>): TransitModel {
  const model = new TransitModel();
  for (const [d, n] of Object.entries(days)) {
    model.record({ lane: parisLane, season: 'regular', days: Number(d) }, n);
  }
  return model;
}

describe('estimateBeforePurchase', () => {
  it('answers from the default table for a lane without history', () => {
    // Monday 1 June 2026, 10:00 in Paris: before Roissy's 16:00 cut-off; France standard is 2-4 days.
    expect(estimateBeforePurchase(toParis('2026-06-01T08:00:00Z'))).toEqual({
      earliest: '2026-06-03',
      latest: '2026-06-05',
      confidence: 0.9,
      basis: 'default',
      lane: 'roissy-warehouse>FR-75:dhl:standard',
      timeZone: 'Europe/Paris',
      dispatchOn: '2026-06-01',
      observations: 0,
    });
  });

  it("narrows to the lane's learned distribution once it has enough deliveries", () => {
    const estimate = estimateBeforePurchase(toParis('2026-06-01T08:00:00Z'), {
      model: parisModel({ 1: 100 }),
    });
    expect(estimate).toMatchObject({
      earliest: '2026-06-02',
      latest: '2026-06-02',
      basis: 'learned',
      observations: 100,
    });
    expect(estimate.confidence).toBeGreaterThanOrEqual(0.9);
  });

  it('counts from the next business day after the cut-off and skips carrier days off', () => {
    // Friday 27 November 2026 after Thanksgiving, 10:00 in New Jersey; US standard is 3-5 days.
    expect(
      estimateBeforePurchase({
        origin: secaucus,
        destination: { country: 'US', postalCode: '90210' },
        method: 'standard',
        orderedAt: at('2026-11-27T15:00:00Z'),
      }),
    ).toMatchObject({
      dispatchOn: '2026-11-27',
      earliest: '2026-12-02',
      latest: '2026-12-04',
      timeZone: 'America/Los_Angeles',
      lane: 'secaucus-warehouse>US-902:ups:standard',
    });
  });

  it('delivers through Golden Week only on days Japanese carriers work, Saturdays included', () => {
    expect(
      estimateBeforePurchase({
        origin: narita,
        destination: { country: 'JP', postalCode: '150-0001' },
        method: 'standard',
        orderedAt: at('2026-04-28T01:00:00Z'),
      }),
    ).toMatchObject({ dispatchOn: '2026-04-28', earliest: '2026-04-30', latest: '2026-05-02' });
  });
});

describe('reviseAfterScan', () => {
  const request = toParis('2026-06-01T08:00:00Z');
  const model = parisModel({ 1: 400, 2: 400, 3: 150, 4: 50 });

  it('promises the scan day once the parcel is out for delivery', () => {
    const revised = reviseAfterScan(
      {
        ...request,
        lastScan: { status: 'out_for_delivery', at: at('2026-06-04T06:30:00Z'), place: 'Paris 8e' },
      },
      { model },
    );
    expect(revised).toMatchObject({ earliest: '2026-06-04', latest: '2026-06-04', confidence: 0.95 });
    expect(revised?.scan).toEqual({
      status: 'out_for_delivery',
      at: '2026-06-04T06:30:00.000Z',
      place: 'Paris 8e',
    });
  });

  it('moves to the next delivery day after a failed attempt', () => {
    const friday = at('2026-06-05T15:00:00Z');
    expect(
      reviseAfterScan({ ...request, lastScan: { status: 'delivery_attempted', at: friday } }),
    ).toMatchObject({
      earliest: '2026-06-08',
      latest: '2026-06-08',
    });
    // US express delivers on Saturdays.
    const manhattan = {
      origin: secaucus,
      destination: { country: 'US', postalCode: '10022' },
      method: 'express' as const,
      orderedAt: at('2026-06-03T14:00:00Z'),
    };
    expect(
      reviseAfterScan({
        ...manhattan,
        lastScan: { status: 'delivery_attempted', at: at('2026-06-05T20:00:00Z') },
      }),
    ).toMatchObject({ earliest: '2026-06-06', latest: '2026-06-06' });
  });

  it('closes on the delivery day and has nothing to promise for a parcel going back', () => {
    expect(
      reviseAfterScan({ ...request, lastScan: { status: 'delivered', at: at('2026-06-03T10:00:00Z') } }),
    ).toMatchObject({ earliest: '2026-06-03', latest: '2026-06-03', confidence: 1 });
    expect(
      reviseAfterScan({
        ...request,
        lastScan: { status: 'returned_to_sender', at: at('2026-06-09T10:00:00Z') },
      }),
    ).toBeNull();
  });

  it('narrows the window as transit scans show the parcel has not arrived yet', () => {
    const before = estimateBeforePurchase(request, { model });
    expect(before).toMatchObject({ earliest: '2026-06-02', latest: '2026-06-04' });
    const inTransit = reviseAfterScan(
      { ...request, lastScan: { status: 'in_transit', at: at('2026-06-03T05:00:00Z') } },
      { model },
    );
    expect(inTransit).toMatchObject({ earliest: '2026-06-03', latest: '2026-06-04' });
    // Customs holds the parcel until the next working day at least.
    const customs = reviseAfterScan(
      { ...request, lastScan: { status: 'customs', at: at('2026-06-03T05:00:00Z') } },
      { model },
    );
    expect(customs?.earliest).toBe('2026-06-04');
  });

  it('adds a day to the end of the window after an exception', () => {
    const scan = at('2026-06-02T09:00:00Z');
    const inTransit = reviseAfterScan(
      { ...request, lastScan: { status: 'in_transit', at: scan } },
      { model },
    );
    const exception = reviseAfterScan({ ...request, lastScan: { status: 'exception', at: scan } }, { model });
    expect(exception!.latest > inTransit!.latest).toBe(true);
  });

  it('keeps a late parcel in a low-confidence window from the scan day on', () => {
    const revised = reviseAfterScan(
      { ...request, lastScan: { status: 'in_transit', at: at('2026-06-30T08:00:00Z') } },
      { model },
    );
    expect(revised).toMatchObject({ earliest: '2026-06-30', confidence: 0.5 });
    expect(revised!.latest >= revised!.earliest).toBe(true);
  });
});

describe('isLate', () => {
  it('turns late at midnight after the last day, in the destination’s time zone', () => {
    const estimate = estimateBeforePurchase(toParis('2026-06-01T08:00:00Z'));
    expect(estimate.latest).toBe('2026-06-05');
    expect(isLate(estimate, at('2026-06-05T21:59:59Z'))).toBe(false);
    expect(isLate(estimate, at('2026-06-05T22:00:00Z'))).toBe(true);
  });
});

describe('estimate properties', () => {
  let trained: TransitModel;
  beforeAll(() => {
    trained = TransitModel.train(
      generateHistory({ lanes: demoLaneProfiles(), from: '2026-01-01', to: '2026-03-31', seed: 7 }),
    );
  });

  const DESTINATIONS = [
    { country: 'FR', postalCode: '75008' },
    { country: 'FR', postalCode: '69002' },
    { country: 'DE', postalCode: '80539' },
    { country: 'IT', postalCode: '20121' },
    { country: 'ES', postalCode: '28001' },
    { country: 'NL', postalCode: '1017 AB' },
    { country: 'BE', postalCode: '1000' },
    { country: 'GB', postalCode: 'SW1X 7XL' },
    { country: 'CH', postalCode: '1204' },
    { country: 'US', postalCode: '90210' },
    { country: 'US', postalCode: '10022' },
    { country: 'JP', postalCode: '150-0001' },
    { country: 'KR', postalCode: '06018' },
    { country: 'SG', postalCode: '238801' },
  ];
  const FIRST = Date.parse('2026-01-01T00:00:00Z');
  const LAST = Date.parse('2027-12-20T00:00:00Z');
  const request = fc.record({
    origin: fc.constantFrom(...ORIGINS),
    destination: fc.constantFrom(...DESTINATIONS),
    method: fc.constantFrom<DeliveryService>('standard', 'express', 'white_glove'),
    orderedAt: fc.integer({ min: FIRST, max: LAST }).map((ms) => new Date(ms)),
  });

  it('gives business-day windows with latest ≥ earliest ≥ the dispatch day', () => {
    fc.assert(
      fc.property(request, fc.boolean(), (req, learned) => {
        const estimate = estimateBeforePurchase(req, learned ? { model: trained } : {});
        const calendar = deliveryCalendar(laneOf(req.origin, req.destination, req.method));
        expect(DeliveryEstimate.parse(estimate)).toEqual(estimate);
        expect(estimate.earliest >= estimate.dispatchOn).toBe(true);
        expect(estimate.latest >= estimate.earliest).toBe(true);
        expect(calendar.isWorkingDay(estimate.earliest)).toBe(true);
        expect(calendar.isWorkingDay(estimate.latest)).toBe(true);
        expect(estimate.confidence).toBeGreaterThanOrEqual(0.9);
      }),
      { numRuns: 300 },
    );
  });

  it('never revises to a window that opens before the scan day', () => {
    const inFlight = TrackingStatus.exclude(['returned_to_sender', 'delivery_attempted']);
    fc.assert(
      fc.property(
        request,
        fc.constantFrom(...inFlight.options),
        fc.integer({ min: 0, max: 15 * 24 * 60 }),
        (req, status, minutesLater) => {
          const scanAt = new Date(req.orderedAt.getTime() + minutesLater * 60_000);
          const revised = reviseAfterScan({ ...req, lastScan: { status, at: scanAt } }, { model: trained });
          expect(revised).not.toBeNull();
          expect(revised!.earliest >= localDate(scanAt, revised!.timeZone)).toBe(true);
          expect(revised!.latest >= revised!.earliest).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('covers at least the target share of the very deliveries a lane learned from', () => {
    const [paris] = demoLaneProfiles();
    const history = generateHistory({ lanes: [paris!], from: '2026-01-01', to: '2026-12-20', seed: 11 });
    const model = TransitModel.train(history, { priorWeight: 0 });
    let inside = 0;
    for (const s of history) {
      const e = estimateBeforePurchase(
        { origin: s.origin, destination: s.destination, method: s.service, orderedAt: s.orderedAt },
        { model },
      );
      const delivered = localDate(s.deliveredAt, e.timeZone);
      if (delivered >= e.earliest && delivered <= e.latest) inside++;
    }
    expect(history.length).toBeGreaterThan(500);
    expect(inside / history.length).toBeGreaterThanOrEqual(0.9);
  });
});
