import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineRoute } from '../../../lib/contracts/http.ts';
import { ConflictError, DomainError } from '../../../lib/errors.ts';
import type { IdempotencyStore } from '../../../lib/platform/idempotency.ts';
import { InMemoryIdempotencyStore } from '../../../lib/platform/in-memory-idempotency-store.ts';
import { type HttpResult, httpHandler, httpRouter } from '../../../lib/runtime/http/http-handler.ts';
import {
  canonicalJson,
  FALLBACK_LOCK_MILLIS,
  idempotencyRecordKey,
  idempotencyScope,
  requestFingerprint,
} from '../../../lib/runtime/http/idempotency.ts';
import type { HttpRequest } from '../../../lib/runtime/http/parse-request.ts';
import { lambdaContext } from '../../../lib/runtime/local/lambda-context.ts';
import { buildOpenApi } from '../../../lib/runtime/openapi.ts';
import { apiEvent, customerClaims, type EventOptions, invoke } from '../../support/api-event.ts';
import { FixedClock } from '../../support/fakes.ts';

const placeOrderRoute = defineRoute({
  method: 'POST',
  path: '/v1/test/orders',
  operationId: 'placeTestOrder',
  summary: 'Places a test order',
  tags: ['test'],
  auth: 'customer',
  body: z.strictObject({
    sku: z.string().min(1),
    quantity: z.number().int().positive(),
    gift: z.strictObject({ wrap: z.boolean(), note: z.string() }).optional(),
  }),
  responses: { 201: { description: 'Placed' } },
  idempotent: true,
});

const addNoteRoute = defineRoute({
  method: 'POST',
  path: '/v1/test/notes',
  operationId: 'addTestNote',
  summary: 'Adds a note, no idempotency',
  tags: ['test'],
  auth: 'customer',
  body: z.strictObject({ text: z.string() }),
  responses: { 201: { description: 'Added' } },
});

class OutOfStockError extends ConflictError {
  override readonly code = 'OUT_OF_STOCK';
}

class SlowDownError extends DomainError {
  readonly code = 'RATE_LIMITED';
  readonly status = 429;
}

type Outcome = 'ok' | 'out-of-stock' | 'crash' | 'unavailable' | 'throttled';

const order = { sku: 'AUR-RING-52', quantity: 1, gift: { wrap: true, note: 'Joyeux anniversaire' } };

describe('httpRouter with idempotent routes', () => {
  let store: InMemoryIdempotencyStore;
  let clock: FixedClock;
  let executions: HttpRequest<typeof placeOrderRoute>[];
  let outcome: Outcome;
  let handler: ReturnType<typeof httpRouter>;

  const placeOrder = async (request: HttpRequest<typeof placeOrderRoute>): Promise<HttpResult> => {
    executions.push(request);
    if (outcome === 'out-of-stock')
      throw new OutOfStockError('AUR-RING-52 is sold out', { skus: ['AUR-RING-52'] });
    if (outcome === 'crash') throw new Error('socket hang up');
    if (outcome === 'throttled') throw new SlowDownError('Too many requests');
    if (outcome === 'unavailable') return { status: 503, body: { retry: true } };
    return {
      status: 201,
      body: { orderId: `ord_${randomUUID()}`, sku: request.body.sku, execution: executions.length },
      headers: { location: '/v1/test/orders/1' },
    };
  };

  beforeEach(() => {
    store = new InMemoryIdempotencyStore();
    clock = new FixedClock();
    executions = [];
    outcome = 'ok';
    handler = httpRouter(
      [
        [placeOrderRoute, placeOrder],
        [addNoteRoute, async () => ({ status: 201, body: { noteId: randomUUID() } })],
      ],
      { idempotency: store, clock },
    );
  });

  const post = (key: string | undefined, options: EventOptions = {}) =>
    invoke(
      handler,
      apiEvent(placeOrderRoute, {
        body: order,
        claims: customerClaims,
        ...options,
        headers: { ...(key === undefined ? {} : { 'Idempotency-Key': key }), ...options.headers },
      }),
    );

  it('answers 400 IDEMPOTENCY_KEY_REQUIRED without the header, and runs nothing', async () => {
    for (const res of [await post(undefined), await post('')]) {
      expect(res.status).toBe(400);
      expect(res.json.error).toMatchObject({ code: 'IDEMPOTENCY_KEY_REQUIRED', requestId: 'req-test' });
    }
    expect(executions).toHaveLength(0);
    expect(store.size).toBe(0);
  });

  it.each([
    ['longer than 255 characters', 'k'.repeat(256)],
    ['not ASCII', 'clé-commande-1'],
    ['holding a control character', 'key\u0007bell'],
  ])('answers 400 IDEMPOTENCY_KEY_INVALID for a key %s', async (_what, key) => {
    const res = await post(key);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('IDEMPOTENCY_KEY_INVALID');
    expect(executions).toHaveLength(0);
  });

  it('accepts a key of exactly 255 printable characters', async () => {
    expect((await post(`${'k'.repeat(254)}~`)).status).toBe(201);
  });

  it('replays the stored status, body and headers to a retry, marked idempotent-replayed', async () => {
    const first = await post('key-1');
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    const retry = await post('key-1');
    expect(retry.status).toBe(201);
    expect(retry.body).toBe(first.body);
    expect(retry.headers).toMatchObject({
      'idempotent-replayed': 'true',
      location: '/v1/test/orders/1',
      'content-type': 'application/json; charset=utf-8',
      'x-request-id': 'req-test',
    });
    expect(executions).toHaveLength(1);
  });

  it('hands the key and its scope to the use case', async () => {
    await post('key-for-ids');
    expect(executions[0]?.idempotency).toEqual({ key: 'key-for-ids', scope: 'cust-1' });
  });

  it('answers 422 IDEMPOTENCY_KEY_REUSED to the same key with another body', async () => {
    await post('key-1');
    const other = await post('key-1', { body: { ...order, quantity: 2 } });
    expect(other.status).toBe(422);
    expect(other.json.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(executions).toHaveLength(1);
  });

  it('treats bodies that differ only in whitespace or key order as the same request', async () => {
    const first = await post('key-1', { rawBody: JSON.stringify(order) });
    const reordered = await post('key-1', {
      rawBody:
        '{ "gift" : { "note": "Joyeux anniversaire", "wrap": true },\n  "quantity": 1,\t"sku": "AUR-RING-52" }',
    });
    expect(reordered.status).toBe(201);
    expect(reordered.headers['idempotent-replayed']).toBe('true');
    expect(reordered.body).toBe(first.body);
    expect(executions).toHaveLength(1);
  });

  it('deduplicates requests whose request context differs (another request id, IP or stage)', async () => {
    await post('key-1');
    const event = apiEvent(placeOrderRoute, {
      body: order,
      claims: customerClaims,
      headers: { 'Idempotency-Key': 'key-1', 'User-Agent': 'retrying-client/2' },
    });
    const retry = await invoke(handler, {
      ...event,
      requestContext: {
        ...event.requestContext,
        requestId: 'req-retry',
        identity: { ...event.requestContext.identity, sourceIp: '10.0.0.9' },
        stage: 'prod',
      },
    });
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.headers['x-request-id']).toBe('req-retry');
    expect(executions).toHaveLength(1);
  });

  it("runs another caller's request with the same key separately", async () => {
    const mine = await post('shared-key');
    const theirs = await post('shared-key', { claims: { sub: 'cust-2', scope: 'vitrine/customer' } });
    expect(theirs.status).toBe(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.json.orderId).not.toBe(mine.json.orderId);
    expect(executions.map((r) => r.idempotency?.scope)).toEqual(['cust-1', 'cust-2']);
  });

  it('stores a business error and replays it identically without running the use case again', async () => {
    outcome = 'out-of-stock';
    const first = await post('key-1');
    expect(first.status).toBe(409);
    expect(first.json.error).toEqual({
      code: 'OUT_OF_STOCK',
      message: 'AUR-RING-52 is sold out',
      requestId: 'req-test',
      details: { skus: ['AUR-RING-52'] },
    });

    outcome = 'ok';
    const event = apiEvent(placeOrderRoute, {
      body: order,
      claims: customerClaims,
      headers: { 'Idempotency-Key': 'key-1' },
    });
    const retry = await invoke(handler, {
      ...event,
      requestContext: { ...event.requestContext, requestId: 'req-2' },
    });
    expect(retry.status).toBe(409);
    expect(retry.body).toBe(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(executions).toHaveLength(1);
  });

  it.each([
    ['a thrown unexpected error (500)', 'crash', 500],
    ['a 5xx result', 'unavailable', 503],
    ['a thrown 429', 'throttled', 429],
  ] as const)('stores nothing for %s, so the retry runs again', async (_what, failure, status) => {
    outcome = failure;
    expect((await post('key-1')).status).toBe(status);
    expect(store.size).toBe(0);

    outcome = 'ok';
    const retry = await post('key-1');
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(executions).toHaveLength(2);
  });

  it('answers 409 IDEMPOTENCY_IN_PROGRESS with retry-after while the first request runs', async () => {
    let finish: () => void = () => undefined;
    const slow = httpHandler(
      placeOrderRoute,
      async () => {
        await new Promise<void>((resolve) => {
          finish = resolve;
        });
        return { status: 201, body: { done: true } };
      },
      { idempotency: store, clock },
    );
    const event = apiEvent(placeOrderRoute, {
      body: order,
      claims: customerClaims,
      headers: { 'Idempotency-Key': 'key-1' },
    });
    const first = invoke(slow, event);
    await new Promise((resolve) => setImmediate(resolve));

    const busy = await invoke(slow, event);
    expect(busy.status).toBe(409);
    expect(busy.json.error.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    expect(busy.headers['retry-after']).toBe('1');
    const reused = await invoke(slow, { ...event, body: JSON.stringify({ ...order, quantity: 3 }) });
    expect(reused.status).toBe(422);

    finish();
    expect((await first).status).toBe(201);
    expect((await invoke(slow, event)).headers['idempotent-replayed']).toBe('true');
  });

  it('ignores the header on a route that is not idempotent', async () => {
    const note = () =>
      invoke(
        handler,
        apiEvent(addNoteRoute, {
          body: { text: 'hello' },
          claims: customerClaims,
          headers: { 'Idempotency-Key': 'key-1' },
        }),
      );
    const [a, b] = [await note(), await note()];
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.json.noteId).not.toBe(a.json.noteId);
    expect(
      (await invoke(handler, apiEvent(addNoteRoute, { body: { text: 'x' }, claims: customerClaims }))).status,
    ).toBe(201);
    expect(store.size).toBe(0);
  });

  it('refuses to build a router with an idempotent route but no store', () => {
    expect(() => httpRouter([[placeOrderRoute, placeOrder]])).toThrow(/placeTestOrder.*idempotency/);
    expect(() => httpHandler(placeOrderRoute, placeOrder)).toThrow(/idempotent/);
    expect(() => httpRouter([[addNoteRoute, async () => ({ status: 204 })]])).not.toThrow();
  });

  it('records nothing for an invalid request, so the key stays free for a valid one', async () => {
    const invalid = await post('key-1', { body: { ...order, price: 1 } });
    expect(invalid.status).toBe(400);
    expect(invalid.json.error.code).toBe('VALIDATION_FAILED');
    const anonymous = await post('key-1', { claims: undefined });
    expect(anonymous.status).toBe(401);
    expect(store.size).toBe(0);

    const valid = await post('key-1');
    expect(valid.status).toBe(201);
    expect(valid.headers['idempotent-replayed']).toBeUndefined();
    expect(executions).toHaveLength(1);
  });

  describe('lock duration', () => {
    const locks: number[] = [];
    const recording = (inner: IdempotencyStore): IdempotencyStore => ({
      begin: (key, fingerprint, now, lockedUntil) => {
        locks.push(lockedUntil.getTime() - now.getTime());
        return inner.begin(key, fingerprint, now, lockedUntil);
      },
      complete: (...args) => inner.complete(...args),
      abandon: (key) => inner.abandon(key),
    });
    const context = (remaining: number | undefined) =>
      ({
        ...lambdaContext('test', 10),
        getRemainingTimeInMillis: remaining === undefined ? undefined : () => remaining,
      }) as unknown as Context;

    it.each([
      ["the invocation's remaining time", 12_345, 12_345],
      ['30 s when the remaining time is 0', 0, FALLBACK_LOCK_MILLIS],
      ['30 s without a context clock', undefined, FALLBACK_LOCK_MILLIS],
    ])('holds the key for %s', async (_what, remaining, expected) => {
      locks.length = 0;
      const h = httpHandler(placeOrderRoute, placeOrder, { idempotency: recording(store), clock });
      const event = apiEvent(placeOrderRoute, {
        body: order,
        claims: customerClaims,
        headers: { 'Idempotency-Key': `lock-${remaining}` },
      });
      expect((await h(event, context(remaining))).statusCode).toBe(201);
      expect(locks).toEqual([expected]);
    });
  });
});

describe('request identity', () => {
  it('serializes JSON canonically: keys sorted at every depth, array order kept', () => {
    expect(canonicalJson({ b: [3, { z: 1, a: null }], a: { y: 'x', c: undefined } })).toBe(
      '{"a":{"y":"x"},"b":[3,{"a":null,"z":1}]}',
    );
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('fingerprints the parsed parameters, not their source text', () => {
    const a = requestFingerprint({ params: { id: '1' }, query: undefined, body: { x: 1, y: [1, 2] } });
    expect(requestFingerprint({ body: { y: [1, 2], x: 1 }, params: { id: '1' } })).toBe(a);
    expect(requestFingerprint({ params: { id: '1' }, body: { x: 1, y: [2, 1] } })).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it('scopes record keys by caller, method, route and key', () => {
    const base = { scope: 'cust-1', method: 'POST', path: '/v1/checkouts', key: 'k' };
    const keys = new Set([
      idempotencyRecordKey(base),
      idempotencyRecordKey({ ...base, scope: 'cust-2' }),
      idempotencyRecordKey({ ...base, method: 'PUT' }),
      idempotencyRecordKey({ ...base, path: '/v1/carts' }),
      idempotencyRecordKey({ ...base, key: 'k2' }),
    ]);
    expect(keys.size).toBe(5);
  });

  it('keeps anonymous callers at different addresses apart, and signed-in callers by subject', () => {
    expect(idempotencyScope(undefined, '203.0.113.7')).not.toBe(idempotencyScope(undefined, '198.51.100.2'));
    expect(idempotencyScope({ sub: 'c1', staff: false }, '203.0.113.7')).toBe(
      idempotencyScope({ sub: 'c1', staff: false }, '198.51.100.2'),
    );
  });
});

// biome-ignore lint/suspicious/noExplicitAny: the document is walked as untyped JSON
type Json = Record<string, any>;

describe('OpenAPI for idempotent routes', () => {
  const conflictingRoute = defineRoute({
    ...placeOrderRoute,
    path: '/v1/test/reservations',
    operationId: 'reserveTest',
    responses: { 201: { description: 'Reserved' }, 409: { description: 'OUT_OF_STOCK: sold out' } },
  });
  const doc = buildOpenApi(
    [
      {
        name: 'test',
        functions: {
          test: {
            entry: 'x.ts',
            description: 'x',
            routes: [placeOrderRoute, addNoteRoute, conflictingRoute],
          },
        },
      },
    ],
    { includeLocalOnly: false, serverUrl: '/' },
  ) as Json;

  it('requires the Idempotency-Key header and documents 409 and 422 with the error envelope', () => {
    const op = doc.paths['/v1/test/orders'].post;
    expect(op.parameters).toContainEqual(
      expect.objectContaining({
        name: 'Idempotency-Key',
        in: 'header',
        required: true,
        schema: { type: 'string', minLength: 1, maxLength: 255 },
      }),
    );
    for (const [status, code] of [
      ['409', 'IDEMPOTENCY_IN_PROGRESS'],
      ['422', 'IDEMPOTENCY_KEY_REUSED'],
    ] as const) {
      expect(op.responses[status].description).toContain(code);
      expect(op.responses[status].content['application/json'].schema.$ref).toBe(
        '#/components/schemas/ErrorEnvelope',
      );
    }
  });

  it("keeps a route's own answer under the same status", () => {
    expect(doc.paths['/v1/test/reservations'].post.responses['409'].description).toMatch(
      /^OUT_OF_STOCK: sold out; or IDEMPOTENCY_IN_PROGRESS/,
    );
  });

  it('documents no header on other routes', () => {
    const op = doc.paths['/v1/test/notes'].post;
    expect(op.parameters.map((p: Json) => p.name)).not.toContain('Idempotency-Key');
    expect(op.responses['422']).toBeUndefined();
  });
});
