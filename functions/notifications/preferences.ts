import {
  getNotificationPreferencesRoute,
  putNotificationPreferencesRoute,
} from '#lib/contracts/routes/notifications.ts';
import { MalformedRequestError } from '#lib/errors.ts';
import {
  getNotificationPreferences,
  type PreferencesCaller,
  type PreferencesDeps,
  putNotificationPreferences,
} from '#lib/notifications/use-cases.ts';
import { awsPreferencesDeps } from '#lib/runtime/aws/deps.ts';
import { bind, httpRouter } from '#lib/runtime/http/http-handler.ts';
import type { Principal } from '#lib/runtime/http/principal.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';

/** `If-Match: "3"` (or `W/"3"`) pins the version the caller read. */
function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"?(\d{1,15})"?$/.exec(header.trim());
  if (!match?.[1]) throw new MalformedRequestError('If-Match must be a preferences version, e.g. "3"');
  return Number(match[1]);
}

const callerOf = (principal: Principal): PreferencesCaller => ({
  customerId: principal.sub,
  country: principal.country,
  email: principal.email,
});

export const makeHandler = (deps: { notifications: PreferencesDeps }) =>
  httpRouter([
    bind(getNotificationPreferencesRoute, async ({ principal }) => {
      const preferences = await getNotificationPreferences(deps.notifications, callerOf(principal));
      return { status: 200, body: preferences, headers: { etag: `"${preferences.version}"` } };
    }),
    bind(putNotificationPreferencesRoute, async ({ body, headers, principal }) => {
      const { preferences, created } = await putNotificationPreferences(
        deps.notifications,
        callerOf(principal),
        body,
        parseIfMatch(headers['if-match']),
      );
      return {
        status: created ? 201 : 200,
        body: preferences,
        headers: { etag: `"${preferences.version}"` },
      };
    }),
  ]);

export const handler = lambdaHandler(() => makeHandler({ notifications: awsPreferencesDeps() }));
