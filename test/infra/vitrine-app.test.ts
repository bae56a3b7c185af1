import { type CfnResource, Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { beforeAll, describe, expect, it } from 'vitest';
import { allRegions } from '#lib/config/config.ts';
import { bundleBuildCounts } from '#lib/platform/function-bundles.ts';
import { TABLES } from '#lib/platform/tables.ts';
import { type ApiStack, CORS_ALLOW_HEADERS } from '#stacks/api-stack.ts';
import {
  SEARCH_SETUP_DEFINITION,
  SEARCH_SETUP_RESOURCE_TYPE,
  type SearchSetup,
} from '#stacks/constructs/search-setup.ts';
import {
  API_INTEGRATION_TIMEOUT_SECONDS,
  NODE_RUNTIME,
  SEARCH_INDEX,
} from '#stacks/constructs/vitrine-function.ts';
import { CUSTOMER_SCOPE, STAFF_SCOPE } from '#stacks/constructs/zone-identity.ts';
import { deployedFunctions, identityTriggers, regionalFunctions } from '#stacks/naming.ts';
import type { RegionalStatefulStack } from '#stacks/regional-stateful-stack.ts';
import {
  apiResourcePaths,
  deployableRoutes,
  type Resources,
  resourcesOf,
  type SynthesizedVitrine,
  synthesizeVitrine,
  templateRoutes,
} from './synth.ts';

interface PolicyStatement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

let vitrine: SynthesizedVitrine;
beforeAll(() => {
  vitrine = synthesizeVitrine();
});

function globalTables(): Resources {
  return resourcesOf(vitrine.template(vitrine.stacks.globalData), 'AWS::DynamoDB::GlobalTable');
}

function replicaRegions(table: Resources[string]): string[] {
  return (table.Properties.Replicas as { Region: string }[]).map((r) => r.Region).sort();
}

describe('Stacks', () => {
  it('writes a stateful and an API stack for every configured region, each pinned to its region', () => {
    const regions = allRegions(vitrine.config).sort();
    expect([...vitrine.stacks.stateful.values()].map((s) => s.region).sort()).toEqual(regions);
    expect([...vitrine.stacks.api.values()].map((s) => s.region).sort()).toEqual(regions);
    expect(vitrine.stacks.globalData.region).toBe(vitrine.config.primaryRegion);
    for (const [zone, stack] of vitrine.stacks.zoneData) {
      expect(stack.region).toBe(vitrine.config.zones[zone]?.regions[0]);
    }
  });
});

describe('GlobalDataStack', () => {
  it('replicates the catalog and inventory tables to every configured region', () => {
    const tables = Object.values(globalTables());
    expect(tables).toHaveLength(2);
    for (const table of tables) {
      expect(replicaRegions(table)).toEqual(allRegions(vitrine.config).sort());
    }
  });

  it('builds each table from its definition, with recovery, deletion protection and streams on every replica', () => {
    const template = vitrine.template(vitrine.stacks.globalData);
    for (const name of ['catalog', 'inventory'] as const) {
      const definition = TABLES[name];
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        TableName: vitrine.stacks.globalData.tableNames[name],
        KeySchema: [
          { AttributeName: definition.partitionKey, KeyType: 'HASH' },
          { AttributeName: definition.sortKey, KeyType: 'RANGE' },
        ],
        StreamSpecification: { StreamViewType: definition.stream },
        TimeToLiveSpecification: { AttributeName: definition.timeToLiveAttribute, Enabled: true },
        GlobalSecondaryIndexes: definition.indexes.map((index) =>
          Match.objectLike({ IndexName: index.name }),
        ),
      });
    }
    for (const table of Object.values(globalTables())) {
      for (const replica of table.Properties.Replicas as Record<string, unknown>[]) {
        expect(replica).toMatchObject({
          DeletionProtectionEnabled: true,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        });
      }
    }
    template.allResources('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });
});

describe('ZoneDataStack', () => {
  it("keeps each zone's personal-data tables in the zone's regions only", () => {
    for (const [zone, stack] of vitrine.stacks.zoneData) {
      const tables = Object.values(resourcesOf(vitrine.template(stack), 'AWS::DynamoDB::GlobalTable'));
      expect(tables).toHaveLength(2);
      for (const table of tables) {
        expect(replicaRegions(table)).toEqual([...(vitrine.config.zones[zone]?.regions ?? [])].sort());
      }
    }
  });

  it('encrypts every replica with a customer-managed key and protects it like the global tables', () => {
    for (const stack of vitrine.stacks.zoneData.values()) {
      const tables = Object.values(resourcesOf(vitrine.template(stack), 'AWS::DynamoDB::GlobalTable'));
      for (const table of tables) {
        expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
        const name = (table.Properties.TableName as string).includes('-Commerce-')
          ? 'commerce'
          : 'idempotency';
        const declared = (TABLES[name] as { stream?: string }).stream;
        // A declared stream is kept; replication needs one anyway once a zone has a second region.
        if (declared) expect(table.Properties.StreamSpecification).toEqual({ StreamViewType: declared });
        if (replicaRegions(table).length > 1) expect(table.Properties.StreamSpecification).toBeDefined();
        for (const replica of table.Properties.Replicas as Record<string, unknown>[]) {
          expect(replica).toMatchObject({
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            SSESpecification: { KMSMasterKeyId: expect.anything() },
          });
        }
      }
    }
  });

  it('gives each zone a user pool whose resource server carries the customer and staff scopes', () => {
    for (const stack of vitrine.stacks.zoneData.values()) {
      const template = vitrine.template(stack);
      template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
        Identifier: 'vitrine',
        Scopes: Match.arrayWith([
          Match.objectLike({ ScopeName: 'customer' }),
          Match.objectLike({ ScopeName: 'staff' }),
        ]),
      });
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        DeletionProtection: 'ACTIVE',
        UserPoolTier: 'PLUS',
        Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12 }) },
      });
    }
  });

  it('keeps the client tier, which opens early access to drops, out of every app client’s reach', () => {
    for (const stack of vitrine.stacks.zoneData.values()) {
      const template = vitrine.template(stack);
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        Schema: Match.arrayWith([Match.objectLike({ Name: 'tier', Mutable: true })]),
      });
      const clients = Object.values(resourcesOf(template, 'AWS::Cognito::UserPoolClient'));
      expect(clients.length).toBeGreaterThanOrEqual(2);
      for (const client of clients) {
        const writable = client.Properties.WriteAttributes as string[];
        expect(writable).toContain('custom:country');
        expect(writable).toContain('email');
        expect(writable).not.toContain('custom:tier');
      }
    }
  });
});

describe('ZoneIdentity', () => {
  // Functions we define run on arm64; CDK's own custom-resource handlers (cross-region exports) do not.
  const functionsOf = (template: ReturnType<SynthesizedVitrine['template']>) =>
    Object.entries(resourcesOf(template, 'AWS::Lambda::Function')).filter(([, fn]) =>
      (fn.Properties.Architectures as string[] | undefined)?.includes('arm64'),
    );

  it("runs the pre-token trigger (V2_0 event) beside every zone's pool, invocable by that pool only", () => {
    const [trigger] = identityTriggers(vitrine.services);
    expect(trigger?.definition.cognitoTrigger).toBe('preTokenGeneration');
    for (const stack of vitrine.stacks.zoneData.values()) {
      const template = vitrine.template(stack);
      const functions = functionsOf(template);
      expect(functions).toHaveLength(1);
      const [functionId, fn] = functions[0] as [string, Resources[string]];
      expect(fn.Properties).toMatchObject({
        Runtime: NODE_RUNTIME.name,
        Architectures: ['arm64'],
        Timeout: 5,
        TracingConfig: { Mode: 'Active' },
      });
      const [poolId] = Object.keys(resourcesOf(template, 'AWS::Cognito::UserPool'));
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        LambdaConfig: {
          PreTokenGenerationConfig: {
            LambdaArn: { 'Fn::GetAtt': [functionId, 'Arn'] },
            LambdaVersion: 'V2_0',
          },
        },
      });
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
        Principal: 'cognito-idp.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [poolId, 'Arn'] },
      });
      template.resourceCountIs('AWS::Lambda::Permission', 1);
    }
  });

  it('lets the trigger write its own logs and traces, and nothing else', () => {
    for (const stack of vitrine.stacks.zoneData.values()) {
      const template = vitrine.template(stack);
      const [[, fn]] = functionsOf(template) as [[string, Resources[string]]];
      const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const role = resourcesOf(template, 'AWS::IAM::Role')[roleId];
      expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role?.Properties.Policies).toBeUndefined();
      const actions = Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
        .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
        .flatMap(
          (p) => (p.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement,
        )
        .flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]));
      expect([...new Set(actions)].sort()).toEqual([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]);
    }
  });

  it('alarms on trigger errors, since a failing trigger fails every sign-in', () => {
    for (const stack of vitrine.stacks.zoneData.values()) {
      const alarms = Object.values(resourcesOf(vitrine.template(stack), 'AWS::CloudWatch::Alarm'));
      expect(alarms.map((a) => a.Properties.MetricName)).toEqual(['Errors']);
      expect(alarms[0]?.Properties.AlarmActions).toHaveLength(1);
    }
  });

  it('serves the hosted login on a per-account domain and redirects only to the configured URLs', () => {
    for (const [zone, stack] of vitrine.stacks.zoneData) {
      const template = vitrine.template(stack);
      template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
        Domain: { 'Fn::Join': ['', [`${vitrine.config.appName}-${zone}-`, { Ref: 'AWS::AccountId' }]] },
      });
      const clients = Object.values(resourcesOf(template, 'AWS::Cognito::UserPoolClient'));
      expect(clients).toHaveLength(2);
      for (const client of clients) {
        expect(client.Properties.CallbackURLs).toEqual(vitrine.config.auth.callbackUrls);
        expect(client.Properties.LogoutURLs).toEqual(vitrine.config.auth.logoutUrls);
        expect(JSON.stringify(client.Properties)).not.toContain('example.com');
      }
    }
  });
});

describe('RegionalStatefulStack', () => {
  it('rotates its customer-managed key and archives its event bus', () => {
    for (const stack of vitrine.stacks.stateful.values()) {
      const template = vitrine.template(stack);
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      template.resourceCountIs('AWS::Events::EventBus', 1);
      template.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 30 });
    }
  });

  it('runs an encrypted, HTTPS-only search domain with fine-grained access control and slow logs', () => {
    for (const stack of vitrine.stacks.stateful.values()) {
      vitrine.template(stack).hasResourceProperties('AWS::OpenSearchService::Domain', {
        EncryptionAtRestOptions: { Enabled: true },
        NodeToNodeEncryptionOptions: { Enabled: true },
        DomainEndpointOptions: { EnforceHTTPS: true, TLSSecurityPolicy: Match.stringLikeRegexp('TLS-1-2') },
        AdvancedSecurityOptions: Match.objectLike({ Enabled: true, InternalUserDatabaseEnabled: false }),
        LogPublishingOptions: {
          SEARCH_SLOW_LOGS: Match.objectLike({ Enabled: true }),
          INDEX_SLOW_LOGS: Match.objectLike({ Enabled: true }),
          ES_APPLICATION_LOGS: Match.objectLike({ Enabled: true }),
          AUDIT_LOGS: Match.objectLike({ Enabled: true }),
        },
      });
    }
  });

  it('encrypts every queue with the customer-managed key, and every queue either has a dead-letter queue or is one', () => {
    for (const [region, stack] of vitrine.stacks.stateful) {
      const template = vitrine.template(stack);
      const queues = resourcesOf(template, 'AWS::SQS::Queue');
      expect(Object.keys(queues).length).toBeGreaterThan(0);
      const apiTemplate = JSON.stringify(vitrine.template(vitrine.stacks.api.get(region) as Stack).toJSON());
      const outputs =
        (template.toJSON() as { Outputs?: Record<string, { Value: unknown; Export: { Name: string } }> })
          .Outputs ?? {};
      const redriveTargets = JSON.stringify(
        Object.values(queues).map((q) => q.Properties.RedrivePolicy ?? null),
      );
      for (const [logicalId, queue] of Object.entries(queues)) {
        expect(queue.Properties.KmsMasterKeyId).toEqual({
          'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'],
        });
        if (queue.Properties.RedrivePolicy) continue;
        // A dead-letter queue: the target of another queue's redrive, or of a failure destination in the API stack.
        const exported = Object.values(outputs)
          .filter((o) => JSON.stringify(o.Value).includes(`"${logicalId}"`))
          .map((o) => o.Export.Name);
        const isRedriveTarget = redriveTargets.includes(`"${logicalId}"`);
        const isFailureDestination = exported.some((name) => apiTemplate.includes(name));
        expect(isRedriveTarget || isFailureDestination, `${region} ${logicalId}`).toBe(true);
      }
    }
  });
});

describe('ApiStack', () => {
  const eachFunction = (visit: (fn: Resources[string], stack: Stack, logicalId: string) => void) => {
    for (const stack of vitrine.stacks.api.values()) {
      for (const [logicalId, fn] of Object.entries(
        resourcesOf(vitrine.template(stack), 'AWS::Lambda::Function'),
      )) {
        // Functions we define run on arm64; CDK's own custom-resource handlers do not.
        if ((fn.Properties.Architectures as string[] | undefined)?.includes('arm64'))
          visit(fn, stack, logicalId);
      }
    }
  };

  it('runs every manifest function and the search setup on arm64 and the newest Node runtime, traced, logging to a retained log group', () => {
    let count = 0;
    eachFunction((fn, stack) => {
      count++;
      expect(fn.Properties).toMatchObject({
        Runtime: NODE_RUNTIME.name,
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        MemorySize: expect.any(Number),
        LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
        Environment: { Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps' }) },
      });
      const logGroupId = (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      const logGroup = vitrine.template(stack).toJSON().Resources[logGroupId];
      expect(logGroup.Properties.RetentionInDays).toBe(vitrine.config.logRetentionDays);
    });
    // Each API stack also runs the search setup handler through the shared construct.
    expect(count).toBe((regionalFunctions(vitrine.services).length + 1) * vitrine.stacks.api.size);
  });

  it('keeps every HTTP function below the API Gateway integration timeout', () => {
    for (const stack of vitrine.stacks.api.values()) {
      const template = vitrine.template(stack);
      const functions = resourcesOf(template, 'AWS::Lambda::Function');
      // Preflights are answered by API Gateway itself (a mock integration, asserted below).
      const proxied = templateRoutes(template).filter(({ route }) => !route.startsWith('OPTIONS '));
      const integrated = proxied.map(({ properties }) => {
        const uri = JSON.stringify((properties.Integration as { Uri: unknown }).Uri);
        return Object.keys(functions).find((id) => uri.includes(`"${id}"`));
      });
      expect(integrated.every(Boolean)).toBe(true);
      for (const id of new Set(integrated)) {
        expect(functions[id as string]?.Properties.Timeout).toBeLessThan(API_INTEGRATION_TIMEOUT_SECONDS);
      }
    }
  });

  it("serves exactly the manifests' deployable routes, and no local-only route", () => {
    const expected = deployableRoutes(vitrine.services);
    expect(expected).not.toContain('POST /v1/dev/token');
    expect(expected.some((route) => route.startsWith('OPTIONS '))).toBe(false);
    for (const stack of vitrine.stacks.api.values()) {
      const routes = templateRoutes(vitrine.template(stack)).map((r) => r.route);
      expect(routes.filter((route) => !route.startsWith('OPTIONS ')).sort()).toEqual(expected);
    }
  });

  it('answers the CORS preflight on every resource itself, for the configured origins only', () => {
    const methods = [...new Set(deployableRoutes(vitrine.services).map((r) => r.split(' ')[0]))].sort();
    for (const stack of vitrine.stacks.api.values()) {
      const template = vitrine.template(stack);
      const preflights = templateRoutes(template).filter(({ route }) => route.startsWith('OPTIONS '));
      // Exactly one preflight per resource, the root included: none missing, none extra.
      expect(preflights.map(({ route }) => route.slice('OPTIONS '.length)).sort()).toEqual(
        apiResourcePaths(template).sort(),
      );
      for (const { route, properties } of preflights) {
        expect(properties.AuthorizationType, route).toBe('NONE');
        const integration = properties.Integration as {
          Type: string;
          IntegrationResponses: { StatusCode: string; ResponseParameters: Record<string, string> }[];
        };
        expect(integration.Type).toBe('MOCK');
        const [response] = integration.IntegrationResponses;
        expect(response?.StatusCode).toBe('204');
        expect(response?.ResponseParameters).toMatchObject({
          'method.response.header.Access-Control-Allow-Headers': `'${CORS_ALLOW_HEADERS.join(',')}'`,
          'method.response.header.Access-Control-Allow-Methods': `'${methods.join(',')}'`,
          'method.response.header.Access-Control-Allow-Origin': `'${vitrine.config.api.corsOrigins[0]}'`,
          'method.response.header.Access-Control-Max-Age': `'${2 * 60 * 60}'`,
        });
      }
    }
  });

  it('requires the staff scope on staff routes, a scope on customer routes, and no authorizer elsewhere', () => {
    const auth = new Map(
      vitrine.services
        .flatMap((s) => Object.values(s.functions))
        .flatMap((f) => f.routes ?? [])
        .map((r) => [`${r.method} ${r.path}`, r.auth]),
    );
    expect([...auth.values()]).toContain('staff');
    for (const stack of vitrine.stacks.api.values()) {
      for (const { route, properties } of templateRoutes(vitrine.template(stack))) {
        if (route.startsWith('OPTIONS ')) {
          // Browsers send no credentials on a preflight.
          expect(properties.AuthorizationType, route).toBe('NONE');
          continue;
        }
        switch (auth.get(route)) {
          case 'staff':
            expect(properties).toMatchObject({
              AuthorizationType: 'COGNITO_USER_POOLS',
              AuthorizationScopes: [STAFF_SCOPE],
            });
            break;
          case 'customer':
            expect(properties).toMatchObject({
              AuthorizationType: 'COGNITO_USER_POOLS',
              AuthorizationScopes: [CUSTOMER_SCOPE, STAFF_SCOPE],
            });
            break;
          default:
            expect(properties.AuthorizationType).toBe('NONE');
        }
      }
      const [authorizer] = Object.values(resourcesOf(vitrine.template(stack), 'AWS::ApiGateway::Authorizer'));
      // Every zone's user pool: a shopper may reach any region's API.
      expect(authorizer?.Properties.Type).toBe('COGNITO_USER_POOLS');
      expect(authorizer?.Properties.ProviderARNs).toHaveLength(vitrine.stacks.zoneData.size);
    }
  });

  it('puts a regional web ACL with rate-based rules in front of the stage', () => {
    for (const stack of vitrine.stacks.api.values()) {
      const template = vitrine.template(stack);
      template.hasResourceProperties('AWS::WAFv2::WebACL', {
        Scope: 'REGIONAL',
        Rules: Match.arrayWith([
          Match.objectLike({
            Name: 'RateLimitPerIp',
            Action: { Block: Match.objectLike({ CustomResponse: Match.objectLike({ ResponseCode: 429 }) }) },
            Statement: {
              RateBasedStatement: {
                AggregateKeyType: 'IP',
                Limit: vitrine.config.api.wafRateLimitPer5Min,
                EvaluationWindowSec: 300,
              },
            },
          }),
          Match.objectLike({
            Name: 'RateLimitPerTokenAndIp',
            Statement: { RateBasedStatement: Match.objectLike({ AggregateKeyType: 'CUSTOM_KEYS' }) },
          }),
          Match.objectLike({ Name: 'AWSManagedRulesCommonRuleSet' }),
        ]),
      });
      const [acl] = Object.keys(resourcesOf(template, 'AWS::WAFv2::WebACL'));
      const [stage] = Object.keys(resourcesOf(template, 'AWS::ApiGateway::Stage'));
      template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
        WebACLArn: { 'Fn::GetAtt': [acl, 'Arn'] },
        ResourceArn: { 'Fn::Join': ['', Match.arrayWith([{ Ref: stage }])] },
      });
    }
  });

  it('logs access as JSON, throttles the stage from config and traces it', () => {
    for (const stack of vitrine.stacks.api.values()) {
      const [stage] = Object.values(resourcesOf(vitrine.template(stack), 'AWS::ApiGateway::Stage'));
      const props = stage?.Properties as {
        AccessLogSetting: { Format: string };
        MethodSettings: Record<string, unknown>[];
        TracingEnabled: boolean;
      };
      expect(JSON.parse(props.AccessLogSetting.Format)).toMatchObject({
        requestId: '$context.requestId',
        status: '$context.status',
      });
      expect(props.TracingEnabled).toBe(true);
      expect(props.MethodSettings).toContainEqual(
        expect.objectContaining({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: vitrine.config.api.throttlingRateLimit,
          ThrottlingBurstLimit: vitrine.config.api.throttlingBurstLimit,
          DataTraceEnabled: false,
        }),
      );
    }
  });

  it("answers API Gateway's own 4xx and 5xx with the error envelope, readable by the storefront origin", () => {
    for (const stack of vitrine.stacks.api.values()) {
      const responses = resourcesOf(vitrine.template(stack), 'AWS::ApiGateway::GatewayResponse');
      const types = Object.values(responses).map((r) => r.Properties.ResponseType);
      expect(types.sort()).toEqual(['DEFAULT_4XX', 'DEFAULT_5XX']);
      for (const response of Object.values(responses)) {
        expect(response.Properties.ResponseParameters).toMatchObject({
          'gatewayresponse.header.Access-Control-Allow-Origin': `'${vitrine.config.api.corsOrigins[0]}'`,
        });
        const template =
          (response.Properties.ResponseTemplates as Record<string, string>)['application/json'] ?? '';
        const rendered = template.replace('$context.error.messageString', '"a message"');
        expect(JSON.parse(rendered)).toEqual({
          error: {
            code: '$context.error.responseType',
            message: 'a message',
            requestId: '$context.requestId',
          },
        });
      }
    }
  });

  it("feeds stream consumers from this region's replica, filtered, with partial failures and an on-failure queue", () => {
    for (const [region, stack] of vitrine.stacks.api) {
      const template = vitrine.template(stack);
      const all = Object.values(resourcesOf(template, 'AWS::Lambda::EventSourceMapping'));
      // Queue subscriptions (SQS) report partial failures too; only stream mappings have a start position.
      for (const queue of all.filter((m) => m.Properties.StartingPosition === undefined)) {
        expect(queue.Properties).toMatchObject({ FunctionResponseTypes: ['ReportBatchItemFailures'] });
      }
      const mappings = all.filter((m) => m.Properties.StartingPosition !== undefined);
      expect(mappings.length).toBeGreaterThan(0);
      for (const mapping of mappings) {
        expect(mapping.Properties).toMatchObject({
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          BisectBatchOnFunctionError: true,
          DestinationConfig: { OnFailure: { Destination: expect.anything() } },
          FilterCriteria: { Filters: [{ Pattern: expect.any(String) }] },
        });
      }
      // The outbox relay reads its own region's writes only.
      const relayFilters = mappings
        .map((m) =>
          JSON.parse(
            (m.Properties.FilterCriteria as { Filters: { Pattern: string }[] }).Filters[0]?.Pattern ?? '{}',
          ),
        )
        .filter((p) => JSON.stringify(p).includes('OUTBOX#'));
      expect(relayFilters).toHaveLength(3);
      for (const pattern of relayFilters) {
        expect(pattern.dynamodb.NewImage.originRegion).toEqual({ S: [region] });
      }
      // Each stream ARN is read in this region from the replica's table description.
      template.hasResourceProperties('Custom::AWS', {
        Create: Match.stringLikeRegexp(`"action":"describeTable".*"region":"${region}"`),
      });
    }
  });

  it('grants each function only what its manifest declares', () => {
    const stack = vitrine.stacks.api.get(vitrine.config.primaryRegion) as Stack;
    const template = vitrine.template(stack);
    const policies = Object.entries(resourcesOf(template, 'AWS::IAM::Policy'));
    const actionsOf = (prefix: string) =>
      policies
        .filter(([id]) => id.startsWith(prefix))
        .flatMap(
          ([, p]) =>
            (p.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement,
        )
        .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actionsOf('CatalogGetProduct')).toContain('dynamodb:GetItem');
    expect(actionsOf('CatalogGetProduct')).not.toContain('dynamodb:PutItem');
    expect(actionsOf('CatalogGetProduct')).not.toContain('events:PutEvents');
    expect(actionsOf('CatalogUpsertProduct')).toContain('dynamodb:PutItem');
    expect(actionsOf('CatalogSearchProducts')).toContain('es:ESHttpGet');
    expect(actionsOf('CatalogSearchProducts')).not.toContain('es:ESHttpPut');
    expect(actionsOf('CatalogSearchIndexer')).toContain('es:ESHttpPut');
    expect(actionsOf('PlatformOutboxRelay')).toContain('events:PutEvents');
    expect(actionsOf('PlatformOutboxRelay')).not.toContain('dynamodb:PutItem');
  });

  it("lets stock- and drop-writing functions write every region's inventory replica and names the regions; readers only their own", () => {
    const regions = allRegions(vitrine.config);
    const inventoryTable = vitrine.stacks.globalData.tableNames.inventory;
    for (const region of regions) {
      const template = vitrine.template(vitrine.stacks.api.get(region) as Stack);
      const functions = Object.entries(resourcesOf(template, 'AWS::Lambda::Function'));
      const envOf = (prefix: string) =>
        functions.find(([id]) => id.startsWith(prefix))?.[1].Properties.Environment as
          | { Variables: Record<string, unknown> }
          | undefined;
      // Checkout reserves stock; the drop functions (and the webhook, which frees drop holds) write drops,
      // which go to their home region like stock pools.
      const writers = ['CheckoutCheckouts', 'CheckoutStripeWebhook', 'DropsDrops', 'DropsDropScheduler'];
      for (const writer of writers) {
        const homeRegions = String(envOf(writer)?.Variables.STOCK_HOME_REGIONS);
        // The local replica first (reads), then every other region a pool may call home.
        expect(homeRegions.split(','), writer).toEqual([region, ...regions.filter((r) => r !== region)]);
      }
      expect(envOf('InventoryAvailability')?.Variables.STOCK_HOME_REGIONS).toBeUndefined();

      const granted = (prefix: string) =>
        JSON.stringify(
          Object.entries(resourcesOf(template, 'AWS::IAM::Policy'))
            .filter(([id]) => id.startsWith(prefix))
            .map(([, p]) => p.Properties.PolicyDocument),
        );
      for (const other of regions) {
        const replica = `:dynamodb:${other}:`;
        for (const writer of writers) {
          const grants = granted(writer);
          expect(grants, writer).toContain(replica);
          expect(grants, writer).toContain(`table/${inventoryTable}`);
        }
        if (other !== region) expect(granted('InventoryAvailability')).not.toContain(replica);
      }
    }
  });

  it('gives every service a dashboard and alarms on function errors, dead-letter queues and API 5xx', () => {
    for (const stack of vitrine.stacks.api.values()) {
      const template = vitrine.template(stack);
      const services = new Set(regionalFunctions(vitrine.services).map((f) => f.service));
      template.resourceCountIs('AWS::CloudWatch::Dashboard', services.size);
      const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map(
        (a) => a.Properties ?? {},
      );
      expect(alarms.some((a) => a.MetricName === 'Errors')).toBe(true);
      expect(alarms.some((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible')).toBe(true);
      expect(alarms.some((a) => JSON.stringify(a.Metrics ?? '').includes('5XXError'))).toBe(true);
      expect(alarms.every((a) => (a.AlarmActions as unknown[] | undefined)?.length === 1)).toBe(true);
    }
  });
});

describe('SearchSetup', () => {
  /** The logical id of a function's role in its API stack. */
  const roleId = (stack: ApiStack, id: string) =>
    stack.getLogicalId(stack.functions.get(id)?.role.node.defaultChild as iam.CfnRole);
  const searchFunctions = (access: 'read' | 'write') =>
    regionalFunctions(vitrine.services)
      .filter((fn) => fn.definition.search === access)
      .map((fn) => fn.id);

  /** How the API stack names the region's master role: the import of the stateful stack's export of its ARN. */
  function importedAdminRole(region: string): { 'Fn::ImportValue': string } {
    const stateful = vitrine.stacks.stateful.get(region) as RegionalStatefulStack;
    const adminRoleId = stateful.getLogicalId(stateful.search.adminRole.node.defaultChild as iam.CfnRole);
    const outputs = vitrine.template(stateful).toJSON().Outputs as Record<
      string,
      { Value: unknown; Export: { Name: string } }
    >;
    const output = Object.values(outputs).find(
      (o) => JSON.stringify(o.Value) === JSON.stringify({ 'Fn::GetAtt': [adminRoleId, 'Arn'] }),
    );
    expect(output, `${region} exports its admin role ARN`).toBeDefined();
    return { 'Fn::ImportValue': output?.Export.Name as string };
  }

  /** Every statement of every policy attached to a role, whichever stack holds the policy. */
  function statementsOf(template: Template, roleReference: string): PolicyStatement[] {
    return Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleReference))
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: PolicyStatement[] }).Statement);
  }

  it("maps each region's search functions to read and the indexer to write, by role ARN", () => {
    expect(searchFunctions('read').length).toBeGreaterThan(0);
    expect(searchFunctions('write').length).toBeGreaterThan(0);
    for (const stack of vitrine.stacks.api.values()) {
      const template = vitrine.template(stack);
      template.resourceCountIs(SEARCH_SETUP_RESOURCE_TYPE, 1);
      template.hasResourceProperties(SEARCH_SETUP_RESOURCE_TYPE, {
        Index: SEARCH_INDEX,
        ReadRoleArns: searchFunctions('read').map((id) => ({ 'Fn::GetAtt': [roleId(stack, id), 'Arn'] })),
        WriteRoleArns: searchFunctions('write').map((id) => ({ 'Fn::GetAtt': [roleId(stack, id), 'Arn'] })),
        // The asset hash: a new role or template definition in the handler reaches the domain as an Update.
        CodeVersion: Match.stringLikeRegexp('^[0-9a-f]{64}$'),
        ServiceToken: {
          'Fn::GetAtt': [Match.stringLikeRegexp('^SearchSetupProviderframeworkonEvent'), 'Arn'],
        },
      });
    }
  });

  it("runs the setup handler as the region's fine-grained access control master role", () => {
    for (const [region, stack] of vitrine.stacks.api) {
      const stateful = vitrine.stacks.stateful.get(region) as RegionalStatefulStack;
      const adminRoleId = stateful.getLogicalId(stateful.search.adminRole.node.defaultChild as iam.CfnRole);
      vitrine.template(stateful).hasResourceProperties('AWS::OpenSearchService::Domain', {
        AdvancedSecurityOptions: Match.objectLike({
          MasterUserOptions: { MasterUserARN: { 'Fn::GetAtt': [adminRoleId, 'Arn'] } },
        }),
      });
      const handler = stack.searchSetup?.handler.function as lambda.Function;
      const handlerResource = vitrine.template(stack).toJSON().Resources[
        stack.getLogicalId(handler.node.defaultChild as lambda.CfnFunction)
      ];
      expect(handlerResource.Properties.Role).toEqual(importedAdminRole(region));
      expect(handlerResource.Properties.Environment.Variables.SEARCH_ENDPOINT).toBeDefined();
    }
  });

  it("lets the setup's role call only its own domain over HTTPS, write its logs and send traces", () => {
    for (const [region, stack] of vitrine.stacks.api) {
      const stateful = vitrine.stacks.stateful.get(region) as RegionalStatefulStack;
      const adminRoleId = stateful.getLogicalId(stateful.search.adminRole.node.defaultChild as iam.CfnRole);
      const adminRole = vitrine.template(stateful).toJSON().Resources[adminRoleId];
      expect(adminRole.Properties.ManagedPolicyArns).toBeUndefined();
      const setup = stack.searchSetup as SearchSetup;
      const logGroupId = stack.getLogicalId(setup.handler.logGroup.node.defaultChild as logs.CfnLogGroup);
      const domainArn = stateful.formatArn({
        service: 'es',
        resource: 'domain',
        resourceName: stateful.search.domainName,
      });
      const domainResources = [stateful.resolve(domainArn), stateful.resolve(`${domainArn}/*`)];
      const statements = [
        ...statementsOf(vitrine.template(stateful), `"${adminRoleId}"`),
        ...statementsOf(vitrine.template(stack), importedAdminRole(region)['Fn::ImportValue']),
      ];
      const actions = statements.flatMap((s) => [s.Action].flat());
      expect(actions.filter((a) => a.startsWith('es:')).length).toBeGreaterThan(0);
      for (const statement of statements) {
        expect(statement.Effect).toBe('Allow');
        const stmtActions = [statement.Action].flat();
        const resources = JSON.stringify([statement.Resource].flat());
        if (stmtActions.every((a) => a.startsWith('es:'))) {
          for (const action of stmtActions) expect(action).toMatch(/^es:ESHttp[A-Z][a-z]+$/);
          expect(JSON.parse(resources)).toEqual(domainResources);
        } else if (stmtActions.every((a) => a.startsWith('logs:'))) {
          expect(stmtActions.sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
          expect(JSON.parse(resources)).toEqual([{ 'Fn::GetAtt': [logGroupId, 'Arn'] }]);
        } else {
          expect(stmtActions.sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
        }
      }
    }
  });

  it('lets the provider framework only invoke the setup handler and write its own logs', () => {
    for (const stack of vitrine.stacks.api.values()) {
      const setup = stack.searchSetup as SearchSetup;
      const handlerId = stack.getLogicalId(setup.handler.function.node.defaultChild as lambda.CfnFunction);
      const template = vitrine.template(stack);
      const roles = Object.entries(resourcesOf(template, 'AWS::IAM::Role')).filter(([id]) =>
        id.startsWith('SearchSetupProviderRole'),
      );
      expect(roles).toHaveLength(1);
      const [roleLogicalId, role] = roles[0] as [string, Resources[string]];
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      const actions = statementsOf(template, `"${roleLogicalId}"`).flatMap((s) => {
        const resources = JSON.stringify(s.Resource);
        if ([s.Action].flat().some((a) => a.startsWith('lambda:'))) expect(resources).toContain(handlerId);
        return [s.Action].flat();
      });
      expect(actions.sort()).toEqual([
        'lambda:GetFunction',
        'lambda:InvokeFunction',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
      ]);
    }
  });

  it('starts reading the catalog stream into the index only once the setup has run', () => {
    for (const stack of vitrine.stacks.api.values()) {
      const template = vitrine.template(stack);
      const setupId = stack.getLogicalId(
        (stack.searchSetup as SearchSetup).resource.node.defaultChild as CfnResource,
      );
      for (const id of searchFunctions('write')) {
        const fnId = stack.getLogicalId(
          stack.functions.get(id)?.function.node.defaultChild as lambda.CfnFunction,
        );
        const mappings = Object.values(resourcesOf(template, 'AWS::Lambda::EventSourceMapping')).filter((m) =>
          JSON.stringify(m.Properties.FunctionName).includes(fnId),
        );
        expect(mappings.length).toBeGreaterThan(0);
        for (const mapping of mappings) {
          expect((mapping as { DependsOn?: string[] }).DependsOn).toContain(setupId);
        }
      }
    }
  });
});

describe('Function bundles', () => {
  it('bundles each entry once and deploys the same asset in every region', () => {
    const entries = new Set([
      ...deployedFunctions(vitrine.services).map((f) => f.definition.entry),
      SEARCH_SETUP_DEFINITION.entry,
    ]);
    const counts = bundleBuildCounts();
    expect(new Set(counts.keys())).toEqual(entries);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);

    const assetKey = (fn: lambda.Function) =>
      (Stack.of(fn).resolve((fn.node.defaultChild as lambda.CfnFunction).code) as { s3Key: string }).s3Key;
    for (const declared of regionalFunctions(vitrine.services)) {
      const keys = new Set(
        [...vitrine.stacks.api.values()].map((stack) =>
          assetKey(stack.functions.get(declared.id)?.function as lambda.Function),
        ),
      );
      expect(keys.size, declared.id).toBe(1);
    }
    const setupKeys = new Set(
      [...vitrine.stacks.api.values()].map((stack) =>
        assetKey(stack.searchSetup?.handler.function as lambda.Function),
      ),
    );
    expect(setupKeys.size).toBe(1);
    for (const declared of identityTriggers(vitrine.services)) {
      const keys = new Set(
        [...vitrine.stacks.zoneData.values()].map((stack) =>
          assetKey(stack.identity.triggers.get(declared.id)?.function as lambda.Function),
        ),
      );
      expect(keys.size, declared.id).toBe(1);
    }
  });
});
