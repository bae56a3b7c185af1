import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { NotificationOutcome } from '#lib/notifications/use-cases.ts';
import { logger, metrics } from '#lib/runtime/observability.ts';

/** Counts outcomes as metrics; an uncertain send is logged with its key for whoever checks the provider. */
export function recordOutcomes(outcomes: readonly NotificationOutcome[]): void {
  const count = (name: string, value: number) => {
    if (value > 0) metrics.addMetric(name, MetricUnit.Count, value);
  };
  const results = outcomes.flatMap((o) => o.deliveries);
  count('NotificationsSent', results.filter((d) => d.result === 'sent').length);
  count('NotificationsDuplicate', results.filter((d) => d.result === 'duplicate').length);
  count('NotificationsRejected', results.filter((d) => d.result === 'rejected').length);
  count('NotificationsUncertain', results.filter((d) => d.result === 'uncertain').length);
  count('NotificationsDeferred', outcomes.filter((o) => o.plan === 'defer').length);
  for (const delivery of results) {
    if (delivery.result === 'uncertain') {
      logger.error('A notification may or may not have been sent; it will not be sent again', {
        dedupeKey: delivery.dedupeKey,
        channel: delivery.channel,
      });
    }
    if (delivery.result === 'rejected') {
      logger.warn('A notification was rejected', { dedupeKey: delivery.dedupeKey, reason: delivery.reason });
    }
  }
}
