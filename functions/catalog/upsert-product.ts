import { type CatalogDeps, upsertProduct } from '#lib/catalog/use-cases.ts';
import { upsertProductRoute } from '#lib/contracts/routes/catalog.ts';
import { MalformedRequestError } from '#lib/errors.ts';
import { awsClock, awsProducts, awsTaxonomy } from '#lib/runtime/aws/deps.ts';
import { httpHandler } from '#lib/runtime/http/http-handler.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';

/** `If-Match: "3"` (or `W/"3"`) pins the version the caller read. */
function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"?(\d{1,15})"?$/.exec(header.trim());
  if (!match?.[1]) throw new MalformedRequestError('If-Match must be a product version, e.g. "3"');
  return Number(match[1]);
}

export const makeHandler = (deps: CatalogDeps) =>
  httpHandler(upsertProductRoute, async ({ params, body, headers, requestId }) => {
    const outcome = await upsertProduct(deps, {
      productId: params.productId,
      input: body,
      ifMatch: parseIfMatch(headers['if-match']),
      correlationId: requestId,
    });
    return {
      status: outcome.created ? 201 : 200,
      body: outcome.product,
      headers: { etag: `"${outcome.product.version}"` },
    };
  });

export const handler = lambdaHandler(() =>
  makeHandler({ products: awsProducts(), taxonomy: awsTaxonomy(), clock: awsClock() }),
);
