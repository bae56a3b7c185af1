import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES } from '../../functions/services.ts';
import type { LocalPlatform } from '../../lib/runtime/local/platform.ts';
import { routesOf } from '../../lib/runtime/openapi.ts';
import { productInput } from '../support/catalog-fixtures.ts';
import { type Http, http, startTestPlatform } from '../support/local-platform.ts';

describe('catalog on the local runtime, over HTTP', () => {
  let platform: LocalPlatform;
  let api: Http;
  let staff: string;
  let customer: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    api = http(platform.url);
    staff = (await api('POST', '/v1/dev/token', { body: { sub: 'atelier-1', groups: ['staff'] } })).json
      .token;
    customer = (await api('POST', '/v1/dev/token', { body: { sub: 'client-1', country: 'FR' } })).json.token;
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('loads the demo catalog: products listed in FR are priced in EUR, newest first, page after page', async () => {
    expect(platform.seeded).toBeGreaterThanOrEqual(200);
    const first = await api('GET', '/v1/products?market=FR&limit=50');
    expect(first.status).toBe(200);
    expect(first.json.items).toHaveLength(50);
    for (const item of first.json.items) {
      expect(item.price).toMatchObject({ currency: 'EUR', taxIncluded: true });
      expect(Number.isInteger(item.price.amount)).toBe(true);
    }
    const dates = first.json.items.map((i: { createdAt: string }) => i.createdAt);
    expect([...dates].sort().reverse()).toEqual(dates);

    const ids = new Set<string>(first.json.items.map((i: { productId: string }) => i.productId));
    let cursor = first.json.nextCursor;
    while (cursor) {
      const next = await api('GET', `/v1/products?market=FR&limit=50&cursor=${cursor}`);
      for (const item of next.json.items) {
        expect(ids.has(item.productId)).toBe(false);
        ids.add(item.productId);
      }
      cursor = next.json.nextCursor;
    }
    expect(ids.size).toBe(platform.seeded);
  });

  it('serves a product page in the market currency, 404 with the envelope for an unknown product', async () => {
    const listed = await api('GET', '/v1/products?market=JP&limit=1');
    const id = listed.json.items[0].productId;
    const page = await api('GET', `/v1/products/${id}?market=JP`);
    expect(page.status).toBe(200);
    expect(page.json).toMatchObject({
      productId: id,
      market: 'JP',
      price: { currency: 'JPY', taxIncluded: true },
    });
    expect(page.json.story.materials.length).toBeGreaterThan(0);

    const missing = await api('GET', '/v1/products/no-such-piece?market=JP');
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({ code: 'NOT_FOUND' });
    expect(missing.json.error.requestId).toBeTruthy();
  });

  it('searches in JPY with ranked hits and facets', async () => {
    const res = await api('GET', '/v1/search?q=rose%20gold&market=JP&limit=10');
    expect(res.status).toBe(200);
    expect(res.json.total).toBeGreaterThan(0);
    const scores = res.json.hits.map((h: { score: number }) => h.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    for (const hit of res.json.hits) expect(hit.price.currency).toBe('JPY');
    expect(res.json.facets.maison.length).toBeGreaterThan(0);
    expect(res.json.facets.priceRange.length).toBeGreaterThan(0);
    expect(res.json.facets.material.map((m: { value: string }) => m.value).join(' ')).toMatch(/rose gold/i);
  });

  it('lets staff create a product that reaches search through the stream, and publishes one event per version', async () => {
    const body = productInput({
      name: 'Nébuleuse Opaline brooch',
      maisonId: 'aurele',
      collectionId: (await api('GET', '/v1/maisons')).json.collections.find(
        (c: { maisonId: string }) => c.maisonId === 'aurele',
      ).collectionId,
      categoryId: 'fine-jewellery',
    });
    const created = await api('PUT', '/v1/admin/products/nebuleuse-opaline', { body, token: staff });
    expect(created.status).toBe(201);
    const replay = await api('PUT', '/v1/admin/products/nebuleuse-opaline', { body, token: staff });
    expect(replay.status).toBe(200);
    const repriced = await api('PUT', '/v1/admin/products/nebuleuse-opaline', {
      body: { ...body, prices: [{ market: 'JP', currency: 'JPY', amount: 3_300_000 }] },
      token: staff,
      headers: { 'if-match': '"1"' },
    });
    expect(repriced.status).toBe(200);
    expect(repriced.headers.get('etag')).toBe('"2"');

    await platform.idle();
    const found = await api('GET', '/v1/search?q=opaline&market=JP');
    expect(found.json.hits[0]).toMatchObject({
      productId: 'nebuleuse-opaline',
      price: { amount: 3_300_000, currency: 'JPY' },
    });
    const notInFrance = await api('GET', '/v1/search?q=opaline&market=FR');
    expect(notInFrance.json.hits.map((h: { productId: string }) => h.productId)).not.toContain(
      'nebuleuse-opaline',
    );

    const events = platform.bus.archive.filter(
      (e) =>
        e['detail-type'] === 'ProductUpserted' &&
        (e.detail as { data: { productId: string } }).data.productId === 'nebuleuse-opaline',
    );
    expect(events.map((e) => (e.detail as { data: { version: number } }).data.version).sort()).toEqual([
      1, 2,
    ]);
  });

  it('guards admin routes: 401 without a token, 403 without the staff scope', async () => {
    const body = productInput();
    expect((await api('PUT', '/v1/admin/products/x-y', { body })).status).toBe(401);
    expect((await api('PUT', '/v1/admin/products/x-y', { body, token: 'not-a-jwt' })).status).toBe(401);
    const forbidden = await api('PUT', '/v1/admin/products/x-y', { body, token: customer });
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.error.code).toBe('FORBIDDEN');
  });

  it.each([
    ['an unknown query parameter', 'GET', '/v1/products?market=FR&admin=1', undefined, 400],
    ['an unknown market', 'GET', '/v1/products?market=XX', undefined, 400],
    ['a limit above the maximum', 'GET', '/v1/search?q=ring&market=FR&limit=500', undefined, 400],
    ['priceMin above priceMax', 'GET', '/v1/search?market=FR&priceMin=10&priceMax=5', undefined, 400],
    ['a cursor it did not issue', 'GET', '/v1/products?market=FR&cursor=abc', undefined, 400],
    [
      'an unknown nested key',
      'PUT',
      '/v1/admin/products/p-1',
      { ...productInput(), story: { ...productInput().story, x: 1 } },
      400,
    ],
    ['a wrong type', 'PUT', '/v1/admin/products/p-1', { ...productInput(), variants: 'many' }, 400],
    ['an unknown route', 'GET', '/v1/nowhere', undefined, 404],
    ['a wrong method', 'DELETE', '/v1/products?market=FR', undefined, 405],
  ])('answers %s with a 4xx envelope', async (_label, method, path, body, status) => {
    const res = await api(method, path, { ...(body ? { body } : {}), token: staff });
    expect(res.status).toBe(status);
    expect(res.json.error).toMatchObject({
      code: expect.stringMatching(/^[A-Z_]+$/),
      requestId: expect.any(String),
    });
  });

  it('answers an oversized body with 413 and a malformed one with 400', async () => {
    const huge = await api('PUT', '/v1/admin/products/p-1', {
      raw: `{"name":"${'x'.repeat(400_000)}"}`,
      token: staff,
      headers: { 'content-type': 'application/json' },
    });
    expect(huge.status).toBe(413);
    const broken = await api('PUT', '/v1/admin/products/p-1', {
      raw: '{"name":',
      token: staff,
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    expect(broken.json.error.code).toBe('MALFORMED_REQUEST');
  });

  it('describes every route in /openapi.json and renders /docs', async () => {
    const doc = await api('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    const documented = Object.entries(doc.json.paths as Record<string, object>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(
      routesOf(SERVICES, true)
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    );
    const page = await api('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.text).toContain('/v1/search');
  });
});
