import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { CustomerTier } from '#lib/drops/drop.ts';
import { CUSTOMER_SCOPE, STAFF_SCOPE } from '#lib/runtime/http/principal.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';
import { logger, tracer } from '#lib/runtime/observability.ts';

/** The user pool group the stacks create for staff (`STAFF_GROUP` in `stacks/constructs/zone-identity.ts`). */
const STAFF_GROUP = 'staff';
/** Read back by `principalOf` from the authorizer's claims. */
const COUNTRY_CLAIM = 'custom:country';
/** Read back by `principalOf`: opens drops' early-access windows. Only the house sets the attribute. */
const TIER_CLAIM = 'custom:tier';

export type PreTokenHandler = (
  event: PreTokenGenerationV2TriggerEvent,
  context: Context,
) => Promise<PreTokenGenerationV2TriggerEvent>;

/**
 * Cognito's pre-token-generation trigger (V2_0 event). User sign-in grants no resource-server scopes,
 * so every access token gets `vitrine/customer`, staff-group members also `vitrine/staff`, and the
 * customer's country (which fixes their residency zone) travels as the `custom:country` claim and their
 * client tier, when the house set one, as `custom:tier`.
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
      // An unknown tier is left out rather than passed on: drops read a missing tier as `standard`.
      const tier = CustomerTier.safeParse(request.userAttributes?.[TIER_CLAIM]).data;
      const claims = {
        ...(country ? { [COUNTRY_CLAIM]: country } : {}),
        ...(tier ? { [TIER_CLAIM]: tier } : {}),
      };

      event.response.claimsAndScopeOverrideDetails = {
        ...overrides,
        accessTokenGeneration: {
          ...access,
          scopesToAdd: [...(access.scopesToAdd ?? []), ...wanted.filter((scope) => !present.has(scope))],
          ...(Object.keys(claims).length > 0
            ? { claimsToAddOrOverride: { ...access.claimsToAddOrOverride, ...claims } }
            : {}),
        },
      };
      return event;
    }) as unknown as PreTokenHandler;

export const handler = lambdaHandler(makeHandler);
