import {
  dispatchTransferRoute,
  getAvailabilityRoute,
  receiveTransferRoute,
  setChannelFenceRoute,
  setStockRoute,
  stockLedgerRoute,
} from '#lib/contracts/routes/inventory.ts';
import { LOW_STOCK_METRIC } from '#lib/inventory/low-stock.ts';
import { defineService } from '#lib/platform/manifest.ts';

export const inventoryService = defineService({
  name: 'inventory',
  functions: {
    availability: {
      entry: 'functions/inventory/availability.ts',
      description: 'Available-to-promise per SKU, channel and location, read from the nearest replica',
      routes: [getAvailabilityRoute],
      tables: { inventory: 'read' },
    },
    stockAdmin: {
      entry: 'functions/inventory/stock-admin.ts',
      description: 'Staff stock operations: stock takes and receipts, channel fences, transfers, the ledger',
      timeoutSeconds: 15,
      routes: [
        setStockRoute,
        setChannelFenceRoute,
        dispatchTransferRoute,
        receiveTransferRoute,
        stockLedgerRoute,
      ],
      tables: { inventory: 'write', idempotency: 'write' },
    },
    stockWatch: {
      entry: 'functions/inventory/stock-watch.ts',
      description: 'Counts stock pools whose shared remainder falls below their low-stock threshold',
      timeoutSeconds: 30,
      // Only a change can cross the threshold: a new pool has nothing to fall from. Replicas of other
      // regions' writes are dropped in the handler, by the pool's home region: pool items carry no
      // origin region for an `ownRegionOnly` filter to match.
      streams: [
        {
          table: 'inventory',
          batchSize: 100,
          filter: { eventName: ['MODIFY'], dynamodb: { Keys: { pk: { S: [{ prefix: 'POOL#' }] } } } },
        },
      ],
      tables: { inventory: 'read' },
      metricAlarms: [
        {
          metric: LOW_STOCK_METRIC,
          description: 'stock pools fell below their low-stock threshold; restock or rebalance them',
        },
      ],
    },
  },
});
