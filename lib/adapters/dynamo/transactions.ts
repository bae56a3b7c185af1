import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';

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
