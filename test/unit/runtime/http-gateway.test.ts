import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineRoute, type RouteDefinition } from '../../../lib/contracts/http.ts';
import { HttpGateway } from '../../../lib/runtime/local/http-gateway.ts';

const byId = defineRoute({
  method: 'GET',
  path: '/v1/things/{thingId}',
  operationId: 'getThing',
  summary: 'a thing',
  tags: [],
  auth: 'public',
  params: z.strictObject({ thingId: z.string() }),
  responses: {},
});
const mine: RouteDefinition = {
  ...byId,
  path: '/v1/things/mine',
  operationId: 'mine',
  params: undefined,
  auth: 'customer',
};
const upload: RouteDefinition = {
  ...byId,
  method: 'POST',
  path: '/v1/things',
  operationId: 'upload',
  params: undefined,
  auth: 'signature',
};

function gateway() {
  const seen: APIGatewayProxyEvent[] = [];
  const handler = async (event: APIGatewayProxyEvent) => {
    seen.push(event);
    return { statusCode: 200, body: JSON.stringify({ ok: true }) };
  };
  const g = new HttpGateway({
    routes: [byId, mine, upload].map((route) => ({
      route,
      functionName: route.operationId,
      timeoutSeconds: 5,
      handler,
    })),
    verifyToken: async (t) => (t === 'good' ? { sub: 'u-1', scope: 'vitrine/customer' } : undefined),
  });
  return { g, seen };
}

const call = (
  g: HttpGateway,
  method: string,
  url: string,
  headers: Record<string, string> = {},
  body = Buffer.alloc(0),
) => g.invoke({ method, url, headers, body });

describe('HttpGateway', () => {
  it('builds a REST proxy event: resource template, decoded path parameters, single and multi-value query', async () => {
    const { g, seen } = gateway();
    await call(g, 'GET', '/v1/things/caf%C3%A9?a=1&a=2&b=x', { 'x-trace': 't' });
    const event = seen[0] as APIGatewayProxyEvent;
    expect(event).toMatchObject({
      resource: '/v1/things/{thingId}',
      path: '/v1/things/caf%C3%A9',
      httpMethod: 'GET',
      pathParameters: { thingId: 'café' },
      queryStringParameters: { a: '2', b: 'x' },
      multiValueQueryStringParameters: { a: ['1', '2'], b: ['x'] },
      body: null,
      isBase64Encoded: false,
    });
    expect(event.requestContext).toMatchObject({ resourcePath: '/v1/things/{thingId}', stage: 'local' });
    expect(event.requestContext.authorizer).toBeNull();
  });

  it('prefers a static segment over a parameter, as API Gateway does', async () => {
    const { g, seen } = gateway();
    expect((await call(g, 'GET', '/v1/things/mine', { authorization: 'Bearer good' })).statusCode).toBe(200);
    expect(seen[0]?.resource).toBe('/v1/things/mine');
    expect(seen[0]?.requestContext.authorizer).toEqual({ claims: { sub: 'u-1', scope: 'vitrine/customer' } });
  });

  it('answers 401 for a protected route without a valid token, before the function runs', async () => {
    const { g, seen } = gateway();
    const res = await call(g, 'GET', '/v1/things/mine', { authorization: 'Bearer forged' });
    expect(res.statusCode).toBe(401);
    expect(JSON.parse(res.body).error.code).toBe('UNAUTHORIZED');
    expect(seen).toHaveLength(0);
  });

  it('passes text bodies as they are and binary ones base64-encoded', async () => {
    const { g, seen } = gateway();
    await call(g, 'POST', '/v1/things', { 'content-type': 'application/json' }, Buffer.from('{"é":1}'));
    await call(
      g,
      'POST',
      '/v1/things',
      { 'content-type': 'application/octet-stream' },
      Buffer.from([0xff, 0x00]),
    );
    expect(seen[0]).toMatchObject({ body: '{"é":1}', isBase64Encoded: false });
    expect(seen[1]).toMatchObject({
      body: Buffer.from([0xff, 0x00]).toString('base64'),
      isBase64Encoded: true,
    });
  });

  it('answers unknown paths 404 and unknown methods 405 with an Allow header, in the envelope', async () => {
    const { g } = gateway();
    const missing = await call(g, 'GET', '/v1/nothing');
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body).error.code).toBe('ROUTE_NOT_FOUND');
    const wrong = await call(g, 'PATCH', '/v1/things/abc');
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers?.allow).toBe('GET');
  });

  it('answers 502 when a function throws instead of answering', async () => {
    const g = new HttpGateway({
      routes: [
        {
          route: byId,
          functionName: 'f',
          timeoutSeconds: 5,
          handler: async () => Promise.reject(new Error('boom')),
        },
      ],
      verifyToken: async () => undefined,
    });
    const res = await call(g, 'GET', '/v1/things/a');
    expect(res.statusCode).toBe(502);
    expect(JSON.parse(res.body).error).toMatchObject({ code: 'BAD_GATEWAY' });
  });
});
