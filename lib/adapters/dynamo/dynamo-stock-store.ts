import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Location } from '../../demo/locations.ts';
import { ValidationError } from '../../errors.ts';
import {
  OutOfStockError,
  ReservationConflictError,
  ReservationNotFoundError,
  StockContentionError,
  TransferNotFoundError,
} from '../../inventory/errors.ts';
import {
  adjustmentChange,
  adjustmentRefused,
  assertAdjustable,
  assertFence,
  assertReservationId,
  assertTransfer,
  checkoutContext,
  compare,
  fenceRefused,
  fulfilled,
  fulfilmentTargets,
  heldReservation,
  type LedgerContext,
  LedgerEntry,
  type LinePlace,
  ledgerEntry,
  ledgerLimit,
  ledgerPosition,
  lineDelta,
  type MovementType,
  noDelta,
  openLines,
  type PoolDelta,
  Reservation,
  type ReservationLine,
  type ReservationStatus,
  reservationLines,
  resumeReservation,
  StockPool,
  sameTransfer,
  Transfer,
} from '../../inventory/stock.ts';
import {
  type AdjustRequest,
  type FenceRequest,
  type LedgerPage,
  type Movement,
  type ReleaseOptions,
  type ReserveRequest,
  type SetOnHandOptions,
  type StockStore,
  type StockStoreStats,
  setOnHandAdjustment,
  type TransferRequest,
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
const transferKeyOf = (transferId: string) => ({ pk: `TRANSFER#${transferId}`, sk: 'TRANSFER' });
const ledgerPartition = (sku: string, locationId: string) => `LEDGER#${sku}#${locationId}`;

/** Counter attributes, always written through names so no reserved word can bite. */
const COUNTERS = ['onHand', 'available', 'reserved', 'allocated'] as const;

/**
 * The stored item of a stock pool; the seed and the store write exactly this shape. A pool without
 * fences is stored without the `fences` map (reads default it to `{}`): the DynamoDB Streams client
 * reads an empty map back as an attribute of no type, which stream consumers cannot decode.
 */
export function poolItem(pool: StockPool): Record<string, unknown> {
  const { fences, ...rest } = StockPool.parse(pool);
  return {
    ...poolKeyOf(pool.sku, pool.locationId),
    ...rest,
    ...(Object.keys(fences).length > 0 ? { fences } : {}),
  };
}

/**
 * The stored item of a ledger entry: one partition per pool, sorted oldest first. It never carries the
 * TTL attribute: the ledger is the pool's history, and replaying it must always rebuild the pool. A
 * delta that moves no fence leaves out its (empty) `fences`, for the same reason as {@link poolItem}.
 */
export function ledgerItem(entry: LedgerEntry): Record<string, unknown> {
  const parsed = LedgerEntry.parse(entry);
  const { fences, ...counters } = parsed.delta;
  return {
    pk: ledgerPartition(parsed.sku, parsed.locationId),
    sk: ledgerPosition(parsed),
    ...parsed,
    delta: { ...counters, ...(Object.keys(fences).length > 0 ? { fences } : {}) },
  };
}

/** The stored item of a transfer. */
export function transferItem(transfer: Transfer): Record<string, unknown> {
  return { ...transferKeyOf(transfer.transferId), ...Transfer.parse(transfer) };
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

/** An item read back without its key attributes, for the strict schemas. */
function withoutKeys(item: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest;
}

/**
 * The update of a pool that applies `delta` exactly, guarded so that no counter and no fence it lowers
 * can go below zero (and so that the pool exists: an update would otherwise create it). A fence part
 * names `fences.<key>.units`, which fails the guard when the pool has no such fence.
 */
export function poolDeltaUpdate(delta: PoolDelta): {
  update: string;
  condition: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
} {
  const sets: string[] = [];
  const guards: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  for (const counter of COUNTERS) {
    const change = delta[counter];
    if (change === 0) continue;
    names[`#${counter}`] = counter;
    sets.push(`#${counter} = #${counter} + :d_${counter}`);
    values[`:d_${counter}`] = change;
    if (change < 0) {
      guards.push(`#${counter} >= :n_${counter}`);
      values[`:n_${counter}`] = -change;
    }
  }
  Object.entries(delta.fences).forEach(([key, change], i) => {
    if (change === 0) return;
    const path = `#fences.#f${i}.#units`;
    Object.assign(names, { '#fences': 'fences', [`#f${i}`]: key, '#units': 'units' });
    sets.push(`${path} = ${path} + :df${i}`);
    values[`:df${i}`] = change;
    if (change < 0) {
      guards.push(`${path} >= :nf${i}`);
      values[`:nf${i}`] = -change;
    }
  });
  return {
    update: sets.length > 0 ? `SET ${sets.join(', ')}` : '',
    condition: guards.length > 0 ? guards.join(' AND ') : 'attribute_exists(pk)',
    names,
    values,
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
 * Stock pools, reservations, transfers and the ledger in the inventory table. Each change is one
 * TransactWriteItems over the reservation or transfer, its pools and one ledger entry per pool, guarded
 * by conditions, so concurrent checkouts can never oversell and the ledger never misses a movement; a
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
    return this.adjust(setOnHandAdjustment(sku, locationId, zone, onHand, options));
  }

  async adjust(request: AdjustRequest): Promise<StockPool> {
    assertAdjustable(request);
    const { sku, locationId } = request;
    // On hand and the shared remainder move by the same amount, relative to whatever concurrent
    // reservations leave; only a stock take's change depends on the count read, so only it is
    // conditional on that count, and a lost race reads again.
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const current = await this.readPool(sku, locationId);
      const change = adjustmentChange(request, current?.onHand ?? 0);
      if ((current?.available ?? 0) + change < 0) throw adjustmentRefused(request, current, change);
      const entry = ledgerEntry(
        request,
        request.type,
        { ...noDelta(), onHand: change, available: change },
        request,
      );
      const write: TransactItem = current
        ? this.adjustUpdate(request, current, change)
        : {
            Put: {
              TableName: this.props.tableName,
              Item: poolItem({
                sku,
                locationId,
                zone: request.zone,
                ...(request.locationType ? { locationType: request.locationType } : {}),
                onHand: change,
                reserved: 0,
                allocated: 0,
                available: change,
                fences: {},
              }),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          };
      if (!(await this.write([write, this.ledgerPut(entry)]))) {
        return {
          ...(current ?? { sku, locationId, zone: request.zone, reserved: 0, allocated: 0, fences: {} }),
          ...(request.locationType ? { locationType: request.locationType } : {}),
          onHand: (current?.onHand ?? 0) + change,
          available: (current?.available ?? 0) + change,
        };
      }
      await this.lostRace(attempt);
    }
    throw new StockContentionError(`${sku} at ${locationId} kept changing while its stock was being set`);
  }

  async setFence(request: FenceRequest): Promise<StockPool> {
    assertFence(request);
    const { sku, locationId, key } = request;
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const item = await this.readPoolItem(sku, locationId);
      if (!item) {
        throw new ValidationError(`${locationId} holds no stock of ${sku} to fence`, { sku, locationId });
      }
      const pool = StockPool.parse(item);
      const before = pool.fences[key]?.units;
      const change = request.units - (before ?? 0);
      if (change > pool.available) throw fenceRefused(request, pool.available);
      const entry = ledgerEntry(
        pool,
        'fence',
        { ...noDelta(), available: -change, fences: { [key]: change } },
        request,
      );
      const update = this.fenceUpdate(request, item.fences !== undefined, before, change);
      if (!(await this.write([update, this.ledgerPut(entry)]))) {
        return {
          ...pool,
          available: pool.available - change,
          fences: { ...pool.fences, [key]: { units: request.units, overflow: request.overflow } },
        };
      }
      await this.lostRace(attempt);
    }
    throw new StockContentionError(`${sku} at ${locationId} kept changing while fence ${key} was being set`);
  }

  async dispatchTransfer(request: TransferRequest): Promise<Transfer> {
    assertTransfer(request);
    const transfer: Transfer = {
      transferId: request.transferId,
      sku: request.sku,
      fromLocationId: request.fromLocationId,
      toLocationId: request.toLocationId,
      quantity: request.quantity,
      status: 'in_transit',
      actor: request.actor,
      reason: request.reason,
      dispatchedAt: request.now.toISOString(),
    };
    const delta = { ...noDelta(), onHand: -request.quantity, available: -request.quantity };
    const failed = await this.write([
      {
        Put: {
          TableName: this.props.tableName,
          Item: transferItem(transfer),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...this.movement({ sku: request.sku, locationId: request.fromLocationId }, 'transfer_out', delta, {
        ...request,
        reference: request.transferId,
      }),
    ]);
    if (!failed) return transfer;
    if (failed.includes(0)) {
      // The id is taken: most likely this very dispatch retried after a lost response.
      const existing = await this.getTransfer(request.transferId);
      if (!existing) return this.dispatchTransfer(request);
      if (sameTransfer(existing, request)) return existing;
      throw new ReservationConflictError(
        `Transfer ${request.transferId} already exists for another SKU, route or quantity`,
      );
    }
    throw new OutOfStockError([request.sku]);
  }

  async receiveTransfer(transferId: string, movement: Movement): Promise<Transfer> {
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const transfer = await this.getTransfer(transferId);
      if (!transfer) throw new TransferNotFoundError(`Transfer ${transferId} does not exist`, { transferId });
      if (transfer.status === 'received') return transfer;
      const destination = { sku: transfer.sku, locationId: transfer.toLocationId };
      const delta = { ...noDelta(), onHand: transfer.quantity, available: transfer.quantity };
      const exists = (await this.readPoolItem(destination.sku, destination.locationId)) !== undefined;
      const received: Transfer = { ...transfer, status: 'received', receivedAt: movement.now.toISOString() };
      const context = { ...movement, reference: transferId };
      const failed = await this.write([
        {
          Update: {
            TableName: this.props.tableName,
            Key: transferKeyOf(transferId),
            UpdateExpression: 'SET #status = :received, receivedAt = :at',
            ConditionExpression: '#status = :inTransit',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':received': 'received',
              ':inTransit': 'in_transit',
              ':at': received.receivedAt,
            },
          },
        },
        ...(exists
          ? this.movement(destination, 'transfer_in', delta, context)
          : [
              {
                Put: {
                  TableName: this.props.tableName,
                  Item: poolItem({
                    ...destination,
                    zone: await this.zoneOf(transfer),
                    onHand: transfer.quantity,
                    reserved: 0,
                    allocated: 0,
                    available: transfer.quantity,
                    fences: {},
                  }),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              this.ledgerPut(ledgerEntry(destination, 'transfer_in', delta, context)),
            ]),
      ]);
      if (!failed) return received;
      // Received by a concurrent call, or the destination pool appeared meanwhile: decide again.
      await this.lostRace(attempt);
    }
    throw new StockContentionError(`Transfer ${transferId} kept changing while being received`);
  }

  async getTransfer(transferId: string): Promise<Transfer | undefined> {
    const { Item } = await this.props.client.send(
      new GetCommand({
        TableName: this.props.tableName,
        Key: transferKeyOf(transferId),
        ConsistentRead: true,
      }),
    );
    return Item ? Transfer.parse(withoutKeys(Item)) : undefined;
  }

  async reserve(request: ReserveRequest): Promise<Reservation> {
    assertReservationId(request.reservationId);
    const lines = reservationLines(request.lines);
    const reservation = heldReservation(request, lines);
    const context: LedgerContext = {
      actor: request.actor ?? { kind: 'checkout', id: request.owner.checkoutId },
      reason: 'reserved',
      reference: request.reservationId,
      now: request.now,
    };
    const failed = await this.write([
      {
        Put: {
          TableName: this.props.tableName,
          Item: reservationItem(reservation),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...this.lineMovements(lines, 'pool', 'reserved', 'reservation', context),
    ]);
    if (!failed) return reservation;
    if (failed.includes(0)) {
      // The id is taken: most likely this very checkout retrying after a lost response.
      const existing = await this.get(request.reservationId);
      if (!existing) return this.reserve(request);
      return resumeReservation(existing, lines, request);
    }
    throw new OutOfStockError(shortSkus(failed, lines));
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
      if (current.status === 'allocated' || current.status === 'fulfilled') return current;
      const { releaseReason, ...rest } = current;
      const next: Reservation = { ...rest, status: 'allocated', updatedAt: now.toISOString() };
      // A released reservation takes its units again from where it took them the first time.
      const from = current.status === 'held' ? 'reserved' : 'pool';
      const lines = openLines(current);
      const failed = await this.write([
        this.reservationUpdate(current, next, 'REMOVE gsi1pk, gsi1sk, releaseReason, expiresAt'),
        ...this.lineMovements(lines, from, 'allocated', 'allocation', checkoutContext(current, 'paid', now)),
      ]);
      if (!failed) return next;
      // Released or allocated by someone else meanwhile: decide again from what is stored now.
      if (failed.includes(0)) continue;
      throw new OutOfStockError(shortSkus(failed, lines));
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
      if (current.status === 'released' || current.status === 'fulfilled') return false;
      if (options.ifExpired && (current.status !== 'held' || current.holdUntil > at)) return false;
      // The write below is conditional on the status read here, so an allocation that lands first wins.
      if (options.ifHeld && current.status !== 'held') return false;
      const next: Reservation = { ...current, status: 'released', releaseReason: reason, updatedAt: at };
      const failed = await this.write([
        this.reservationUpdate(current, next, 'REMOVE gsi1pk, gsi1sk', {
          expiresAt: Math.floor(now.getTime() / 1000) + RELEASED_RETENTION_SECONDS,
        }),
        ...this.lineMovements(
          openLines(current),
          current.status === 'held' ? 'reserved' : 'allocated',
          'pool',
          'release',
          checkoutContext(current, reason, now),
        ),
      ]);
      if (!failed) return true;
    }
    throw new StockContentionError(`Reservation ${reservationId} kept changing while being released`);
  }

  async fulfil(
    reservationId: string,
    movement: Movement,
    locationIds?: readonly string[],
  ): Promise<Reservation> {
    for (let step = 0; step < this.maxAttempts; step++) {
      const current = await this.mustGet(reservationId);
      const targets = fulfilmentTargets(current, locationIds);
      if (current.status === 'fulfilled' || targets.length === 0) return current;
      if (current.status !== 'allocated') {
        throw new ReservationConflictError(
          `Reservation ${reservationId} is ${current.status}; only allocated stock can be fulfilled`,
        );
      }
      const next = fulfilled(current, targets, movement.now);
      const failed = await this.write([
        this.reservationUpdate(current, next, '', { lines: next.lines }),
        ...this.lineMovements(targets, 'allocated', 'shipped', 'shipment', {
          ...movement,
          reference: movement.reference ?? reservationId,
        }),
      ]);
      if (!failed) return next;
      // Another fulfilment or a release landed first: decide again from what is stored now.
      if (failed.includes(0)) continue;
      throw new Error(
        `Reservation ${reservationId} is allocated but its pools do not hold the units: ${shortSkus(failed, targets).join(', ')}`,
      );
    }
    throw new StockContentionError(`Reservation ${reservationId} kept changing while being fulfilled`);
  }

  async ledger(
    sku: string,
    locationId: string,
    options: { after?: string; limit?: number } = {},
  ): Promise<LedgerPage> {
    const limit = ledgerLimit(options.limit);
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    // One more than asked, to tell a full last page from one with more behind it.
    do {
      const page = await this.props.client.send(
        new QueryCommand({
          TableName: this.props.tableName,
          KeyConditionExpression: options.after !== undefined ? 'pk = :pk AND sk > :after' : 'pk = :pk',
          ExpressionAttributeValues: {
            ':pk': ledgerPartition(sku, locationId),
            ...(options.after !== undefined ? { ':after': options.after } : {}),
          },
          ConsistentRead: true,
          Limit: limit + 1 - items.length,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start && items.length <= limit);
    const entries = items.slice(0, limit).map((item) => LedgerEntry.parse(withoutKeys(item)));
    const last = entries.at(-1);
    return { entries, ...(items.length > limit && last ? { next: ledgerPosition(last) } : {}) };
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

  private async readPoolItem(sku: string, locationId: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.props.client.send(
      new GetCommand({
        TableName: this.props.tableName,
        Key: poolKeyOf(sku, locationId),
        ConsistentRead: true,
      }),
    );
    return Item;
  }

  private async readPool(sku: string, locationId: string): Promise<StockPool | undefined> {
    const item = await this.readPoolItem(sku, locationId);
    return item ? StockPool.parse(item) : undefined;
  }

  /**
   * The update that sets a fence to `request.units` by moving `change` units from the shared remainder,
   * conditional on the fence still holding what was read (`before`). A pool without fences (never
   * fenced, or written before fences existed) gets its map in the same write: a nested path can only be
   * set once its map exists.
   */
  private fenceUpdate(
    request: FenceRequest,
    hasFences: boolean,
    before: number | undefined,
    change: number,
  ): TransactItem {
    const grows = change > 0 ? ' AND #available >= :change' : '';
    const fence = { units: request.units, overflow: request.overflow };
    const common = {
      TableName: this.props.tableName,
      Key: poolKeyOf(request.sku, request.locationId),
    };
    if (!hasFences) {
      return {
        Update: {
          ...common,
          UpdateExpression: 'SET #fences = :fences, #available = #available - :change',
          ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(#fences)${grows}`,
          ExpressionAttributeNames: { '#fences': 'fences', '#available': 'available' },
          ExpressionAttributeValues: { ':fences': { [request.key]: fence }, ':change': change },
        },
      };
    }
    if (before === undefined) {
      return {
        Update: {
          ...common,
          UpdateExpression: 'SET #fences.#k = :fence, #available = #available - :change',
          ConditionExpression: `attribute_exists(#fences) AND attribute_not_exists(#fences.#k)${grows}`,
          ExpressionAttributeNames: { '#fences': 'fences', '#k': request.key, '#available': 'available' },
          ExpressionAttributeValues: { ':fence': fence, ':change': change },
        },
      };
    }
    return {
      Update: {
        ...common,
        UpdateExpression:
          'SET #fences.#k.#units = #fences.#k.#units + :change, #fences.#k.#overflow = :overflow, ' +
          '#available = #available - :change',
        // The change was worked out from the size read, so the fence must still have it.
        ConditionExpression: `#fences.#k.#units = :before${grows}`,
        ExpressionAttributeNames: {
          '#fences': 'fences',
          '#k': request.key,
          '#units': 'units',
          '#overflow': 'overflow',
          '#available': 'available',
        },
        ExpressionAttributeValues: { ':change': change, ':before': before, ':overflow': request.overflow },
      },
    };
  }

  /** The zone of a pool a transfer creates: its location's, else the source pool's. */
  private async zoneOf(transfer: Transfer): Promise<string> {
    const { Item } = await this.props.client.send(
      new GetCommand({
        TableName: this.props.tableName,
        Key: { pk: `LOCATION#${transfer.toLocationId}`, sk: 'LOCATION' },
      }),
    );
    if (typeof Item?.zone === 'string') return Item.zone;
    const source = await this.readPool(transfer.sku, transfer.fromLocationId);
    if (source) return source.zone;
    throw new ValidationError(
      `The zone of ${transfer.toLocationId} is unknown; transfer ${transfer.transferId} cannot be received`,
    );
  }

  /** A stock adjustment of an existing pool; fences, reservations and allocations keep their units. */
  private adjustUpdate(request: AdjustRequest, current: StockPool, change: number): TransactItem {
    const guards = [request.onHand !== undefined ? '#onHand = :read' : 'attribute_exists(pk)'];
    if (change < 0) guards.push('#available >= :need');
    return {
      Update: {
        TableName: this.props.tableName,
        Key: poolKeyOf(request.sku, request.locationId),
        UpdateExpression:
          'SET #onHand = #onHand + :change, #available = #available + :change' +
          (request.locationType ? ', locationType = :locationType' : ''),
        ConditionExpression: guards.join(' AND '),
        ExpressionAttributeNames: { '#onHand': 'onHand', '#available': 'available' },
        ExpressionAttributeValues: {
          ':change': change,
          ...(request.onHand !== undefined ? { ':read': current.onHand } : {}),
          ...(change < 0 ? { ':need': -change } : {}),
          ...(request.locationType ? { ':locationType': request.locationType } : {}),
        },
      },
    };
  }

  /** Moves a reservation from the status it was read in, and only from that status and those lines. */
  private reservationUpdate(
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
    // Lines only ever change by being fulfilled; a line open when read must still be open, so that a
    // release never gives back units that have shipped and two fulfilments never overwrite each other.
    const open = current.lines.flatMap((line, i) => (line.fulfilledAt === undefined ? [i] : []));
    return {
      Update: {
        TableName: this.props.tableName,
        Key: reservationKeyOf(current.reservationId),
        UpdateExpression: `SET ${names.map((_, i) => `#s${i} = :s${i}`).join(', ')} ${remove}`.trim(),
        ConditionExpression: [
          '#status = :from',
          ...open.map((i) => `attribute_not_exists(#lines[${i}].#fulfilledAt)`),
        ].join(' AND '),
        ExpressionAttributeNames: {
          '#status': 'status',
          ...(open.length > 0 ? { '#lines': 'lines', '#fulfilledAt': 'fulfilledAt' } : {}),
          ...Object.fromEntries(names.map((n, i) => [`#s${i}`, n])),
        },
        ExpressionAttributeValues: {
          ':from': current.status satisfies ReservationStatus,
          ...Object.fromEntries(names.map((n, i) => [`:s${i}`, set[n]])),
        },
      },
    };
  }

  /** For each line, the pool update moving its units and the ledger entry recording it. */
  private lineMovements(
    lines: readonly ReservationLine[],
    from: LinePlace,
    to: LinePlace,
    type: MovementType,
    context: LedgerContext,
  ): TransactItem[] {
    return lines.flatMap((line) => this.movement(line, type, lineDelta(line, from, to), context));
  }

  /** A pool update applying `delta` and the put of its ledger entry: two items, in this order. */
  private movement(
    pool: { readonly sku: string; readonly locationId: string },
    type: MovementType,
    delta: PoolDelta,
    context: LedgerContext,
  ): [TransactItem, TransactItem] {
    const entry = ledgerEntry(pool, type, delta, context);
    const { update, condition, names, values } = poolDeltaUpdate(delta);
    const key = poolKeyOf(pool.sku, pool.locationId);
    const change: TransactItem = update
      ? {
          Update: {
            TableName: this.props.tableName,
            Key: key,
            UpdateExpression: update,
            ConditionExpression: condition,
            ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
            ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
          },
        }
      : { ConditionCheck: { TableName: this.props.tableName, Key: key, ConditionExpression: condition } };
    return [change, this.ledgerPut(entry)];
  }

  private ledgerPut(entry: LedgerEntry): TransactItem {
    return {
      Put: {
        TableName: this.props.tableName,
        Item: ledgerItem(entry),
        ConditionExpression: 'attribute_not_exists(pk)',
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

  /** Waits before reading again after a write whose condition on what was read failed. */
  private async lostRace(attempt: number): Promise<void> {
    if (attempt + 1 === this.maxAttempts) return;
    this.stats.conflictRetries++;
    await this.pause(attempt);
  }

  private pause(attempt: number): Promise<void> {
    const ceiling = Math.min(this.backoff.capMs, this.backoff.baseMs * 2 ** attempt);
    return this.sleep(this.random() * ceiling);
  }
}

/**
 * The SKUs of the lines whose pool update failed its condition. A transaction that moves lines lists,
 * after its first item, two per line (the pool, then its ledger entry).
 */
function shortSkus(failedIndexes: readonly number[], lines: readonly ReservationLine[]): string[] {
  return failedIndexes.map((index) => lines[Math.floor((index - 1) / 2)]?.sku ?? '?');
}
