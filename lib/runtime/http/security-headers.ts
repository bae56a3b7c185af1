import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

const DEFAULTS: Record<string, string> = {
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/** middy middleware: security headers on every answer, errors included; a handler's own headers win. */
export function securityHeaders(
  overrides: Record<string, string> = {},
): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const defaults = { ...DEFAULTS, ...overrides };
  const apply = async (request: middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult>) => {
    if (!request.response) return;
    request.response.headers = { ...defaults, ...request.response.headers };
  };
  return { after: apply, onError: apply };
}
