import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { RouteDefinition } from '../../lib/contracts/http.ts';
import type { HttpHandler } from '../../lib/runtime/http/http-handler.ts';
import { lambdaContext } from '../../lib/runtime/local/lambda-context.ts';

export interface EventOptions {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  claims?: Record<string, string>;
  base64?: boolean;
}

/** A REST proxy event for a route, shaped as API Gateway sends it. */
export function apiEvent(route: RouteDefinition, options: EventOptions = {}): APIGatewayProxyEvent {
  const raw = options.rawBody ?? (options.body === undefined ? null : JSON.stringify(options.body));
  const headers = { ...(raw !== null ? { 'Content-Type': 'application/json' } : {}), ...options.headers };
  let path = route.path;
  for (const [k, v] of Object.entries(options.params ?? {}))
    path = path.replace(`{${k}}`, encodeURIComponent(v));
  return {
    resource: route.path,
    path,
    httpMethod: route.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: options.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: options.params ?? null,
    stageVariables: null,
    body: raw === null ? null : options.base64 ? Buffer.from(raw).toString('base64') : raw,
    isBase64Encoded: options.base64 ?? false,
    requestContext: {
      requestId: 'req-test',
      authorizer: options.claims ? { claims: options.claims } : null,
      identity: { sourceIp: '127.0.0.1' },
      stage: 'test',
      resourcePath: route.path,
      httpMethod: route.method,
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

export const staffClaims = {
  sub: 'staff-1',
  scope: 'vitrine/customer vitrine/staff',
  'cognito:groups': 'staff',
};
export const customerClaims = { sub: 'cust-1', scope: 'vitrine/customer' };

export async function invoke(handler: HttpHandler, event: APIGatewayProxyEvent) {
  const result: APIGatewayProxyResult = await handler(event, lambdaContext('test', 10));
  const json =
    result.body && String(result.headers?.['content-type']).includes('json')
      ? JSON.parse(result.body)
      : undefined;
  return { status: result.statusCode, headers: result.headers ?? {}, json, body: result.body };
}
