import { describe, expect, it } from 'vitest';
import {
  DeliveryPromise,
  type DeliveryPromiseInput,
  deliveryPromise,
  type PickupDeliveryPromise,
  type PromiseLine,
  paidLines,
  type ShippedDeliveryPromise,
} from '../../../lib/commerce/delivery-promise.ts';
import { holidayOn } from '../../../lib/delivery/calendar.ts';
import { demoLocations } from '../../../lib/demo/locations.ts';

const LOCATIONS = new Map(demoLocations().map((l) => [l.locationId, l]));
const PARIS = { country: 'FR', postalCode: '75002' };
const TOKYO = { country: 'JP', postalCode: '150-0001' };
/** Monday 13 July 2026, 10:00 in Paris: before every cut-off, the day before Bastille Day. */
const MONDAY_MORNING = new Date('2026-07-13T08:00:00Z');

const bag = (sku: string, paid: number, quantity = 1): PromiseLine => ({
  sku,
  quantity,
  paid,
  category: 'leather-goods',
});

/** A shipped order with every line at one location. */
function shipped(
  overrides: Partial<DeliveryPromiseInput> & { lines: PromiseLine[] },
  locationId = 'roissy-warehouse',
): ShippedDeliveryPromise {
  const promise = deliveryPromise({
    market: 'FR',
    reserved: overrides.lines.map((l) => ({ sku: l.sku, locationId, quantity: l.quantity })),
    delivery: { method: 'standard', shippingAddress: PARIS },
    locations: LOCATIONS,
    now: MONDAY_MORNING,
    ...overrides,
  });
  expect(DeliveryPromise.parse(promise)).toEqual(promise);
  expect(promise).toHaveProperty('parcels');
  return promise as ShippedDeliveryPromise;
}

describe('deliveryPromise', () => {
  describe('signature rule', () => {
    it('requires a signature from €1,000 in the euro markets, and not a cent below', () => {
      const at = shipped({ lines: [bag('BAG-1', 100_000)] });
      expect(at.signature).toMatchObject({
        required: true,
        reasons: ['value'],
        threshold: { amount: 100_000, currency: 'EUR' },
        pickupAlternative: true,
      });
      expect(at.parcels[0]?.signatureRequired).toBe(true);

      const below = shipped({ lines: [bag('BAG-1', 99_999)] });
      expect(below.signature).toMatchObject({ required: false, reasons: [], pickupAlternative: false });
      expect(below.parcels[0]?.signatureRequired).toBe(false);
    });

    it('requires a signature from ¥150,000 in Japan, and not a yen below', () => {
      const tokyo = (paid: number) =>
        shipped(
          {
            market: 'JP',
            lines: [bag('BAG-JP', paid)],
            delivery: { method: 'standard', shippingAddress: TOKYO },
          },
          'narita-warehouse',
        );
      expect(tokyo(150_000).signature).toMatchObject({
        required: true,
        threshold: { amount: 150_000, currency: 'JPY' },
      });
      expect(tokyo(149_999).signature).toMatchObject({
        required: false,
        threshold: { amount: 150_000, currency: 'JPY' },
      });
    });

    it('requires a signature for a watch whatever its price', () => {
      const promise = shipped({
        lines: [{ sku: 'WATCH-1', quantity: 1, paid: 45_000, category: 'watches' }, bag('BAG-1', 20_000)],
      });
      expect(promise.signature).toMatchObject({
        required: true,
        reasons: ['category'],
        categories: ['watches'],
        pickupAlternative: true,
      });
      expect(promise.parcels[0]?.signatureRequired).toBe(true);
    });

    it('values lines with their tax where prices exclude it, as the shopper pays them', () => {
      // $950 before New York tax is $1,034.31 paid: above the US threshold of $1,000.
      const lines = paidLines(
        {
          taxIncluded: false,
          lines: [
            {
              sku: 'BAG-US',
              quantity: 1,
              unitPrice: 95_000,
              lineTotal: 95_000,
              net: 95_000,
              tax: 8_431,
              taxRate: 8_875,
            },
          ],
        },
        () => 'leather-goods',
      );
      expect(lines).toEqual([{ sku: 'BAG-US', quantity: 1, paid: 103_431, category: 'leather-goods' }]);
      const promise = shipped(
        {
          market: 'US',
          lines,
          delivery: { method: 'standard', shippingAddress: { country: 'US', postalCode: '10022' } },
        },
        'secaucus-warehouse',
      );
      expect(promise.signature).toMatchObject({ required: true, reasons: ['value'] });
    });

    it('judges each parcel on its own share of a line split across locations', () => {
      // Three bags at €500 each: two leave Roissy (€1,000, signed for), one Venlo (€500, not).
      const promise = shipped({
        lines: [bag('BAG-3', 150_000, 3)],
        reserved: [
          { sku: 'BAG-3', locationId: 'roissy-warehouse', quantity: 2 },
          { sku: 'BAG-3', locationId: 'venlo-warehouse', quantity: 1 },
        ],
      });
      expect(promise.parcels.map((p) => [p.locationId, p.lines, p.signatureRequired])).toEqual([
        ['roissy-warehouse', [{ sku: 'BAG-3', quantity: 2 }], true],
        ['venlo-warehouse', [{ sku: 'BAG-3', quantity: 1 }], false],
      ]);
      expect(promise.signature.required).toBe(true);
    });
  });

  describe('delivery dates', () => {
    it('gives each parcel its own window, and the order the window of the one arriving last', () => {
      const promise = shipped({
        lines: [bag('BAG-1', 30_000), bag('BAG-2', 30_000)],
        reserved: [
          { sku: 'BAG-1', locationId: 'roissy-warehouse', quantity: 1 },
          { sku: 'BAG-2', locationId: 'venlo-warehouse', quantity: 1 },
        ],
        now: new Date('2026-07-10T08:00:00Z'),
      });
      const [roissy, venlo] = promise.parcels;
      expect(roissy).toMatchObject({
        locationId: 'roissy-warehouse',
        lines: [{ sku: 'BAG-1', quantity: 1 }],
      });
      expect(venlo).toMatchObject({ locationId: 'venlo-warehouse', lines: [{ sku: 'BAG-2', quantity: 1 }] });
      // Roissy to Paris is domestic (2-4 days); Venlo crosses a border inside the EU (3-6 days).
      expect(roissy?.estimate).toEqual({
        earliest: '2026-07-15',
        latest: '2026-07-17',
        confidence: 0.9,
        basis: 'default',
      });
      expect(venlo?.estimate).toEqual({
        earliest: '2026-07-16',
        latest: '2026-07-21',
        confidence: 0.9,
        basis: 'default',
      });
      expect(promise.estimate).toEqual({ earliest: '2026-07-16', latest: '2026-07-21', confidence: 0.9 });
    });

    it("dispatches on the day only before the location's cut-off, and skips a public holiday", () => {
      expect(holidayOn('2026-07-14', 'FR')?.name).toBe('Bastille Day');
      // Roissy's carrier collection is at 16:00 Paris time.
      const order = (instant: string) =>
        shipped({ lines: [bag('BAG-1', 30_000)], now: new Date(instant) }).parcels[0]?.estimate;
      // Leaves Monday 13; two to four delivery days, Tuesday 14 being Bastille Day: Thursday to Monday.
      expect(order('2026-07-13T13:59:00Z')).toMatchObject({ earliest: '2026-07-16', latest: '2026-07-20' });
      // A minute late: leaves Wednesday 15, after the holiday.
      expect(order('2026-07-13T14:01:00Z')).toMatchObject({ earliest: '2026-07-17', latest: '2026-07-21' });
    });

    it('still promises the signature rule when the postal code fits no lane', () => {
      const promise = shipped({
        lines: [bag('BAG-1', 120_000)],
        delivery: { method: 'express', shippingAddress: { country: 'FR', postalCode: 'PARIS 2' } },
      });
      expect(promise.signature.required).toBe(true);
      expect(promise.parcels[0]?.estimate).toBeUndefined();
      expect(promise.estimate).toBeUndefined();
    });
  });

  describe('click and collect', () => {
    const pickup = (paid: number, now = MONDAY_MORNING): PickupDeliveryPromise => {
      const promise = deliveryPromise({
        market: 'FR',
        lines: [bag('BAG-1', paid)],
        reserved: [{ sku: 'BAG-1', locationId: 'paris-saint-honore', quantity: 1 }],
        delivery: { method: 'pickup', pickupLocationId: 'paris-saint-honore' },
        locations: LOCATIONS,
        now,
      });
      expect(DeliveryPromise.parse(promise)).toEqual(promise);
      return promise as PickupDeliveryPromise;
    };

    it('answers the boutique and the day the order can be collected, with no parcels', () => {
      const promise = pickup(30_000);
      expect(promise).not.toHaveProperty('parcels');
      expect(promise.pickup).toEqual({ locationId: 'paris-saint-honore', readyBy: '2026-07-13' });
      // After the boutique's 14:00 cut-off, the piece is set aside on the next business day.
      expect(pickup(30_000, new Date('2026-07-13T12:30:00Z')).pickup.readyBy).toBe('2026-07-15');
    });

    it('reports the signature taken at the counter without offering a boutique instead', () => {
      expect(pickup(250_000).signature).toMatchObject({
        required: true,
        reasons: ['value'],
        pickupAlternative: false,
      });
      expect(pickup(30_000).signature).toMatchObject({ required: false, pickupAlternative: false });
    });
  });
});
