import { type CatalogDeps, upsertCategory, upsertCollection, upsertMaison } from '#lib/catalog/use-cases.ts';
import {
  listMaisonsRoute,
  upsertCategoryRoute,
  upsertCollectionRoute,
  upsertMaisonRoute,
} from '#lib/contracts/routes/catalog.ts';
import { awsClock, awsTaxonomy } from '#lib/runtime/aws/deps.ts';
import { httpRouter, ok, type RouteImpl } from '#lib/runtime/http/http-handler.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';

type Deps = Pick<CatalogDeps, 'taxonomy' | 'clock'>;

export const makeHandler = (deps: Deps) => {
  const maison: RouteImpl<typeof upsertMaisonRoute> = async ({ params, body }) =>
    ok(await upsertMaison(deps, params.maisonId, body));
  const collection: RouteImpl<typeof upsertCollectionRoute> = async ({ params, body }) =>
    ok(await upsertCollection(deps, params.collectionId, body));
  const category: RouteImpl<typeof upsertCategoryRoute> = async ({ params, body }) =>
    ok(await upsertCategory(deps, params.categoryId, body));
  const list: RouteImpl<typeof listMaisonsRoute> = async () =>
    ok(await deps.taxonomy.listAll(), { 'cache-control': 'public, max-age=300' });
  return httpRouter([
    [upsertMaisonRoute, maison],
    [upsertCollectionRoute, collection],
    [upsertCategoryRoute, category],
    [listMaisonsRoute, list],
  ]);
};

export const handler = lambdaHandler(() => makeHandler({ taxonomy: awsTaxonomy(), clock: awsClock() }));
