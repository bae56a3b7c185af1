import {
  getNotificationPreferencesRoute,
  putNotificationPreferencesRoute,
} from '#lib/contracts/routes/notifications.ts';
import { NOTIFICATION_EVENTS } from '#lib/notifications/triggers.ts';
import { defineService } from '#lib/platform/manifest.ts';

const uncertainAlarm = {
  metric: 'NotificationsUncertain',
  description:
    'A notifier died while handing a message to SES or SNS: it may not have reached the customer and is never resent. Check the provider logs for the dedupe key in the function log.',
};

export const notificationsService = defineService({
  name: 'notifications',
  functions: {
    preferences: {
      entry: 'functions/notifications/preferences.ts',
      description: "Customers' notification preferences: channels per type, quiet hours, locale and consent",
      routes: [getNotificationPreferencesRoute, putNotificationPreferencesRoute],
      tables: { commerce: 'write' },
    },
    notifier: {
      entry: 'functions/notifications/notifier.ts',
      description: "Sends order and delivery notifications on each customer's channels, at most once each",
      timeoutSeconds: 30,
      subscriptions: [{ events: NOTIFICATION_EVENTS, batchSize: 10, maxReceiveCount: 5 }],
      // Orders name the message; locations name the boutique a pickup waits at.
      tables: { commerce: 'write', inventory: 'read' },
      sends: ['email', 'sms'],
      // The metric carries the service's dimension, so this one alarm also covers the deferred sweep.
      metricAlarms: [uncertainAlarm],
    },
    deferredNotifier: {
      entry: 'functions/notifications/deferred-notifier.ts',
      description: 'Sends the notifications held through quiet hours once they end',
      timeoutSeconds: 60,
      schedules: [
        { expression: 'rate(1 minute)', description: 'Send notifications whose quiet hours ended' },
      ],
      tables: { commerce: 'write', inventory: 'read' },
      sends: ['email', 'sms'],
    },
  },
});
