import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { VersionConflictError } from '../../errors.ts';
import { NotificationRequest } from '../../notifications/decide.ts';
import type {
  Claim,
  ClaimOutcome,
  DeferredNotification,
  DeferredNotifications,
  LogEntryDetails,
  NotificationLog,
  PreferencesRepository,
  SettledStatus,
} from '../../notifications/ports.ts';
import { NotificationPreferences } from '../../notifications/preferences.ts';
import type { ZoneTables } from './zone-tables.ts';

/** Props of {@link DynamoNotificationStore}. */
export interface DynamoNotificationStoreProps {
  /** The zones' `commerce` tables: notification data is personal and stays in its zone. */
  readonly tables: ZoneTables;
  /** Every zone, for the sweep of held messages. */
  readonly zones: readonly string[];
  /**
   * Log entries expire (TTL attribute `expiresAt`) this long after they were last written. A duplicate can
   * only arrive while the queue, its dead-letter queue or the bus's retries still hold the event (days);
   * a year covers those with room to spare, and a customer's message history is not kept for ever.
   * @default 400 days
   */
  readonly logRetentionSeconds?: number;
}

const DEFAULT_LOG_RETENTION_SECONDS = 400 * 24 * 3600;
/** Held messages are spread over a few index partitions so that no sweep reads one hot key. */
const DUE_SHARDS = 4;
/** A log entry that vanishes between a failed claim and the read sends `claim` round again. */
const MAX_CLAIM_ROUNDS = 5;
/** Pages one sweep reads per index partition; the rest waits for the next sweep. */
const MAX_DUE_PAGES = 10;

const customerPk = (customerId: string) => `CUSTOMER#${customerId}`;
const PREFERENCES_SK = 'NOTIFY#PREFERENCES';
const logKey = (ref: { customerId: string; dedupeKey: string }) => ({
  pk: customerPk(ref.customerId),
  sk: `NOTIFY#LOG#${ref.dedupeKey}`,
});
const heldKey = (r: NotificationRequest) => ({
  pk: customerPk(r.customerId),
  sk: `NOTIFY#HELD#${r.type}#${r.subjectId}#${r.status}`,
});
const duePartition = (shard: number) => `NOTIFY_DUE#${shard}`;
function dueShard(customerId: string): number {
  let sum = 0;
  for (const char of customerId) sum = (sum + char.charCodeAt(0)) % DUE_SHARDS;
  return sum;
}
const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Leaves empty maps out of an item. The streams client reads an empty map back without a type, which
 * the local stream poller cannot convert: one such item would stall the relay of the whole table.
 * Readers restore them with their schema's defaults.
 */
function withoutEmptyMaps<T extends Record<string, unknown>>(item: T): T {
  const compact = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(compact);
    if (!isPlainObject(value)) return value;
    const entries = Object.entries(value)
      .map(([key, inner]) => [key, compact(inner)] as const)
      .filter(([, inner]) => !(isPlainObject(inner) && Object.keys(inner).length === 0));
    return Object.fromEntries(entries);
  };
  return compact(item) as T;
}

const preferencesOf = (item: Record<string, unknown>) => {
  const { pk: _pk, sk: _sk, ...stored } = item;
  return NotificationPreferences.parse({ channels: {}, contacts: {}, consent: {}, ...stored });
};
const requestOf = (stored: unknown) =>
  NotificationRequest.parse({ details: {}, ...(isPlainObject(stored) ? stored : {}) });

// By name as well: a bundle holding two copies of the SDK would fail the `instanceof` alone.
const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof Error && error.name === 'ConditionalCheckFailedException');

async function unlessConditionFails(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return false;
  }
}

/**
 * Notification preferences, the dedupe log and held messages, in the customer's partition of their
 * zone's `commerce` table (`CUSTOMER#<id>`), so a customer's notification data can be exported or erased
 * with one query.
 *
 * - preferences: `NOTIFY#PREFERENCES`, versioned;
 * - log: `NOTIFY#LOG#<dedupeKey>`, claimed by a conditional put, with a lease and a random token that only
 *   the claim's holder can settle or release;
 * - held messages: `NOTIFY#HELD#<type>#<subject>#<status>`, indexed on `gsi1` by due time
 *   (`NOTIFY_DUE#<shard>` / `<notBefore>#<customerId>`). They carry no TTL: they must not vanish.
 */
export class DynamoNotificationStore
  implements PreferencesRepository, NotificationLog, DeferredNotifications
{
  private readonly retentionSeconds: number;

  constructor(private readonly props: DynamoNotificationStoreProps) {
    this.retentionSeconds = props.logRetentionSeconds ?? DEFAULT_LOG_RETENTION_SECONDS;
  }

  async get(customerId: string, zone: string): Promise<NotificationPreferences | undefined> {
    const { client, tableName } = this.props.tables(zone);
    const { Item } = await client.send(
      new GetCommand({
        TableName: tableName,
        Key: { pk: customerPk(customerId), sk: PREFERENCES_SK },
        ConsistentRead: true,
      }),
    );
    return Item ? preferencesOf(Item) : undefined;
  }

  async put(preferences: NotificationPreferences, expectedVersion: number): Promise<void> {
    const { client, tableName } = this.props.tables(preferences.zone);
    const written = await unlessConditionFails(
      client.send(
        new PutCommand({
          TableName: tableName,
          Item: withoutEmptyMaps({
            pk: customerPk(preferences.customerId),
            sk: PREFERENCES_SK,
            ...preferences,
          }),
          ...(expectedVersion === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: 'version = :expected',
                ExpressionAttributeValues: { ':expected': expectedVersion },
              }),
        }),
      ),
    );
    if (!written) throw new VersionConflictError('The notification preferences changed meanwhile');
  }

  async claim(entry: LogEntryDetails, now: Date, leaseUntil: Date): Promise<ClaimOutcome> {
    const { client, tableName } = this.props.tables(entry.zone);
    const key = logKey(entry);
    for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
      const token = randomUUID();
      const claimed = await unlessConditionFails(
        client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...key,
              ...entry,
              status: 'sending',
              token,
              claimedAt: now.toISOString(),
              leaseUntil: leaseUntil.toISOString(),
              expiresAt: epochSeconds(now) + this.retentionSeconds,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      if (claimed) {
        return {
          kind: 'claimed',
          claim: { dedupeKey: entry.dedupeKey, customerId: entry.customerId, zone: entry.zone, token },
        };
      }
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
      );
      if (!Item) continue;
      if (Item.status !== 'sending') return { kind: 'settled', status: Item.status as SettledStatus };
      const held = String(Item.leaseUntil);
      // ISO-8601 instants in UTC sort as strings, so the lease compares without parsing.
      if (held > now.toISOString()) return { kind: 'busy', leaseUntil: held };
      const marked = await unlessConditionFails(
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: 'SET #status = :uncertain, settledAt = :now',
            ConditionExpression: '#status = :sending AND leaseUntil = :held',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':uncertain': 'uncertain',
              ':sending': 'sending',
              ':held': held,
              ':now': now.toISOString(),
            },
          }),
        ),
      );
      if (marked) return { kind: 'settled', status: 'uncertain', discovered: true };
    }
    throw new Error(`notification log entry ${entry.dedupeKey} kept changing while it was being claimed`);
  }

  async settle(
    claim: Claim,
    outcome: { status: 'sent'; providerMessageId: string } | { status: 'rejected'; reason: string },
    now: Date,
  ): Promise<void> {
    const { client, tableName } = this.props.tables(claim.zone);
    // Settling over an entry marked uncertain meanwhile is right: this holder knows what happened.
    await unlessConditionFails(
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: logKey(claim),
          UpdateExpression:
            outcome.status === 'sent'
              ? 'SET #status = :status, settledAt = :now, providerMessageId = :detail, expiresAt = :expires'
              : 'SET #status = :status, settledAt = :now, reason = :detail, expiresAt = :expires',
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#status': 'status', '#token': 'token' },
          ExpressionAttributeValues: {
            ':status': outcome.status,
            ':now': now.toISOString(),
            ':detail': outcome.status === 'sent' ? outcome.providerMessageId : outcome.reason,
            ':expires': epochSeconds(now) + this.retentionSeconds,
            ':token': claim.token,
          },
        }),
      ),
    );
  }

  async release(claim: Claim): Promise<void> {
    const { client, tableName } = this.props.tables(claim.zone);
    await unlessConditionFails(
      client.send(
        new DeleteCommand({
          TableName: tableName,
          Key: logKey(claim),
          ConditionExpression: '#token = :token AND #status = :sending',
          ExpressionAttributeNames: { '#token': 'token', '#status': 'status' },
          ExpressionAttributeValues: { ':token': claim.token, ':sending': 'sending' },
        }),
      ),
    );
  }

  async defer(request: NotificationRequest, notBefore: Date, region: string, now: Date): Promise<void> {
    const { client, tableName } = this.props.tables(request.zone);
    const at = notBefore.toISOString();
    await unlessConditionFails(
      client.send(
        new PutCommand({
          TableName: tableName,
          Item: withoutEmptyMaps({
            ...heldKey(request),
            gsi1pk: duePartition(dueShard(request.customerId)),
            gsi1sk: `${at}#${request.customerId}`,
            request,
            notBefore: at,
            originRegion: region,
            heldAt: now.toISOString(),
          }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async due(region: string, now: Date, limit: number): Promise<DeferredNotification[]> {
    const pages = await Promise.all(
      this.props.zones.flatMap((zone) =>
        Array.from({ length: DUE_SHARDS }, (_, shard) => this.dueIn(zone, shard, region, now, limit)),
      ),
    );
    return pages
      .flat()
      .sort((a, b) => (a.notBefore < b.notBefore ? -1 : a.notBefore > b.notBefore ? 1 : 0))
      .slice(0, limit);
  }

  private async dueIn(
    zone: string,
    shard: number,
    region: string,
    now: Date,
    limit: number,
  ): Promise<DeferredNotification[]> {
    const { client, tableName } = this.props.tables(zone);
    const found: DeferredNotification[] = [];
    let startKey: Record<string, unknown> | undefined;
    // Other regions' held messages are filtered out after the read: follow pages until enough are ours.
    for (let page = 0; page < MAX_DUE_PAGES && found.length < limit; page++) {
      const { Items = [], LastEvaluatedKey } = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'gsi1',
          // `<notBefore>#<customerId>` sorts before `<now>~` exactly when notBefore is not after now.
          KeyConditionExpression: 'gsi1pk = :due AND gsi1sk < :before',
          FilterExpression: 'originRegion = :region',
          ExpressionAttributeValues: {
            ':due': duePartition(shard),
            ':before': `${now.toISOString()}~`,
            ':region': region,
          },
          Limit: limit,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of Items) {
        found.push({ request: requestOf(item.request), notBefore: String(item.notBefore) });
      }
      startKey = LastEvaluatedKey;
      if (!startKey) break;
    }
    return found;
  }

  async reschedule(item: DeferredNotification, notBefore: Date): Promise<void> {
    const { client, tableName } = this.props.tables(item.request.zone);
    const at = notBefore.toISOString();
    await unlessConditionFails(
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: heldKey(item.request),
          UpdateExpression: 'SET notBefore = :at, gsi1sk = :sortKey',
          ConditionExpression: 'notBefore = :was',
          ExpressionAttributeValues: {
            ':at': at,
            ':sortKey': `${at}#${item.request.customerId}`,
            ':was': item.notBefore,
          },
        }),
      ),
    );
  }

  async remove(item: DeferredNotification): Promise<void> {
    const { client, tableName } = this.props.tables(item.request.zone);
    await unlessConditionFails(
      client.send(
        new DeleteCommand({
          TableName: tableName,
          Key: heldKey(item.request),
          ConditionExpression: 'notBefore = :was',
          ExpressionAttributeValues: { ':was': item.notBefore },
        }),
      ),
    );
  }
}
