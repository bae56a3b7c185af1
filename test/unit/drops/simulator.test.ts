import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config/load.ts';
import {
  CONFIGURED_API_THROTTLE,
  planShardCount,
  simulateDrop,
  splitStock,
} from '../../../lib/drops/simulator/drop-simulator.ts';
import { EventQueue } from '../../../lib/drops/simulator/event-queue.ts';
import { InventoryInvariant } from '../../../lib/drops/simulator/inventory-invariant.ts';
import { ItemCapacity, writeUnits } from '../../../lib/drops/simulator/item-capacity.ts';
import { LambdaFunction, type LambdaScaling } from '../../../lib/drops/simulator/lambda-function.ts';
import { DropSimulationOptions } from '../../../lib/drops/simulator/options.ts';
import { TokenBucket, tryTakeAll } from '../../../lib/drops/simulator/token-bucket.ts';

const ITEM = { wcuPerSecond: 1000, rcuPerSecond: 3000 };

function drain(fill: () => boolean): number {
  let n = 0;
  while (fill()) n++;
  return n;
}

describe('EventQueue', () => {
  it('pops entries by time, and entries due together in the order they were pushed', () => {
    const queue = new EventQueue<string>();
    const pushes: [number, string][] = [
      [5, 'e'],
      [1, 'a'],
      [3, 'c1'],
      [3, 'c2'],
      [0, 'z'],
      [3, 'c3'],
      [9, 'f'],
    ];
    for (const [time, value] of pushes) queue.push(time, value);
    const popped: string[] = [];
    for (let next = queue.pop(); next !== undefined; next = queue.pop()) popped.push(next.value);
    expect(popped).toEqual(['z', 'a', 'c1', 'c2', 'c3', 'e', 'f']);
  });

  it('stays ordered through thousands of interleaved pushes and pops', () => {
    const queue = new EventQueue<number>();
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    let last = Number.NEGATIVE_INFINITY;
    for (let round = 0; round < 5000; round++) {
      queue.push(last + random() * 100, round);
      if (round % 3 === 0) {
        const next = queue.pop();
        expect(next?.time).toBeGreaterThanOrEqual(last);
        last = next?.time ?? last;
      }
    }
    expect(queue.size).toBe(5000 - Math.ceil(5000 / 3));
  });
});

describe('TokenBucket', () => {
  it('starts full and refuses the request beyond its burst', () => {
    const bucket = new TokenBucket(2000, 1000);
    expect(drain(() => bucket.tryTake(0))).toBe(1000);
  });

  it('refills at its rate and never above its burst', () => {
    const bucket = new TokenBucket(2000, 1000);
    drain(() => bucket.tryTake(0));
    expect(drain(() => bucket.tryTake(100))).toBe(200);
    expect(bucket.available(60_000)).toBe(1000);
  });

  it('says how long until the next token', () => {
    const bucket = new TokenBucket(2000, 1);
    bucket.tryTake(0);
    expect(bucket.waitFor(0)).toBeCloseTo(0.5);
    expect(bucket.waitFor(0.5)).toBe(0);
  });

  it('takes from nested buckets all together or not at all', () => {
    const stage = new TokenBucket(10, 2);
    const account = new TokenBucket(10, 1);
    expect(tryTakeAll([stage, account], 0)).toBe(true);
    expect(tryTakeAll([stage, account], 0)).toBe(false);
    expect(stage.available(0)).toBe(1);
  });
});

describe('ItemCapacity', () => {
  it('accepts 1,000 plain writes in a second and throttles the next until the second turns', () => {
    const item = new ItemCapacity(ITEM);
    const units = writeUnits({ transactional: false, conditionFailed: false });
    expect(drain(() => item.tryWrite(0, units))).toBe(1000);
    expect(item.tryWrite(999.9, units)).toBe(false);
    expect(item.tryWrite(1000, units)).toBe(true);
    expect(item.throttled).toBe(2);
    expect(item.peakWcuPerSecond).toBe(1000);
  });

  it('takes only 500 transactional writes a second: each costs 2 WCU', () => {
    const item = new ItemCapacity(ITEM);
    expect(writeUnits({ transactional: true, conditionFailed: false })).toBe(2);
    expect(drain(() => item.tryWrite(0, writeUnits({ transactional: true, conditionFailed: false })))).toBe(
      500,
    );
  });

  it('charges a write whose condition fails: 1 WCU, 2 inside a transaction', () => {
    expect(writeUnits({ transactional: false, conditionFailed: true })).toBe(1);
    expect(writeUnits({ transactional: true, conditionFailed: true })).toBe(2);
    const item = new ItemCapacity(ITEM);
    expect(drain(() => item.tryWrite(0, writeUnits({ transactional: false, conditionFailed: true })))).toBe(
      1000,
    );
  });

  it('shares one budget between reads and writes, as a partition does', () => {
    const item = new ItemCapacity(ITEM);
    expect(drain(() => item.tryRead(0, 0.5))).toBe(6000);
    const mixed = new ItemCapacity(ITEM);
    for (let i = 0; i < 500; i++) expect(mixed.tryWrite(0, 1)).toBe(true);
    expect(drain(() => mixed.tryRead(0, 0.5))).toBe(3000);
    expect(mixed.tryWrite(0, 1)).toBe(false);
  });
});

describe('LambdaFunction', () => {
  const scaling: LambdaScaling = {
    concurrencyLimit: 5000,
    initialBurst: 1000,
    scaleStep: 1000,
    scaleIntervalMs: 10_000,
    provisioned: 0,
  };
  const fn = (overrides: Partial<LambdaScaling> = {}) =>
    new LambdaFunction({ ...scaling, ...overrides }, (id) => ({ id }));

  it('creates 1,000 environments in the first 10 s and throttles the next until the window turns', () => {
    const lambda = fn();
    expect(drain(() => lambda.acquire(0) !== undefined)).toBe(1000);
    expect(lambda.acquire(9_999)).toBeUndefined();
    expect(lambda.acquire(10_000)?.cold).toBe(true);
    expect(lambda.coldStarts).toBe(1001);
    expect(lambda.throttled).toBe(2);
  });

  it('does not carry unused scale-out allowance into a later window', () => {
    const lambda = fn();
    expect(drain(() => lambda.acquire(35_000) !== undefined)).toBe(1000);
  });

  it('reuses an idle environment warm, without spending the allowance', () => {
    const lambda = fn({ initialBurst: 1 });
    const first = lambda.acquire(0);
    expect(first?.cold).toBe(true);
    expect(lambda.acquire(1)).toBeUndefined();
    lambda.release(first?.env as { id: number });
    const again = lambda.acquire(2);
    expect(again).toEqual({ env: first?.env, cold: false });
  });

  it('never runs more environments at once than the concurrency limit', () => {
    const lambda = fn({ concurrencyLimit: 300 });
    expect(drain(() => lambda.acquire(0) !== undefined)).toBe(300);
    expect(lambda.peakConcurrency).toBe(300);
  });

  it('starts provisioned environments warm and outside the scaling rule', () => {
    const lambda = fn({ provisioned: 2000 });
    expect(lambda.acquire(0)?.cold).toBe(false);
    expect(drain(() => lambda.acquire(0) !== undefined)).toBe(1999 + 1000);
  });
});

describe('InventoryInvariant', () => {
  it('counts every unit granted beyond the stock and every write that breaks conservation', () => {
    const invariant = new InventoryInvariant(2);
    invariant.afterWrite(2, 1, 1);
    invariant.afterWrite(1, 0, 1);
    expect(invariant.violations).toBe(0);
    invariant.afterWrite(0, -1, 1);
    expect(invariant.oversold).toBe(1);
    expect(invariant.violations).toBe(1);
    invariant.afterWrite(0, 0, 0);
    expect(invariant.checks).toBe(4);
  });
});

describe('planShardCount', () => {
  it('keeps each shard at the target share of its write capacity', () => {
    const plan = { unitsPerWrite: 2, itemWcuPerSecond: 1000, targetUtilisation: 0.5, stock: 1000 };
    expect(planShardCount({ ...plan, expectedWritesPerSecond: 3000 })).toBe(12);
    expect(planShardCount({ ...plan, expectedWritesPerSecond: 100_000 })).toBe(400);
    expect(planShardCount({ ...plan, expectedWritesPerSecond: 100_000, stock: 300 })).toBe(300);
    expect(planShardCount({ ...plan, expectedWritesPerSecond: 10 })).toBe(1);
  });

  it('splits the stock as evenly as possible', () => {
    expect(splitStock(10, 4)).toEqual([3, 3, 2, 2]);
  });
});

describe('DropSimulationOptions', () => {
  it('defaults the API Gateway throttle to the one cdk.json deploys', () => {
    const { api } = loadConfig();
    expect(CONFIGURED_API_THROTTLE).toEqual({
      rateLimit: api.throttlingRateLimit,
      burstLimit: api.throttlingBurstLimit,
    });
    const parsed = DropSimulationOptions.parse({ design: 'shards', stock: 1, arrivalsPerSecond: 1 });
    expect(parsed.apiGateway).toMatchObject(CONFIGURED_API_THROTTLE);
  });

  it('rejects unknown keys at every depth', () => {
    const base = { design: 'shards', stock: 1, arrivalsPerSecond: 1 } as const;
    expect(DropSimulationOptions.safeParse({ ...base, shard: {} }).success).toBe(false);
    expect(DropSimulationOptions.safeParse({ ...base, lambda: { coldStart: 1 } }).success).toBe(false);
  });
});

describe('simulateDrop', () => {
  const small = { stock: 200, arrivalsPerSecond: 3000, windowSeconds: 1 } as const;

  it('catches a design that decrements without a condition: the checker reports the oversell', () => {
    const broken = simulateDrop({ ...small, design: 'single-counter', stock: 20, unsafeSkipCondition: true });
    expect(broken.winners).toBeGreaterThan(20);
    expect(broken.oversold).toBe(broken.winners - 20);
    expect(broken.invariantViolations).toBeGreaterThan(0);
    expect(broken.unitsLeft).toBeLessThan(0);

    const sound = simulateDrop({ ...small, design: 'single-counter', stock: 20 });
    expect(sound.winners).toBe(20);
    expect(sound.oversold).toBe(0);
    expect(sound.invariantViolations).toBe(0);
  });

  it('replays the same run from the same seed, and another from another seed', () => {
    for (const design of ['single-counter', 'shards', 'queue'] as const) {
      const first = simulateDrop({ ...small, design, seed: 42 });
      expect(simulateDrop({ ...small, design, seed: 42 })).toEqual(first);
      expect(simulateDrop({ ...small, design, seed: 43 })).not.toEqual(first);
    }
  });

  it.each(['shards', 'queue'] as const)('%s: sells exactly the stock with nothing oversold', (design) => {
    const result = simulateDrop({ ...small, design });
    expect(result.shards).toBeGreaterThan(1);
    expect(result.winners).toBe(200);
    expect(result.unitsLeft).toBe(0);
    expect(result.oversold).toBe(0);
    expect(result.invariantViolations).toBe(0);
    expect(result.invariantChecks).toBeGreaterThanOrEqual(200);
    expect(result.timeToSellOutS).not.toBeNull();
    expect(result.dynamodb.peakItemWcuPerSecond).toBeLessThanOrEqual(1000);
  });

  it('gives every shopper exactly one terminal answer', () => {
    for (const design of ['single-counter', 'shards', 'queue'] as const) {
      const result = simulateDrop({ ...small, design });
      expect(result.winners + result.soldOutAnswers + result.throttledAnswers).toBe(result.shoppers);
      expect(result.latency.count).toBe(result.shoppers);
    }
  });

  it('throttles the single counter at DynamoDB where the shards stay under the item limit', () => {
    const load = { stock: 1000, arrivalsPerSecond: 3000, windowSeconds: 1 } as const;
    const counter = simulateDrop({ ...load, design: 'single-counter' });
    const shards = simulateDrop({ ...load, design: 'shards' });
    expect(counter.throttles.dynamodb).toBeGreaterThan(0);
    expect(counter.dynamodb.peakItemWcuPerSecond).toBe(1000);
    expect(shards.throttles.dynamodb).toBe(0);
    expect(shards.winners).toBe(1000);
    expect(shards.timeToSellOutS).toBeLessThan(counter.timeToSellOutS ?? Number.POSITIVE_INFINITY);
  });

  it('fails each environment at most once per shard, so most losers cost no write at all', () => {
    const result = simulateDrop({ ...small, design: 'shards', windowSeconds: 3 });
    const failedWrites = result.dynamodb.conditionFailures;
    expect(failedWrites).toBeLessThanOrEqual(result.lambda.environments * result.shards);
    expect(result.soldOutAnswers).toBeGreaterThan(2 * failedWrites);
  });

  it('throttles at the API Gateway stage limit before anything reaches Lambda', () => {
    const result = simulateDrop({ design: 'shards', stock: 50, arrivalsPerSecond: 5000, windowSeconds: 1 });
    expect(result.throttles.apiGateway).toBeGreaterThan(0);
    const admitted = result.attempts - result.throttles.apiGateway;
    expect(admitted).toBeLessThanOrEqual(1000 + 2000 * result.simulatedSeconds);
  });
});
