import { searchRoute } from '#lib/contracts/routes/catalog.ts';
import { awsSearchIndex } from '#lib/runtime/aws/search.ts';
import { httpHandler, ok } from '#lib/runtime/http/http-handler.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';
import type { SearchIndex } from '#lib/search/search-index.ts';

export const makeHandler = (deps: { search: SearchIndex }) =>
  httpHandler(searchRoute, async ({ query }) =>
    ok(await deps.search.search(query), { 'cache-control': 'public, max-age=30' }),
  );

export const handler = lambdaHandler(() => makeHandler({ search: awsSearchIndex() }));
