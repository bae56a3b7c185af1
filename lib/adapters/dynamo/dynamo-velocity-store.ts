import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { VelocityCount, VelocityKey, VelocityStore } from '../../risk/velocity-store.ts';

export interface DynamoVelocityStoreProps {
  readonly client: DynamoDBDocumentClient;
  /** The zone's idempotency table: short-lived, TTL-swept records, like idempotency keys. */
  readonly tableName: string;
}

const counterKey = (id: string) => `VELOCITY#${id}`;

/**
 * A {@link VelocityStore} in DynamoDB with exact sliding windows: one item per counter and attempt
 * (pk `VELOCITY#<counter id>`, sk the attempt id), so a retried attempt overwrites its own item instead of
 * adding one, and racing attempts never contend on a shared counter item. Each item carries `at` (epoch
 * ms), its weight and member, and the TTL `expiresAt` one window after `at`; reads filter on `at` because
 * DynamoDB deletes expired items only eventually.
 */
export class DynamoVelocityStore implements VelocityStore {
  constructor(private readonly props: DynamoVelocityStoreProps) {}

  async hit(
    keys: readonly VelocityKey[],
    now: Date,
    attemptId: string,
  ): Promise<Record<string, VelocityCount>> {
    const counts = await Promise.all(
      keys.map(async (key) => {
        await this.record(key, now.getTime(), attemptId);
        return [key.id, await this.count(key, now.getTime())] as const;
      }),
    );
    return Object.fromEntries(counts);
  }

  /**
   * Records the attempt, keeping the time of its first recording while that is still inside the window,
   * so retries can neither add to a count nor keep an old attempt alive.
   */
  private async record(key: VelocityKey, at: number, attemptId: string): Promise<void> {
    const windowMs = key.windowSeconds * 1000;
    const expiresAt = Math.ceil((at + windowMs) / 1000);
    const item = {
      pk: counterKey(key.id),
      sk: attemptId,
      at,
      weight: key.weight ?? 1,
      ...(key.member === undefined ? {} : { member: key.member }),
      expiresAt,
    };
    try {
      await this.props.client.send(
        new UpdateCommand({
          TableName: this.props.tableName,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: `SET #at = if_not_exists(#at, :at), weight = :weight, expiresAt = if_not_exists(expiresAt, :expiresAt)${
            key.member === undefined ? ' REMOVE #member' : ', #member = :member'
          }`,
          // An earlier recording that has left the window is replaced below, as a new attempt.
          ConditionExpression: 'attribute_not_exists(pk) OR #at > :cutoff',
          ExpressionAttributeNames: { '#at': 'at', '#member': 'member' },
          ExpressionAttributeValues: {
            ':at': at,
            ':weight': item.weight,
            ':expiresAt': expiresAt,
            ':cutoff': at - windowMs,
            ...(key.member === undefined ? {} : { ':member': key.member }),
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      await this.props.client.send(new PutCommand({ TableName: this.props.tableName, Item: item }));
    }
  }

  /** Sums the weights and distinct members of the counter's attempts in `(at − window, …]`. */
  private async count(key: VelocityKey, at: number): Promise<VelocityCount> {
    let total = 0;
    const members = new Set<string>();
    let cursor: QueryCommandOutput['LastEvaluatedKey'];
    do {
      const page: QueryCommandOutput = await this.props.client.send(
        new QueryCommand({
          TableName: this.props.tableName,
          KeyConditionExpression: 'pk = :pk',
          // Later-than-now hits (a caller whose clock runs behind another's) still count: better to over-count.
          FilterExpression: '#at > :cutoff',
          ProjectionExpression: 'weight, #member',
          ExpressionAttributeNames: { '#at': 'at', '#member': 'member' },
          ExpressionAttributeValues: { ':pk': counterKey(key.id), ':cutoff': at - key.windowSeconds * 1000 },
          ConsistentRead: true,
          ...(cursor ? { ExclusiveStartKey: cursor } : {}),
        }),
      );
      for (const hit of page.Items ?? []) {
        total += Number(hit.weight ?? 0);
        if (typeof hit.member === 'string') members.add(hit.member);
      }
      cursor = page.LastEvaluatedKey;
    } while (cursor);
    return { total, distinct: members.size };
  }
}
