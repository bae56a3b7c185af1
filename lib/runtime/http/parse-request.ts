import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { z } from 'zod';
import type { RouteDefinition } from '../../contracts/http.ts';
import {
  ForbiddenError,
  MalformedRequestError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from '../../errors.ts';
import { type Principal, principalOf } from './principal.ts';

/** Bodies above this are refused before parsing; API Gateway's own cap is 10 MB. */
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

type Infer<T> = [NonNullable<T>] extends [never]
  ? undefined
  : NonNullable<T> extends z.ZodType
    ? z.output<NonNullable<T>>
    : undefined;

export interface HttpRequest<R extends RouteDefinition> {
  readonly params: Infer<R['params']>;
  readonly query: Infer<R['query']>;
  readonly body: Infer<R['body']>;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly principal: R['auth'] extends 'customer' | 'staff' ? Principal : Principal | undefined;
  readonly requestId: string;
  /** The body's exact bytes, for signature checks. */
  readonly rawBody: Buffer;
  readonly sourceIp?: string;
  /**
   * Set on `idempotent` routes: the caller's `Idempotency-Key` and whose key it is. A use case derives
   * its ids from it (for example the checkout id), so an execution retried after a crash resumes the
   * same operation instead of starting another.
   */
  readonly idempotency?: { readonly key: string; readonly scope: string };
}

function lowerCaseHeaders(headers: APIGatewayProxyEvent['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value === 'string') out[name.toLowerCase()] = value;
  }
  return out;
}

function authorize(route: RouteDefinition, principal: Principal | undefined): void {
  if (route.auth !== 'customer' && route.auth !== 'staff') return;
  if (!principal) throw new UnauthorizedError('A bearer token is required');
  if (route.auth === 'staff' && !principal.staff)
    throw new ForbiddenError('This route needs the staff scope');
}

function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
}

function parseJsonBody(raw: Buffer, headers: Record<string, string>): unknown {
  if (raw.length === 0) throw new MalformedRequestError('A JSON body is required');
  if (!isJson(headers['content-type'])) {
    throw new UnsupportedMediaTypeError('Send the body as application/json');
  }
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let decoded: string;
  try {
    decoded = text.decode(raw);
  } catch {
    throw new MalformedRequestError('The body is not valid UTF-8');
  }
  try {
    return JSON.parse(decoded);
  } catch {
    throw new MalformedRequestError('The body is not valid JSON');
  }
}

/**
 * Turns a REST proxy event into the route's typed request: size, media type and JSON checks, the
 * authorizer's principal and scope, then strict zod parsing of path, query and body.
 */
export function parseRequest<R extends RouteDefinition>(
  route: R,
  event: APIGatewayProxyEvent,
  maxBodyBytes = DEFAULT_MAX_BODY_BYTES,
): HttpRequest<R> {
  const requestId = event.requestContext?.requestId ?? 'unknown';
  const headers = lowerCaseHeaders(event.headers);
  const principal = principalOf(event);
  authorize(route, principal);

  const rawBody = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  if (rawBody.length > maxBodyBytes) throw new PayloadTooLargeError(`The body exceeds ${maxBodyBytes} bytes`);

  const params = route.params ? route.params.parse(event.pathParameters ?? {}) : undefined;
  const query = route.query ? route.query.parse(event.queryStringParameters ?? {}) : undefined;
  if (!route.query && event.queryStringParameters && Object.keys(event.queryStringParameters).length > 0) {
    throw new MalformedRequestError(
      `Unknown query parameter: ${Object.keys(event.queryStringParameters)[0]}`,
    );
  }
  let body: unknown;
  if (route.body) body = route.body.parse(parseJsonBody(rawBody, headers));
  else if (rawBody.length > 0 && route.auth !== 'signature') {
    throw new MalformedRequestError('This route takes no body');
  }

  return {
    params,
    query,
    body,
    headers,
    principal,
    requestId,
    rawBody,
    ...(event.requestContext?.identity?.sourceIp ? { sourceIp: event.requestContext.identity.sourceIp } : {}),
  } as HttpRequest<R>;
}
