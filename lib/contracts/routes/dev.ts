import { z } from 'zod';
import { CountryCode } from '../../config/config.ts';
import { defineRoute } from '../http.ts';

export const DevTokenRequest = z.strictObject({
  sub: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9._@:+-]+$/, 'sub may hold letters, digits and ._@:+-'),
  groups: z
    .array(z.enum(['staff', 'customer']))
    .max(2)
    .optional(),
  country: CountryCode.optional(),
  email: z.email().max(254).optional(),
});

export const devTokenRoute = defineRoute({
  method: 'POST',
  path: '/v1/dev/token',
  operationId: 'createDevToken',
  summary: 'A signed dev JWT for a subject (local runtime only)',
  description:
    'Groups `["staff"]` give the staff scope. The token has the claims shape of the Cognito authorizer.',
  tags: ['Local development'],
  auth: 'public',
  localOnly: true,
  body: DevTokenRequest,
  responses: {
    200: {
      description: 'A bearer token valid for one hour',
      schema: z.strictObject({ token: z.string(), expiresIn: z.number().int() }),
    },
  },
});
