import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { LocationDirectory } from '#lib/commerce/ports.ts';
import { homeRegionOf } from '#lib/inventory/home-region.ts';
import {
  LOW_STOCK_METRIC,
  type LowStockCrossing,
  lowStockCrossings,
  type PoolChange,
  type PoolImage,
  RecentIds,
} from '#lib/inventory/low-stock.ts';
import { awsLocations, awsRegion } from '#lib/runtime/aws/deps.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';
import { logger, metrics } from '#lib/runtime/observability.ts';
import { streamHandler } from '#lib/runtime/stream/stream-handler.ts';

export interface StockWatchDeps {
  /**
   * Whether this region made a pool's change. Every region's stream carries every change of the global
   * inventory table; only the region that wrote it (the pool's home region) may count it, or each
   * crossing would be counted once per replica.
   * @default - every change counts: one table and no replicas, as in the local runtime
   */
  readonly madeHere?: (pool: PoolImage & { readonly originRegion?: unknown }) => Promise<boolean>;
  /** @default DEFAULT_LOW_STOCK_THRESHOLD */
  readonly lowStockThreshold?: number;
}

function imageOf(image: Record<string, AttributeValue> | undefined): PoolImage | undefined {
  if (!image) return undefined;
  const item = unmarshall(image);
  const { sku, locationId, available } = item;
  if (typeof sku !== 'string' || typeof locationId !== 'string' || typeof available !== 'number') {
    return undefined;
  }
  return { ...item, sku, locationId, available };
}

function changeOf(record: DynamoDBRecord): PoolChange | undefined {
  const after = imageOf(record.dynamodb?.NewImage as Record<string, AttributeValue> | undefined);
  const before = imageOf(record.dynamodb?.OldImage as Record<string, AttributeValue> | undefined);
  // Without an event id a redelivery cannot be told apart; the sequence number is unique per shard.
  const eventId = record.eventID ?? record.dynamodb?.SequenceNumber;
  if (!eventId || (!after && !before)) return undefined;
  return { eventId, ...(before ? { before } : {}), ...(after ? { after } : {}) };
}

/**
 * Watches the inventory stream for pools whose shared remainder falls below their low-stock
 * threshold, and reports each crossing once: an EMF count (alarmed per region) and a log line naming
 * the pool for whoever restocks it.
 */
export const makeHandler = (deps: StockWatchDeps = {}) => {
  // Lives as long as the execution environment: a batch retried after a failure is not counted twice.
  const seen = new RecentIds(10_000);
  return streamHandler(async (records) => {
    const changes: PoolChange[] = [];
    for (const record of records) {
      const change = changeOf(record);
      if (!change?.after) continue;
      if (deps.madeHere && !(await deps.madeHere(change.after))) continue;
      changes.push(change);
    }
    const crossings = lowStockCrossings(changes, {
      seen,
      ...(deps.lowStockThreshold !== undefined ? { defaultThreshold: deps.lowStockThreshold } : {}),
    });
    report(crossings);
    return { failed: [] };
  });
};

function report(crossings: readonly LowStockCrossing[]): void {
  if (crossings.length === 0) return;
  metrics.addMetric(LOW_STOCK_METRIC, MetricUnit.Count, crossings.length);
  for (const crossing of crossings) {
    logger.warn(crossing.depleted ? 'Stock depleted' : 'Stock ran low', { lowStock: crossing });
  }
}

/**
 * The home-region test on AWS: the region the item says wrote it when it says so, otherwise its
 * location's home region, where every write to the pool happens.
 */
export function madeInRegion(
  region: string,
  locations: LocationDirectory,
): NonNullable<StockWatchDeps['madeHere']> {
  return async (pool) => {
    if (typeof pool.originRegion === 'string') return pool.originRegion === region;
    const location = await locations.get(pool.locationId);
    if (!location) {
      // Counted everywhere rather than nowhere: a missed warning costs more than a repeated one.
      logger.warn('Pool at an unknown location; counting it in every region', {
        locationId: pool.locationId,
      });
      return true;
    }
    return homeRegionOf(location) === region;
  };
}

export const handler = lambdaHandler(() =>
  makeHandler({ madeHere: madeInRegion(awsRegion(), awsLocations()) }),
);
