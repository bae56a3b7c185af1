import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { NotificationRequest } from '#lib/notifications/decide.ts';
import { notificationRequestsOf } from '#lib/notifications/triggers.ts';
import {
  handleNotificationEvent,
  type NotificationDeps,
  type NotificationOutcome,
} from '#lib/notifications/use-cases.ts';
import { awsCommerce } from '#lib/runtime/aws/commerce-deps.ts';
import { awsLocations, awsNotificationDeps } from '#lib/runtime/aws/deps.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';
import { logger, metrics, tracer } from '#lib/runtime/observability.ts';
import { recordOutcomes } from './outcome-metrics.ts';

/** The messages an SQS body (an EventBridge event) calls for; undefined when it is not a valid event. */
function requestsOf(body: string): NotificationRequest[] | undefined {
  try {
    return notificationRequestsOf(JSON.parse(body) as Record<string, unknown>);
  } catch {
    return undefined;
  }
}

interface RecordResult {
  readonly messageId: string;
  readonly failed: boolean;
  readonly outcomes: readonly NotificationOutcome[];
}

async function handleRecord(deps: NotificationDeps, record: SQSRecord): Promise<RecordResult> {
  const requests = requestsOf(record.body);
  if (!requests) {
    logger.error('Not a valid notification event; it goes to the dead-letter queue', {
      messageId: record.messageId,
    });
    return { messageId: record.messageId, failed: true, outcomes: [] };
  }
  try {
    const outcomes: NotificationOutcome[] = [];
    for (const request of requests) outcomes.push(await handleNotificationEvent(deps, request));
    return { messageId: record.messageId, failed: outcomes.some((o) => o.retry), outcomes };
  } catch (error) {
    logger.error('Notification handling failed; the message will be redelivered', {
      messageId: record.messageId,
      error,
    });
    return { messageId: record.messageId, failed: true, outcomes: [] };
  }
}

/**
 * Consumes the notifier's queue: each message is an EventBridge event. A message is reported failed (and
 * redelivered, then dead-lettered) when it is not a valid event or when a send may still be owed;
 * everything already sent is skipped on redelivery through the dedupe log.
 */
export const makeHandler = (deps: { notifications: NotificationDeps }) =>
  middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer))
    .use(logMetrics(metrics))
    .handler(async (event) => {
      // One record at a time: copies of one event in the same batch then find each other settled
      // instead of busy, and are not sent back for redelivery.
      const results: RecordResult[] = [];
      for (const record of event.Records) results.push(await handleRecord(deps.notifications, record));
      recordOutcomes(results.flatMap((r) => r.outcomes));
      const failures = results.filter((r) => r.failed).map((r) => ({ itemIdentifier: r.messageId }));
      return { batchItemFailures: failures };
    }) as unknown as (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export const handler = lambdaHandler(() =>
  makeHandler({
    notifications: { ...awsNotificationDeps(), orders: awsCommerce(), locations: awsLocations() },
  }),
);
