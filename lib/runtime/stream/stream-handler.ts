import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { logger, metrics, tracer } from '../observability.ts';

/** A stream record's new image as a plain object, or undefined for removals. */
export function newImageOf(record: DynamoDBRecord): Record<string, unknown> | undefined {
  const image = record.dynamodb?.NewImage;
  return image ? unmarshall(image as Record<string, AttributeValue>) : undefined;
}

export type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;

/**
 * The middy chain of every stream consumer. The implementation answers with the records that failed;
 * Lambda (and the local poller) then retry from the first of them, so reporting order matters.
 */
export function streamHandler(
  impl: (records: readonly DynamoDBRecord[]) => Promise<{ failed: readonly DynamoDBRecord[] }>,
): StreamHandler {
  return middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer))
    .use(logMetrics(metrics))
    .handler(async (event) => {
      const { failed } = await impl(event.Records);
      metrics.addMetric('StreamRecords', MetricUnit.Count, event.Records.length);
      if (failed.length) metrics.addMetric('StreamRecordsFailed', MetricUnit.Count, failed.length);
      return {
        batchItemFailures: failed.flatMap((r) =>
          r.dynamodb?.SequenceNumber ? [{ itemIdentifier: r.dynamodb.SequenceNumber }] : [],
        ),
      };
    }) as unknown as StreamHandler;
}
