import { describe, expect, it } from 'vitest';
import { getProductRoute } from '../../../lib/contracts/routes/catalog.ts';
import { cors } from '../../../lib/runtime/http/cors.ts';
import { httpHandler, ok } from '../../../lib/runtime/http/http-handler.ts';
import { apiEvent, invoke } from '../../support/api-event.ts';

describe('cors', () => {
  const answer = async () => ok({ fine: true });

  it('echoes an allowed origin on answers and errors, with Vary and exposed headers', async () => {
    process.env.CORS_ORIGINS = 'https://shop.example, http://localhost:3000';
    try {
      const handler = httpHandler(getProductRoute, answer);
      const good = await invoke(
        handler,
        apiEvent(getProductRoute, {
          params: { productId: 'a-b' },
          query: { market: 'FR' },
          headers: { Origin: 'https://shop.example' },
        }),
      );
      expect(good.headers).toMatchObject({
        'access-control-allow-origin': 'https://shop.example',
        vary: 'Origin',
        'access-control-expose-headers': 'etag, x-request-id, idempotent-replayed, retry-after',
      });
      const bad = await invoke(
        handler,
        apiEvent(getProductRoute, {
          params: { productId: 'a-b' },
          query: { market: 'XX' },
          headers: { origin: 'http://localhost:3000' },
        }),
      );
      expect(bad.status).toBe(400);
      expect(bad.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    } finally {
      delete process.env.CORS_ORIGINS;
    }
  });

  it('says nothing to an origin it does not know, or when none is configured', async () => {
    const request = {
      event: { headers: { origin: 'https://evil.example' } },
      response: { statusCode: 200, body: '' },
    };
    await cors(['https://shop.example']).after?.(request as never);
    expect(request.response).toEqual({ statusCode: 200, body: '' });
    await cors([]).after?.(request as never);
    expect(request.response).toEqual({ statusCode: 200, body: '' });
  });
});
