import { NotificationPreferences, NotificationPreferencesInput } from '../../notifications/preferences.ts';
import { defineRoute, ErrorEnvelope } from '../http.ts';

const ETag = 'The answer carries `ETag: "<version>"`.';

export const getNotificationPreferencesRoute = defineRoute({
  method: 'GET',
  path: '/v1/me/notification-preferences',
  operationId: 'getNotificationPreferences',
  summary: "The caller's notification preferences",
  description: `Until the customer saves preferences, the defaults (version 0): email for every notification, no quiet hours. ${ETag}`,
  tags: ['Notifications'],
  auth: 'customer',
  responses: {
    200: { description: 'The preferences, or the defaults', schema: NotificationPreferences },
  },
});

export const putNotificationPreferencesRoute = defineRoute({
  method: 'PUT',
  path: '/v1/me/notification-preferences',
  operationId: 'putNotificationPreferences',
  summary: "Replace the caller's notification preferences",
  description:
    'Idempotent: replaying the same body changes nothing. Channels are chosen per notification type; every ' +
    'channel listed gets each message once. SMS, push and WhatsApp need their contact point and a recorded ' +
    'consent (send `consent: { sms: { granted: true, source } }` in the same request); email service ' +
    'messages need no consent until it is withdrawn. Consent decisions are stamped with the time the ' +
    'server received them; a channel left out of `consent` keeps its record. Quiet hours hold every ' +
    `message until they end, in \`timeZone\`. Send \`If-Match: "<version>"\` to write only over that version. ${ETag}`,
  tags: ['Notifications'],
  auth: 'customer',
  body: NotificationPreferencesInput,
  headers: [
    {
      name: 'If-Match',
      description: 'The version read, e.g. `"3"`; 412 if the preferences changed since',
      required: false,
    },
  ],
  responses: {
    200: {
      description: 'The preferences were replaced, or were already as sent',
      schema: NotificationPreferences,
    },
    201: { description: 'The preferences were saved for the first time', schema: NotificationPreferences },
    412: { description: 'The preferences changed since the version in If-Match', schema: ErrorEnvelope },
    422: {
      description: 'A chosen channel has no contact point (CONTACT_MISSING) or no consent (CONSENT_REQUIRED)',
      schema: ErrorEnvelope,
    },
  },
});
