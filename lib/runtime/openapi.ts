import { z } from 'zod';
import {
  COMMON_ERROR_RESPONSES,
  ErrorEnvelope,
  type ResponseDefinition,
  type RouteDefinition,
} from '../contracts/http.ts';
import type { ServiceManifest } from '../platform/manifest.ts';

type JsonSchema = Record<string, unknown>;

export interface OpenApiOptions {
  /** Include routes only the local runtime serves. */
  readonly includeLocalOnly: boolean;
  readonly serverUrl: string;
  readonly version?: string;
}

/** Every route of every service, in manifest order. */
export function routesOf(services: readonly ServiceManifest[], includeLocalOnly: boolean): RouteDefinition[] {
  return services.flatMap((service) =>
    Object.values(service.functions).flatMap((fn) =>
      (fn.routes ?? []).filter((route) => includeLocalOnly || !route.localOnly),
    ),
  );
}

class SchemaCollector {
  readonly components: Record<string, JsonSchema> = {};

  /** Converts a schema, moving its named (`.meta({ id })`) parts into components. */
  convert(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const json = z.toJSONSchema(schema, {
      io,
      unrepresentable: 'any',
      target: 'draft-2020-12',
    }) as JsonSchema;
    const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
    delete json.$defs;
    delete json.$schema;
    const renames = new Map<string, string>();
    const rewrite = (value: JsonSchema): JsonSchema =>
      JSON.parse(
        JSON.stringify(value).replace(
          /"#\/\$defs\/([A-Za-z0-9_.-]+)"/g,
          (_m, id: string) => `"#/components/schemas/${renames.get(id) ?? id}"`,
        ),
      ) as JsonSchema;
    for (const [id, def] of Object.entries(defs)) {
      const existing = this.components[id];
      // Defaults make the same schema differ between what a client sends and what it gets back.
      if (existing && JSON.stringify(existing) !== JSON.stringify(rewrite(def))) {
        renames.set(id, io === 'input' && !id.endsWith('Input') ? `${id}Input` : `${id}Output`);
      }
    }
    for (const [id, def] of Object.entries(defs)) this.components[renames.get(id) ?? id] = rewrite(def);
    return rewrite(json);
  }
}

function parameters(route: RouteDefinition, collector: SchemaCollector): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const json = collector.convert(schema, 'input');
    const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((json.required ?? []) as string[]);
    for (const [name, property] of Object.entries(properties)) {
      const { description, ...rest } = property;
      out.push({
        name,
        in: where,
        required: where === 'path' || required.has(name),
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  }
  return out;
}

/** The header every `idempotent` route requires (see lib/runtime/http/idempotency.ts). */
const IDEMPOTENCY_KEY_PARAMETER: JsonSchema = {
  name: 'Idempotency-Key',
  in: 'header',
  required: true,
  description:
    'A new unique value (a UUID) per operation, scoped to the caller. A retry with the same key and the ' +
    'same request replays the first answer (header `idempotent-replayed: true`) instead of executing again.',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
};

const IDEMPOTENCY_RESPONSES: Record<number, ResponseDefinition> = {
  409: {
    description:
      'IDEMPOTENCY_IN_PROGRESS: a request with this Idempotency-Key is still being processed; retry after the `retry-after` seconds',
    schema: ErrorEnvelope,
  },
  422: {
    description: 'IDEMPOTENCY_KEY_REUSED: this Idempotency-Key was already used for a different request',
    schema: ErrorEnvelope,
  },
};

/** Adds the idempotency answers, next to the route's own under the same status. */
function addIdempotencyResponses(all: Record<number, ResponseDefinition>): void {
  for (const [status, response] of Object.entries(IDEMPOTENCY_RESPONSES)) {
    const own = all[Number(status)];
    all[Number(status)] = own
      ? {
          ...own,
          description: `${own.description}; or ${response.description}`,
          schema: own.schema ?? response.schema,
        }
      : response;
  }
}

function operation(route: RouteDefinition, collector: SchemaCollector): JsonSchema {
  const responses: Record<string, JsonSchema> = {};
  const all = { ...COMMON_ERROR_RESPONSES, ...route.responses };
  if (route.auth === 'customer' || route.auth === 'staff') {
    all[401] ??= { description: 'No valid bearer token', schema: COMMON_ERROR_RESPONSES[400]?.schema };
    all[403] ??= {
      description: 'The token lacks the scope this route needs',
      schema: COMMON_ERROR_RESPONSES[400]?.schema,
    };
  }
  if (route.idempotent) addIdempotencyResponses(all);
  for (const [status, response] of Object.entries(all)) {
    responses[status] = {
      description: response.description,
      ...(response.schema
        ? { content: { 'application/json': { schema: collector.convert(response.schema, 'output') } } }
        : {}),
    };
  }
  const security =
    route.auth === 'customer'
      ? [{ cognito: ['vitrine/customer'] }]
      : route.auth === 'staff'
        ? [{ cognito: ['vitrine/staff'] }]
        : [];
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [...route.tags],
    parameters: [
      ...parameters(route, collector),
      ...(route.idempotent ? [IDEMPOTENCY_KEY_PARAMETER] : []),
      ...(route.headers ?? []).map((h) => ({
        name: h.name,
        in: 'header',
        required: h.required,
        description: h.description,
        schema: { type: 'string' },
      })),
    ],
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: collector.convert(route.body, 'input') } },
          },
        }
      : {}),
    responses,
    security,
    ...(route.localOnly ? { 'x-vitrine-local-only': true } : {}),
  };
}

/** Generates the OpenAPI 3.1 document from the manifests' routes and their zod schemas. */
export function buildOpenApi(services: readonly ServiceManifest[], options: OpenApiOptions): JsonSchema {
  const collector = new SchemaCollector();
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routesOf(services, options.includeLocalOnly)) {
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, JsonSchema>)[route.method.toLowerCase()] = operation(
      route,
      collector,
    );
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Vitrine API',
      version: options.version ?? '1.0.0',
      description:
        'Commerce API for luxury houses: catalog and search, checkout and payments, inventory and drops, ' +
        'post-purchase tracking. Every error answers `{ "error": { "code", "message", "requestId" } }`.',
    },
    servers: [{ url: options.serverUrl }],
    paths,
    components: {
      schemas: collector.components,
      securitySchemes: {
        cognito: {
          type: 'oauth2',
          description: 'Cognito access tokens; staff routes need the vitrine/staff scope.',
          flows: {
            clientCredentials: {
              tokenUrl: '/oauth2/token',
              scopes: { 'vitrine/customer': 'A signed-in customer', 'vitrine/staff': 'Maison staff' },
            },
          },
        },
      },
    },
  };
}
