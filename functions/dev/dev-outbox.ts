import { ConfigError } from '#lib/config/config.ts';
import { devOutboxRoute } from '#lib/contracts/routes/dev.ts';
import type { LocalNotificationOutbox } from '#lib/notifications/local-outbox.ts';
import { httpHandler, ok } from '#lib/runtime/http/http-handler.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';

export const makeHandler = (deps: { notificationOutbox: Pick<LocalNotificationOutbox, 'list'> }) =>
  httpHandler(devOutboxRoute, async ({ query }) => ok({ items: deps.notificationOutbox.list(query) }));

/** Never deployed: on AWS, SES and SNS deliver the messages. */
export const handler = lambdaHandler(() => {
  throw new ConfigError('The dev outbox exists only in the local runtime');
});
