import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeHandler } from '../../functions/catalog/upsert-product.ts';
import { ProductInput } from '../../lib/contracts/catalog.ts';
import { upsertProductRoute } from '../../lib/contracts/routes/catalog.ts';
import { apiEvent, customerClaims, invoke, staffClaims } from '../support/api-event.ts';
import { productInput } from '../support/catalog-fixtures.ts';
import { FixedClock, fixtureTaxonomy, InMemoryProductRepository } from '../support/fakes.ts';

const params = { productId: 'etoile-polaire' };

describe('PUT /v1/admin/products/{productId}', () => {
  let products: InMemoryProductRepository;
  let handler: ReturnType<typeof makeHandler>;

  beforeEach(async () => {
    products = new InMemoryProductRepository();
    const taxonomy = await fixtureTaxonomy();
    handler = makeHandler({ products, taxonomy, clock: new FixedClock() });
  });

  const put = (body: unknown, extra: Parameters<typeof apiEvent>[1] = {}) =>
    invoke(handler, apiEvent(upsertProductRoute, { params, body, claims: staffClaims, ...extra }));

  it('creates with 201 and an ETag, then answers 200 to an identical replay', async () => {
    const created = await put(productInput());
    expect(created.status).toBe(201);
    expect(created.headers.etag).toBe('"1"');
    expect(created.json).toMatchObject({ productId: 'etoile-polaire', version: 1, status: 'active' });

    const replay = await put(productInput());
    expect(replay.status).toBe(200);
    expect(replay.json.version).toBe(1);
    expect(products.events).toHaveLength(1);
  });

  it('answers 412 when If-Match names an older version, 400 when If-Match is not a version', async () => {
    await put(productInput());
    const stale = await put(productInput({ name: 'New name' }), { headers: { 'If-Match': '"0"' } });
    expect(stale.status).toBe(412);
    expect(stale.json.error.code).toBe('PRECONDITION_FAILED');
    const garbage = await put(productInput(), { headers: { 'If-Match': 'yesterday' } });
    expect(garbage.status).toBe(400);
  });

  it('refuses callers without the staff scope', async () => {
    expect((await put(productInput(), { claims: customerClaims })).status).toBe(403);
    expect(
      (await invoke(handler, apiEvent(upsertProductRoute, { params, body: productInput() }))).status,
    ).toBe(401);
  });

  it('answers 422 for a reference to an unknown maison', async () => {
    const res = await put(productInput({ maisonId: 'unknown-house' }));
    expect(res.status).toBe(422);
    expect(res.json.error).toMatchObject({ code: 'UNKNOWN_REFERENCE', requestId: 'req-test' });
  });

  it.each([
    ['an unknown top-level key', { ...productInput(), price: 1 }],
    ['an unknown key inside story', { ...productInput(), story: { ...productInput().story, secret: 'x' } }],
    ['an unknown key inside a variant', { ...productInput(), variants: [{ sku: 'AUR-X-1', admin: true }] }],
    [
      'an unknown key inside an edition',
      { ...productInput(), variants: [{ sku: 'AUR-X-1', edition: { number: 1, size: 5, gift: 1 } }] },
    ],
    [
      'a price in the wrong currency for its market',
      { ...productInput(), prices: [{ market: 'JP', currency: 'EUR', amount: 100 }] },
    ],
    [
      'a fractional amount of minor units',
      { ...productInput(), prices: [{ market: 'FR', currency: 'EUR', amount: 10.5 }] },
    ],
    ['a negative amount', { ...productInput(), prices: [{ market: 'FR', currency: 'EUR', amount: -1 }] }],
    [
      'an edition number above its size',
      { ...productInput(), variants: [{ sku: 'AUR-X-1', edition: { number: 9, size: 5 } }] },
    ],
    ['duplicate SKUs', { ...productInput(), variants: [{ sku: 'AUR-X-1' }, { sku: 'AUR-X-1' }] }],
    [
      'a plain-http media url',
      { ...productInput(), media: [{ type: 'image', url: 'http://x.example/a.jpg', alt: 'a' }] },
    ],
    [
      'a __proto__ key',
      JSON.parse(`{"__proto__": {"admin": true}, ${JSON.stringify(productInput()).slice(1)}`),
    ],
    ['an array body', [productInput()]],
    ['a string body', 'hello'],
  ])('answers 400 with the envelope for %s', async (_label, body) => {
    const res = await put(body);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'VALIDATION_FAILED', requestId: 'req-test' });
    expect(typeof res.json.error.message).toBe('string');
    expect(products.items.size).toBe(0);
  });

  it('answers 400 for malformed JSON, 415 for another media type, 413 for an oversized body', async () => {
    expect((await put(undefined, { rawBody: '{"name": ' })).json.error.code).toBe('MALFORMED_REQUEST');
    const form = await put(undefined, {
      rawBody: 'name=x',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    const huge = await put({ ...productInput(), description: 'x'.repeat(300 * 1024) });
    expect(huge.status).toBe(413);
    expect(huge.json.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('accepts a base64-encoded body as API Gateway sends binary media', async () => {
    const res = await put(productInput(), { base64: true });
    expect(res.status).toBe(201);
  });

  it('never answers 5xx to a mutated body, and never writes one that is invalid', async () => {
    const mutations = fc.oneof(
      fc
        .record({
          path: fc.constantFrom('', 'story', 'variants.0', 'prices.0', 'media.0'),
          key: fc.string({ minLength: 1, maxLength: 12 }),
        })
        .map(({ path, key }) => ({ kind: 'extra-key' as const, path, key })),
      fc
        .record({
          field: fc.constantFrom(
            'name',
            'maisonId',
            'status',
            'story',
            'variants',
            'prices',
            'tags',
            'media',
          ),
          value: fc.oneof(
            fc.integer(),
            fc.boolean(),
            fc.constant(null),
            fc.string({ maxLength: 5 }),
            fc.double(),
            fc.array(fc.integer(), { maxLength: 2 }),
          ),
        })
        .map(({ field, value }) => ({ kind: 'wrong-type' as const, field, value })),
    );
    await fc.assert(
      fc.asyncProperty(mutations, async (mutation) => {
        const body = structuredClone(productInput()) as Record<string, unknown>;
        if (mutation.kind === 'extra-key') {
          let target: Record<string, unknown> = body;
          for (const step of mutation.path.split('.').filter(Boolean))
            target = target[step] as Record<string, unknown>;
          if (mutation.key in target) return;
          target[mutation.key] = 'unexpected';
        } else {
          body[mutation.field] = mutation.value;
        }
        // Some mutations still describe a valid product (an empty tag list); only invalid ones are the point.
        if (ProductInput.safeParse(body).success) return;
        const res = await put(body);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(res.json.error.code).toMatch(/^[A-Z_]+$/);
        expect(products.items.size).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
