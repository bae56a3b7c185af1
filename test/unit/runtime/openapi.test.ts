import { describe, expect, it } from 'vitest';
import { SERVICES } from '../../../functions/services.ts';
import { buildOpenApi, routesOf } from '../../../lib/runtime/openapi.ts';

// biome-ignore lint/suspicious/noExplicitAny: the document is walked as untyped JSON
type Json = Record<string, any>;

describe('buildOpenApi', () => {
  const doc = buildOpenApi(SERVICES, { includeLocalOnly: true, serverUrl: 'http://localhost:3000' }) as Json;

  it('describes every route of every manifest, and nothing else', () => {
    const documented = Object.entries(doc.paths as Json).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const declared = routesOf(SERVICES, true).map((r) => `${r.method} ${r.path}`);
    expect(documented.sort()).toEqual(declared.sort());
    expect(doc.openapi).toBe('3.1.0');
  });

  it('leaves local-only routes out of the deployed document', () => {
    const deployed = buildOpenApi(SERVICES, { includeLocalOnly: false, serverUrl: '/' }) as Json;
    expect(deployed.paths['/v1/dev/token']).toBeUndefined();
    expect(doc.paths['/v1/dev/token'].post['x-vitrine-local-only']).toBe(true);
  });

  it('documents parameters, strict request bodies, responses and the error envelope', () => {
    const search = doc.paths['/v1/search'].get;
    const market = search.parameters.find((p: Json) => p.name === 'market');
    expect(market).toMatchObject({ in: 'query', required: true });
    expect(market.schema.enum).toContain('JP');
    expect(search.responses['200'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/SearchResult',
    );
    expect(search.responses['400'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/ErrorEnvelope',
    );

    const upsert = doc.paths['/v1/admin/products/{productId}'].put;
    expect(upsert.security).toEqual([{ cognito: ['vitrine/staff'] }]);
    expect(upsert.parameters).toContainEqual(
      expect.objectContaining({ name: 'productId', in: 'path', required: true }),
    );
    const body = upsert.requestBody.content['application/json'].schema;
    const resolved = body.$ref ? doc.components.schemas[body.$ref.split('/').at(-1)] : body;
    expect(resolved.additionalProperties).toBe(false);
    expect(doc.components.schemas.Story.additionalProperties).toBe(false);
  });

  it('only references schemas it defines', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
      (m) => m[1],
    );
    for (const ref of new Set(refs)) expect(doc.components.schemas, ref).toHaveProperty([ref as string]);
  });
});
