import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { CUSTOMER_SCOPE, STAFF_SCOPE } from '#lib/runtime/http/principal.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';
import { logger, tracer } from '#lib/runtime/observability.ts';

/** The user pool group the stacks create for staff (`STAFF_GROUP` in `stacks/constructs/zone-identity.ts`). */
const STAFF_GROUP = 'staff';
/** Read back by `principalOf` from the authorizer's claims. */
const COUNTRY_CLAIM = 'custom:country';

export type PreTokenHandler = (
  event: PreTokenGenerationV2TriggerEvent,
  context: Context,
) => Promise<PreTokenGenerationV2TriggerEvent>;

/**
 * Cognito's pre-token-generation trigger (V2_0 event). User sign-in grants no resource-server scopes,
 * so every access token gets `vitrine/customer`, staff-group members also `vitrine/staff`, and the
 * customer's country (which fixes their residency zone) travels as the `custom:country` claim.
 * Scopes the token already has are not added twice; overrides set earlier are kept.
 */
export const makeHandler = (): PreTokenHandler =>
  middy<PreTokenGenerationV2TriggerEvent, PreTokenGenerationV2TriggerEvent>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .handler(async (event) => {
      const { request } = event;
      const groups = request.groupConfiguration?.groupsToOverride ?? [];
      const wanted = groups.includes(STAFF_GROUP) ? [CUSTOMER_SCOPE, STAFF_SCOPE] : [CUSTOMER_SCOPE];

      const overrides = event.response.claimsAndScopeOverrideDetails ?? {};
      const access = overrides.accessTokenGeneration ?? {};
      const present = new Set([...(request.scopes ?? []), ...(access.scopesToAdd ?? [])]);
      const country = request.userAttributes?.[COUNTRY_CLAIM];

      event.response.claimsAndScopeOverrideDetails = {
        ...overrides,
        accessTokenGeneration: {
          ...access,
          scopesToAdd: [...(access.scopesToAdd ?? []), ...wanted.filter((scope) => !present.has(scope))],
          ...(country
            ? { claimsToAddOrOverride: { ...access.claimsToAddOrOverride, [COUNTRY_CLAIM]: country } }
            : {}),
        },
      };
      return event;
    }) as unknown as PreTokenHandler;

export const handler = lambdaHandler(makeHandler);
