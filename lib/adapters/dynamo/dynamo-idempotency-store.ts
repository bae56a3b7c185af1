import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type {
  BeginOutcome,
  IdempotencyRecord,
  IdempotencyStore,
  StoredResponse,
} from '../../platform/idempotency.ts';
import { DEFAULT_IDEMPOTENCY_TTL_SECONDS } from '../../platform/in-memory-idempotency-store.ts';

/** Props of {@link DynamoIdempotencyStore}. */
export interface DynamoIdempotencyStoreProps {
  readonly client: DynamoDBDocumentClient;
  /** The zone's `idempotency` table. */
  readonly tableName: string;
  /**
   * Records expire (TTL attribute `expiresAt`) this long after they were last written.
   * @default DEFAULT_IDEMPOTENCY_TTL_SECONDS (24 hours)
   */
  readonly ttlSeconds?: number;
}

/**
 * A record that vanishes between the failed conditional put and the read (abandoned or expired) sends
 * `begin` round again; each round needs another writer to win in between, so a few are plenty.
 */
const MAX_BEGIN_ROUNDS = 5;

const recordItemKey = (recordKey: string) => ({ pk: `IDEMPOTENCY#${recordKey}`, sk: 'IDEMPOTENCY' });
const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

// By name as well: a bundle holding two copies of the SDK would fail the `instanceof` alone.
const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof Error && error.name === 'ConditionalCheckFailedException');

function recordFromItem(item: Record<string, unknown>): IdempotencyRecord {
  const fingerprint = String(item.fingerprint);
  if (item.status === 'in_progress') {
    return { status: 'in_progress', fingerprint, lockedUntil: String(item.lockedUntil) };
  }
  if (item.status === 'completed') {
    const response = item.response as { status: number; body: string; headers?: Record<string, string> };
    return {
      status: 'completed',
      fingerprint,
      response: { status: Number(response.status), body: response.body, headers: { ...response.headers } },
    };
  }
  throw new Error(`idempotency record ${String(item.pk)} has an unknown status ${String(item.status)}`);
}

/**
 * The {@link IdempotencyStore} on a zone's `idempotency` table: one item per record, every transition a
 * single conditional write, so concurrent Lambdas agree on one winner without a transaction.
 *
 * DynamoDB deletes items some time after their `expiresAt` passes, not at once, so conditions and reads
 * also treat an item whose `expiresAt` has passed as absent.
 */
/** How long webhook inbox records are kept: Stripe retries for three days; operators resend older events. */
export const WEBHOOK_INBOX_TTL_SECONDS = 30 * 24 * 3600;

export class DynamoIdempotencyStore implements IdempotencyStore {
  private readonly ttlSeconds: number;

  constructor(private readonly props: DynamoIdempotencyStoreProps) {
    this.ttlSeconds = props.ttlSeconds ?? DEFAULT_IDEMPOTENCY_TTL_SECONDS;
  }

  async begin(recordKey: string, fingerprint: string, now: Date, lockedUntil: Date): Promise<BeginOutcome> {
    for (let round = 0; round < MAX_BEGIN_ROUNDS; round++) {
      try {
        await this.props.client.send(
          new PutCommand({
            TableName: this.props.tableName,
            Item: {
              ...recordItemKey(recordKey),
              status: 'in_progress',
              fingerprint,
              lockedUntil: lockedUntil.toISOString(),
              expiresAt: epochSeconds(now) + this.ttlSeconds,
            },
            // ISO-8601 instants in UTC sort as strings, so the lock compares without parsing.
            ConditionExpression:
              'attribute_not_exists(pk) OR expiresAt < :nowSeconds OR (#status = :inProgress AND lockedUntil < :now)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':inProgress': 'in_progress',
              ':now': now.toISOString(),
              ':nowSeconds': epochSeconds(now),
            },
          }),
        );
        return { kind: 'started' };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const existing = await this.read(recordKey, now);
      if (existing) return { kind: 'existing', record: existing };
    }
    throw new Error(`idempotency record ${recordKey} kept vanishing while it was being claimed`);
  }

  async complete(recordKey: string, fingerprint: string, response: StoredResponse, now: Date): Promise<void> {
    try {
      await this.props.client.send(
        new PutCommand({
          TableName: this.props.tableName,
          Item: {
            ...recordItemKey(recordKey),
            status: 'completed',
            fingerprint,
            response: { status: response.status, body: response.body, headers: { ...response.headers } },
            expiresAt: epochSeconds(now) + this.ttlSeconds,
          },
          ConditionExpression: 'fingerprint = :fingerprint AND expiresAt >= :nowSeconds',
          ExpressionAttributeValues: { ':fingerprint': fingerprint, ':nowSeconds': epochSeconds(now) },
        }),
      );
    } catch (error) {
      // The record expired or another execution took it over after this one's lock ran out: that
      // execution's answer is the one to keep.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async abandon(recordKey: string): Promise<void> {
    try {
      await this.props.client.send(
        new DeleteCommand({
          TableName: this.props.tableName,
          Key: recordItemKey(recordKey),
          ConditionExpression: '#status = :inProgress',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':inProgress': 'in_progress' },
        }),
      );
    } catch (error) {
      // Already gone, or completed by an execution that took over: nothing of ours to release.
      if (!isConditionFailure(error)) throw error;
    }
  }

  private async read(recordKey: string, now: Date): Promise<IdempotencyRecord | undefined> {
    const { Item } = await this.props.client.send(
      new GetCommand({
        TableName: this.props.tableName,
        Key: recordItemKey(recordKey),
        ConsistentRead: true,
      }),
    );
    if (!Item || Number(Item.expiresAt) < epochSeconds(now)) return undefined;
    return recordFromItem(Item);
  }
}
