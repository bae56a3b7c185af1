import { describe, expect, it } from 'vitest';
import { OrderPlaced, ReadyForPickup } from '../../../lib/commerce/events.ts';
import type { EventDefinition } from '../../../lib/contracts/events.ts';
import { NOTIFICATION_EVENTS, notificationRequestsOf } from '../../../lib/notifications/triggers.ts';
import { ShipmentStatusChanged, ShipmentWindowMissed } from '../../../lib/tracking/events.ts';
import type { TrackingStatus } from '../../../lib/tracking/status.ts';

const metadata = (eventId: string) => ({
  eventId,
  correlationId: 'corr-1',
  occurredAt: '2026-03-02T10:00:00.000Z',
  schemaVersion: 1,
});

const envelope = (event: EventDefinition, data: unknown, eventId = 'evt-1') => ({
  source: event.source,
  'detail-type': event.detailType,
  detail: { data, metadata: metadata(eventId) },
});

const statusChange = (from: TrackingStatus, to: TrackingStatus, occurredAt = '2026-03-03T09:00:00.000Z') =>
  envelope(ShipmentStatusChanged, {
    shipmentId: 'shp-1',
    orderId: 'ord-1',
    customerId: 'cust-1',
    zone: 'eu',
    carrier: 'dhl',
    service: 'express',
    trackingNumber: '1234567890',
    signatureRequired: true,
    from,
    to,
    occurredAt,
    eventKey: 'scan-1',
    estimate: {
      earliest: '2026-03-03',
      latest: '2026-03-04',
      confidence: 0.9,
      basis: 'learned',
      revisedAt: '2026-03-01T00:00:00.000Z',
    },
  });

describe('notification triggers', () => {
  it('subscribes to the order and shipment events that notify', () => {
    expect(NOTIFICATION_EVENTS).toEqual([
      OrderPlaced,
      ReadyForPickup,
      ShipmentStatusChanged,
      ShipmentWindowMissed,
    ]);
  });

  it('confirms a placed order once per order', () => {
    const [request] =
      notificationRequestsOf(
        envelope(OrderPlaced, {
          orderId: 'ord-1',
          orderNumber: 'V-1',
          checkoutId: 'chk-1',
          zone: 'eu',
          market: 'FR',
          customerId: 'cust-1',
          status: 'paid',
          total: { amount: 120000, currency: 'EUR' },
          lines: [{ sku: 'SKU-1', quantity: 1, locationId: 'paris' }],
          delivery: { method: 'standard', country: 'FR' },
        }),
      ) ?? [];
    expect(request).toMatchObject({
      type: 'order_confirmed',
      subjectId: 'ord-1',
      status: 'placed',
      details: { orderNumber: 'V-1' },
    });
  });

  it('tells a reissued pickup code apart from the first one', () => {
    const ready = (reissued: boolean, eventId: string) =>
      notificationRequestsOf(
        envelope(
          ReadyForPickup,
          {
            orderId: 'ord-1',
            orderNumber: 'V-1',
            checkoutId: 'chk-1',
            zone: 'eu',
            market: 'FR',
            customerId: 'cust-1',
            locationId: 'paris-avenue-montaigne',
            readyAt: '2026-03-02T10:00:00.000Z',
            collectBy: '2026-03-16T18:00:00.000Z',
            reissued,
          },
          eventId,
        ),
      )?.[0]?.status;
    expect(ready(false, 'order:ord-1:ready_for_pickup')).toBe('ready');
    expect(ready(true, 'order:ord-1:ready_for_pickup:2')).toBe(
      'code_reissued@order:ord-1:ready_for_pickup:2',
    );
  });

  it.each([
    ['label_created', 'picked_up', 'shipped', 'shipped'],
    ['label_created', 'in_transit', 'shipped', 'shipped'],
    ['in_transit', 'out_for_delivery', 'out_for_delivery', 'out_for_delivery@2026-03-03T09:00:00.000Z'],
    ['out_for_delivery', 'delivery_attempted', 'delivery_attempted', 'attempted@2026-03-03T09:00:00.000Z'],
    ['out_for_delivery', 'delivered', 'delivered', 'delivered'],
  ] as const)('turns %s → %s into %s', (from, to, type, status) => {
    expect(notificationRequestsOf(statusChange(from, to))).toEqual([
      expect.objectContaining({
        type,
        status,
        subjectId: 'shp-1',
        details: expect.objectContaining({ carrier: 'dhl', signatureRequired: true }),
      }),
    ]);
  });

  it('says nothing of moves the customer does not need to hear about', () => {
    expect(notificationRequestsOf(statusChange('picked_up', 'in_transit'))).toEqual([]);
    expect(notificationRequestsOf(statusChange('in_transit', 'customs'))).toEqual([]);
  });

  it('reports a parcel still moving after its window as late, once per window', () => {
    const late = notificationRequestsOf(statusChange('in_transit', 'exception', '2026-03-05T08:00:00.000Z'));
    expect(late).toEqual([expect.objectContaining({ type: 'late', status: 'late@2026-03-04' })]);
    expect(
      notificationRequestsOf(statusChange('exception', 'in_transit', '2026-03-06T08:00:00.000Z')),
    ).toEqual([expect.objectContaining({ type: 'late', status: 'late@2026-03-04' })]);
    expect(
      notificationRequestsOf(statusChange('in_transit', 'delivered', '2026-03-05T08:00:00.000Z')),
    ).toEqual([expect.objectContaining({ type: 'delivered' })]);
  });

  it('ignores events it has no trigger for, and refuses a known event that fails its schema', () => {
    expect(
      notificationRequestsOf({ source: 'vitrine.catalog', 'detail-type': 'ProductUpserted', detail: {} }),
    ).toEqual([]);
    const broken = statusChange('in_transit', 'delivered');
    expect(
      notificationRequestsOf({ ...broken, detail: { ...broken.detail, data: { shipmentId: 'x' } } }),
    ).toBe(undefined);
  });
});
