import {
  carrierWebhookRoute,
  createShipmentRoute,
  getOrderTrackingRoute,
} from '#lib/contracts/routes/tracking.ts';
import { defineService } from '#lib/platform/manifest.ts';
import { ShipmentStatusChanged } from '#lib/tracking/events.ts';

export const trackingService = defineService({
  name: 'tracking',
  functions: {
    carrierWebhook: {
      entry: 'functions/tracking/carrier-webhook.ts',
      description:
        'Verified carrier tracking events: scans on shipment timelines, status changes published once',
      timeoutSeconds: 15,
      routes: [carrierWebhookRoute],
      // Shipments and orders in the zone tables; tracking-number pointers and locations in inventory.
      tables: { commerce: 'write', inventory: 'read' },
      secrets: ['carriers'],
    },
    shipments: {
      entry: 'functions/tracking/shipments.ts',
      description: 'Staff book parcels (capture, stock out, shipment); owners and staff follow an order',
      timeoutSeconds: 15,
      routes: [createShipmentRoute, getOrderTrackingRoute],
      // Orders and shipments in the zone tables; stock, pointers and locations in inventory; categories
      // from the catalog; a held authorization is captured before a parcel leaves.
      tables: { commerce: 'write', inventory: 'write', catalog: 'read', idempotency: 'write' },
      secrets: ['payments'],
    },
    lateSweeper: {
      entry: 'functions/tracking/late-sweeper.ts',
      description: 'Reports parcels still moving after their delivery window, once per window',
      timeoutSeconds: 120,
      schedules: [{ expression: 'rate(1 hour)', description: 'Find shipments past their delivery window' }],
      // Shipments and orders in the zone tables; locations (for the revised window) in inventory.
      tables: { commerce: 'write', inventory: 'read' },
    },
    laneLearner: {
      entry: 'functions/tracking/lane-learner.ts',
      description:
        'Counts the transit time of each delivered parcel on its lane, for the delivery-date model',
      timeoutSeconds: 30,
      subscriptions: [
        // Only deliveries: every other status change would be a wasted invocation.
        { events: [ShipmentStatusChanged], detail: { data: { to: ['delivered'] } }, batchSize: 10 },
      ],
      // Shipments and orders in the zone tables; locations and the lane statistics in inventory.
      tables: { commerce: 'read', inventory: 'write' },
    },
  },
});
