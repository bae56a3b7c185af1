import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/** Origins allowed to read answers in a browser, from CORS_ORIGINS (comma-separated; `*` for any). */
export function allowedOrigins(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
}

/**
 * middy middleware: with a Lambda proxy integration the function's own answer must carry CORS headers
 * (API Gateway only answers the preflight). The request's Origin is echoed when it is allowed, with
 * `Vary: Origin` so caches keep answers for different origins apart.
 */
export function cors(
  origins: readonly string[] = allowedOrigins(),
): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  const apply = async (request: middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult>) => {
    if (!request.response || origins.length === 0) return;
    const headers = request.event?.headers ?? {};
    const origin = headers.origin ?? headers.Origin;
    if (!origin || !(any || allowed.has(origin))) return;
    request.response.headers = {
      ...request.response.headers,
      'access-control-allow-origin': any ? '*' : origin,
      'access-control-expose-headers': 'etag, x-request-id, idempotent-replayed, retry-after',
      vary: 'Origin',
    };
  };
  return { after: apply, onError: apply };
}
