import { describe, expect, it } from 'vitest';
import { CARRIER_ADAPTERS } from '../../../lib/tracking/carriers/index.ts';
import {
  DHL_REFINEMENTS,
  DHL_STATUS_CODES,
  FEDEX_EVENT_TYPES,
  isTerminal,
  refineStatus,
  STATUS_RANK,
  TrackingStatus,
  UPS_ACTIVITY_TYPES,
  UPS_REFINEMENTS,
} from '../../../lib/tracking/status.ts';

describe('TrackingStatus', () => {
  it('treats delivered and returned to sender as the only terminal statuses', () => {
    expect(TrackingStatus.options.filter(isTerminal)).toEqual(['delivered', 'returned_to_sender']);
  });

  it('ranks every status, each differently', () => {
    const ranks = TrackingStatus.options.map((s) => STATUS_RANK[s]);
    expect(new Set(ranks).size).toBe(TrackingStatus.options.length);
  });

  it('maps carrier codes only to normalized statuses (or to nothing, for codes that say nothing)', () => {
    for (const table of [DHL_STATUS_CODES, FEDEX_EVENT_TYPES, UPS_ACTIVITY_TYPES]) {
      for (const status of Object.values(table)) {
        if (status !== null) expect(TrackingStatus.options).toContain(status);
      }
    }
    // Every status has a FedEx code but `delivery_attempted`, which FedEx's exception reasons reach.
    expect(new Set(Object.values(FEDEX_EVENT_TYPES))).toEqual(
      new Set(TrackingStatus.options.filter((s) => s !== 'delivery_attempted')),
    );
  });
});

describe('refineStatus', () => {
  it.each([
    ['in_transit', 'The shipment has been loaded onto the delivery vehicle', 'out_for_delivery'],
    ['in_transit', 'Die Sendung wird heute zugestellt – in Zustellung', 'out_for_delivery'],
    ['in_transit', 'The shipment is being processed by customs', 'customs'],
    ['in_transit', 'The shipment has been picked up', 'picked_up'],
    ['in_transit', 'The shipment is being returned to the sender', 'returned_to_sender'],
    ['in_transit', 'Customs clearance completed', 'in_transit'],
    ['in_transit', 'Cleared customs, departed', 'in_transit'],
    ['in_transit', 'Processed at parcel center', 'in_transit'],
    ['exception', 'The recipient was not at home', 'delivery_attempted'],
    ['exception', 'Zustellversuch: Empfänger nicht angetroffen', 'delivery_attempted'],
    ['exception', 'Address information not included', 'exception'],
    ['delivered', 'Delivered back to sender', 'returned_to_sender'],
  ] as const)('reads %s with “%s” as %s', (base, text, expected) => {
    expect(refineStatus(base, text, DHL_REFINEMENTS)).toBe(expected);
  });

  it('never moves a status out of its class: transit text cannot deliver a parcel', () => {
    expect(refineStatus('in_transit', 'Delivered to the recipient', DHL_REFINEMENTS)).toBe('in_transit');
    expect(refineStatus('label_created', 'Out for delivery', DHL_REFINEMENTS)).toBe('label_created');
    expect(refineStatus('out_for_delivery', 'Customs', UPS_REFINEMENTS)).toBe('out_for_delivery');
    expect(refineStatus('exception', undefined, UPS_REFINEMENTS)).toBe('exception');
  });
});

describe('carrier code lookups', () => {
  it('ignores codes that are names of object properties rather than carrier codes', () => {
    const dhl = CARRIER_ADAPTERS.dhl.normalize({
      shipments: [
        {
          id: 'JD0146',
          events: [{ timestamp: '2026-03-01T10:00:00Z', statusCode: 'constructor', status: 'x' }],
        },
      ],
    });
    const fedex = CARRIER_ADAPTERS.fedex.normalize({
      trackingNumber: '794612345678',
      scanEvents: [{ date: '2026-03-01T10:00:00Z', eventType: 'toString' }],
    });
    const ups = CARRIER_ADAPTERS.ups.normalize({
      trackingNumber: '1Z5338FF0107231059',
      gmtActivityDate: '20260301',
      gmtActivityTime: '100000',
      activityStatus: { type: '__proto__' },
    });

    for (const result of [dhl, fedex, ups]) expect(result).toEqual({ events: [], ignored: 1 });
  });
});
