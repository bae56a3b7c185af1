import { type CatalogDeps, listProducts } from '#lib/catalog/use-cases.ts';
import { listProductsRoute } from '#lib/contracts/routes/catalog.ts';
import { awsProducts } from '#lib/runtime/aws/deps.ts';
import { httpHandler, ok } from '#lib/runtime/http/http-handler.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';

export const makeHandler = (deps: Pick<CatalogDeps, 'products'>) =>
  httpHandler(listProductsRoute, async ({ query }) =>
    ok(await listProducts(deps, query), { 'cache-control': 'public, max-age=30' }),
  );

export const handler = lambdaHandler(() => makeHandler({ products: awsProducts() }));
