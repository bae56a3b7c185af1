import type { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseConfig } from '#lib/config/config.ts';
import { defineEvent } from '#lib/contracts/events.ts';
import { defineRoute } from '#lib/contracts/http.ts';
import { defineService } from '#lib/platform/manifest.ts';
import { CUSTOMER_SCOPE, STAFF_SCOPE } from '#stacks/constructs/zone-identity.ts';
import {
  cdkJsonContext,
  resourcesOf,
  type SynthesizedVitrine,
  synthesizeVitrine,
  templateRoutes,
} from './synth.ts';

// A service that uses every trigger the production manifests do not use yet. Its entries are real
// handlers: only the wiring is under test.
const OrderPlaced = defineEvent({
  source: 'vitrine.checkout',
  detailType: 'OrderPlaced',
  version: 1,
  data: z.strictObject({ orderId: z.string() }),
});
const OrderCancelled = defineEvent({
  source: 'vitrine.checkout',
  detailType: 'OrderCancelled',
  version: 1,
  data: z.strictObject({ orderId: z.string() }),
});
const enterDropRoute = defineRoute({
  method: 'POST',
  path: '/v1/drops/{dropId}/entries',
  operationId: 'enterDrop',
  summary: 'Enter a drop',
  tags: ['drops'],
  auth: 'customer',
  params: z.strictObject({ dropId: z.string() }),
  responses: { 202: { description: 'Entered' } },
});
const stripeWebhookRoute = defineRoute({
  method: 'POST',
  path: '/v1/webhooks/stripe',
  operationId: 'stripeWebhook',
  summary: 'Stripe events',
  tags: ['payments'],
  auth: 'signature',
  responses: { 200: { description: 'Received' } },
});
const fixtureService = defineService({
  name: 'fixture',
  functions: {
    notifyCustomer: {
      entry: 'functions/platform/outbox-relay.ts',
      description: 'Tells the customer about their order',
      timeoutSeconds: 20,
      subscriptions: [
        {
          events: [OrderPlaced, OrderCancelled],
          detail: { data: { channel: ['email'] } },
          batchSize: 5,
          maxReceiveCount: 3,
        },
      ],
      tables: { commerce: 'write' },
      publishes: true,
    },
    sweepHolds: {
      entry: 'functions/platform/outbox-relay.ts',
      description: 'Releases drop holds past their deadline',
      schedules: [{ expression: 'rate(1 minute)', description: 'Release expired holds' }],
      tables: { inventory: 'write' },
      reservedConcurrency: 2,
    },
    enterDrop: {
      entry: 'functions/catalog/get-product.ts',
      description: 'Enters a shopper in a drop',
      routes: [enterDropRoute],
      tables: { inventory: 'write', idempotency: 'write' },
      provisionedConcurrency: 5,
    },
    stripeWebhook: {
      entry: 'functions/catalog/get-product.ts',
      description: 'Verifies and records Stripe events',
      routes: [stripeWebhookRoute],
      tables: { commerce: 'write', idempotency: 'write' },
    },
  },
});

const base = cdkJsonContext().vitrine as Record<string, unknown>;
const STOREFRONTS = ['https://maison.example', 'https://boutique.maison.example'];
const config = parseConfig({
  ...base,
  primaryRegion: 'eu-west-1',
  zones: {
    eu: { regions: ['eu-west-1', 'eu-central-1'], countries: ['FR', 'DE'] },
    us: { regions: ['us-east-1'], countries: ['US'] },
  },
  api: { ...(base.api as object), corsOrigins: STOREFRONTS },
  auth: {
    domainPrefix: 'maison-login',
    callbackUrls: ['https://maison.example/auth/callback', 'http://localhost:5173/auth/callback'],
    logoutUrls: [],
  },
});

let vitrine: SynthesizedVitrine;
const api = (region: string) => vitrine.stacks.api.get(region) as Stack;
const stateful = (region: string) => vitrine.stacks.stateful.get(region) as Stack;

beforeAll(() => {
  vitrine = synthesizeVitrine({ config, services: [fixtureService] });
});

describe('Subscriptions', () => {
  it("route matching events from the regional bus to the subscriber's queue, with a dead-letter queue and retries", () => {
    const template = vitrine.template(stateful('eu-central-1'));
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: Match.anyValue(),
      EventPattern: {
        source: ['vitrine.checkout'],
        'detail-type': ['OrderPlaced', 'OrderCancelled'],
        detail: { data: { channel: ['email'] } },
      },
      Targets: [
        Match.objectLike({
          DeadLetterConfig: { Arn: Match.anyValue() },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
        }),
      ],
    });
  });

  it("keep each queue's visibility at six times its consumer's timeout and redrive after maxReceiveCount", () => {
    for (const region of ['eu-west-1', 'eu-central-1', 'us-east-1']) {
      const queues = resourcesOf(vitrine.template(stateful(region)), 'AWS::SQS::Queue');
      const subscription = Object.entries(queues).find(([id]) =>
        id.startsWith('FixtureNotifyCustomerSubscriptionQueue'),
      );
      expect(subscription?.[1].Properties).toMatchObject({
        VisibilityTimeout: 6 * 20,
        RedrivePolicy: {
          maxReceiveCount: 3,
          deadLetterTargetArn: { 'Fn::GetAtt': [expect.stringMatching(/DeadLetterQueue/), 'Arn'] },
        },
      });

      const consumerTimeout = Object.values(
        resourcesOf(vitrine.template(api(region)), 'AWS::Lambda::Function'),
      ).find((f) => (f.Properties.Description as string | undefined)?.startsWith('Tells the customer'))
        ?.Properties.Timeout as number;
      expect(subscription?.[1].Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * consumerTimeout);
    }
  });

  it('consume with partial batch failures', () => {
    vitrine.template(api('eu-west-1')).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: { 'Fn::ImportValue': Match.stringLikeRegexp('FixtureNotifyCustomerSubscriptionQueue') },
    });
  });
});

describe('Schedules', () => {
  it('invoke through EventBridge Scheduler with retries and a dead-letter queue, which also takes failed async runs', () => {
    const template = vitrine.template(api('us-east-1'));
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      Target: Match.objectLike({
        DeadLetterConfig: { Arn: Match.anyValue() },
        RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 3 }),
      }),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Releases drop holds past their deadline',
      ReservedConcurrentExecutions: 2,
      DeadLetterConfig: { TargetArn: Match.anyValue() },
    });
  });
});

describe('Routes', () => {
  it('require a customer or staff scope on customer routes and nothing on signature routes', () => {
    const routes = new Map(
      templateRoutes(vitrine.template(api('eu-west-1'))).map((r) => [r.route, r.properties]),
    );
    expect(routes.get('POST /v1/drops/{dropId}/entries')).toMatchObject({
      AuthorizationType: 'COGNITO_USER_POOLS',
      AuthorizationScopes: [CUSTOMER_SCOPE, STAFF_SCOPE],
      RequestParameters: { 'method.request.path.dropId': true },
    });
    expect(routes.get('POST /v1/webhooks/stripe')?.AuthorizationType).toBe('NONE');
  });

  it('invoke the provisioned alias when the manifest asks for provisioned concurrency', () => {
    const template = vitrine.template(api('eu-west-1'));
    const [aliasId] = Object.keys(
      template.findResources('AWS::Lambda::Alias', {
        Properties: { ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 5 } },
      }),
    );
    expect(aliasId).toBeDefined();
    const entry = templateRoutes(template).find((r) => r.route === 'POST /v1/drops/{dropId}/entries');
    expect(JSON.stringify(entry?.properties.Integration)).toContain(`"${aliasId}"`);
  });
});

describe('Zone tables', () => {
  it("point each zone's functions at their own replica and every other zone's home region", () => {
    const webhook = Object.values(
      resourcesOf(vitrine.template(api('eu-central-1')), 'AWS::Lambda::Function'),
    ).find((f) =>
      (f.Properties.Description as string | undefined)?.startsWith('Verifies and records Stripe'),
    );
    const environment = webhook?.Properties.Environment as { Variables: Record<string, unknown> } | undefined;
    const variables = environment?.Variables ?? {};
    const commerce = JSON.parse(variables.COMMERCE_TABLES as string);
    expect(commerce).toEqual({
      eu: { region: 'eu-central-1', tableName: expect.stringMatching(/ZoneDataEu-Commerce/) },
      us: { region: 'us-east-1', tableName: expect.stringMatching(/ZoneDataUs-Commerce/) },
    });
  });
});

describe('Hosted login', () => {
  it("names each zone's domain after the configured prefix and redirects only where configured", () => {
    for (const [zone, stack] of vitrine.stacks.zoneData) {
      const template = vitrine.template(stack);
      template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: `maison-login-${zone}` });
      for (const client of Object.values(resourcesOf(template, 'AWS::Cognito::UserPoolClient'))) {
        expect(client.Properties.CallbackURLs).toEqual(config.auth.callbackUrls);
        expect(client.Properties.LogoutURLs).toBeUndefined();
      }
    }
  });

  it('deploys no trigger function where no manifest declares one', () => {
    for (const stack of vitrine.stacks.zoneData.values()) {
      expect(stack.identity.triggers.size).toBe(0);
      vitrine.template(stack).resourceCountIs('AWS::Cognito::UserPool', 1);
      vitrine
        .template(stack)
        .hasResourceProperties('AWS::Cognito::UserPool', { LambdaConfig: Match.absent() });
    }
  });
});

describe('CORS with several storefront origins', () => {
  it('answers a preflight only for a listed origin', () => {
    const preflights = templateRoutes(vitrine.template(api('us-east-1'))).filter(({ route }) =>
      route.startsWith('OPTIONS '),
    );
    expect(preflights.length).toBeGreaterThan(0);
    const [first, ...others] = STOREFRONTS;
    for (const { properties } of preflights) {
      const [response] = (
        properties.Integration as {
          IntegrationResponses: {
            ResponseParameters: Record<string, string>;
            ResponseTemplates: Record<string, string>;
          }[];
        }
      ).IntegrationResponses;
      // The first origin is the static answer; the template swaps in the request's Origin if it is listed.
      expect(response?.ResponseParameters).toMatchObject({
        'method.response.header.Access-Control-Allow-Origin': `'${first}'`,
        'method.response.header.Vary': "'Origin'",
      });
      const template = response?.ResponseTemplates['application/json'] ?? '';
      for (const origin of others) expect(template).toContain(`$origin == "${origin}"`);
    }
  });

  it("lets every listed storefront read API Gateway's own errors", () => {
    for (const response of Object.values(
      resourcesOf(vitrine.template(api('eu-central-1')), 'AWS::ApiGateway::GatewayResponse'),
    )) {
      expect(response.Properties.ResponseParameters).toMatchObject({
        'gatewayresponse.header.Access-Control-Allow-Origin': 'method.request.header.Origin',
        'gatewayresponse.header.Vary': "'Origin'",
      });
    }
  });
});
