import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';

export type CancellationKind = 'condition' | 'conflict' | 'other';

/**
 * Classifies a cancelled transaction by its per-item reasons: only condition failures are business
 * outcomes, only contention is worth an in-place retry, anything else (throttling, validation) is raised.
 */
export function classifyCancellation(
  error: unknown,
): { kind: CancellationKind; failedIndexes: number[] } | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const reasons = error.CancellationReasons ?? [];
  const codes = reasons.map((r) => r.Code ?? 'None');
  const failedIndexes = codes.flatMap((code, i) => (code === 'ConditionalCheckFailed' ? [i] : []));
  if (codes.every((c) => c === 'None' || c === 'ConditionalCheckFailed') && failedIndexes.length > 0) {
    return { kind: 'condition', failedIndexes };
  }
  if (
    codes.every((c) => c === 'None' || c === 'ConditionalCheckFailed' || c === 'TransactionConflict') &&
    codes.includes('TransactionConflict')
  ) {
    return { kind: 'conflict', failedIndexes };
  }
  return { kind: 'other', failedIndexes };
}

/** One item of a document-client TransactWrite. */
export type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

/** How many times a transaction cancelled by contention alone is sent before the conflict is raised. */
export const CONFLICT_ATTEMPTS = 5;

/**
 * Sends a transaction, sending it again after a jittered, doubling pause while it is cancelled by
 * contention alone (up to {@link CONFLICT_ATTEMPTS} sends). A condition failure or any other error is
 * raised at once, for the caller to classify.
 */
export async function transactWithConflictRetries(
  client: DynamoDBDocumentClient,
  items: TransactItem[],
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send(new TransactWriteCommand({ TransactItems: items }));
      return;
    } catch (error) {
      if (classifyCancellation(error)?.kind !== 'conflict' || attempt >= CONFLICT_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** attempt));
    }
  }
}

/** A stored item without its table and index keys: the record as its schema knows it. */
export function withoutKeys(item: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...rest } = item;
  return rest;
}
