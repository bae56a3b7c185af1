import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, AttributeValue as LambdaAttributeValue } from 'aws-lambda';
import { LOCAL_CREDENTIALS } from '../../lib/runtime/local/dynamo-local.ts';
import { DynamoStreamPoller } from '../../lib/runtime/local/events/stream-poller.ts';

/**
 * The replication timestamp stamped on every item the shim copies, as the first version of global
 * tables did with its `aws:rep:*` attributes. A copy always changes the item (so it always yields a
 * stream record), and the record is recognised as the shim's own echo by this value.
 */
export const REPLICATION_TIME = 'aws:rep:updatetime';

export interface LwwSide {
  /** A label for logs and stats, such as the region name. */
  readonly region: string;
  readonly endpoint: string;
  readonly client: DynamoDBClient;
}

export interface LwwReplicatorProps {
  readonly sides: readonly [LwwSide, LwwSide];
  /** The table's name on both sides; it needs a stream with new (and old) images. */
  readonly tableName: string;
  /** @default 50 */
  readonly pollIntervalMs?: number;
}

/** The region every client of the run's DynamoDB Local instances uses, whatever region a side stands for. */
export const LOCAL_DATABASE_REGION = 'eu-west-1';

type Image = Record<string, AttributeValue>;

/**
 * A two-way last-writer-wins replicator between two DynamoDB Local endpoints, standing in for a
 * global table. It reads both streams and copies each changed item, whole, to the other side, with
 * no condition: exactly the window in which two regions can both pass a conditional write.
 *
 * Conflicts resolve as global tables do: the write applied last wins. The shim keeps, per item, the
 * timestamp of the version it last copied; a local write that a later copy has already overwritten in
 * its own region lost and is not propagated, and every other local write is newer than anything copied
 * before and overwrites the other side. Once writes stop and {@link settle} returns, both sides hold the
 * same items.
 */
export class LwwReplicator {
  /** Copies written to each side, and local writes dropped because a later copy had overwritten them. */
  readonly stats = { copiesTo: {} as Record<string, number>, lostWrites: 0 };
  private readonly pollers: DynamoStreamPoller[];
  private readonly streams: DynamoDBStreamsClient[];
  /** Copy timestamps written to a side whose echo has not come back on that side's stream yet. */
  private readonly pending = [new Map<string, Set<string>>(), new Map<string, Set<string>>()];
  /** The timestamp of the version of each item last copied: the current winner. */
  readonly winners = new Map<string, number>();
  private lastTimestamp = 0;
  private copies = 0;
  /** Records of both sides are handled one at a time, so per-item decisions never interleave. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly props: LwwReplicatorProps) {
    this.streams = props.sides.map(
      (side) =>
        new DynamoDBStreamsClient({
          endpoint: side.endpoint,
          // DynamoDB Local keeps one database per region and key: reach the one the tables were made in.
          region: LOCAL_DATABASE_REGION,
          credentials: LOCAL_CREDENTIALS,
        }),
    );
    this.pollers = props.sides.map(
      (side, index) =>
        new DynamoStreamPoller({
          client: this.streams[index] as DynamoDBStreamsClient,
          tableName: props.tableName,
          startingPosition: 'TRIM_HORIZON',
          pollIntervalMs: props.pollIntervalMs ?? 50,
          batchSize: 1000,
          region: side.region,
          handler: (event) => this.serially(() => this.handle(index, event.Records)),
          onError: (error) => console.error(`[LwwReplicator ${side.region}]`, error),
        }),
    );
  }

  async start(): Promise<void> {
    await Promise.all(this.pollers.map((poller) => poller.start()));
  }

  /**
   * Resolves once a full round over both streams copied nothing: every write made before the call has
   * reached both sides, and so have the copies it caused.
   */
  async settle(): Promise<void> {
    for (;;) {
      const before = this.copies;
      await Promise.all(this.pollers.map((poller) => poller.idle()));
      await this.queue;
      if (this.copies === before) return;
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.pollers.map((poller) => poller.stop()));
    for (const client of this.streams) client.destroy();
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async handle(from: number, records: readonly DynamoDBRecord[]): Promise<void> {
    for (const record of records) {
      const keys = record.dynamodb?.Keys;
      if (!keys) continue;
      const key = JSON.stringify([keys.pk, keys.sk]);
      const pending = this.pending[from]?.get(key);
      const stamp = record.dynamodb?.NewImage?.[REPLICATION_TIME]?.N;
      if (stamp !== undefined && pending?.delete(stamp)) continue;
      if (record.eventName === 'REMOVE' && pending?.delete('REMOVE')) continue;
      if (pending && pending.size > 0) {
        // A copy reached this side after this write: the copy is the later writer here, and won.
        this.stats.lostWrites++;
        continue;
      }
      const to = 1 - from;
      const timestamp = this.nextTimestamp();
      this.winners.set(key, timestamp);
      const image = record.dynamodb?.NewImage;
      if (record.eventName === 'REMOVE' || !image) {
        await this.remove(to, key, fromLambda(keys));
      } else {
        await this.put(to, key, { ...fromLambda(image), [REPLICATION_TIME]: { N: String(timestamp) } });
      }
    }
  }

  private async put(to: number, key: string, item: Image): Promise<void> {
    const side = this.props.sides[to] as LwwSide;
    await side.client.send(new PutItemCommand({ TableName: this.props.tableName, Item: item }));
    // Records are handled one at a time, so the echo cannot be read before this is noted.
    this.expectEcho(to, key, item[REPLICATION_TIME]?.N as string);
    this.counted(side);
  }

  private async remove(to: number, key: string, keys: Image): Promise<void> {
    const side = this.props.sides[to] as LwwSide;
    try {
      // Only an existing item yields a stream record, and so an echo to wait for.
      await side.client.send(
        new DeleteItemCommand({
          TableName: this.props.tableName,
          Key: keys,
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw error;
    }
    this.expectEcho(to, key, 'REMOVE');
    this.counted(side);
  }

  private expectEcho(to: number, key: string, marker: string): void {
    const map = this.pending[to] as Map<string, Set<string>>;
    const set = map.get(key) ?? new Set<string>();
    set.add(marker);
    map.set(key, set);
  }

  private counted(side: LwwSide): void {
    this.copies++;
    this.stats.copiesTo[side.region] = (this.stats.copiesTo[side.region] ?? 0) + 1;
  }

  /** Milliseconds, made strictly increasing so each copy carries a distinct stamp. */
  private nextTimestamp(): number {
    this.lastTimestamp = Math.max(Date.now(), this.lastTimestamp + 1);
    return this.lastTimestamp;
  }
}

/** Lambda's JSON attribute values are the SDK's for every type but binary, which the table does not use. */
function fromLambda(image: Record<string, LambdaAttributeValue>): Image {
  return image as unknown as Image;
}
