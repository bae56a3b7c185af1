import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DynamoIdempotencyStore } from '../../lib/adapters/dynamo/dynamo-idempotency-store.ts';
import { defineRoute } from '../../lib/contracts/http.ts';
import { type HttpHandler, type HttpResult, httpHandler } from '../../lib/runtime/http/http-handler.ts';
import { FALLBACK_LOCK_MILLIS } from '../../lib/runtime/http/idempotency.ts';
import type { HttpRequest } from '../../lib/runtime/http/parse-request.ts';
import { lambdaContext } from '../../lib/runtime/local/lambda-context.ts';
import { apiEvent, customerClaims, invoke } from '../support/api-event.ts';
import { testTables } from '../support/dynamo.ts';
import { FixedClock } from '../support/fakes.ts';

const checkoutRoute = defineRoute({
  method: 'POST',
  path: '/v1/test/checkouts',
  operationId: 'createTestCheckout',
  summary: 'Creates a test checkout',
  tags: ['test'],
  auth: 'customer',
  body: z.strictObject({ cartId: z.string(), market: z.string().length(2) }),
  responses: { 201: { description: 'Created' } },
  idempotent: true,
});

const body = { cartId: 'crt_eu_01', market: 'FR' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Lambda context whose clock has run out, as when the invocation is about to time out (F7). */
const expiringContext = (): Context => ({
  ...lambdaContext('checkout', 10),
  getRemainingTimeInMillis: () => 0,
});

describe('idempotent checkout under concurrency (R10, DynamoDB)', () => {
  let store: DynamoIdempotencyStore;
  let clock: FixedClock;
  let executions: number;
  let hang: boolean;
  let handler: HttpHandler;

  beforeAll(async () => {
    const t = await testTables();
    store = new DynamoIdempotencyStore({ client: t.doc, tableName: t.names.idempotency.zones.eu as string });
  });

  beforeEach(() => {
    // The real time: DynamoDB Local deletes items whose TTL (`expiresAt`) has passed in real time.
    clock = new FixedClock(new Date());
    executions = 0;
    hang = false;
    handler = httpHandler(
      checkoutRoute,
      async (request: HttpRequest<typeof checkoutRoute>): Promise<HttpResult> => {
        executions++;
        // A crashed or timed-out execution: it never answers and never releases the key.
        if (hang) return new Promise<never>(() => undefined);
        await sleep(50);
        return {
          status: 201,
          body: {
            checkoutId: `chk_${request.idempotency?.key}`,
            cartId: request.body.cartId,
            execution: executions,
          },
        };
      },
      { idempotency: store, clock },
    );
  });

  /** The same request as retried by a client: a new API Gateway request id and source each time. */
  const attempt = (key: string, n: number): APIGatewayProxyEvent => {
    const event = apiEvent(checkoutRoute, {
      body,
      claims: customerClaims,
      headers: { 'Idempotency-Key': key },
    });
    return {
      ...event,
      requestContext: {
        ...event.requestContext,
        requestId: `req-${n}`,
        identity: { ...event.requestContext.identity, sourceIp: `10.0.0.${n % 250}` },
      },
    };
  };

  it('executes 50 parallel identical requests once; the rest get the stored 201 or 409 in progress', async () => {
    const key = `key-${Date.now()}-parallel`;
    const answers = await Promise.all(Array.from({ length: 50 }, (_, n) => invoke(handler, attempt(key, n))));

    expect(executions).toBe(1);
    const created = answers.filter((a) => a.status === 201);
    const busy = answers.filter((a) => a.status === 409);
    expect(created.length + busy.length).toBe(50);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const a of busy) {
      expect(a.json.error.code).toBe('IDEMPOTENCY_IN_PROGRESS');
      expect(a.headers['retry-after']).toBe('1');
    }
    const stored = created[0]?.body;
    for (const a of created) expect(a.body).toBe(stored);
    expect(JSON.parse(stored ?? '{}')).toEqual({
      checkoutId: `chk_${key}`,
      cartId: 'crt_eu_01',
      execution: 1,
    });

    const retries = await Promise.all(
      Array.from({ length: 20 }, (_, n) => invoke(handler, attempt(key, 100 + n))),
    );
    for (const r of retries) {
      expect(r.status).toBe(201);
      expect(r.body).toBe(stored);
      expect(r.headers['idempotent-replayed']).toBe('true');
    }
    expect(executions).toBe(1);
  });

  it('answers 422 to the same key with another body while and after the first execution', async () => {
    const key = `key-${Date.now()}-reused`;
    const first = invoke(handler, attempt(key, 1));
    await expect.poll(() => executions).toBe(1);
    const other = apiEvent(checkoutRoute, {
      body: { ...body, market: 'JP' },
      claims: customerClaims,
      headers: { 'Idempotency-Key': key },
    });
    expect((await invoke(handler, other)).status).toBe(422);
    expect((await first).status).toBe(201);
    expect((await invoke(handler, other)).json.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(executions).toBe(1);
  });

  it('lets the retry after a timed-out execution (remaining time 0) run exactly once', async () => {
    const key = `key-${Date.now()}-timeout`;
    hang = true;
    void handler(attempt(key, 0), expiringContext());
    await expect.poll(() => executions).toBe(1);
    hang = false;

    // The dead execution still holds the key until the fallback lock runs out...
    expect((await invoke(handler, attempt(key, 1))).status).toBe(409);
    clock.advance(FALLBACK_LOCK_MILLIS);
    expect((await invoke(handler, attempt(key, 2))).status).toBe(409);

    // ...then exactly one of the concurrent retries takes over and runs again.
    clock.advance(1);
    const retries = await Promise.all(
      Array.from({ length: 20 }, (_, n) => invoke(handler, attempt(key, 10 + n))),
    );
    expect(executions).toBe(2);
    expect(retries.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    const after = await invoke(handler, attempt(key, 99));
    expect(after.status).toBe(201);
    expect(after.headers['idempotent-replayed']).toBe('true');
    expect(after.json).toMatchObject({ checkoutId: `chk_${key}`, execution: 2 });
    expect(executions).toBe(2);
  });

  it('holds a timed-out execution for its remaining invocation time, not for ever', async () => {
    const key = `key-${Date.now()}-budget`;
    hang = true;
    const context: Context = { ...lambdaContext('checkout', 10), getRemainingTimeInMillis: () => 5_000 };
    void handler(attempt(key, 0), context);
    await expect.poll(() => executions).toBe(1);
    hang = false;

    clock.advance(5_000);
    expect((await invoke(handler, attempt(key, 1))).status).toBe(409);
    clock.advance(1);
    expect((await invoke(handler, attempt(key, 2))).status).toBe(201);
    expect(executions).toBe(2);
  });
});
