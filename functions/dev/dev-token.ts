import { ConfigError } from '#lib/config/config.ts';
import { devTokenRoute } from '#lib/contracts/routes/dev.ts';
import { httpHandler, ok } from '#lib/runtime/http/http-handler.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';
import type { TokenIssuer } from '#lib/runtime/local/jwt-issuer.ts';

export const makeHandler = (deps: { issuer: TokenIssuer }) =>
  httpHandler(devTokenRoute, async ({ body }) => ok(await deps.issuer.issue(body)));

/** Never deployed: on AWS, Cognito issues tokens. */
export const handler = lambdaHandler(() => {
  throw new ConfigError('The dev token route exists only in the local runtime');
});
