import { OrderPlaced } from '#lib/commerce/events.ts';
import {
  createDropRoute,
  enterDropRoute,
  getDropRoute,
  getMyDropEntryRoute,
} from '#lib/contracts/routes/drops.ts';
import { DropEntryQueued } from '#lib/drops/events.ts';
import { defineService, type ServiceManifest } from '#lib/platform/manifest.ts';

/** Typed as a plain manifest: readers iterate its functions, none of which is special. */
export const dropsService: ServiceManifest = defineService({
  name: 'drops',
  functions: {
    drops: {
      entry: 'functions/drops/drops.ts',
      description:
        'Drops: staff creation (fence, shards, seed), the public view, entries and the entry of the caller',
      // A burst queues briefly for DynamoDB rather than failing; still below API Gateway's 29 s.
      timeoutSeconds: 20,
      routes: [createDropRoute, getDropRoute, enterDropRoute, getMyDropEntryRoute],
      tables: { inventory: 'write', idempotency: 'write' },
    },
    dropAdmitter: {
      entry: 'functions/drops/drop-admitter.ts',
      description: 'Claims stock for queued first-come drop entries, in arrival order',
      timeoutSeconds: 30,
      subscriptions: [{ events: [DropEntryQueued], batchSize: 10 }],
      tables: { inventory: 'write' },
    },
    dropOrders: {
      entry: 'functions/drops/drop-orders.ts',
      description: 'Marks a drop entry purchased once the order paying for its units is placed',
      timeoutSeconds: 30,
      subscriptions: [
        // Only orders that paid for drop units: every other order would be a wasted invocation.
        { events: [OrderPlaced], detail: { data: { dropId: [{ exists: true }] } }, batchSize: 10 },
      ],
      tables: { inventory: 'write' },
    },
    dropScheduler: {
      entry: 'functions/drops/drop-scheduler.ts',
      description: 'Draws closed drops and reveals their seeds, expires unpaid holds and passes them on',
      timeoutSeconds: 60,
      schedules: [
        { expression: 'rate(1 minute)', description: 'Draw closed drops and expire unpaid drop holds' },
      ],
      tables: { inventory: 'write' },
    },
  },
});
