import { type NotificationDeps, sendDueNotifications } from '#lib/notifications/use-cases.ts';
import { awsCommerce } from '#lib/runtime/aws/commerce-deps.ts';
import { awsLocations, awsNotificationDeps } from '#lib/runtime/aws/deps.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';
import { logger, metrics } from '#lib/runtime/observability.ts';
import { recordOutcomes } from './outcome-metrics.ts';

/** Sends the messages held through quiet hours once their time has come (every minute). */
export const makeHandler = (deps: { notifications: NotificationDeps }) => async () => {
  const report = await sendDueNotifications(deps.notifications);
  recordOutcomes(report.outcomes);
  // No middy chain here: a scheduled run flushes its own metrics.
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  if (report.failed.length > 0)
    logger.warn('held notifications left for the next sweep', { failed: report.failed });
  return { due: report.due, failed: report.failed.length };
};

export const handler = lambdaHandler(() =>
  makeHandler({
    notifications: { ...awsNotificationDeps(), orders: awsCommerce(), locations: awsLocations() },
  }),
);
