import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { RouteDefinition } from '../../contracts/http.ts';
import { type Clock, systemClock } from '../../platform/domain-event.ts';
import type { IdempotencyStore } from '../../platform/idempotency.ts';
import { logger, metrics, tracer } from '../observability.ts';
import { cors } from './cors.ts';
import { errorEnvelope } from './error-envelope.ts';
import { executeIdempotently } from './idempotency.ts';
import { DEFAULT_MAX_BODY_BYTES, type HttpRequest, parseRequest } from './parse-request.ts';
import { securityHeaders } from './security-headers.ts';
import { statusMetrics } from './status-metrics.ts';

export interface HttpResult {
  readonly status: number;
  /** Serialized as JSON unless `contentType` says otherwise (then it must be a string). */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly contentType?: string;
}

export const ok = (body: unknown, headers?: Record<string, string>): HttpResult => ({
  status: 200,
  body,
  ...(headers ? { headers } : {}),
});

export type HttpHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** Several routes served by one function: dispatch on the API Gateway resource path and method. */
export type RouteImpl<R extends RouteDefinition> = (request: HttpRequest<R>) => Promise<HttpResult>;

function maxBodyBytes(): number {
  const configured = Number(process.env.MAX_BODY_BYTES);
  return Number.isInteger(configured) && configured > 0 ? configured : DEFAULT_MAX_BODY_BYTES;
}

function toResult(result: HttpResult, requestId: string): APIGatewayProxyResult {
  const contentType = result.contentType ?? 'application/json; charset=utf-8';
  const body =
    result.body === undefined
      ? ''
      : contentType.startsWith('application/json')
        ? JSON.stringify(result.body)
        : String(result.body);
  return {
    statusCode: result.status,
    headers: { 'content-type': contentType, 'x-request-id': requestId, ...result.headers },
    body,
  };
}

/**
 * The middy chain every HTTP function shares: Powertools logger, tracer and metrics, the error envelope,
 * security headers, then strict parsing of the route's schemas before the one use-case call.
 */
export function httpHandler<R extends RouteDefinition>(
  route: R,
  impl: RouteImpl<R>,
  options?: HttpRouterOptions,
): HttpHandler {
  return httpRouter([[route, impl]], options);
}

/** An entry of {@link httpRouter}: a route and its implementation. */
export type RouteBinding = readonly [RouteDefinition, (request: never) => Promise<HttpResult>];

/** Options of {@link httpRouter} and {@link httpHandler}. */
export interface HttpRouterOptions {
  /**
   * Where `idempotent` routes keep their `Idempotency-Key` records.
   * @default - none; a router with an `idempotent` route refuses to be built without it
   */
  readonly idempotency?: IdempotencyStore;
  /**
   * Decides when idempotency locks expire.
   * @default systemClock
   */
  readonly clock?: Clock;
}

/** Like {@link httpHandler} for a function serving several routes of one service. */
export function httpRouter(bindings: readonly RouteBinding[], options: HttpRouterOptions = {}): HttpHandler {
  const byKey = new Map(bindings.map(([route, impl]) => [`${route.method} ${route.path}`, { route, impl }]));
  const limit = maxBodyBytes();
  const idempotentRoutes = bindings.filter(([route]) => route.idempotent).map(([route]) => route.operationId);
  // Fail the cold start, not the first shopper: an idempotent route without a store cannot keep its promise.
  if (idempotentRoutes.length > 0 && !options.idempotency) {
    throw new Error(
      `routes ${idempotentRoutes.join(', ')} are idempotent: pass { idempotency: <IdempotencyStore> } to httpRouter`,
    );
  }
  const idempotency = options.idempotency
    ? { store: options.idempotency, clock: options.clock ?? systemClock }
    : undefined;
  const core = async (event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> => {
    const binding = byKey.get(`${event.httpMethod} ${event.resource}`);
    if (!binding) throw new Error(`no route bound for ${event.httpMethod} ${event.resource}`);
    const request = parseRequest(binding.route, event, limit);
    const execute = async (r: HttpRequest<RouteDefinition>) =>
      toResult(
        await (binding.impl as (r: HttpRequest<RouteDefinition>) => Promise<HttpResult>)(r),
        r.requestId,
      );
    return binding.route.idempotent && idempotency
      ? executeIdempotently(binding.route, request, context, idempotency, execute)
      : execute(request);
  };
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(statusMetrics())
    .use(cors())
    .use(securityHeaders())
    .use(errorEnvelope())
    .handler(core) as unknown as HttpHandler;
}

/** A typed {@link RouteBinding}: the implementation's request is inferred from its route. */
export function bind<R extends RouteDefinition>(route: R, impl: RouteImpl<R>): RouteBinding {
  return [route, impl as RouteBinding[1]];
}
