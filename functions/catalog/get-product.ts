import type { CatalogDeps } from '#lib/catalog/use-cases.ts';
import { getProductView } from '#lib/catalog/use-cases.ts';
import { getProductRoute } from '#lib/contracts/routes/catalog.ts';
import { awsProducts } from '#lib/runtime/aws/deps.ts';
import { httpHandler, ok } from '#lib/runtime/http/http-handler.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';

export const makeHandler = (deps: Pick<CatalogDeps, 'products'>) =>
  httpHandler(getProductRoute, async ({ params, query }) =>
    ok(await getProductView(deps, params.productId, query.market), { 'cache-control': 'public, max-age=60' }),
  );

export const handler = lambdaHandler(() => makeHandler({ products: awsProducts() }));
