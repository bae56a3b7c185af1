import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  ListStreamsCommand,
  type ShardIteratorType,
  type AttributeValue as StreamAttributeValue,
  type _Record as StreamRecordEnvelope,
} from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent, StreamRecord } from 'aws-lambda';
import { systemTimers, type Timers } from './clock.ts';
import { compilePattern, type EventPattern, type PatternMatcher } from './event-pattern.ts';

/**
 * A Lambda DynamoDB stream handler, as the event source mapping calls it. It may return (a promise of)
 * a `DynamoDBBatchResponse`; anything else counts as full success, as on AWS.
 */
export type StreamHandler = (event: DynamoDBStreamEvent) => unknown;

/** Why records were given up on, handed to `onFailure` with them. */
export interface StreamFailure {
  /** The last error thrown, or a note that a partial batch response kept failing. */
  readonly error: unknown;
  /** Invocations of these records, the first included. */
  readonly attempts: number;
}

export interface DynamoStreamPollerProps {
  readonly client: DynamoDBStreamsClient;
  /** The stream to read. Give this or `tableName`. */
  readonly streamArn?: string;
  /** The table whose newest stream to read (looked up with ListStreams). */
  readonly tableName?: string;
  readonly handler: StreamHandler;
  /** Lambda filter criteria: an event pattern over each record as Lambda delivers it. */
  readonly filter?: EventPattern;
  /** @default 100 */
  readonly batchSize?: number;
  /** Where the shards open at start() begin; shards found later always start at TRIM_HORIZON. @default 'TRIM_HORIZON' */
  readonly startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  /** Pause between polls that found nothing. @default 100 */
  readonly pollIntervalMs?: number;
  /** Re-invocations of the same records before they go to `onFailure`; splits do not count. @default 3 */
  readonly maxRetryAttempts?: number;
  /** Split a batch whose invocation threw and retry each half. @default true */
  readonly bisectBatchOnFunctionError?: boolean;
  /** Honour `batchItemFailures` (the mapping's ReportBatchItemFailures). @default true */
  readonly reportBatchItemFailures?: boolean;
  /** The on-failure destination: records given up on, in stream order. @default reports to onError */
  readonly onFailure?: (records: readonly DynamoDBRecord[], failure: StreamFailure) => void | Promise<void>;
  /** Errors of the poller itself (and of onFailure). @default writes to stderr */
  readonly onError?: (error: unknown) => void;
  /** The `awsRegion` of delivered records; DynamoDB Local reports its own placeholder. @default 'eu-west-1' */
  readonly region?: string;
  /** How often to look for new shards while all is quiet. @default 1000 */
  readonly describeIntervalMs?: number;
  /** @default systemTimers */
  readonly timers?: Timers;
}

interface ShardState {
  readonly shardId: string;
  readonly parentShardId: string | undefined;
  readonly initialType: ShardIteratorType;
  iterator: string | undefined;
  lastSequenceNumber: string | undefined;
  closed: boolean;
  trimmed: boolean;
}

interface Outcome {
  /** Index of the first record to retry; undefined when the batch succeeded. */
  readonly failedFrom: number | undefined;
  readonly thrown: boolean;
  readonly error: unknown;
}

interface IdleWaiter {
  readonly afterCycle: number;
  readonly resolve: () => void;
}

/**
 * A Lambda event source mapping over a DynamoDB (Local) stream: reads every shard in order, filters,
 * batches, invokes the handler with a `DynamoDBStreamEvent` and applies Lambda's error handling
 * (partial batch responses, bounded retries, bisect on error, an on-failure destination).
 */
export class DynamoStreamPoller {
  private readonly props: DynamoStreamPollerProps;
  private readonly timers: Timers;
  private readonly matches: PatternMatcher;
  private readonly batchSize: number;
  private readonly maxRetryAttempts: number;
  private readonly region: string;
  private readonly shards = new Map<string, ShardState>();
  private streamArn: string | undefined;
  private loop: Promise<void> | undefined;
  private stopped = false;
  private startedCycles = 0;
  private idleWaiters: IdleWaiter[] = [];
  private lastDescribeAt = Number.NEGATIVE_INFINITY;
  private shardClosed = false;
  private wakePause: (() => void) | undefined;

  constructor(props: DynamoStreamPollerProps) {
    if (!props.streamArn && !props.tableName)
      throw new Error('DynamoStreamPoller: give streamArn or tableName');
    this.props = props;
    this.timers = props.timers ?? systemTimers;
    this.matches = props.filter ? compilePattern(props.filter) : () => true;
    this.batchSize = props.batchSize ?? 100;
    this.maxRetryAttempts = props.maxRetryAttempts ?? 3;
    this.region = props.region ?? 'eu-west-1';
    if (!(Number.isInteger(this.batchSize) && this.batchSize >= 1 && this.batchSize <= 10_000)) {
      throw new Error('DynamoStreamPoller: batchSize must be an integer from 1 to 10000');
    }
    if (!(Number.isInteger(this.maxRetryAttempts) && this.maxRetryAttempts >= 0)) {
      throw new Error('DynamoStreamPoller: maxRetryAttempts must be a non-negative integer');
    }
  }

  /** The stream being read, once started. */
  get arn(): string | undefined {
    return this.streamArn;
  }

  /**
   * Finds the stream and its shards and takes iterators for the open ones before returning, so with
   * LATEST nothing written after start() resolves is missed. Polling then runs in the background.
   */
  async start(): Promise<void> {
    if (this.loop) throw new Error('DynamoStreamPoller: already started');
    this.streamArn = this.props.streamArn ?? (await this.findStream(this.props.tableName as string));
    await this.describe(this.props.startingPosition ?? 'TRIM_HORIZON');
    for (const shard of this.activeShards()) shard.iterator = await this.iteratorFor(shard);
    this.loop = this.run();
  }

  /** Stops after the batch in flight, if any; idle() callers are released. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakePause?.();
    await this.loop;
    for (const waiter of this.idleWaiters) waiter.resolve();
    this.idleWaiters = [];
  }

  /**
   * Resolves when every record written before the call has been handled (or filtered out, or given
   * up on): a full poll that started after the call found nothing new.
   */
  idle(): Promise<void> {
    if (!this.loop) return Promise.reject(new Error('DynamoStreamPoller: idle() before start()'));
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push({ afterCycle: this.startedCycles, resolve });
      this.wakePause?.();
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const cycle = ++this.startedCycles;
      let busy: boolean;
      try {
        busy = await this.pollOnce();
      } catch (error) {
        // A failed poll proves nothing about what is left, so idle() callers keep waiting.
        this.reportError(error);
        await this.pause(this.props.pollIntervalMs ?? 100);
        continue;
      }
      if (busy) continue;
      const ready = this.idleWaiters.filter((w) => w.afterCycle < cycle);
      this.idleWaiters = this.idleWaiters.filter((w) => w.afterCycle >= cycle);
      for (const waiter of ready) waiter.resolve();
      if (this.idleWaiters.length === 0) await this.pause(this.props.pollIntervalMs ?? 100);
    }
  }

  /** One pass over the readable shards; true when any returned records (so poll again at once). */
  private async pollOnce(): Promise<boolean> {
    const now = this.timers.now();
    if (this.shardClosed || now - this.lastDescribeAt >= (this.props.describeIntervalMs ?? 1000)) {
      this.shardClosed = false;
      await this.describe('TRIM_HORIZON');
    }
    let busy = false;
    for (const shard of this.activeShards()) {
      if (this.stopped) break;
      shard.iterator ??= await this.iteratorFor(shard);
      if (shard.iterator === undefined) continue;
      let output: GetRecordsCommandOutput;
      try {
        output = await this.getRecords(shard.iterator);
      } catch (error) {
        const name = (error as { name?: string }).name;
        if (name === 'ExpiredIteratorException' || name === 'TrimmedDataAccessException') {
          // Expired: resume after the last record seen. Trimmed: the data is gone; take what is left.
          shard.iterator = undefined;
          if (name === 'TrimmedDataAccessException') shard.trimmed = true;
          busy = true;
          continue;
        }
        throw error;
      }
      shard.iterator = output.NextShardIterator;
      if (!output.NextShardIterator) {
        shard.closed = true;
        this.shardClosed = true;
      }
      const records = output.Records ?? [];
      if (records.length === 0) continue;
      busy = true;
      await this.process(records);
      shard.lastSequenceNumber = records.at(-1)?.dynamodb?.SequenceNumber ?? shard.lastSequenceNumber;
    }
    return busy;
  }

  private getRecords(iterator: string): Promise<GetRecordsCommandOutput> {
    return this.props.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
  }

  private async process(raw: readonly StreamRecordEnvelope[]): Promise<void> {
    const arn = this.streamArn as string;
    const records = raw.map((r) => toLambdaRecord(r, arn, this.region)).filter((r) => this.matches(r));
    for (let i = 0; i < records.length && !this.stopped; i += this.batchSize) {
      await this.deliver(records.slice(i, i + this.batchSize));
    }
  }

  /** Lambda's stream error handling for one batch; records before a failure stay checkpointed. */
  private async deliver(batch: DynamoDBRecord[]): Promise<void> {
    const work: Array<{ records: DynamoDBRecord[]; retries: number; attempts: number }> = [
      { records: batch, retries: 0, attempts: 0 },
    ];
    while (work.length > 0) {
      const item = work.shift() as (typeof work)[number];
      const outcome = await this.invoke(item.records);
      const attempts = item.attempts + 1;
      if (outcome.failedFrom === undefined) continue;
      const failing = item.records.slice(outcome.failedFrom);
      const bisect = outcome.thrown && (this.props.bisectBatchOnFunctionError ?? true) && failing.length > 1;
      if (bisect) {
        // Splitting does not count towards the retry quota (Lambda docs), so halves keep the count.
        const middle = Math.ceil(failing.length / 2);
        work.unshift(
          { records: failing.slice(0, middle), retries: item.retries, attempts },
          { records: failing.slice(middle), retries: item.retries, attempts },
        );
      } else if (item.retries < this.maxRetryAttempts) {
        work.unshift({ records: failing, retries: item.retries + 1, attempts });
      } else {
        await this.giveUp(failing, { error: outcome.error, attempts });
      }
    }
  }

  private async invoke(records: DynamoDBRecord[]): Promise<Outcome> {
    try {
      const result = await this.props.handler({ Records: structuredClone(records) });
      if (!(this.props.reportBatchItemFailures ?? true))
        return { failedFrom: undefined, thrown: false, error: undefined };
      const failedFrom = firstFailure(result, records);
      const error = failedFrom === undefined ? undefined : new Error('batchItemFailures reported');
      return { failedFrom, thrown: false, error };
    } catch (error) {
      return { failedFrom: 0, thrown: true, error };
    }
  }

  private async giveUp(records: DynamoDBRecord[], failure: StreamFailure): Promise<void> {
    try {
      if (this.props.onFailure) await this.props.onFailure(records, failure);
      else this.reportError(failure.error);
    } catch (error) {
      this.reportError(error);
    }
  }

  private async findStream(tableName: string): Promise<string> {
    const output = await this.props.client.send(new ListStreamsCommand({ TableName: tableName }));
    const newest = (output.Streams ?? [])
      .filter((s) => s.TableName === tableName && s.StreamArn)
      .sort((a, b) => (a.StreamLabel ?? '').localeCompare(b.StreamLabel ?? ''))
      .at(-1);
    if (!newest?.StreamArn) {
      throw new Error(`DynamoStreamPoller: table ${tableName} has no stream; set its StreamSpecification`);
    }
    return newest.StreamArn;
  }

  /** Adds shards not seen before; the first call uses the starting position, later ones TRIM_HORIZON. */
  private async describe(position: ShardIteratorType): Promise<void> {
    let exclusiveStartShardId: string | undefined;
    do {
      const output = await this.props.client.send(
        new DescribeStreamCommand({
          StreamArn: this.streamArn,
          ExclusiveStartShardId: exclusiveStartShardId,
        }),
      );
      for (const shard of output.StreamDescription?.Shards ?? []) {
        if (!shard.ShardId || this.shards.has(shard.ShardId)) continue;
        this.shards.set(shard.ShardId, {
          shardId: shard.ShardId,
          parentShardId: shard.ParentShardId,
          initialType: position,
          iterator: undefined,
          lastSequenceNumber: undefined,
          closed: false,
          trimmed: false,
        });
      }
      exclusiveStartShardId = output.StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    this.lastDescribeAt = this.timers.now();
  }

  /** Open shards whose parent is done (or unknown), so a key's records are handled in order. */
  private activeShards(): ShardState[] {
    return [...this.shards.values()].filter((shard) => {
      if (shard.closed) return false;
      const parent = shard.parentShardId ? this.shards.get(shard.parentShardId) : undefined;
      return parent === undefined || parent.closed;
    });
  }

  private async iteratorFor(shard: ShardState): Promise<string | undefined> {
    const wasTrimmed = shard.trimmed;
    const resume = shard.lastSequenceNumber !== undefined && !wasTrimmed;
    shard.trimmed = false;
    const output = await this.props.client.send(
      new GetShardIteratorCommand({
        StreamArn: this.streamArn,
        ShardId: shard.shardId,
        // After a trim the old position is gone, so start from the oldest record still kept.
        ShardIteratorType: resume ? 'AFTER_SEQUENCE_NUMBER' : wasTrimmed ? 'TRIM_HORIZON' : shard.initialType,
        ...(resume ? { SequenceNumber: shard.lastSequenceNumber } : {}),
      }),
    );
    return output.ShardIterator;
  }

  /** A sleep that idle() and stop() can cut short. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const handle = this.timers.setTimeout(() => {
        this.wakePause = undefined;
        resolve();
      }, ms);
      this.wakePause = () => {
        this.timers.clearTimeout(handle);
        this.wakePause = undefined;
        resolve();
      };
    });
  }

  private reportError(error: unknown): void {
    try {
      (this.props.onError ?? ((e: unknown) => console.error('[DynamoStreamPoller]', e)))(error);
    } catch {
      // A reporter that throws must not stop the poller.
    }
  }
}

/**
 * The index of the first record to retry, per Lambda: no response or an empty list is success; a
 * malformed list or an identifier that is not a sequence number of the batch fails the whole batch.
 */
function firstFailure(result: unknown, records: readonly DynamoDBRecord[]): number | undefined {
  if (result === undefined || result === null || typeof result !== 'object') return undefined;
  const failures = (result as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return undefined;
  if (!Array.isArray(failures)) return 0;
  if (failures.length === 0) return undefined;
  let first = records.length;
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    const index =
      typeof id === 'string' && id !== '' ? records.findIndex((r) => r.dynamodb?.SequenceNumber === id) : -1;
    if (index < 0) return 0;
    first = Math.min(first, index);
  }
  return first;
}

/** The record exactly as Lambda delivers it: JSON attribute values, epoch-second timestamps. */
export function toLambdaRecord(
  record: StreamRecordEnvelope,
  streamArn: string,
  region: string,
): DynamoDBRecord {
  const source = record.dynamodb ?? {};
  const dynamodb: StreamRecord = {
    ...(source.ApproximateCreationDateTime
      ? { ApproximateCreationDateTime: Math.floor(source.ApproximateCreationDateTime.getTime() / 1000) }
      : {}),
    ...(source.Keys ? { Keys: toImage(source.Keys) } : {}),
    ...(source.NewImage ? { NewImage: toImage(source.NewImage) } : {}),
    ...(source.OldImage ? { OldImage: toImage(source.OldImage) } : {}),
    ...(source.SequenceNumber !== undefined ? { SequenceNumber: source.SequenceNumber } : {}),
    ...(source.SizeBytes !== undefined ? { SizeBytes: source.SizeBytes } : {}),
    ...(source.StreamViewType !== undefined ? { StreamViewType: source.StreamViewType } : {}),
  };
  return {
    ...(record.eventID !== undefined ? { eventID: record.eventID } : {}),
    ...(record.eventName !== undefined ? { eventName: record.eventName } : {}),
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb,
    eventSourceARN: streamArn,
    ...(record.userIdentity
      ? { userIdentity: { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId } }
      : {}),
  };
}

function toImage(image: Record<string, StreamAttributeValue>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toAttributeValue(value)]));
}

/** Binary comes back from the SDK as bytes; Lambda's JSON carries it base64-encoded. */
function toAttributeValue(value: StreamAttributeValue): AttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.SS !== undefined) return { SS: [...value.SS] };
  if (value.NS !== undefined) return { NS: [...value.NS] };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.L !== undefined) return { L: value.L.map(toAttributeValue) };
  if (value.M !== undefined) return { M: toImage(value.M) };
  // The streams client reads an empty map (for example a pool with no fences) back as `{}`, with no
  // type key; DynamoDB's own stream records carry `{ M: {} }`.
  if (Object.keys(value).length === 0) return { M: {} };
  throw new Error(`DynamoStreamPoller: unknown attribute value type ${Object.keys(value).join(', ')}`);
}
