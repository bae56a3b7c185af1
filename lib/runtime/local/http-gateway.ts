import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { RouteDefinition } from '../../contracts/http.ts';
import type { HttpHandler } from '../http/http-handler.ts';
import { lambdaContext } from './lambda-context.ts';

/** API Gateway REST's own hard payload cap. */
const API_GATEWAY_MAX_BODY = 10 * 1024 * 1024;

export interface GatewayRoute {
  readonly route: RouteDefinition;
  readonly functionName: string;
  readonly timeoutSeconds: number;
  readonly handler: HttpHandler;
}

export interface HttpGatewayOptions {
  readonly routes: readonly GatewayRoute[];
  /** Verifies a bearer token as the Cognito authorizer would; undefined when it is not valid. */
  readonly verifyToken: (token: string) => Promise<Record<string, string> | undefined>;
  readonly stage?: string;
  readonly region?: string;
  /** Answers CORS preflights and adds CORS headers, for storefronts served from another origin. */
  readonly cors?: boolean;
}

interface CompiledRoute extends GatewayRoute {
  readonly segments: readonly string[];
  readonly staticCount: number;
}

const TEXTUAL = /^(text\/|application\/(json|[a-z0-9.+-]+\+json|x-www-form-urlencoded|xml))/i;

function envelope(status: number, code: string, message: string, requestId: string): APIGatewayProxyResult {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': requestId },
    body: JSON.stringify({ error: { code, message, requestId } }),
  };
}

/**
 * Turns HTTP requests into API Gateway REST proxy events for the unchanged handlers: route matching
 * with path parameters (static segments win, as in API Gateway), the Cognito authorizer's claims,
 * base64 bodies for binary media types, and API Gateway's own 401/403/404/413 answers in the envelope.
 */
export class HttpGateway {
  private readonly routes: CompiledRoute[];

  constructor(private readonly options: HttpGatewayOptions) {
    this.routes = options.routes
      .map((r) => {
        const segments = r.route.path.split('/').filter(Boolean);
        return { ...r, segments, staticCount: segments.filter((s) => !s.startsWith('{')).length };
      })
      .sort((a, b) => b.staticCount - a.staticCount);
  }

  private match(path: string): {
    byMethod: Map<string, { route: CompiledRoute; params: Record<string, string> }>;
  } {
    const parts = path.split('/').filter(Boolean);
    const byMethod = new Map<string, { route: CompiledRoute; params: Record<string, string> }>();
    for (const route of this.routes) {
      if (route.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const ok = route.segments.every((segment, i) => {
        const part = parts[i] as string;
        if (segment.startsWith('{')) {
          try {
            params[segment.slice(1, -1)] = decodeURIComponent(part);
          } catch {
            return false;
          }
          return true;
        }
        return segment === part;
      });
      if (ok && !byMethod.has(route.route.method)) byMethod.set(route.route.method, { route, params });
    }
    return { byMethod };
  }

  /** Handles one request end to end; exposed for tests that skip the socket. */
  async invoke(req: {
    method: string;
    url: string;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
    sourceIp?: string;
  }): Promise<APIGatewayProxyResult> {
    const requestId = randomUUID();
    const url = new URL(req.url, 'http://local');
    const { byMethod } = this.match(url.pathname);
    if (byMethod.size === 0) return envelope(404, 'ROUTE_NOT_FOUND', `No route ${url.pathname}`, requestId);
    const hit = byMethod.get(req.method.toUpperCase());
    if (!hit) {
      const result = envelope(
        405,
        'METHOD_NOT_ALLOWED',
        `${req.method} is not allowed on ${url.pathname}`,
        requestId,
      );
      result.headers = { ...result.headers, allow: [...byMethod.keys()].join(', ') };
      return result;
    }
    if (req.body.length > API_GATEWAY_MAX_BODY) {
      return envelope(413, 'PAYLOAD_TOO_LARGE', 'The body exceeds the API limit of 10 MB', requestId);
    }

    const headers: Record<string, string> = {};
    const multiValueHeaders: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined) continue;
      const values = Array.isArray(value) ? value : [value];
      multiValueHeaders[name] = values;
      headers[name] = values.at(-1) as string;
    }

    let claims: Record<string, string> | undefined;
    if (hit.route.route.auth === 'customer' || hit.route.route.auth === 'staff') {
      const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1];
      claims = bearer ? await this.options.verifyToken(bearer) : undefined;
      if (!claims) return envelope(401, 'UNAUTHORIZED', 'A valid bearer token is required', requestId);
    }

    const query: Record<string, string> = {};
    const multiQuery: Record<string, string[]> = {};
    for (const [name, value] of url.searchParams) {
      query[name] = value;
      multiQuery[name] = [...(multiQuery[name] ?? []), value];
    }
    const contentType = headers['content-type'] ?? '';
    const binary = req.body.length > 0 && contentType !== '' && !TEXTUAL.test(contentType);
    const stage = this.options.stage ?? 'local';
    const event: APIGatewayProxyEvent = {
      resource: hit.route.route.path,
      path: url.pathname,
      httpMethod: hit.route.route.method,
      headers,
      multiValueHeaders,
      queryStringParameters: Object.keys(query).length ? query : null,
      multiValueQueryStringParameters: Object.keys(multiQuery).length ? multiQuery : null,
      pathParameters: Object.keys(hit.params).length ? hit.params : null,
      stageVariables: null,
      body: req.body.length ? req.body.toString(binary ? 'base64' : 'utf8') : null,
      isBase64Encoded: binary,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        authorizer: claims ? { claims } : null,
        protocol: 'HTTP/1.1',
        httpMethod: hit.route.route.method,
        path: `/${stage}${url.pathname}`,
        stage,
        requestId,
        requestTimeEpoch: Date.now(),
        resourceId: hit.route.functionName,
        resourcePath: hit.route.route.path,
        identity: {
          sourceIp: req.sourceIp ?? '127.0.0.1',
          userAgent: headers['user-agent'] ?? null,
          accessKey: null,
          accountId: null,
          apiKey: null,
          apiKeyId: null,
          caller: null,
          clientCert: null,
          cognitoAuthenticationProvider: null,
          cognitoAuthenticationType: null,
          cognitoIdentityId: null,
          cognitoIdentityPoolId: null,
          principalOrgId: null,
          user: null,
          userArn: null,
        },
      },
    };
    try {
      const context = lambdaContext(hit.route.functionName, hit.route.timeoutSeconds, this.options.region);
      return await hit.route.handler(event, context);
    } catch {
      // API Gateway's answer when the integration itself fails.
      return envelope(502, 'BAD_GATEWAY', 'The function failed to answer', requestId);
    }
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.options.cors && req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'GET,POST,PUT,PATCH,DELETE,OPTIONS',
        'access-control-allow-headers': 'authorization,content-type,idempotency-key,if-match,x-cart-token',
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > API_GATEWAY_MAX_BODY + 1) break;
      chunks.push(chunk as Buffer);
    }
    const result = await this.invoke({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      body: Buffer.concat(chunks),
      ...(req.socket.remoteAddress ? { sourceIp: req.socket.remoteAddress } : {}),
    });
    const headers: Record<string, string | number | boolean | string[]> = { ...(result.headers ?? {}) };
    for (const [name, values] of Object.entries(result.multiValueHeaders ?? {}))
      headers[name] = values.map(String);
    if (this.options.cors) headers['access-control-allow-origin'] = '*';
    const body = result.isBase64Encoded
      ? Buffer.from(result.body, 'base64')
      : Buffer.from(result.body ?? '', 'utf8');
    res.writeHead(result.statusCode, { ...headers, 'content-length': body.length });
    res.end(body);
  }

  /** Starts listening on loopback; rejects with EADDRINUSE when the port is taken. */
  listen(port: number, host = '127.0.0.1'): Promise<Server> {
    const server = createServer((req, res) => {
      this.serve(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end();
      });
    });
    server.keepAliveTimeout = 65_000;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  }
}
