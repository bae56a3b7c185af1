import { z } from 'zod';

/** The one error envelope every 4xx and 5xx carries. */
export const ErrorEnvelope = z
  .strictObject({
    error: z.strictObject({
      code: z.string().describe('Machine-readable code, e.g. VALIDATION_FAILED, NOT_FOUND, OUT_OF_STOCK'),
      message: z.string().describe('Human-readable explanation, safe to show to an operator'),
      requestId: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ id: 'ErrorEnvelope' });
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call a route. `public`: anyone; `customer`: a signed-in customer (or staff); `staff`: the staff
 * scope; `signature`: no JWT, the handler verifies a signature over the raw body (webhooks).
 */
export type RouteAuth = 'public' | 'customer' | 'staff' | 'signature';

/** A request header a route reads, documented in the OpenAPI document. */
export interface HeaderDefinition {
  readonly name: string;
  readonly description: string;
  readonly required: boolean;
}

export interface ResponseDefinition {
  readonly description: string;
  readonly schema?: z.ZodType;
}

/** Anything zod can parse from a string map (path parameters, query strings). */
type StringMap = z.ZodObject;

/**
 * One HTTP route, declared once: the CDK stack builds the API Gateway resource from it, the local gateway
 * routes to it, the handler parses with its schemas and the OpenAPI document is generated from it.
 */
export interface RouteDefinition<
  P extends StringMap | undefined = StringMap | undefined,
  Q extends StringMap | undefined = StringMap | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
  A extends RouteAuth = RouteAuth,
> {
  readonly method: HttpMethod;
  /** API Gateway resource path with `{param}` placeholders, e.g. `/v1/products/{productId}`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly auth: A;
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  readonly responses: Readonly<Record<number, ResponseDefinition>>;
  /** Served by the local runtime only (dev tokens, simulated payments); never deployed. */
  readonly localOnly?: boolean;
  /**
   * Requires an `Idempotency-Key` header (missing: 400, in progress: 409, another body: 422, replay: the
   * stored response), scoped to the caller. Every mutating POST of the public API sets it.
   */
  readonly idempotent?: boolean;
  /** Headers the handler reads besides `Authorization` and `Idempotency-Key`. */
  readonly headers?: readonly HeaderDefinition[];
}

export function defineRoute<
  P extends StringMap | undefined = undefined,
  Q extends StringMap | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  A extends RouteAuth = RouteAuth,
>(route: RouteDefinition<P, Q, B, A>): RouteDefinition<P, Q, B, A> {
  if (!route.path.startsWith('/')) throw new Error(`route ${route.operationId}: path must start with /`);
  const placeholders = [...route.path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]);
  const declared = route.params ? Object.keys(route.params.shape) : [];
  if (placeholders.sort().join() !== declared.sort().join()) {
    throw new Error(
      `route ${route.operationId}: path parameters ${placeholders.join(', ') || '(none)'} differ from params schema ${declared.join(', ') || '(none)'}`,
    );
  }
  return route;
}

/** Errors every route may answer, merged into each operation of the OpenAPI document. */
export const COMMON_ERROR_RESPONSES: Record<number, ResponseDefinition> = {
  400: { description: 'The request is malformed or fails validation', schema: ErrorEnvelope },
  413: { description: 'The body is larger than the API accepts', schema: ErrorEnvelope },
  429: { description: 'Too many requests', schema: ErrorEnvelope },
  500: { description: 'Unexpected error; nothing was half written', schema: ErrorEnvelope },
};

/** Cursor-paginated list envelope. */
export function page<T extends z.ZodType>(item: T) {
  return z.strictObject({
    items: z.array(item),
    nextCursor: z
      .string()
      .nullable()
      .describe('Pass as `cursor` to fetch the next page; null on the last page'),
  });
}

/** Query parameter helper: numbers arrive as strings in query strings. */
export const limitParam = (max: number, fallback: number) =>
  z.coerce
    .number()
    .int()
    .min(1)
    .max(max, { message: `limit must be at most ${max}` })
    .default(fallback);
