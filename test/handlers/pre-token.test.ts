import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../functions/platform/pre-token.ts';
import { lambdaContext } from '../../lib/runtime/local/lambda-context.ts';

interface EventOptions {
  groups?: string[];
  attributes?: Record<string, string>;
  scopes?: string[];
  response?: PreTokenGenerationV2TriggerEvent['response'];
}

/** A pre-token-generation event as Cognito sends it with the V2_0 trigger version. */
function preTokenEvent(options: EventOptions = {}): PreTokenGenerationV2TriggerEvent {
  return {
    version: '2',
    region: 'eu-west-1',
    userPoolId: 'eu-west-1_Example',
    triggerSource: 'TokenGeneration_Authentication',
    userName: 'b1c2d3e4',
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'storefront-client' },
    request: {
      userAttributes: { sub: 'b1c2d3e4', email: 'client@example.com', ...options.attributes },
      groupConfiguration: { groupsToOverride: options.groups ?? [], iamRolesToOverride: [] },
      scopes: options.scopes ?? ['openid', 'email', 'aws.cognito.signin.user.admin'],
    },
    response: options.response ?? { claimsAndScopeOverrideDetails: {} },
  };
}

async function generate(options: EventOptions = {}) {
  const result = await makeHandler()(preTokenEvent(options), lambdaContext('pre-token', 5));
  return result.response.claimsAndScopeOverrideDetails.accessTokenGeneration;
}

describe('Pre-token generation', () => {
  it('gives a shopper the customer scope only', async () => {
    const access = await generate({ groups: [] });
    expect(access?.scopesToAdd).toEqual(['vitrine/customer']);
  });

  it('gives a member of the staff group the customer and staff scopes', async () => {
    const access = await generate({ groups: ['vip-desk', 'staff'] });
    expect(access?.scopesToAdd).toEqual(['vitrine/customer', 'vitrine/staff']);
  });

  it('treats a missing group configuration as no group', async () => {
    const event = preTokenEvent();
    (event.request as { groupConfiguration?: unknown }).groupConfiguration = undefined;
    const result = await makeHandler()(event, lambdaContext('pre-token', 5));
    expect(result.response.claimsAndScopeOverrideDetails.accessTokenGeneration?.scopesToAdd).toEqual([
      'vitrine/customer',
    ]);
  });

  it("copies the customer's country into the access token claims", async () => {
    const access = await generate({ attributes: { 'custom:country': 'FR' } });
    expect(access?.claimsToAddOrOverride).toEqual({ 'custom:country': 'FR' });
  });

  it('copies the client tier the house set, and drops a tier drops do not know', async () => {
    const gold = await generate({ attributes: { 'custom:country': 'FR', 'custom:tier': 'gold' } });
    expect(gold?.claimsToAddOrOverride).toEqual({ 'custom:country': 'FR', 'custom:tier': 'gold' });
    const forged = await generate({ attributes: { 'custom:country': 'FR', 'custom:tier': 'emperor' } });
    expect(forged?.claimsToAddOrOverride).toEqual({ 'custom:country': 'FR' });
  });

  it('adds no country claim when the user has none', async () => {
    const access = await generate();
    expect(access?.claimsToAddOrOverride).toBeUndefined();
  });

  it('adds no scope the token already carries, and keeps the scopes it has', async () => {
    // The back-office client asked for both scopes through the hosted login.
    const event = preTokenEvent({
      groups: ['staff'],
      scopes: ['openid', 'vitrine/customer', 'vitrine/staff'],
    });
    const result = await makeHandler()(event, lambdaContext('pre-token', 5));
    const access = result.response.claimsAndScopeOverrideDetails.accessTokenGeneration;
    expect(access?.scopesToAdd).toEqual([]);
    expect(access?.scopesToSuppress).toBeUndefined();
    expect(result.request.scopes).toEqual(['openid', 'vitrine/customer', 'vitrine/staff']);
  });

  it('keeps overrides already in the response and does not repeat a scope they add', async () => {
    const access = await generate({
      groups: ['staff'],
      attributes: { 'custom:country': 'JP' },
      response: {
        claimsAndScopeOverrideDetails: {
          idTokenGeneration: { claimsToSuppress: ['email'] },
          accessTokenGeneration: {
            scopesToAdd: ['vitrine/customer', 'partner/read'],
            claimsToAddOrOverride: { tier: 'vip' },
          },
        },
      },
    });
    expect(access).toEqual({
      scopesToAdd: ['vitrine/customer', 'partner/read', 'vitrine/staff'],
      claimsToAddOrOverride: { tier: 'vip', 'custom:country': 'JP' },
    });
  });

  it('leaves the id token alone', async () => {
    const event = preTokenEvent({ groups: ['staff'], attributes: { 'custom:country': 'US' } });
    const result = await makeHandler()(event, lambdaContext('pre-token', 5));
    expect(result.response.claimsAndScopeOverrideDetails.idTokenGeneration).toBeUndefined();
  });
});
