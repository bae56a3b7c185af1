import { z } from 'zod';
import { defineRoute } from '../http.ts';

export const openApiRoute = defineRoute({
  method: 'GET',
  path: '/openapi.json',
  operationId: 'getOpenApi',
  summary: "This API's OpenAPI 3.1 document",
  tags: ['Platform'],
  auth: 'public',
  responses: { 200: { description: 'OpenAPI 3.1 document', schema: z.record(z.string(), z.unknown()) } },
});

export const apiDocsRoute = defineRoute({
  method: 'GET',
  path: '/docs',
  operationId: 'getApiDocs',
  summary: 'Readable API documentation (HTML)',
  tags: ['Platform'],
  auth: 'public',
  responses: { 200: { description: 'An HTML page rendered from the OpenAPI document' } },
});
