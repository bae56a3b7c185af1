import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { madeInRegion, makeHandler } from '../../functions/inventory/stock-watch.ts';
import { poolItem } from '../../lib/adapters/dynamo/dynamo-stock-store.ts';
import { demoLocations } from '../../lib/demo/locations.ts';
import { LOW_STOCK_METRIC } from '../../lib/inventory/low-stock.ts';
import type { StockPool } from '../../lib/inventory/stock.ts';
import { lambdaContext } from '../../lib/runtime/local/lambda-context.ts';
import { logger, metrics } from '../../lib/runtime/observability.ts';
import { StaticLocations } from '../support/commerce-fakes.ts';

const ctx = lambdaContext('stock-watch', 30);
const PARIS = 'paris-saint-honore';
const NEW_YORK = 'new-york-madison-avenue';
const homeOf = (locationId: string) =>
  demoLocations().find((l) => l.locationId === locationId)?.region as string;

function pool(available: number, extra: Partial<StockPool> & Record<string, unknown> = {}) {
  const { locationId = PARIS, ...rest } = extra;
  return {
    sku: 'AUR-RING-52',
    locationId,
    zone: 'eu',
    onHand: available + 1,
    reserved: 1,
    allocated: 0,
    available,
    fences: {},
    ...rest,
  } as StockPool & Record<string, unknown>;
}

let sequence = 0;
function record(
  before: StockPool | undefined,
  after: StockPool | undefined,
  eventID?: string,
): DynamoDBRecord {
  sequence++;
  const item = (p: StockPool) => marshall({ ...poolItem(p), ...p }, { removeUndefinedValues: true }) as never;
  const keyOf = (after ?? before) as StockPool;
  return {
    eventID: eventID ?? `ev-${sequence}`,
    eventName: before && after ? 'MODIFY' : after ? 'INSERT' : 'REMOVE',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-west-1',
    dynamodb: {
      Keys: marshall({ pk: `POOL#${keyOf.sku}`, sk: `LOC#${keyOf.locationId}` }) as never,
      ...(before ? { OldImage: item(before) } : {}),
      ...(after ? { NewImage: item(after) } : {}),
      SequenceNumber: String(sequence),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

let addMetric: MockInstance<typeof metrics.addMetric>;
let warn: MockInstance<typeof logger.warn>;
beforeEach(() => {
  addMetric = vi.spyOn(metrics, 'addMetric');
  warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
});

const crossingsCounted = () =>
  addMetric.mock.calls
    .filter(([name]) => name === LOW_STOCK_METRIC)
    .reduce((sum, [, unit, value]) => {
      expect(unit).toBe(MetricUnit.Count);
      return sum + Number(value);
    }, 0);

describe('stock watch', () => {
  it('counts a pool falling below the threshold once, with a log line naming it', async () => {
    const watch = makeHandler();
    const result = await watch(
      {
        Records: [
          record(pool(2), pool(1)),
          record(pool(5), pool(3)), // stays above
          record(pool(1), pool(0)), // already low
          record(pool(0), pool(4)), // restock
          record(undefined, pool(0)), // created empty
        ],
      },
      ctx,
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(crossingsCounted()).toBe(1);
    expect(warn).toHaveBeenCalledWith('Stock ran low', {
      lowStock: expect.objectContaining({
        sku: 'AUR-RING-52',
        locationId: PARIS,
        threshold: 2,
        available: 1,
      }),
    });
  });

  it("says when a pool is depleted, and honours a pool's own threshold", async () => {
    const watch = makeHandler();
    await watch(
      {
        Records: [
          record(pool(3), pool(0)),
          record(pool(6, { lowStockThreshold: 5 }), pool(4, { lowStockThreshold: 5, locationId: NEW_YORK })),
        ],
      },
      ctx,
    );
    expect(crossingsCounted()).toBe(2);
    expect(warn).toHaveBeenCalledWith('Stock depleted', {
      lowStock: expect.objectContaining({ available: 0 }),
    });
    expect(warn).toHaveBeenCalledWith('Stock ran low', {
      lowStock: expect.objectContaining({ threshold: 5, locationId: NEW_YORK }),
    });
  });

  it('does not count a redelivered stream record again', async () => {
    const watch = makeHandler();
    const batch = { Records: [record(pool(2), pool(1), 'ev-dup'), record(pool(3), pool(0), 'ev-other')] };
    await watch(batch, ctx);
    await watch(batch, ctx);
    await watch({ Records: [record(pool(2), pool(1), 'ev-dup')] }, ctx);
    expect(crossingsCounted()).toBe(2);
  });

  it('counts only the changes made in its own region: replicas of other regions are skipped', async () => {
    const locations = new StaticLocations(demoLocations());
    const inEurope = makeHandler({ madeHere: madeInRegion(homeOf(PARIS), locations) });
    const inAmerica = makeHandler({ madeHere: madeInRegion(homeOf(NEW_YORK), locations) });
    const records = [
      record(pool(2), pool(1)),
      record(pool(2, { locationId: NEW_YORK }), pool(0, { locationId: NEW_YORK })),
    ];
    await inEurope({ Records: records }, ctx);
    expect(crossingsCounted()).toBe(1);
    addMetric.mockClear();
    await inAmerica({ Records: records }, ctx);
    expect(crossingsCounted()).toBe(1);
  });

  it('prefers the region an item says wrote it, and counts a pool at an unknown location everywhere', async () => {
    const madeHere = madeInRegion(homeOf(PARIS), new StaticLocations(demoLocations()));
    expect(await madeHere({ ...pool(1), originRegion: homeOf(PARIS) })).toBe(true);
    expect(await madeHere({ ...pool(1), originRegion: homeOf(NEW_YORK) })).toBe(false);
    expect(await madeHere(pool(1))).toBe(true);
    expect(await madeHere(pool(1, { locationId: 'atlantis-boutique' }))).toBe(true);
  });

  it('takes a default threshold from its dependencies', async () => {
    const watch = makeHandler({ lowStockThreshold: 10 });
    await watch({ Records: [record(pool(10), pool(9))] }, ctx);
    expect(crossingsCounted()).toBe(1);
  });

  it('skips records that are not pools without failing the batch', async () => {
    const watch = makeHandler();
    const other: DynamoDBRecord = {
      eventID: 'ev-x',
      eventName: 'MODIFY',
      dynamodb: { NewImage: marshall({ pk: 'LOCATION#x', sk: 'LOCATION', name: 'x' }) as never },
    };
    const result = await watch({ Records: [other] }, ctx);
    expect(result.batchItemFailures).toEqual([]);
    expect(crossingsCounted()).toBe(0);
  });
});
