import { apiDocsRoute, openApiRoute } from '#lib/contracts/routes/platform.ts';
import { renderApiDocs } from '#lib/runtime/api-docs-page.ts';
import { httpRouter, ok, type RouteImpl } from '#lib/runtime/http/http-handler.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';
import { buildOpenApi } from '#lib/runtime/openapi.ts';
import { SERVICES } from '../services.ts';

export interface ApiDocsDeps {
  /** Whether to document the local runtime's dev routes. */
  readonly includeLocalOnly: boolean;
}

export const makeHandler = (deps: ApiDocsDeps) => {
  // Built once per environment: the document only changes with a deployment.
  const doc = buildOpenApi(SERVICES, { includeLocalOnly: deps.includeLocalOnly, serverUrl: '/' });
  const page = renderApiDocs(doc);
  const json: RouteImpl<typeof openApiRoute> = async () =>
    ok(doc, { 'cache-control': 'public, max-age=300' });
  const html: RouteImpl<typeof apiDocsRoute> = async () => ({
    status: 200,
    body: page,
    contentType: 'text/html; charset=utf-8',
    headers: {
      'cache-control': 'public, max-age=300',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    },
  });
  return httpRouter([
    [openApiRoute, json],
    [apiDocsRoute, html],
  ]);
};

export const handler = lambdaHandler(() => makeHandler({ includeLocalOnly: false }));
