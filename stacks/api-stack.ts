import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { OutboxItem } from '#lib/adapters/dynamo/outbox.ts';
import type { VitrineConfig } from '#lib/config/config.ts';
import type { RouteDefinition } from '#lib/contracts/http.ts';
import { STOCK_HOME_REGIONS_ENV } from '#lib/inventory/home-region.ts';
import {
  FUNCTION_DEFAULTS,
  type FunctionDefinition,
  type MessagingService,
  type ServiceManifest,
  type StreamDefinition,
} from '#lib/platform/manifest.ts';
import { MARKET_ZONES_ENV, marketZones } from '#lib/platform/market-zones.ts';
import type { TableName } from '#lib/platform/tables.ts';
import { acknowledge, acknowledgeWildcardResource } from './acknowledge.ts';
import { ApiFirewall } from './constructs/api-firewall.ts';
import { DataTables } from './constructs/data-tables.ts';
import { acknowledgeReplicaStreamProvider } from './constructs/replica-stream-arn.ts';
import { SEARCH_SETUP_DEFINITION, SearchSetup } from './constructs/search-setup.ts';
import { type MonitoredFunction, ServiceMonitoring } from './constructs/service-monitoring.ts';
import { SEARCH_INDEX, VitrineFunction } from './constructs/vitrine-function.ts';
import { CUSTOMER_SCOPE, STAFF_SCOPE } from './constructs/zone-identity.ts';
import type { GlobalTableName } from './global-data-stack.ts';
import { type DeclaredFunction, pascalCase, regionalFunctions } from './naming.ts';
import type { ZoneTableName } from './zone-data-stack.ts';

/** The stage name: paths already carry their version (`/v1/...`). */
export const API_STAGE_NAME = 'live';

/** Request headers a storefront sends besides the CORS-safelisted ones. */
export const CORS_ALLOW_HEADERS = [
  'Authorization',
  'Content-Type',
  'Idempotency-Key',
  'If-Match',
  'X-Cart-Token',
];

/** How long a browser may reuse a preflight answer (Chromium caps it at 2 hours). */
const CORS_MAX_AGE = Duration.hours(2);

/** Outbox items carry the region that wrote them; replicas elsewhere must not relay them again. */
const ORIGIN_REGION_ATTRIBUTE = 'originRegion' satisfies keyof OutboxItem;

/** What the regional stateful stack holds, by ARN: imports never edit the producer's policies. */
export interface RegionalResources {
  readonly dataKeyArn: string;
  readonly eventBusArn: string;
  readonly searchDomainName: string;
  readonly searchDomainEndpoint: string;
  /** The search domain's fine-grained access control master role, which the search setup runs as. */
  readonly searchAdminRoleArn: string;
  readonly alarmTopicArn: string;
  /** Stripe's keys for this region (see RegionalStatefulStack.paymentsSecret). */
  readonly paymentsSecretArn: string;
  /** The carrier webhook feeds' secrets for this region (see RegionalStatefulStack.carriersSecret). */
  readonly carriersSecretArn: string;
  /** Each subscribing function's queue and dead-letter queue, by function construct id. */
  readonly subscriptionQueues: ReadonlyMap<
    string,
    { readonly queueArn: string; readonly deadLetterQueueArn: string }
  >;
  readonly streamFailureQueueArns: ReadonlyMap<string, string>;
  readonly scheduleFailureQueueArns: ReadonlyMap<string, string>;
}

export interface ApiStackProps extends StackProps {
  readonly config: VitrineConfig;
  readonly services: readonly ServiceManifest[];
  readonly logRetention: logs.RetentionDays;
  readonly regional: RegionalResources;
  readonly globalTableNames: Readonly<Record<GlobalTableName, string>>;
  readonly zoneTableNames: Readonly<Record<string, Readonly<Record<ZoneTableName, string>>>>;
  /** The customer-managed data key of every region. */
  readonly dataKeyArns: Readonly<Record<string, string>>;
  /** Every zone's user pool: a shopper may reach any region's API. */
  readonly userPoolArns: readonly string[];
  /**
   * The code of each function.
   * @default - its entry bundled once per process by `bundleFunction`
   */
  readonly code?: (definition: FunctionDefinition) => lambda.Code;
}

/**
 * One region's stateless half: the manifests' functions with their triggers (routes on a REST API
 * behind WAF, SQS subscriptions, stream consumers, schedules) and a dashboard with alarms per service.
 */
export class ApiStack extends Stack {
  readonly api: apigw.RestApi;
  readonly functions: ReadonlyMap<string, VitrineFunction>;
  readonly firewall: ApiFirewall;
  /** Maps the search functions' roles and creates the index on the domain; absent when none uses search. */
  readonly searchSetup?: SearchSetup;

  private readonly props: ApiStackProps;
  private readonly tables: DataTables;
  private readonly deadLetterQueues = new Map<string, Map<string, sqs.IQueue>>();

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    // Every function brings a role, a log group, alarms and routes: unindented, the template keeps room
    // under CloudFormation's 1 MB limit (about 810 KB indented with the current services).
    super(scope, id, { ...props, suppressTemplateIndentation: true });
    this.props = props;
    this.tables = new DataTables(this, 'Tables', {
      config: props.config,
      globalTableNames: props.globalTableNames,
      zoneTableNames: props.zoneTableNames,
      dataKeyArns: props.dataKeyArns,
      logRetention: props.logRetention,
    });

    this.api = this.restApi();
    const authorizer = new apigw.CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: props.userPoolArns.map((arn, i) =>
        cognito.UserPool.fromUserPoolArn(this, `UserPool${i + 1}`, arn),
      ),
      identitySource: apigw.IdentitySource.header('Authorization'),
      resultsCacheTtl: Duration.minutes(5),
    });
    const requestValidator = this.api.addRequestValidator('RequestValidator', {
      validateRequestParameters: true,
      // Without a model API Gateway passes any body; the handler's strict zod schema is the authority.
      validateRequestBody: true,
    });

    const functions = new Map<string, VitrineFunction>();
    const monitored = new Map<string, MonitoredFunction[]>();
    for (const declared of regionalFunctions(props.services)) {
      const fn = this.function(declared);
      functions.set(declared.id, fn);
      for (const route of declared.definition.routes ?? []) {
        if (!route.localOnly) this.route(route, fn, authorizer, requestValidator);
      }
      this.subscriptions(declared, fn);
      this.streams(declared, fn);
      this.schedules(declared, fn);
      const list = monitored.get(declared.service) ?? [];
      list.push({
        id: declared.id,
        fn,
        readsStream: (declared.definition.streams?.length ?? 0) > 0,
        metricAlarms: declared.definition.metricAlarms ?? [],
      });
      monitored.set(declared.service, list);
    }
    this.functions = functions;
    this.searchSetup = this.setUpSearch();

    this.firewall = new ApiFirewall(this, 'Firewall', {
      stageArn: this.api.deploymentStage.stageArn,
      rateLimitPer5Min: props.config.api.wafRateLimitPer5Min,
      dropRateLimitPerMinute: props.config.api.wafDropRateLimitPerMinute,
      stageName: API_STAGE_NAME,
      metricPrefix: `${pascalCase(props.config.appName)}Api`,
    });

    const alarmTopic = sns.Topic.fromTopicArn(this, 'AlarmTopic', props.regional.alarmTopicArn);
    for (const [service, list] of monitored) {
      const routes = Object.values(props.services.find((s) => s.name === service)?.functions ?? {})
        .flatMap((f) => f.routes ?? [])
        .filter((r) => !r.localOnly)
        .map((r) => ({ method: r.method, path: r.path }));
      new ServiceMonitoring(this, `${pascalCase(service)}Monitoring`, {
        service,
        functions: list,
        deadLetterQueues: this.deadLetterQueues.get(service) ?? new Map(),
        routes,
        api: { name: this.api.restApiName, stage: API_STAGE_NAME },
        alarmTopic,
      });
    }
    acknowledgeReplicaStreamProvider(this);
  }

  private restApi(): apigw.RestApi {
    const { config, logRetention } = this.props;
    const methods = [
      ...new Set(
        regionalFunctions(this.props.services)
          .flatMap(({ definition }) => definition.routes ?? [])
          .filter((route) => !route.localOnly)
          .map((route) => route.method),
      ),
    ].sort();
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logRetention });
    const api = new apigw.RestApi(this, 'Api', {
      // A label, not an identifier: named after the stack so each app's metrics and alarms stay apart.
      restApiName: this.stackName,
      description: 'Vitrine commerce API, built from the service manifests',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      cloudWatchRole: true,
      deployOptions: {
        stageName: API_STAGE_NAME,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
        throttlingRateLimit: config.api.throttlingRateLimit,
        throttlingBurstLimit: config.api.throttlingBurstLimit,
        tracingEnabled: true,
        metricsEnabled: true,
        // ERROR, not INFO: INFO execution logs echo request headers, tokens included.
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
      },
      // Storefronts call from browsers: every resource answers the preflight itself (a mock integration,
      // no authorizer: browsers send no credentials on a preflight), for the configured origins only.
      defaultCorsPreflightOptions: {
        allowOrigins: config.api.corsOrigins,
        allowMethods: methods,
        allowHeaders: CORS_ALLOW_HEADERS,
        maxAge: CORS_MAX_AGE,
      },
    });
    acknowledge(
      api,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'The regional API Gateway account role needs this AWS-documented policy to write execution logs; it is shared by every API in the account and region',
    );

    // API Gateway's own errors (authorizer denials, throttling, bad parameters) answer the same envelope
    // as the handlers: { error: { code, message, requestId } }.
    const envelope = JSON.stringify({
      error: {
        code: '$context.error.responseType',
        message: '__MESSAGE__',
        requestId: '$context.requestId',
      },
    }).replace('"__MESSAGE__"', '$context.error.messageString');
    const headers = {
      'Content-Type': "'application/json'",
      'X-Content-Type-Options': "'nosniff'",
      'Strict-Transport-Security': "'max-age=63072000; includeSubDomains'",
      'Cache-Control': "'no-store'",
      ...gatewayResponseCorsHeaders(config.api.corsOrigins),
    };
    api.addGatewayResponse('Default4xx', {
      type: apigw.ResponseType.DEFAULT_4XX,
      templates: { 'application/json': envelope },
      responseHeaders: headers,
    });
    api.addGatewayResponse('Default5xx', {
      type: apigw.ResponseType.DEFAULT_5XX,
      templates: { 'application/json': envelope },
      responseHeaders: headers,
    });
    return api;
  }

  private function(declared: DeclaredFunction): VitrineFunction {
    const { definition } = declared;
    const { regional, config } = this.props;
    const scheduleQueueArn = regional.scheduleFailureQueueArns.get(declared.id);
    const fn = new VitrineFunction(this, declared.id, {
      service: declared.service,
      definition,
      logRetention: this.props.logRetention,
      code: this.props.code?.(definition),
      environment: {
        ...(definition.routes?.length
          ? {
              MAX_BODY_BYTES: String(config.api.maxBodyBytes),
              CORS_ORIGINS: config.api.corsOrigins.join(','),
            }
          : {}),
        // Commerce records live in the zone of their market, and stock is promised per zone; functions get
        // the config's mapping, not the config.
        ...(definition.tables?.commerce || definition.tables?.inventory
          ? { [MARKET_ZONES_ENV]: JSON.stringify(marketZones(config)) }
          : {}),
      },
      deadLetterQueue: scheduleQueueArn
        ? sqs.Queue.fromQueueArn(this, `${declared.id}ScheduleFailures`, scheduleQueueArn)
        : undefined,
    });
    if (scheduleQueueArn) this.grantEncryptedSend(fn.role);
    for (const [table, access] of Object.entries(definition.tables ?? {})) {
      if (!access) continue;
      if (table === 'inventory' && access === 'write') {
        // Stock writes go to each pool's home region: the function may write every replica.
        const binding = this.tables.everyReplicaBinding('inventory');
        fn.bindTable(binding, access);
        fn.addEnvironment(STOCK_HOME_REGIONS_ENV, binding.regions.join(','));
      } else {
        fn.bindTable(this.tables.binding(table as TableName), access);
      }
    }
    if (definition.publishes) {
      fn.bindEventBus(events.EventBus.fromEventBusArn(this, `${declared.id}Bus`, regional.eventBusArn));
    }
    if (definition.secrets?.includes('payments')) {
      fn.bindSecret('PAYMENTS_SECRET_ARN', regional.paymentsSecretArn, regional.dataKeyArn);
    }
    if (definition.secrets?.includes('carriers')) {
      fn.bindSecret('CARRIERS_SECRET_ARN', regional.carriersSecretArn, regional.dataKeyArn);
    }
    if (definition.sends?.length) this.grantSending(fn, definition.sends);
    if (definition.search) {
      fn.bindSearch(
        { domainName: regional.searchDomainName, domainEndpoint: regional.searchDomainEndpoint },
        definition.search,
      );
    }
    return fn;
  }

  /**
   * Lets a notifier send: SES `SendEmail` from the configured sender's domain identity (and configuration
   * set), SNS `Publish` for SMS, which addresses phone numbers rather than resources and so takes no ARN.
   */
  private grantSending(fn: VitrineFunction, services: readonly MessagingService[]): void {
    const { notifications } = this.props.config;
    fn.addEnvironment('STOREFRONT_URL', notifications.storefrontUrl);
    if (services.includes('email')) {
      const domain = notifications.emailFrom.split('@')[1] ?? notifications.emailFrom;
      fn.addEnvironment('NOTIFICATION_EMAIL_FROM', notifications.emailFrom);
      const resources = [this.formatArn({ service: 'ses', resource: 'identity', resourceName: domain })];
      if (notifications.sesConfigurationSet) {
        fn.addEnvironment('NOTIFICATION_SES_CONFIGURATION_SET', notifications.sesConfigurationSet);
        resources.push(
          this.formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: notifications.sesConfigurationSet,
          }),
        );
      }
      fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ses:SendEmail'], resources }));
    }
    if (services.includes('sms')) {
      if (notifications.smsSenderId)
        fn.addEnvironment('NOTIFICATION_SMS_SENDER_ID', notifications.smsSenderId);
      fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] }));
      acknowledge(
        fn.role,
        'AwsSolutions-IAM5[Resource::*]',
        'SMS is published to phone numbers, which have no ARN; SNS only accepts "*" for direct SMS publishing',
      );
    }
  }

  /**
   * The deploy-time search setup for the functions that bind search. The indexer's event sources wait for
   * it, so no batch is read before its role may write and the index exists.
   */
  private setUpSearch(): SearchSetup | undefined {
    const { regional } = this.props;
    const bound = (access: 'read' | 'write') =>
      regionalFunctions(this.props.services)
        .filter(({ definition }) => definition.search === access)
        .map(({ id }) => this.functions.get(id) as VitrineFunction);
    const readers = bound('read');
    const writers = bound('write');
    if (readers.length + writers.length === 0) return undefined;
    const setup = new SearchSetup(this, 'SearchSetup', {
      domain: { domainName: regional.searchDomainName, domainEndpoint: regional.searchDomainEndpoint },
      adminRoleArn: regional.searchAdminRoleArn,
      index: SEARCH_INDEX,
      readers: readers.map((fn) => fn.role),
      writers: writers.map((fn) => fn.role),
      logRetention: this.props.logRetention,
      code: this.props.code?.(SEARCH_SETUP_DEFINITION),
    });
    for (const fn of writers) {
      for (const mapping of fn.invokeTarget.node.children.filter(
        (c) => c instanceof lambda.EventSourceMapping,
      )) {
        mapping.node.addDependency(setup.resource);
      }
    }
    return setup;
  }

  private route(
    route: RouteDefinition,
    fn: VitrineFunction,
    authorizer: apigw.IAuthorizer,
    validator: apigw.IRequestValidator,
  ): void {
    const resource = this.api.root.resourceForPath(route.path);
    const pathParameters = [...route.path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1] as string);
    const requestParameters = Object.fromEntries(
      pathParameters.map((p) => [`method.request.path.${p}`, true]),
    );
    const secured = route.auth === 'customer' || route.auth === 'staff';
    const method = resource.addMethod(
      route.method,
      new apigw.LambdaIntegration(fn.invokeTarget, { proxy: true, allowTestInvoke: false }),
      {
        operationName: route.operationId,
        requestParameters,
        requestValidator: validator,
        ...(secured
          ? {
              authorizer,
              authorizationType: apigw.AuthorizationType.COGNITO,
              // Staff routes take the staff scope only; customer routes take either (staff act for shoppers).
              authorizationScopes: route.auth === 'staff' ? [STAFF_SCOPE] : [CUSTOMER_SCOPE, STAFF_SCOPE],
            }
          : { authorizationType: apigw.AuthorizationType.NONE }),
      },
    );
    if (!secured) {
      const reason =
        route.auth === 'signature'
          ? `${route.method} ${route.path} is a webhook: the handler verifies the sender's signature over the raw body`
          : `${route.method} ${route.path} is public storefront content, readable without signing in`;
      acknowledge(method, 'AwsSolutions-APIG4', reason);
      acknowledge(method, 'AwsSolutions-COG4', reason);
    }
  }

  private subscriptions(declared: DeclaredFunction, fn: VitrineFunction): void {
    const subscriptions = declared.definition.subscriptions ?? [];
    if (subscriptions.length === 0) return;
    const arns = this.props.regional.subscriptionQueues.get(declared.id);
    if (!arns)
      throw new Error(`${declared.id}: the regional stateful stack has no subscription queue for it`);
    const queue = this.importQueue(`${declared.id}Subscription`, arns.queueArn);
    const batchSize = Math.min(...subscriptions.map((s) => s.batchSize ?? FUNCTION_DEFAULTS.batchSize));
    fn.invokeTarget.addEventSource(
      new sources.SqsEventSource(queue, {
        batchSize,
        maxBatchingWindow: batchSize > 10 ? Duration.seconds(1) : undefined,
        reportBatchItemFailures: true,
      }),
    );
    const mapping = fn.invokeTarget.node.children
      .filter((c) => c instanceof lambda.EventSourceMapping)
      .at(-1);
    if (mapping) {
      acknowledge(
        mapping,
        'Serverless-LambdaEventSourceMappingDestination',
        'SQS event source mappings take no on-failure destination: messages that fail maxReceiveCount times move to the queue dead-letter queue, which is alarmed',
      );
    }
    this.trackDeadLetterQueue(
      declared,
      `${declared.id}SubscriptionDlq`,
      this.importQueue(`${declared.id}SubscriptionDlq`, arns.deadLetterQueueArn),
    );
  }

  private streams(declared: DeclaredFunction, fn: VitrineFunction): void {
    const streams = declared.definition.streams ?? [];
    if (streams.length === 0) return;
    const failureArn = this.props.regional.streamFailureQueueArns.get(declared.id);
    if (!failureArn)
      throw new Error(`${declared.id}: the regional stateful stack has no stream failure queue for it`);
    const failures = sqs.Queue.fromQueueArn(this, `${declared.id}StreamFailures`, failureArn);
    this.grantEncryptedSend(fn.role);
    this.trackDeadLetterQueue(declared, `${declared.id}StreamFailures`, failures);
    for (const stream of streams) {
      const pattern = this.streamFilter(stream);
      fn.invokeTarget.addEventSource(
        new sources.DynamoEventSource(this.tables.streamSource(stream.table), {
          // From the oldest record: an outbox item written before the mapping existed is still relayed.
          startingPosition: lambda.StartingPosition.TRIM_HORIZON,
          batchSize: stream.batchSize ?? 100,
          bisectBatchOnError: true,
          retryAttempts: 10,
          maxRecordAge: Duration.hours(24),
          reportBatchItemFailures: true,
          onFailure: new sources.SqsDlq(failures),
          filters: pattern ? [lambda.FilterCriteria.filter(pattern)] : undefined,
        }),
      );
    }
  }

  /** The manifest's filter, narrowed to items this region wrote when the stream says `ownRegionOnly`. */
  private streamFilter(stream: StreamDefinition): Record<string, unknown> | undefined {
    if (!stream.ownRegionOnly) return stream.filter;
    return mergePatterns(stream.filter ?? {}, {
      dynamodb: { NewImage: { [ORIGIN_REGION_ATTRIBUTE]: { S: [this.region] } } },
    });
  }

  private schedules(declared: DeclaredFunction, fn: VitrineFunction): void {
    const schedules = declared.definition.schedules ?? [];
    if (schedules.length === 0) return;
    const failureArn = this.props.regional.scheduleFailureQueueArns.get(declared.id);
    if (!failureArn)
      throw new Error(`${declared.id}: the regional stateful stack has no schedule failure queue for it`);
    const failures = sqs.Queue.fromQueueArn(this, `${declared.id}ScheduleDlq`, failureArn);
    this.trackDeadLetterQueue(declared, `${declared.id}ScheduleFailures`, failures);
    const role = new iam.Role(this, `${declared.id}SchedulerRole`, {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: `EventBridge Scheduler invoking ${declared.service}.${declared.key}`,
    });
    this.grantEncryptedSend(role);
    acknowledgeWildcardResource(
      role,
      `${fn.invokeTarget.functionArn}:*`,
      'The scheduler may invoke any published version of this one function (CDK grants the function and its qualifiers)',
    );
    schedules.forEach((schedule, index) => {
      new scheduler.Schedule(this, `${declared.id}Schedule${index + 1}`, {
        description: schedule.description.slice(0, 512),
        schedule: scheduler.ScheduleExpression.expression(schedule.expression),
        target: new schedulerTargets.LambdaInvoke(fn.invokeTarget, {
          role,
          deadLetterQueue: failures,
          retryAttempts: 3,
          maxEventAge: Duration.hours(1),
        }),
      });
    });
  }

  private trackDeadLetterQueue(declared: DeclaredFunction, id: string, queue: sqs.IQueue): void {
    const queues = this.deadLetterQueues.get(declared.service) ?? new Map<string, sqs.IQueue>();
    queues.set(id, queue);
    this.deadLetterQueues.set(declared.service, queues);
  }

  /**
   * Imported with its key, so grants go to the consumer's role and never edit the queue or key policy.
   * Consumers only: a send grant through the key would add `kms:GenerateDataKey*` and `kms:ReEncrypt*`.
   */
  private importQueue(id: string, queueArn: string): sqs.IQueue {
    return sqs.Queue.fromQueueAttributes(this, id, { queueArn, keyArn: this.props.regional.dataKeyArn });
  }

  /** Exactly what sending to a queue encrypted with the regional data key takes. */
  private grantEncryptedSend(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.props.regional.dataKeyArn],
      }),
    );
  }
}

/**
 * CORS headers on API Gateway's own errors, so a storefront can read a 401 or 429 instead of an opaque
 * network error. A gateway response cannot match the Origin against a list: one origin is named;
 * with several, the request's Origin is echoed (with `Vary: Origin`). These answers only ever carry
 * the error envelope, never data, and the preflight still admits the configured origins alone.
 */
export function gatewayResponseCorsHeaders(origins: readonly string[]): Record<string, string> {
  const [only] = origins;
  if (origins.length === 1 && only) return { 'Access-Control-Allow-Origin': `'${only}'` };
  return { 'Access-Control-Allow-Origin': 'method.request.header.Origin', Vary: "'Origin'" };
}

/** Structured access logs: one JSON object per request (no headers, no bodies: they carry tokens and PII). */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integration.status',
  errorType: '$context.error.responseType',
  errorMessage: '$context.error.message',
  authorizerError: '$context.authorizer.error',
  wafStatus: '$context.waf.status',
  xrayTraceId: '$context.xrayTraceId',
};

/** Deep-merges two EventBridge-style patterns (both must match: the fields are ANDed). */
function mergePatterns(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const existing = merged[key];
    merged[key] = isPlainObject(existing) && isPlainObject(value) ? mergePatterns(existing, value) : value;
  }
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
