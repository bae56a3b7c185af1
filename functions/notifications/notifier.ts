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
import { oneByOne, sqsHandler } from '#lib/runtime/queue/sqs-handler.ts';
import { recordOutcomes } from './outcome-metrics.ts';

/** The messages an event calls for; undefined when it is not a valid event. */
function requestsOf(body: unknown): NotificationRequest[] | undefined {
  try {
    return notificationRequestsOf(body as Record<string, unknown>);
  } catch {
    return undefined;
  }
}

/**
 * Consumes the notifier's queue: each message is an EventBridge event. A message is reported failed (and
 * redelivered, then dead-lettered) when it is not a valid event or when a send may still be owed;
 * everything already sent is skipped on redelivery through the dedupe log.
 */
export const makeHandler = (deps: { notifications: NotificationDeps }) =>
  sqsHandler({
    carries: 'a valid notification event',
    parse: requestsOf,
    handle: async (messages) => {
      const outcomes: NotificationOutcome[] = [];
      const outcome = await oneByOne<NotificationRequest[]>(async (requests) => {
        const sent: NotificationOutcome[] = [];
        for (const request of requests) sent.push(await handleNotificationEvent(deps.notifications, request));
        outcomes.push(...sent);
        return sent.some((o) => o.retry) ? 'retry' : undefined;
      }, 'Notification handling failed')(messages);
      recordOutcomes(outcomes);
      return outcome;
    },
  });

export const handler = lambdaHandler(() =>
  makeHandler({
    notifications: { ...awsNotificationDeps(), orders: awsCommerce(), locations: awsLocations() },
  }),
);
