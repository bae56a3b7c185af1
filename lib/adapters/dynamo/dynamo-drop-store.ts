import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { Drop, DropEntry } from '../../drops/drop.ts';
import {
  type AddEntryOutcome,
  type BindOutcome,
  type ClaimOutcome,
  DropContentionError,
  type DropStore,
  type DropStoreStats,
  type EnterAndClaimOutcome,
  type EnterAndClaimRequest,
  type HoldRelease,
  type PaymentMethodClaim,
  type PaymentMethodClaimRequest,
  type ShardPart,
} from '../../drops/ports.ts';
import { splitUnits } from '../../drops/shards.ts';
import type { DomainEvent } from '../../platform/domain-event.ts';
import { outboxItem } from './outbox.ts';
import { classifyCancellation } from './transactions.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** DynamoDB caps a transaction at 100 items. */
const MAX_TRANSACTION_ITEMS = 100;
/**
 * Entries written a second to one `gsi1` partition at most (an index partition takes 1,000 WCU a second
 * like a table's, and an entry that changes index key writes twice).
 */
export const ENTRY_INDEX_WRITES_PER_SECOND = 400;
/** Most `gsi1` partitions a drop's entries are spread over. */
export const MAX_ENTRY_PARTITIONS = 100;
const ACTIVE_DROPS = 'DROPS#ACTIVE';
const SETTLED_DROPS = 'DROPS#SETTLED';

const dropKeyOf = (dropId: string) => ({ pk: `DROP#${dropId}`, sk: 'DROP' });
const seedKeyOf = (dropId: string) => ({ pk: `DROP#${dropId}`, sk: 'SEED' });
const shardKeyOf = (dropId: string, sku: string, shard: number) => ({
  pk: `DROPSHARD#${dropId}#${sku}`,
  sk: `SHARD#${shard}`,
});
const entryKeyOf = (dropId: string, entrantKey: string) => ({
  pk: `DROPENTRY#${dropId}#${entrantKey}`,
  sk: 'ENTRY',
});
const holdKeyOf = (dropId: string, entry: Pick<DropEntry, 'shard' | 'entrantKey'>, payBy: string) => ({
  pk: `DROPHOLD#${dropId}#${entry.shard ?? 0}`,
  sk: `${payBy}#${entry.entrantKey}`,
});
const methodKeyOf = (dropId: string, methodKey: string) => ({
  pk: `DROPPAY#${dropId}#${methodKey}`,
  sk: 'PAYMENT_METHOD',
});
const waitKeyOf = (dropId: string, sku: string, drawRank: number, entrantKey: string) => ({
  pk: `DROPWAIT#${dropId}#${sku}`,
  sk: `${String(drawRank).padStart(10, '0')}#${entrantKey}`,
});

/**
 * How many `gsi1` partitions a drop's entries are spread over, from its expected arrival rate, so that
 * no index partition is hot when every shopper enters in the same second.
 */
export function entryPartitions(drop: Pick<Drop, 'expectedArrivalsPerSecond'>): number {
  const needed = Math.ceil(drop.expectedArrivalsPerSecond / ENTRY_INDEX_WRITES_PER_SECOND);
  return Math.max(1, Math.min(MAX_ENTRY_PARTITIONS, needed));
}

/** The partition of an entry: its key is a hash already, so its first 32 bits spread evenly. */
function partitionOf(entrantKey: string, partitions: number): number {
  return Number.parseInt(entrantKey.slice(0, 8), 16) % partitions;
}

/**
 * `gsi1` lists a drop's entries by arrival; queued entries sit in their own partitions, so the
 * admitter finds the ones still waiting without reading every decided one.
 */
function entryIndex(drop: Drop, entry: Pick<DropEntry, 'entrantKey' | 'status'>): string {
  const kind = entry.status === 'queued' ? 'DROPQUEUE' : 'DROPENTRIES';
  return `${kind}#${drop.dropId}#${partitionOf(entry.entrantKey, entryPartitions(drop))}`;
}

/** Hold pointers are spread like the shards they came from; a draw's winners all use partition 0. */
const holdPartitions = (drop: Drop) => Math.max(1, ...drop.items.map((item) => item.shards));

export interface DynamoDropStoreProps {
  readonly client: DynamoDBDocumentClient;
  /** The inventory table (global). */
  readonly tableName: string;
  /** Written on outbox items: only the region that wrote an event relays it. */
  readonly region: string;
  /**
   * Transactions sent per write before giving up on contention.
   * @default 10
   */
  readonly maxAttempts?: number;
  /**
   * Full-jitter exponential backoff between contended attempts: a random wait up to
   * `min(capMs, baseMs * 2 ** retry)`.
   * @default { baseMs: 10, capMs: 200 }
   */
  readonly backoff?: { readonly baseMs: number; readonly capMs: number };
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
}

/**
 * Drops in the inventory table. Items, by key:
 * - `DROP#<id>` / `DROP`: the drop (in the `gsi1` partition `DROPS#ACTIVE` until settled, then in
 *   `DROPS#SETTLED` by settle time), and
 *   `DROP#<id>` / `SEED`: a draw's secret seed, never read by the API;
 * - `DROPSHARD#<id>#<sku>` / `SHARD#<i>`: a first-come item's units, `available` decremented by claims;
 * - `DROPENTRY#<id>#<entrantKey>` / `ENTRY`: one per customer, listed in `gsi1` by arrival;
 * - `DROPHOLD#<id>#<shard>` / `<payBy>#<entrantKey>`: a won, unpaid hold, for the expiry sweep;
 * - `DROPWAIT#<id>#<sku>` / `<rank>#<entrantKey>`: a draw's waitlist in rank order;
 * - `DROPPAY#<id>#<methodKey>` / `PAYMENT_METHOD`: the units paid with one payment method, and the
 *   entrants who paid with it (a string set).
 * Pointers are written and deleted in the same transaction as the entry they point to.
 */
export class DynamoDropStore implements DropStore {
  /** Counts since construction; read them after a load test. */
  readonly stats: DropStoreStats = { attempts: 0, conditionFailures: 0, conflictRetries: 0, writes: 0 };
  private readonly maxAttempts: number;
  private readonly backoff: { readonly baseMs: number; readonly capMs: number };
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly props: DynamoDropStoreProps) {
    this.maxAttempts = props.maxAttempts ?? 10;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new RangeError(`maxAttempts must be a positive integer, got ${props.maxAttempts}`);
    }
    this.backoff = props.backoff ?? { baseMs: 10, capMs: 200 };
    this.sleep = props.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = props.random ?? Math.random;
  }

  private get table(): string {
    return this.props.tableName;
  }

  async create(drop: Drop, options: { readonly seed?: string }): Promise<{ created: boolean; drop: Drop }> {
    const { seed: _never, ...stored } = Drop.parse(drop);
    const shards = drop.items.flatMap((item) =>
      item.shards > 0
        ? splitUnits(item.units, item.shards).map((units, shard) => ({
            ...shardKeyOf(drop.dropId, item.sku, shard),
            dropId: drop.dropId,
            sku: item.sku,
            shard,
            units,
            available: units,
          }))
        : [],
    );
    const head: TransactItem[] = [
      {
        Put: {
          TableName: this.table,
          Item: {
            ...dropKeyOf(drop.dropId),
            ...stored,
            gsi1pk: ACTIVE_DROPS,
            gsi1sk: `${drop.window.closesAt}#${drop.dropId}`,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...(options.seed
        ? [
            {
              Put: {
                TableName: this.table,
                Item: { ...seedKeyOf(drop.dropId), dropId: drop.dropId, seed: options.seed },
              },
            },
          ]
        : []),
    ];
    const shardPuts: TransactItem[] = shards.map((Item) => ({
      Put: { TableName: this.table, Item, ConditionExpression: 'attribute_not_exists(pk)' },
    }));
    if (head.length + shardPuts.length > MAX_TRANSACTION_ITEMS) {
      // Too many for one transaction: shards first, the drop last, so nobody sees a drop without its
      // stock. A shard already there belongs to an earlier attempt of this same creation: keep it.
      await inParallel(shards, 16, async (Item) => {
        try {
          this.stats.attempts++;
          await this.props.client.send(
            new PutCommand({ TableName: this.table, Item, ConditionExpression: 'attribute_not_exists(pk)' }),
          );
          this.stats.writes++;
        } catch (error) {
          if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
          this.stats.conditionFailures++;
        }
      });
      shardPuts.length = 0;
    }
    const failed = await this.transact([...head, ...shardPuts]);
    if (!failed) return { created: true, drop: Drop.parse(stored) };
    const existing = await this.get(drop.dropId);
    if (!existing) throw new Error(`Drop ${drop.dropId} could not be written and does not exist`);
    return { created: false, drop: existing };
  }

  async get(dropId: string): Promise<Drop | undefined> {
    const { Item } = await this.props.client.send(
      new GetCommand({ TableName: this.table, Key: dropKeyOf(dropId), ConsistentRead: true }),
    );
    return Item ? Drop.parse(Item) : undefined;
  }

  async shardBalances(drop: Drop, sku: string): Promise<number[]> {
    const items = await this.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `DROPSHARD#${drop.dropId}#${sku}` },
      ConsistentRead: true,
    });
    const balances: number[] = [];
    for (const item of items) balances[Number(item.shard)] = Number(item.available);
    return Array.from(balances, (units) => units ?? 0);
  }

  async addEntry(
    drop: Drop,
    entry: DropEntry,
    options: { readonly requestKey?: string; readonly event?: DomainEvent } = {},
  ): Promise<AddEntryOutcome> {
    const Item = {
      ...entryKeyOf(entry.dropId, entry.entrantKey),
      ...DropEntry.parse(entry),
      ...(options.requestKey ? { requestKey: options.requestKey } : {}),
      gsi1pk: entryIndex(drop, entry),
      gsi1sk: `${entry.arrivedAt}#${entry.entrantKey}`,
    };
    const put = { TableName: this.table, Item, ConditionExpression: 'attribute_not_exists(pk)' };
    // Without an event a plain conditional put does: half the write units of a transaction.
    const added = options.event
      ? !(await this.transact([
          { Put: put },
          {
            Put: {
              TableName: this.table,
              Item: outboxItem(options.event, this.props.region, new Date(entry.arrivedAt)),
            },
          },
        ]))
      : await this.conditionalPut(put);
    if (added) return { added: true, entry: DropEntry.parse(Item) };
    const stored = await this.storedEntry(entry.dropId, entry.entrantKey);
    if (!stored) throw new DropContentionError(`Entry ${entry.entrantKey} vanished while being written`);
    return {
      added: false,
      existing: DropEntry.parse(stored),
      sameRequest: options.requestKey !== undefined && stored.requestKey === options.requestKey,
    };
  }

  async getEntry(dropId: string, entrantKey: string): Promise<DropEntry | undefined> {
    const Item = await this.storedEntry(dropId, entrantKey);
    return Item ? DropEntry.parse(Item) : undefined;
  }

  async enterAndClaim(
    drop: Drop,
    entry: DropEntry,
    request: EnterAndClaimRequest,
  ): Promise<EnterAndClaimOutcome> {
    const won = DropEntry.parse({ ...entry, status: 'won', payBy: request.payBy, shard: request.shard });
    // The entry as `addEntry` then `take` would leave it, so nothing downstream can tell the paths apart.
    const failed = await this.transact([
      {
        Put: {
          TableName: this.table,
          Item: {
            ...entryKeyOf(entry.dropId, entry.entrantKey),
            ...won,
            ...(request.requestKey ? { requestKey: request.requestKey } : {}),
            gsi1pk: entryIndex(drop, won),
            gsi1sk: `${entry.arrivedAt}#${entry.entrantKey}`,
            decidedAt: request.now.toISOString(),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      this.decrement(drop, entry.sku, { shard: request.shard, units: entry.quantity }),
      this.holdPointer(drop, won),
    ]);
    if (!failed) return { kind: 'won', entry: won };
    // An existing entry decides, whatever the shard held: the customer has entered already.
    if (!failed.includes(0)) return { kind: 'short' };
    const stored = await this.storedEntry(entry.dropId, entry.entrantKey);
    if (!stored) throw new DropContentionError(`Entry ${entry.entrantKey} vanished while being written`);
    return {
      kind: 'exists',
      existing: DropEntry.parse(stored),
      sameRequest: request.requestKey !== undefined && stored.requestKey === request.requestKey,
    };
  }

  async claim(
    drop: Drop,
    entry: DropEntry,
    request: { readonly shards: readonly number[]; readonly payBy: string; readonly now: Date },
  ): Promise<ClaimOutcome> {
    let contended: unknown;
    for (const shard of request.shards) {
      try {
        const outcome = await this.take(drop, entry, [{ shard, units: entry.quantity }], request);
        if (outcome.kind !== 'refused') return outcome;
      } catch (error) {
        // A shard too contended to answer is not a refusal: try the next, and never call it sold out.
        if (!(error instanceof DropContentionError)) throw error;
        contended = error;
      }
    }
    if (contended) throw contended;
    return { kind: 'refused' };
  }

  claimParts(
    drop: Drop,
    entry: DropEntry,
    request: { readonly parts: readonly ShardPart[]; readonly payBy: string; readonly now: Date },
  ): Promise<ClaimOutcome> {
    return this.take(drop, entry, request.parts, request);
  }

  async markLost(drop: Drop, entry: DropEntry, now: Date): Promise<DropEntry | undefined> {
    const { entry: stored } = await this.updateEntry(entry.dropId, entry.entrantKey, {
      UpdateExpression: 'SET #status = :lost, gsi1pk = :index, decidedAt = :now',
      ConditionExpression: '#status = :queued',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':lost': 'lost',
        ':queued': 'queued',
        ':index': entryIndex(drop, { ...entry, status: 'lost' }),
        ':now': now.toISOString(),
      },
    });
    return stored;
  }

  async setSoldOut(dropId: string, soldOut: boolean): Promise<void> {
    try {
      this.stats.attempts++;
      await this.props.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: dropKeyOf(dropId),
          UpdateExpression: 'SET soldOut = :soldOut ADD version :one',
          // Only the first to notice writes: thousands of losers must not all hit the drop item.
          ConditionExpression: 'attribute_exists(pk) AND soldOut <> :soldOut',
          ExpressionAttributeValues: { ':soldOut': soldOut, ':one': 1 },
        }),
      );
      this.stats.writes++;
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      this.stats.conditionFailures++;
    }
  }

  async listEntries(drop: Drop): Promise<DropEntry[]> {
    const partitions = Array.from({ length: entryPartitions(drop) }, (_, p) => p);
    const pages = await Promise.all(
      ['DROPQUEUE', 'DROPENTRIES'].flatMap((kind) =>
        partitions.map((p) =>
          this.queryAll({
            TableName: this.table,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk',
            ExpressionAttributeValues: { ':pk': `${kind}#${drop.dropId}#${p}` },
          }),
        ),
      ),
    );
    const byKey = new Map<string, Record<string, unknown>>();
    // An entry that just changed index may show in both for a moment; keep one.
    for (const item of pages.flat()) byKey.set(String(item.entrantKey), item);
    return [...byKey.values()]
      .sort((a, b) => compare(String(a.gsi1sk), String(b.gsi1sk)))
      .map((item) => DropEntry.parse(item));
  }

  async queuedEntries(drop: Drop, upTo: string, limit: number): Promise<DropEntry[]> {
    const pages = await Promise.all(
      Array.from({ length: entryPartitions(drop) }, async (_, p) => {
        const { Items = [] } = await this.props.client.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: 'gsi1',
            // Keys are `<arrivedAt>#<key>`; "$" sorts right after "#", so every arrival at `upTo` is in.
            KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk < :bound',
            ExpressionAttributeValues: { ':pk': `DROPQUEUE#${drop.dropId}#${p}`, ':bound': `${upTo}$` },
            Limit: limit,
          }),
        );
        return Items;
      }),
    );
    return pages
      .flat()
      .sort((a, b) => compare(String(a.gsi1sk), String(b.gsi1sk)))
      .map((item) => DropEntry.parse(item))
      .filter((entry) => entry.status === 'queued')
      .slice(0, limit);
  }

  async seedOf(dropId: string): Promise<string | undefined> {
    const { Item } = await this.props.client.send(
      new GetCommand({ TableName: this.table, Key: seedKeyOf(dropId), ConsistentRead: true }),
    );
    return typeof Item?.seed === 'string' ? Item.seed : undefined;
  }

  async recordDraw(
    drop: Drop,
    entry: DropEntry,
    outcome:
      | { readonly status: 'won'; readonly drawRank: number; readonly payBy: string }
      | { readonly status: 'waitlisted'; readonly drawRank: number },
  ): Promise<boolean> {
    const won = outcome.status === 'won';
    const pointer = won
      ? { ...holdKeyOf(drop.dropId, entry, outcome.payBy), dropId: drop.dropId, entrantKey: entry.entrantKey }
      : { ...waitKeyOf(drop.dropId, entry.sku, outcome.drawRank, entry.entrantKey), dropId: drop.dropId };
    const failed = await this.transact([
      {
        Update: {
          TableName: this.table,
          Key: entryKeyOf(drop.dropId, entry.entrantKey),
          UpdateExpression: `SET #status = :to, drawRank = :rank${won ? ', payBy = :payBy' : ''}`,
          ConditionExpression: '#status = :entered',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':to': outcome.status,
            ':rank': outcome.drawRank,
            ':entered': 'entered',
            ...(won ? { ':payBy': outcome.payBy } : {}),
          },
        },
      },
      { Put: { TableName: this.table, Item: { ...pointer, entrantKey: entry.entrantKey } } },
    ]);
    return failed === undefined;
  }

  async revealDraw(drop: Drop, seed: string, drawnAt: Date, event: DomainEvent): Promise<boolean> {
    const failed = await this.transact([
      {
        Update: {
          TableName: this.table,
          Key: dropKeyOf(drop.dropId),
          UpdateExpression: 'SET seed = :seed, drawnAt = :at ADD version :one',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(drawnAt)',
          ExpressionAttributeValues: { ':seed': seed, ':at': drawnAt.toISOString(), ':one': 1 },
        },
      },
      { Put: { TableName: this.table, Item: outboxItem(event, this.props.region, drawnAt) } },
    ]);
    return failed === undefined;
  }

  async dueHolds(drop: Drop, before: Date, limit: number): Promise<DropEntry[]> {
    const pointers = await Promise.all(
      Array.from({ length: holdPartitions(drop) }, async (_, h) => {
        const { Items = [] } = await this.props.client.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'pk = :pk AND sk < :before',
            ExpressionAttributeValues: {
              ':pk': `DROPHOLD#${drop.dropId}#${h}`,
              ':before': before.toISOString(),
            },
            Limit: limit,
            ConsistentRead: true,
          }),
        );
        return Items;
      }),
    );
    const due = pointers
      .flat()
      .sort((a, b) => compare(String(a.sk), String(b.sk)))
      .slice(0, limit);
    const entries = await Promise.all(due.map((p) => this.getEntry(drop.dropId, String(p.entrantKey))));
    return entries.filter((entry): entry is DropEntry => entry?.status === 'won');
  }

  async waitlist(drop: Drop, sku: string, limit: number): Promise<DropEntry[]> {
    const { Items = [] } = await this.props.client.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `DROPWAIT#${drop.dropId}#${sku}` },
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    const entries = await Promise.all(Items.map((p) => this.getEntry(drop.dropId, String(p.entrantKey))));
    return entries.filter((entry): entry is DropEntry => entry?.status === 'waitlisted');
  }

  async expireHold(drop: Drop, entry: DropEntry, release: HoldRelease, now: Date): Promise<boolean> {
    if (entry.payBy === undefined) return false;
    const at = now.toISOString();
    const items: TransactItem[] = [
      {
        Update: {
          TableName: this.table,
          Key: entryKeyOf(drop.dropId, entry.entrantKey),
          UpdateExpression: 'SET #status = :expired, decidedAt = :now',
          ConditionExpression: '#status = :won AND payBy = :payBy',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':expired': 'expired',
            ':won': 'won',
            ':payBy': entry.payBy,
            ':now': at,
          },
        },
      },
      { Delete: { TableName: this.table, Key: holdKeyOf(drop.dropId, entry, entry.payBy) } },
    ];
    if (release.kind === 'shard') {
      items.push(
        {
          Update: {
            TableName: this.table,
            Key: shardKeyOf(drop.dropId, entry.sku, release.shard),
            UpdateExpression: 'ADD available :q',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':q': entry.quantity },
          },
        },
        {
          Update: {
            TableName: this.table,
            Key: dropKeyOf(drop.dropId),
            UpdateExpression: 'SET soldOut = :false ADD version :one',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':false': false, ':one': 1 },
          },
        },
      );
    } else {
      for (const next of release.promote) {
        if (next.drawRank === undefined) throw new Error(`Waitlisted entry ${next.entrantKey} has no rank`);
        items.push(
          {
            Update: {
              TableName: this.table,
              Key: entryKeyOf(drop.dropId, next.entrantKey),
              UpdateExpression: 'SET #status = :won, payBy = :payBy, decidedAt = :now',
              ConditionExpression: '#status = :waitlisted',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':won': 'won',
                ':waitlisted': 'waitlisted',
                ':payBy': release.payBy,
                ':now': at,
              },
            },
          },
          {
            Delete: {
              TableName: this.table,
              Key: waitKeyOf(drop.dropId, next.sku, next.drawRank, next.entrantKey),
            },
          },
          {
            Put: {
              TableName: this.table,
              Item: {
                ...holdKeyOf(drop.dropId, next, release.payBy),
                dropId: drop.dropId,
                entrantKey: next.entrantKey,
              },
            },
          },
        );
      }
    }
    return (await this.transact(items)) === undefined;
  }

  async bindCheckout(drop: Drop, entrantKey: string, checkoutId: string, now: Date): Promise<BindOutcome> {
    const { updated, entry } = await this.updateEntry(drop.dropId, entrantKey, {
      UpdateExpression: 'SET checkoutId = :checkout',
      ConditionExpression:
        '#status = :won AND payBy > :now AND (attribute_not_exists(checkoutId) OR checkoutId = :checkout)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':won': 'won', ':now': now.toISOString(), ':checkout': checkoutId },
    });
    return updated ? { bound: true, entry: entry as DropEntry } : { bound: false, entry };
  }

  async unbindCheckout(drop: Drop, entrantKey: string, checkoutId: string): Promise<DropEntry | undefined> {
    const { entry } = await this.updateEntry(drop.dropId, entrantKey, {
      UpdateExpression: 'REMOVE checkoutId',
      ConditionExpression: '#status = :won AND checkoutId = :checkout',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':won': 'won', ':checkout': checkoutId },
    });
    return entry;
  }

  async claimPaymentMethod(drop: Drop, claim: PaymentMethodClaimRequest): Promise<PaymentMethodClaim> {
    const Key = methodKeyOf(drop.dropId, claim.methodKey);
    if (claim.units > claim.limit) {
      // No count can make room: only an entrant counted before (under a larger limit) is allowed.
      const { Item } = await this.props.client.send(
        new GetCommand({ TableName: this.table, Key, ConsistentRead: true }),
      );
      return methodOutcome(Item, claim.entrantKey);
    }
    try {
      this.stats.attempts++;
      const { Attributes } = await this.props.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key,
          UpdateExpression: 'ADD used :units, entrants :entrant SET dropId = :drop',
          ConditionExpression:
            '(attribute_not_exists(used) OR used <= :room) AND NOT contains(entrants, :entrantKey)',
          ExpressionAttributeValues: {
            ':units': claim.units,
            ':entrant': new Set([claim.entrantKey]),
            ':entrantKey': claim.entrantKey,
            ':room': claim.limit - claim.units,
            ':drop': drop.dropId,
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      this.stats.writes++;
      return { allowed: true, used: Number(Attributes?.used ?? claim.units) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      this.stats.conditionFailures++;
      return methodOutcome(error.Item ? unmarshall(error.Item) : undefined, claim.entrantKey);
    }
  }

  async markPurchased(drop: Drop, entrantKey: string, now: Date): Promise<DropEntry | undefined> {
    for (let step = 0; step < this.maxAttempts; step++) {
      const entry = await this.getEntry(drop.dropId, entrantKey);
      if (!entry || (entry.status !== 'won' && entry.status !== 'expired')) return entry;
      const failed = await this.transact([
        {
          Update: {
            TableName: this.table,
            Key: entryKeyOf(drop.dropId, entrantKey),
            UpdateExpression: 'SET #status = :purchased, decidedAt = :now',
            ConditionExpression: '#status = :from',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':purchased': 'purchased',
              ':from': entry.status,
              ':now': now.toISOString(),
            },
          },
        },
        ...(entry.status === 'won' && entry.payBy
          ? [{ Delete: { TableName: this.table, Key: holdKeyOf(drop.dropId, entry, entry.payBy) } }]
          : []),
      ]);
      if (!failed) return { ...entry, status: 'purchased' };
    }
    throw new DropContentionError(`Entry ${entrantKey} kept changing while being marked purchased`);
  }

  async activeDrops(): Promise<Drop[]> {
    const items = await this.queryAll({
      TableName: this.table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': ACTIVE_DROPS },
    });
    return items.map((item) => Drop.parse(item));
  }

  async settle(dropId: string, at: Date): Promise<void> {
    const settledAt = at.toISOString();
    try {
      await this.props.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: dropKeyOf(dropId),
          UpdateExpression: 'SET gsi1pk = :settled, gsi1sk = :sk, settledAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(settledAt)',
          ExpressionAttributeValues: {
            ':settled': SETTLED_DROPS,
            ':sk': `${settledAt}#${dropId}`,
            ':at': settledAt,
          },
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  async settledDrops(since: Date): Promise<Drop[]> {
    const items = await this.queryAll({
      TableName: this.table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk >= :since',
      ExpressionAttributeValues: { ':pk': SETTLED_DROPS, ':since': since.toISOString() },
    });
    return items.map((item) => Drop.parse(item));
  }

  /** An entry's item as stored, with its request key (strongly consistent). */
  private async storedEntry(
    dropId: string,
    entrantKey: string,
  ): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.props.client.send(
      new GetCommand({ TableName: this.table, Key: entryKeyOf(dropId, entrantKey), ConsistentRead: true }),
    );
    return Item;
  }

  /**
   * One conditional update of an entry. Answers the entry as written, or, when the condition failed, as
   * it stands (undefined for none).
   */
  private async updateEntry(
    dropId: string,
    entrantKey: string,
    update: Pick<
      UpdateCommandInput,
      'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    >,
  ): Promise<{ updated: boolean; entry: DropEntry | undefined }> {
    try {
      this.stats.attempts++;
      const { Attributes } = await this.props.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: entryKeyOf(dropId, entrantKey),
          ...update,
          ReturnValues: 'ALL_NEW',
        }),
      );
      this.stats.writes++;
      return { updated: true, entry: DropEntry.parse(Attributes) };
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      this.stats.conditionFailures++;
      return { updated: false, entry: await this.getEntry(dropId, entrantKey) };
    }
  }

  /** A shard's decrement by a part's units, conditional on the shard holding them. */
  private decrement(drop: Drop, sku: string, part: ShardPart): TransactItem {
    return {
      Update: {
        TableName: this.table,
        Key: shardKeyOf(drop.dropId, sku, part.shard),
        UpdateExpression: 'SET available = available - :q',
        ConditionExpression: 'available >= :q',
        ExpressionAttributeValues: { ':q': part.units },
      },
    };
  }

  /** The pointer that lists a won entry's hold for the expiry sweep, by its pay-by. */
  private holdPointer(drop: Drop, won: DropEntry): TransactItem {
    return {
      Put: {
        TableName: this.table,
        Item: {
          ...holdKeyOf(drop.dropId, won, won.payBy as string),
          dropId: drop.dropId,
          entrantKey: won.entrantKey,
        },
      },
    };
  }

  /**
   * One claim: the shards' decrements, the entry's `queued → won` and its hold pointer, in one
   * transaction.
   */
  private async take(
    drop: Drop,
    entry: DropEntry,
    parts: readonly ShardPart[],
    request: { readonly payBy: string; readonly now: Date },
  ): Promise<ClaimOutcome> {
    const shard = parts[0]?.shard ?? 0;
    const won: DropEntry = { ...entry, status: 'won', payBy: request.payBy, shard };
    const failed = await this.transact([
      ...parts.map((part) => this.decrement(drop, entry.sku, part)),
      {
        Update: {
          TableName: this.table,
          Key: entryKeyOf(drop.dropId, entry.entrantKey),
          UpdateExpression:
            'SET #status = :won, payBy = :payBy, #shard = :shard, gsi1pk = :index, decidedAt = :now',
          ConditionExpression: '#status = :queued',
          ExpressionAttributeNames: { '#status': 'status', '#shard': 'shard' },
          ExpressionAttributeValues: {
            ':won': 'won',
            ':queued': 'queued',
            ':payBy': request.payBy,
            ':shard': shard,
            ':index': entryIndex(drop, won),
            ':now': request.now.toISOString(),
          },
        },
      },
      this.holdPointer(drop, won),
    ]);
    if (!failed) return { kind: 'won', entry: won };
    if (failed.includes(parts.length)) {
      return { kind: 'decided', entry: await this.getEntry(drop.dropId, entry.entrantKey) };
    }
    return { kind: 'refused' };
  }

  /**
   * Sends one transaction, retrying it in place while it is cancelled by contention alone, or fails
   * with an internal error after the SDK's own retries. Every retry of an internal error carries the
   * same client request token, so a first attempt that did commit is not applied again; after a
   * cancellation nothing was written and the retry is a new request.
   * @returns undefined when written, or the indexes of the items whose condition failed
   * @throws DropContentionError when contention outlasts every attempt
   */
  private async transact(items: TransactItem[]): Promise<number[] | undefined> {
    let token = randomUUID();
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      this.stats.attempts++;
      try {
        await this.props.client.send(
          new TransactWriteCommand({ TransactItems: items, ClientRequestToken: token }),
        );
        this.stats.writes++;
        return undefined;
      } catch (error) {
        const cancellation = classifyCancellation(error);
        if (!cancellation && !isInternalError(error)) throw error;
        if (cancellation?.kind === 'other') throw error;
        if (cancellation?.kind === 'condition') {
          this.stats.conditionFailures++;
          return cancellation.failedIndexes;
        }
        if (cancellation) token = randomUUID();
        if (attempt + 1 === this.maxAttempts) break;
        this.stats.conflictRetries++;
        await this.pause(attempt);
      }
    }
    throw new DropContentionError('Drop items were too contended; try again');
  }

  /**
   * One conditional put, retried like {@link transact} on internal errors.
   * @returns whether it was written (false: the condition failed)
   */
  private async conditionalPut(input: PutCommandInput): Promise<boolean> {
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      this.stats.attempts++;
      try {
        await this.props.client.send(new PutCommand(input));
        this.stats.writes++;
        return true;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') {
          this.stats.conditionFailures++;
          return false;
        }
        if (!isInternalError(error) || attempt + 1 === this.maxAttempts) throw error;
        this.stats.conflictRetries++;
        await this.pause(attempt);
      }
    }
    throw new DropContentionError('Drop items were too contended; try again');
  }

  private pause(attempt: number): Promise<void> {
    const ceiling = Math.min(this.backoff.capMs, this.backoff.baseMs * 2 ** attempt);
    return this.sleep(this.random() * ceiling);
  }

  private async queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.props.client.send(
        new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }
}

/** A payment method's item as stored: the entrant counted before is allowed again, anyone else refused. */
function methodOutcome(item: Record<string, unknown> | undefined, entrantKey: string): PaymentMethodClaim {
  const used = Number(item?.used ?? 0);
  const entrants = item?.entrants;
  const counted = entrants instanceof Set && entrants.has(entrantKey);
  return { allowed: counted, used };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A 500 from DynamoDB. Conditions make every write here safe to repeat: a repeat of one that committed
 * finds its condition false and reads what is stored. DynamoDB Local answers this way when a write
 * waits too long for its lock under load.
 */
function isInternalError(error: unknown): boolean {
  return (error as Error | undefined)?.name === 'InternalServerError';
}

async function inParallel<T>(items: readonly T[], limit: number, task: (item: T) => Promise<unknown>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
