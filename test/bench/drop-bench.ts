import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lib/adapters/dynamo/document-client.ts';
import { DynamoDropStore, entryPartitions } from '../../lib/adapters/dynamo/dynamo-drop-store.ts';
import { DynamoStockStore } from '../../lib/adapters/dynamo/dynamo-stock-store.ts';
import { demoLocations } from '../../lib/demo/locations.ts';
import type { Drop } from '../../lib/drops/drop.ts';
import {
  createDrop,
  DROP_CACHE_MILLIS,
  DropCache,
  type DropDeps,
  enterDrop,
} from '../../lib/drops/use-cases.ts';
import { systemClock } from '../../lib/platform/domain-event.ts';
import {
  createTables,
  LOCAL_CREDENTIALS,
  localTableNames,
  startDynamoLocal,
} from '../../lib/runtime/local/dynamo-local.ts';
import { StaticLocations } from '../support/commerce-fakes.ts';
import { inParallel } from '../support/parallel.ts';
import { percentile } from './stats.ts';

/** Throughput, latency and outcome of one way of running drop entries. */
export interface DropRunFigures {
  readonly attemptsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** From the first timed entry to the entry that took the last unit. */
  readonly sellOutMs: number;
  /** CPU time of this Node process per entry; DynamoDB Local's JVM excluded. */
  readonly nodeCpuMsPerAttempt: number;
  readonly won: number;
  readonly lost: number;
  /** Entries answered with an error (contention outlasting every retry): must be 0. */
  readonly failed: number;
  /** Units handed out beyond the drop's units, counted from the stored entries: must be 0. */
  readonly oversold: number;
  /** Units still on the shards after the run; with won units they must add up to the drop's units. */
  readonly unitsLeft: number;
  /** Transactions cancelled by contention and retried in place. */
  readonly conflictRetries: number;
  /** DynamoDB requests sent per entry, by command. */
  readonly requestsPerAttempt: Readonly<Record<string, number>>;
}

export interface DropBenchReport {
  readonly shoppers: number;
  readonly units: number;
  readonly concurrency: number;
  readonly shards: number;
  readonly admission: string;
  /** One-minute load average at the start: figures from a busy machine read low. */
  readonly loadAverage: number;
  /** `enterDrop` on the DynamoDB drop store, with the per-container drop cache, as the drops handler calls it. */
  readonly useCase: DropRunFigures;
  /** A bare SDK loop sending the same DynamoDB requests per entry, with the same retries and the same cache. */
  readonly baseline: DropRunFigures;
  /** useCase ÷ baseline attempts per second. */
  readonly ratio: number;
  /** The same ratio for each pair of adjacent blocks: its spread shows how noisy the machine was. */
  readonly pairRatios: { readonly min: number; readonly p50: number; readonly max: number };
  readonly target: number;
  readonly meetsTarget: boolean;
}

export interface DropBenchOptions {
  /** Distinct shoppers per runner. @default 5000 */
  readonly shoppers?: number;
  /** Units of the drop each runner sells. @default 300 */
  readonly units?: number;
  /** Entries in flight. @default 100 */
  readonly concurrency?: number;
  /** Shoppers per block when alternating runners. @default 500 */
  readonly block?: number;
  /** Entries per runner into a drop of their own before timing, for the JIT of Node and DynamoDB Local. @default 300 */
  readonly warmup?: number;
}

/** PERFORMANCE.md §11 #7: the entry path should keep at least 80 % of a bare SDK loop's attempts/s. */
export const DROP_EFFICIENCY_TARGET = 0.8;
const LOCATION = 'roissy-warehouse';
const SKU = 'BENCH-DROP-01';
/** Sized as a drop of a few thousand arrivals a second: several shards, claimed inside the request. */
const EXPECTED_ARRIVALS_PER_SECOND = 2_000;
const PAY_WITHIN_MINUTES = 30;

type Outcome = 'won' | 'lost' | 'failed';
type Runner = (sub: string) => Promise<Outcome>;

const round = (n: number, digits = 1) => Number(n.toFixed(digits));
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Counts the requests a document client sends, by command. */
function countRequests(client: DynamoDBDocumentClient): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName).replace(/Command$/, '');
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'benchRequestCounter' },
  );
  return counts;
}

/**
 * Drop entries per second through the real entry use case (`enterDrop` on `DynamoDropStore`, with the
 * container's `DropCache`, as functions/drops/drops.ts calls it) against a bare AWS SDK loop sending the
 * same DynamoDB requests: the drop read (once a second), the entry-and-claim transaction on a random
 * shard (the entry put already `won` unless one exists, the shard's decrement, the hold pointer); only
 * when that shard is short, the entry's conditional put as `queued`, the shards' read and the claim
 * transaction (shard decrement, entry `queued → won`, hold pointer) on the fullest, and for losers the
 * sold-out flag and `queued → lost`; once sold out, the entry read alone. Both run in one process on a private DynamoDB Local, each on a drop of its own,
 * alternating block by block so a noisy machine weighs on both alike (PERFORMANCE.md §11 #7).
 * Run: `npm run bench -- drop`.
 */
export async function benchDrop(options: DropBenchOptions = {}): Promise<DropBenchReport> {
  const shoppers = options.shoppers ?? 5_000;
  const units = options.units ?? 300;
  const concurrency = options.concurrency ?? 100;
  const block = options.block ?? 500;
  const warmup = options.warmup ?? 300;

  const loadAverage = round(loadavg()[0] ?? 0, 2);
  const dynamo = await startDynamoLocal();
  const config = { endpoint: dynamo.endpoint, region: 'eu-west-1', credentials: LOCAL_CREDENTIALS };
  const raw = new DynamoDBClient(config);
  const prefix = `bench${randomBytes(3).toString('hex')}`;
  const table = localTableNames(prefix, ['eu']).inventory.global as string;
  // One client per runner, so each one's requests can be counted apart.
  const appClient = createDocumentClient(config);
  const bareClient = createDocumentClient(config);
  try {
    await createTables(raw, prefix, ['eu']);
    const stock = new DynamoStockStore({ client: appClient, tableName: table });
    await stock.setOnHand(SKU, LOCATION, 'eu', 4 * (units + warmup), { locationType: 'warehouse' });
    const store = new DynamoDropStore({ client: appClient, tableName: table, region: 'eu-west-1' });
    const deps: DropDeps = {
      drops: store,
      stock,
      locations: new StaticLocations(demoLocations()),
      clock: systemClock,
      dropCache: new DropCache(store, systemClock),
    };
    const newDrop = async (dropUnits: number) => {
      const now = Date.now();
      return createDrop(deps, {
        request: {
          name: 'Bench drop',
          items: [{ sku: SKU, locationId: LOCATION, units: dropUnits }],
          window: {
            opensAt: new Date(now - 60_000).toISOString(),
            closesAt: new Date(now + 3_600_000).toISOString(),
          },
          channels: ['web'],
          earlyAccess: [],
          perCustomerLimit: 1,
          mode: 'first_come',
          expectedArrivalsPerSecond: EXPECTED_ARRIVALS_PER_SECOND,
          payWithinMinutes: PAY_WITHIN_MINUTES,
        },
        staffId: 'bench',
        operation: { scope: 'bench', key: randomUUID() },
      });
    };

    const viaUseCase =
      (drop: Drop): Runner =>
      async (sub) => {
        try {
          const entry = await enterDrop(deps, {
            dropId: drop.dropId,
            sub,
            tier: 'standard',
            zone: 'eu',
            request: { sku: SKU, quantity: 1, channel: 'web' },
            operation: { scope: sub, key: randomUUID() },
          });
          return entry.status === 'won' ? 'won' : entry.status === 'lost' ? 'lost' : 'failed';
        } catch {
          return 'failed';
        }
      };
    const viaBareSdk = (drop: Drop): Runner => {
      const bare = new BareDropEntry(bareClient, table, drop);
      return async (sub) => {
        try {
          return await bare.enter(sub, randomUUID());
        } catch {
          return 'failed';
        }
      };
    };
    const subs = (runner: string, count: number) =>
      Array.from({ length: count }, (_, i) => `bench-${runner}-${i}-${randomBytes(3).toString('hex')}`);

    // Warm-up, each runner on a drop of its own that sells out as the timed one will.
    const warmUnits = Math.max(1, Math.round((warmup * units) / shoppers));
    await inParallel(subs('warm-app', warmup), concurrency, viaUseCase(await newDrop(warmUnits)));
    await inParallel(subs('warm-bare', warmup), concurrency, viaBareSdk(await newDrop(warmUnits)));

    const drops = { useCase: await newDrop(units), baseline: await newDrop(units) };
    const run = { useCase: viaUseCase(drops.useCase), baseline: viaBareSdk(drops.baseline) };
    const lists = { useCase: subs('app', shoppers), baseline: subs('bare', shoppers) };
    const appCounts = countRequests(appClient);
    const bareCounts = countRequests(bareClient);
    const appRetriesBefore = store.stats.conflictRetries;
    type Which = 'useCase' | 'baseline';
    const tally = () => ({
      ms: 0,
      cpuMicros: 0,
      latencies: [] as number[],
      outcomes: { won: 0, lost: 0, failed: 0 } as Record<Outcome, number>,
      sellOutMs: Number.NaN,
    });
    const timed = { useCase: tally(), baseline: tally() };

    const runBlock = async (which: Which, slice: readonly string[]) => {
      const figures = timed[which];
      const started = performance.now();
      const cpu = process.cpuUsage();
      await inParallel(slice, concurrency, async (sub) => {
        const sent = performance.now();
        const outcome = await run[which](sub);
        const done = performance.now();
        figures.latencies.push(done - sent);
        figures.outcomes[outcome]++;
        if (outcome === 'won' && figures.outcomes.won === units)
          figures.sellOutMs = figures.ms + done - started;
      });
      const used = process.cpuUsage(cpu);
      const ms = performance.now() - started;
      figures.cpuMicros += used.user + used.system;
      figures.ms += ms;
      return ms;
    };
    const pairRatios: number[] = [];
    for (let from = 0; from < shoppers; from += block) {
      // Alternate which runner goes first, so neither always follows the other's writes.
      const order: Which[] = (from / block) % 2 === 0 ? ['useCase', 'baseline'] : ['baseline', 'useCase'];
      const ms = { useCase: 0, baseline: 0 };
      for (const which of order) ms[which] = await runBlock(which, lists[which].slice(from, from + block));
      pairRatios.push(ms.baseline / ms.useCase);
    }

    const stored = async (drop: Drop) => {
      const current = (await store.get(drop.dropId)) as Drop;
      const entries = await store.listEntries(current);
      const wonUnits = entries.filter((e) => e.status === 'won').reduce((sum, e) => sum + e.quantity, 0);
      const left = (await store.shardBalances(current, SKU)).reduce((sum, n) => sum + n, 0);
      if (wonUnits + left !== units) {
        throw new Error(`drop ${drop.dropId}: ${wonUnits} won + ${left} left != ${units} units`);
      }
      return { oversold: Math.max(0, wonUnits - units), unitsLeft: left };
    };
    const figures = async (which: Which, counts: Map<string, number>, conflictRetries: number) => {
      const t = timed[which];
      return {
        attemptsPerSecond: round((shoppers * 1000) / t.ms),
        p50Ms: round(percentile(t.latencies, 50)),
        p99Ms: round(percentile(t.latencies, 99)),
        sellOutMs: round(t.sellOutMs),
        nodeCpuMsPerAttempt: round(t.cpuMicros / 1000 / shoppers, 3),
        ...t.outcomes,
        ...(await stored(drops[which])),
        conflictRetries,
        requestsPerAttempt: Object.fromEntries(
          [...counts.entries()]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, v]) => [k, round(v / shoppers, 3)]),
        ),
      } satisfies DropRunFigures;
    };
    // Read before the checks below add requests of their own.
    const appRequests = new Map(appCounts);
    const bareRequests = new Map(bareCounts);
    const useCase = await figures('useCase', appRequests, store.stats.conflictRetries - appRetriesBefore);
    const baseline = await figures('baseline', bareRequests, BareDropEntry.conflictRetries);
    const ratio = round(useCase.attemptsPerSecond / baseline.attemptsPerSecond, 3);
    const item = drops.useCase.items[0];
    return {
      shoppers,
      units,
      concurrency,
      shards: item?.shards ?? 0,
      admission: drops.useCase.admission,
      loadAverage,
      useCase,
      baseline,
      ratio,
      pairRatios: {
        min: round(Math.min(...pairRatios), 3),
        p50: round(percentile(pairRatios, 50), 3),
        max: round(Math.max(...pairRatios), 3),
      },
      target: DROP_EFFICIENCY_TARGET,
      meetsTarget: ratio >= DROP_EFFICIENCY_TARGET,
    };
  } finally {
    appClient.destroy();
    bareClient.destroy();
    raw.destroy();
    await dynamo.stop();
  }
}

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * One container's drop entries as bare DynamoDB requests: what `enterDrop` and `DynamoDropStore` send for
 * a direct first-come entry of one unit, in the same order, with the same conditions, the same
 * contention retries and the same one-second view of the drop, and nothing else (no zod, no views).
 */
class BareDropEntry {
  static conflictRetries = 0;
  private cached: { at: number; soldOut: Promise<boolean> } | undefined;
  private left: { at: number; units: number } | undefined;
  private readonly shards: number;
  private readonly partitions: number;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly drop: Drop,
  ) {
    this.shards = drop.items[0]?.shards ?? 1;
    this.partitions = entryPartitions(drop);
  }

  private soldOutFlag(): Promise<boolean> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < DROP_CACHE_MILLIS) return this.cached.soldOut;
    const soldOut = this.client
      .send(
        new GetCommand({
          TableName: this.table,
          Key: { pk: `DROP#${this.drop.dropId}`, sk: 'DROP' },
          ConsistentRead: true,
        }),
      )
      .then(({ Item }) => Item?.soldOut === true);
    this.cached = { at: now, soldOut };
    return soldOut;
  }

  /** Units left as this container last read them, while fresh. */
  private knownLeft(): number | undefined {
    return this.left && Date.now() - this.left.at < DROP_CACHE_MILLIS ? this.left.units : undefined;
  }

  private entryKey(key: string) {
    return { pk: `DROPENTRY#${this.drop.dropId}#${key}`, sk: 'ENTRY' };
  }

  private index(kind: 'DROPQUEUE' | 'DROPENTRIES', key: string): string {
    return `${kind}#${this.drop.dropId}#${Number.parseInt(key.slice(0, 8), 16) % this.partitions}`;
  }

  async enter(sub: string, operationKey: string): Promise<Outcome> {
    const now = new Date();
    const dropId = this.drop.dropId;
    const key = sha256(`${dropId}\n${sub}`);
    // The drop as read at the start of the entry, as the use case keeps it for the whole entry.
    const flagged = await this.soldOutFlag();
    const soldOut = () => flagged || this.knownLeft() === 0;
    if (soldOut()) {
      const { Item } = await this.client.send(
        new GetCommand({ TableName: this.table, Key: this.entryKey(key), ConsistentRead: true }),
      );
      return Item ? 'failed' : 'lost';
    }
    const arrivedAt = now.toISOString();
    const entry = {
      ...this.entryKey(key),
      entrantKey: key,
      dropId,
      sku: SKU,
      quantity: 1,
      zone: 'eu',
      tier: 'standard',
      arrivedAt,
      requestKey: sha256(`${sub}\n${operationKey}`),
      gsi1sk: `${arrivedAt}#${key}`,
    };
    const payBy = new Date(now.getTime() + PAY_WITHIN_MINUTES * 60_000).toISOString();
    const first = Math.floor(Math.random() * this.shards);
    if (await this.enterAndTake(entry, first, payBy, now)) return 'won';
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...entry, status: 'queued', gsi1pk: this.index('DROPQUEUE', key) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    if (!soldOut()) {
      for (let attempt = 0; attempt < 3; attempt++) {
        const { Items = [] } = await this.client.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `DROPSHARD#${dropId}#${SKU}` },
            ConsistentRead: true,
          }),
        );
        const fullest = Items.map((item) => ({
          shard: Number(item.shard),
          units: Number(item.available),
        })).sort((a, b) => b.units - a.units)[0];
        const units = Items.reduce((sum, item) => sum + Number(item.available), 0);
        this.left = { at: Date.now(), units };
        if (units === 0) {
          await this.flagSoldOut();
          break;
        }
        if (fullest && (await this.take(key, fullest.shard, payBy, now))) return 'won';
      }
    }
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: this.entryKey(key),
        UpdateExpression: 'SET #status = :lost, gsi1pk = :index, decidedAt = :now',
        ConditionExpression: '#status = :queued',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':lost': 'lost',
          ':queued': 'queued',
          ':index': this.index('DROPENTRIES', key),
          ':now': now.toISOString(),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return 'lost';
  }

  private async flagSoldOut(): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `DROP#${this.drop.dropId}`, sk: 'DROP' },
          UpdateExpression: 'SET soldOut = :soldOut ADD version :one',
          ConditionExpression: 'attribute_exists(pk) AND soldOut <> :soldOut',
          ExpressionAttributeValues: { ':soldOut': true, ':one': 1 },
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
    this.cached = { at: Date.now(), soldOut: Promise.resolve(true) };
  }

  private shardDecrement(shard: number): TransactItem {
    return {
      Update: {
        TableName: this.table,
        Key: { pk: `DROPSHARD#${this.drop.dropId}#${SKU}`, sk: `SHARD#${shard}` },
        UpdateExpression: 'SET available = available - :q',
        ConditionExpression: 'available >= :q',
        ExpressionAttributeValues: { ':q': 1 },
      },
    };
  }

  private holdPointer(key: string, shard: number, payBy: string): TransactItem {
    const dropId = this.drop.dropId;
    return {
      Put: {
        TableName: this.table,
        Item: { pk: `DROPHOLD#${dropId}#${shard}`, sk: `${payBy}#${key}`, dropId, entrantKey: key },
      },
    };
  }

  /**
   * The first attempt: the new entry put already won, the shard's decrement and the hold pointer in one
   * transaction; true when won, false when the shard was short (nothing written).
   */
  private async enterAndTake(
    entry: Record<string, unknown> & { entrantKey: string },
    shard: number,
    payBy: string,
    now: Date,
  ): Promise<boolean> {
    const key = entry.entrantKey;
    const codes = await this.transact([
      {
        Put: {
          TableName: this.table,
          Item: {
            ...entry,
            status: 'won',
            payBy,
            shard,
            gsi1pk: this.index('DROPENTRIES', key),
            decidedAt: now.toISOString(),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      this.shardDecrement(shard),
      this.holdPointer(key, shard, payBy),
    ]);
    if (codes?.[0] === 'ConditionalCheckFailed') throw new Error(`entry ${key} exists`);
    return codes === undefined;
  }

  /** The claim transaction on one shard; true when won, false when the shard was short. */
  private async take(key: string, shard: number, payBy: string, now: Date): Promise<boolean> {
    return (
      (await this.transact([
        this.shardDecrement(shard),
        {
          Update: {
            TableName: this.table,
            Key: this.entryKey(key),
            UpdateExpression:
              'SET #status = :won, payBy = :payBy, #shard = :shard, gsi1pk = :index, decidedAt = :now',
            ConditionExpression: '#status = :queued',
            ExpressionAttributeNames: { '#status': 'status', '#shard': 'shard' },
            ExpressionAttributeValues: {
              ':won': 'won',
              ':queued': 'queued',
              ':payBy': payBy,
              ':shard': shard,
              ':index': this.index('DROPENTRIES', key),
              ':now': now.toISOString(),
            },
          },
        },
        this.holdPointer(key, shard, payBy),
      ])) === undefined
    );
  }

  /**
   * One transaction, retried in place while contention cancels it.
   * @returns undefined when written, else the cancellation reasons' codes
   */
  private async transact(items: TransactItem[]): Promise<string[] | undefined> {
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        await this.client.send(
          new TransactWriteCommand({ TransactItems: items, ClientRequestToken: randomUUID() }),
        );
        return undefined;
      } catch (error) {
        const codes = (
          (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []
        ).map((reason) => reason.Code ?? 'None');
        if ((error as Error).name !== 'TransactionCanceledException') throw error;
        if (!codes.includes('TransactionConflict')) return codes;
        BareDropEntry.conflictRetries++;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 10 * 2 ** attempt)));
      }
    }
    throw new Error('drop items were too contended');
  }
}
