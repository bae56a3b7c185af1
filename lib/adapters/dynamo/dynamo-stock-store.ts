import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Location } from '../../demo/locations.ts';
import { ValidationError } from '../../errors.ts';
import {
  OutOfStockError,
  ReservationNotFoundError,
  StockCommittedError,
  StockContentionError,
} from '../../inventory/errors.ts';
import {
  assertReservationId,
  compare,
  heldReservation,
  Reservation,
  type ReservationLine,
  type ReservationStatus,
  reservationLines,
  resumeReservation,
  StockPool,
} from '../../inventory/stock.ts';
import type {
  ReleaseOptions,
  ReserveRequest,
  SetOnHandOptions,
  StockStore,
  StockStoreStats,
} from '../../inventory/stock-store.ts';
import { classifyCancellation } from './transactions.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Held reservations are spread over this many `gsi1` partitions so no single one is hot on drop day. */
export const HOLD_SHARDS = 10;
const HOLD_PREFIX = 'HOLD#';
/** Released reservations stay readable this long (late webhooks, support), then TTL removes them. */
const RELEASED_RETENTION_SECONDS = 30 * 24 * 3600;

const poolKeyOf = (sku: string, locationId: string) => ({ pk: `POOL#${sku}`, sk: `LOC#${locationId}` });
const reservationKeyOf = (reservationId: string) => ({
  pk: `RESERVATION#${reservationId}`,
  sk: 'RESERVATION',
});

/** The stored item of a stock pool; the seed and the store write exactly this shape. */
export function poolItem(pool: StockPool): Record<string, unknown> {
  return { ...poolKeyOf(pool.sku, pool.locationId), ...StockPool.parse(pool) };
}

/** The stored item of a location; `gsi1` lists every location by zone. */
export function locationItem(location: Location): Record<string, unknown> {
  return {
    pk: `LOCATION#${location.locationId}`,
    sk: 'LOCATION',
    gsi1pk: 'LOCATIONS',
    gsi1sk: `${location.zone}#${location.locationId}`,
    ...location,
  };
}

/** Which `gsi1` partition lists a held reservation: FNV-1a of its id, so the choice is stable. */
export function holdShard(reservationId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < reservationId.length; i++) {
    hash ^= reservationId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % HOLD_SHARDS;
}

/**
 * The stored item of a reservation. Only a held one is in the sparse `gsi1` index the sweeper reads. It
 * never carries the TTL attribute here: held and allocated reservations must not vanish.
 */
export function reservationItem(reservation: Reservation): Record<string, unknown> {
  return {
    ...reservationKeyOf(reservation.reservationId),
    ...reservation,
    ...(reservation.status === 'held'
      ? {
          gsi1pk: `${HOLD_PREFIX}${holdShard(reservation.reservationId)}`,
          gsi1sk: `${reservation.holdUntil}#${reservation.reservationId}`,
        }
      : {}),
  };
}

export interface DynamoStockStoreProps {
  readonly client: DynamoDBDocumentClient;
  /** The inventory table (global). */
  readonly tableName: string;
  /**
   * Transactions sent per operation before giving up on contention.
   * @default 8
   */
  readonly maxAttempts?: number;
  /**
   * Full-jitter exponential backoff between contended attempts: a random wait up to
   * `min(capMs, baseMs * 2 ** retry)`.
   * @default { baseMs: 10, capMs: 400 }
   */
  readonly backoff?: { readonly baseMs: number; readonly capMs: number };
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
}

/**
 * Stock pools and reservations in the inventory table. Each change is one TransactWriteItems over the
 * reservation and its pools, guarded by conditions, so concurrent checkouts can never oversell; a
 * cancellation is classified (condition: business answer, contention: retried with backoff, anything
 * else: raised).
 */
export class DynamoStockStore implements StockStore {
  /** Counts since construction; read them after a load test. */
  readonly stats: StockStoreStats = { attempts: 0, conflictRetries: 0, conditionFailures: 0 };
  private readonly maxAttempts: number;
  private readonly backoff: { readonly baseMs: number; readonly capMs: number };
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly props: DynamoStockStoreProps) {
    this.maxAttempts = props.maxAttempts ?? 8;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new RangeError(`maxAttempts must be a positive integer, got ${props.maxAttempts}`);
    }
    this.backoff = props.backoff ?? { baseMs: 10, capMs: 400 };
    this.sleep = props.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = props.random ?? Math.random;
  }

  async pools(skus: readonly string[]): Promise<StockPool[]> {
    const perSku = await Promise.all(
      [...new Set(skus)].map(async (sku) => {
        const items: Record<string, unknown>[] = [];
        let start: Record<string, unknown> | undefined;
        do {
          const page = await this.props.client.send(
            new QueryCommand({
              TableName: this.props.tableName,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': `POOL#${sku}` },
              ...(start ? { ExclusiveStartKey: start } : {}),
            }),
          );
          items.push(...(page.Items ?? []));
          start = page.LastEvaluatedKey;
        } while (start);
        return items.map((item) => StockPool.parse(item));
      }),
    );
    return perSku.flat();
  }

  async setOnHand(
    sku: string,
    locationId: string,
    zone: string,
    onHand: number,
    options: SetOnHandOptions = {},
  ): Promise<StockPool> {
    if (!Number.isInteger(onHand) || onHand < 0) {
      throw new ValidationError('On hand must be a non-negative integer', { onHand });
    }
    const key = poolKeyOf(sku, locationId);
    // Available is derived from counters that reserves move concurrently, so read them and write only
    // if they are still the same; a lost race reads again.
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const { Item } = await this.props.client.send(
        new GetCommand({ TableName: this.props.tableName, Key: key, ConsistentRead: true }),
      );
      const current = Item ? StockPool.parse(Item) : undefined;
      const reserved = current?.reserved ?? 0;
      const allocated = current?.allocated ?? 0;
      if (onHand < reserved + allocated) {
        throw new StockCommittedError(
          `${sku} at ${locationId} has ${reserved + allocated} units committed; on hand cannot be ${onHand}`,
          { reserved, allocated },
        );
      }
      const locationType = options.locationType ?? current?.locationType;
      try {
        const { Attributes } = await this.props.client.send(
          new UpdateCommand({
            TableName: this.props.tableName,
            Key: key,
            UpdateExpression:
              'SET sku = :sku, locationId = :locationId, #zone = :zone, onHand = :onHand, ' +
              'reserved = :reserved, allocated = :allocated, available = :available' +
              (locationType ? ', locationType = :locationType' : ''),
            ConditionExpression: current
              ? 'reserved = :reserved AND allocated = :allocated'
              : 'attribute_not_exists(pk)',
            ExpressionAttributeNames: { '#zone': 'zone' },
            ExpressionAttributeValues: {
              ':sku': sku,
              ':locationId': locationId,
              ':zone': zone,
              ':onHand': onHand,
              ':reserved': reserved,
              ':allocated': allocated,
              ':available': onHand - reserved - allocated,
              ...(locationType ? { ':locationType': locationType } : {}),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return StockPool.parse(Attributes);
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
        if (attempt + 1 === this.maxAttempts) break;
        this.stats.conflictRetries++;
        await this.pause(attempt);
      }
    }
    throw new StockContentionError(`${sku} at ${locationId} kept changing while its stock was being set`);
  }

  async reserve(request: ReserveRequest): Promise<Reservation> {
    assertReservationId(request.reservationId);
    const lines = reservationLines(request.lines);
    const reservation = heldReservation(request, lines);
    const failed = await this.write([
      {
        Put: {
          TableName: this.props.tableName,
          Item: reservationItem(reservation),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...lines.map((line) =>
        this.poolUpdate(line, 'SET available = available - :q, reserved = reserved + :q', true),
      ),
    ]);
    if (!failed) return reservation;
    if (failed.includes(0)) {
      // The id is taken: most likely this very checkout retrying after a lost response.
      const existing = await this.get(request.reservationId);
      if (!existing) return this.reserve(request);
      return resumeReservation(existing, lines, request);
    }
    throw new OutOfStockError(failed.map((index) => lines[index - 1]?.sku ?? '?'));
  }

  async get(reservationId: string): Promise<Reservation | undefined> {
    const { Item } = await this.props.client.send(
      new GetCommand({
        TableName: this.props.tableName,
        Key: reservationKeyOf(reservationId),
        ConsistentRead: true,
      }),
    );
    return Item ? Reservation.parse(Item) : undefined;
  }

  async allocate(reservationId: string, now: Date): Promise<Reservation> {
    for (let step = 0; step < this.maxAttempts; step++) {
      const current = await this.mustGet(reservationId);
      if (current.status === 'allocated') return current;
      const { releaseReason, ...rest } = current;
      const next: Reservation = { ...rest, status: 'allocated', updatedAt: now.toISOString() };
      const fromHeld = current.status === 'held';
      const failed = await this.write([
        this.statusUpdate(current, next, 'REMOVE gsi1pk, gsi1sk, releaseReason, expiresAt'),
        ...current.lines.map((line) =>
          fromHeld
            ? this.poolUpdate(line, 'SET reserved = reserved - :q, allocated = allocated + :q', false)
            : this.poolUpdate(line, 'SET available = available - :q, allocated = allocated + :q', true),
        ),
      ]);
      if (!failed) return next;
      // Released or allocated by someone else meanwhile: decide again from what is stored now.
      if (failed.includes(0)) continue;
      throw new OutOfStockError(failed.map((index) => current.lines[index - 1]?.sku ?? '?'));
    }
    throw new StockContentionError(`Reservation ${reservationId} kept changing while being allocated`);
  }

  async release(
    reservationId: string,
    reason: string,
    now: Date,
    options: ReleaseOptions = {},
  ): Promise<boolean> {
    const at = now.toISOString();
    for (let step = 0; step < this.maxAttempts; step++) {
      const current = await this.mustGet(reservationId);
      if (current.status === 'released') return false;
      if (options.ifExpired && (current.status !== 'held' || current.holdUntil > at)) return false;
      // The write below is conditional on the status read here, so an allocation that lands first wins.
      if (options.ifHeld && current.status !== 'held') return false;
      const next: Reservation = { ...current, status: 'released', releaseReason: reason, updatedAt: at };
      const counter = current.status === 'held' ? 'reserved' : 'allocated';
      const failed = await this.write([
        this.statusUpdate(current, next, 'REMOVE gsi1pk, gsi1sk', {
          expiresAt: Math.floor(now.getTime() / 1000) + RELEASED_RETENTION_SECONDS,
        }),
        ...current.lines.map((line) =>
          this.poolUpdate(line, `SET available = available + :q, ${counter} = ${counter} - :q`, false),
        ),
      ]);
      if (!failed) return true;
    }
    throw new StockContentionError(`Reservation ${reservationId} kept changing while being released`);
  }

  async expiredHolds(now: Date, limit: number): Promise<Reservation[]> {
    const at = now.toISOString();
    // Keys are `<holdUntil>#<id>`; "$" sorts right after "#", so this bound admits every id due at `at`.
    const bound = `${at}$`;
    const shards = await Promise.all(
      Array.from({ length: HOLD_SHARDS }, async (_, shard) => {
        const { Items = [] } = await this.props.client.send(
          new QueryCommand({
            TableName: this.props.tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :shard AND gsi1sk < :bound',
            ExpressionAttributeValues: { ':shard': `${HOLD_PREFIX}${shard}`, ':bound': bound },
            Limit: limit,
          }),
        );
        return Items.map((item) => Reservation.parse(item));
      }),
    );
    return shards
      .flat()
      .filter((r) => r.status === 'held' && r.holdUntil <= at)
      .sort((a, b) => compare(a.holdUntil, b.holdUntil) || compare(a.reservationId, b.reservationId))
      .slice(0, limit);
  }

  private async mustGet(reservationId: string): Promise<Reservation> {
    const reservation = await this.get(reservationId);
    if (!reservation) throw new ReservationNotFoundError(`Reservation ${reservationId} does not exist`);
    return reservation;
  }

  /** Moves a reservation from the status it was read in, and only from that status. */
  private statusUpdate(
    current: Reservation,
    next: Reservation,
    remove: string,
    extra: Record<string, unknown> = {},
  ): TransactItem {
    const set: Record<string, unknown> = {
      status: next.status,
      updatedAt: next.updatedAt,
      ...(next.releaseReason !== undefined ? { releaseReason: next.releaseReason } : {}),
      ...extra,
    };
    const names = Object.keys(set);
    return {
      Update: {
        TableName: this.props.tableName,
        Key: reservationKeyOf(current.reservationId),
        UpdateExpression: `SET ${names.map((_, i) => `#s${i} = :s${i}`).join(', ')} ${remove}`,
        ConditionExpression: '#status = :from',
        ExpressionAttributeNames: {
          '#status': 'status',
          ...Object.fromEntries(names.map((n, i) => [`#s${i}`, n])),
        },
        ExpressionAttributeValues: {
          ':from': current.status satisfies ReservationStatus,
          ...Object.fromEntries(names.map((n, i) => [`:s${i}`, set[n]])),
        },
      },
    };
  }

  private poolUpdate(line: ReservationLine, update: string, needsAvailable: boolean): TransactItem {
    return {
      Update: {
        TableName: this.props.tableName,
        Key: poolKeyOf(line.sku, line.locationId),
        UpdateExpression: update,
        // Without the available check, the pool must at least exist: an update would create it.
        ConditionExpression: needsAvailable ? 'available >= :q' : 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':q': line.quantity },
      },
    };
  }

  /**
   * Sends one transaction, retrying it in place while it is cancelled by contention alone.
   * @returns undefined when written, or the indexes of the items whose condition failed
   */
  private async write(items: TransactItem[]): Promise<number[] | undefined> {
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      this.stats.attempts++;
      try {
        await this.props.client.send(new TransactWriteCommand({ TransactItems: items }));
        return undefined;
      } catch (error) {
        const cancellation = classifyCancellation(error);
        if (!cancellation || cancellation.kind === 'other') throw error;
        if (cancellation.kind === 'condition') {
          this.stats.conditionFailures++;
          return cancellation.failedIndexes;
        }
        if (attempt + 1 === this.maxAttempts) break;
        this.stats.conflictRetries++;
        await this.pause(attempt);
      }
    }
    throw new StockContentionError('Stock pools were too contended; try again');
  }

  private pause(attempt: number): Promise<void> {
    const ceiling = Math.min(this.backoff.capMs, this.backoff.baseMs * 2 ** attempt);
    return this.sleep(this.random() * ceiling);
  }
}
