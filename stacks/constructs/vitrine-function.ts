import { Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BUNDLE_HANDLER, bundleFunction } from '#lib/platform/function-bundles.ts';
import { type Access, FUNCTION_DEFAULTS, type FunctionDefinition } from '#lib/platform/manifest.ts';
import { type TableName, tableEnvVar } from '#lib/platform/tables.ts';
import { acknowledge, acknowledgeWildcardResource } from '../acknowledge.ts';

/** API Gateway REST integrations give up after 29 s; an HTTP function must finish before that. */
export const API_INTEGRATION_TIMEOUT_SECONDS = 29;

/** The index catalog search reads and the indexer writes. */
export const SEARCH_INDEX = 'products';

/** The newest Node.js runtime this aws-cdk-lib knows; cdk-nag L1 fails on anything older. */
export const NODE_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** One table a function may call: where it is and what it is called there. */
export interface TableTarget {
  /** Imported without its key: `bindTable` grants the key itself, with exact actions. */
  readonly table: dynamodb.ITableV2;
  readonly region: string;
  readonly tableName: string;
  /**
   * The customer-managed key encrypting this replica.
   * @default - none: an AWS-owned key, nothing to grant
   */
  readonly keyArn?: string;
}

/**
 * A table as one function sees it: the env var value its adapter reads and the tables it may call.
 * Global tables have one target (this region's replica); zone tables have one per residency zone.
 */
export interface TableBinding {
  readonly name: TableName;
  /** The env var value: a table name, or the JSON zone map `{ zone: { region, tableName } }`. */
  readonly environmentValue: string;
  /** Every table the function may call with this binding. */
  readonly targets: readonly TableTarget[];
  /** Whether the table has secondary indexes (their grants end in `index/*`). */
  readonly hasIndexes: boolean;
}

/** The domain a search function calls, as IAM sees it. */
export interface SearchBinding {
  /** A literal name: the grant's `domain/{name}/*` is acknowledged by name. */
  readonly domainName: string;
  readonly domainEndpoint: string;
}

export interface VitrineFunctionProps {
  /** The service that declares the function; becomes `POWERTOOLS_SERVICE_NAME`. */
  readonly service: string;
  readonly definition: FunctionDefinition;
  readonly logRetention: logs.RetentionDays;
  /**
   * Code to deploy.
   * @default - the entry bundled once per process by `bundleFunction`, shared by every regional stack
   */
  readonly code?: lambda.Code;
  /** Extra environment variables. @default - none */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Receives asynchronous invocations that failed every retry. Scheduled functions need one: the
   * scheduler's own dead-letter queue only sees events it could not deliver.
   * @default - none; synchronous and event-source-mapped functions report failures elsewhere
   */
  readonly deadLetterQueue?: sqs.IQueue;
  /**
   * The execution role, for a function that must act as an existing identity (the search setup runs as
   * the domain's master role). Log, trace and binding grants are added to it as to a new role.
   * @default - a new role that starts empty
   */
  readonly role?: iam.IRole;
  /**
   * Why the function needs no dead-letter queue, when its definition's triggers do not say it.
   * @default - derived from the definition's triggers
   */
  readonly failureHandling?: string;
}

/**
 * One Lambda function with the platform defaults: the newest Node runtime, arm64, a bundled ESM entry
 * with source maps, active tracing, its own log group with retention, a timeout below API Gateway's,
 * and a role that starts empty and only gains what the manifest grants.
 */
export class VitrineFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.IRole;
  readonly logGroup: logs.LogGroup;
  /** What triggers invoke: an alias when provisioned concurrency is set, the function otherwise. */
  readonly invokeTarget: lambda.IFunction;
  readonly timeout: Duration;

  constructor(scope: Construct, id: string, props: VitrineFunctionProps) {
    super(scope, id);
    const { definition } = props;
    const timeoutSeconds = definition.timeoutSeconds ?? FUNCTION_DEFAULTS.timeoutSeconds;
    if (definition.routes?.length && timeoutSeconds >= API_INTEGRATION_TIMEOUT_SECONDS) {
      throw new Error(
        `${props.service} function ${id}: timeoutSeconds ${timeoutSeconds} must stay below API Gateway's ${API_INTEGRATION_TIMEOUT_SECONDS} s`,
      );
    }
    if (definition.schedules?.length && !props.deadLetterQueue) {
      throw new Error(`${props.service} function ${id}: a scheduled function needs a deadLetterQueue`);
    }
    this.timeout = Duration.seconds(timeoutSeconds);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', { retention: props.logRetention });
    // A role of our own instead of AWSLambdaBasicExecutionRole: it may only write to this log group.
    this.role =
      props.role ??
      new iam.Role(this, 'Role', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `${props.service}: ${definition.description}`.slice(0, 1000),
      });
    this.logGroup.grantWrite(this.role);

    this.function = new lambda.Function(this, 'Function', {
      description: definition.description.slice(0, 256),
      runtime: NODE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      handler: BUNDLE_HANDLER,
      code: props.code ?? lambda.Code.fromAsset(bundleFunction(definition.entry).directory),
      memorySize: definition.memoryMb ?? FUNCTION_DEFAULTS.memoryMb,
      timeout: this.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      reservedConcurrentExecutions: definition.reservedConcurrency,
      deadLetterQueue: props.deadLetterQueue,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.service,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
    });
    this.enableTracing();

    this.invokeTarget = definition.provisionedConcurrency
      ? new lambda.Alias(this, 'Live', {
          aliasName: 'live',
          version: this.function.currentVersion,
          provisionedConcurrentExecutions: definition.provisionedConcurrency,
        })
      : this.function;

    if (!props.deadLetterQueue) {
      acknowledge(
        this.function,
        'Serverless-LambdaDLQ',
        props.failureHandling ?? failureHandlingReason(definition),
      );
    }
  }

  /**
   * Active X-Ray tracing, with its permissions in a policy of their own: X-Ray has no resource-level
   * permissions, and keeping its `*` out of the default policy means that acknowledgement cannot hide
   * a wildcard grant added later.
   */
  private enableTracing(): void {
    (this.function.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode: 'Active' };
    const tracing = new iam.Policy(this, 'TracingPolicy', {
      statements: [
        new iam.PolicyStatement({
          actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          resources: ['*'],
        }),
      ],
    });
    tracing.attachToRole(this.role);
    acknowledge(
      tracing,
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions',
    );
  }

  addEnvironment(key: string, value: string): this {
    this.function.addEnvironment(key, value);
    return this;
  }

  /** Binds a table in one call: its env var (named by `tableEnvVar`) and a read or read-write grant. */
  bindTable(binding: TableBinding, access: Access): this {
    this.addEnvironment(tableEnvVar(binding.name), binding.environmentValue);
    for (const { table, region, tableName, keyArn } of binding.targets) {
      if (access === 'write') table.grantReadWriteData(this.role);
      else table.grantReadData(this.role);
      if (keyArn) this.grantTableKey(keyArn, region, access);
      if (binding.hasIndexes) {
        acknowledgeWildcardResource(
          this.role,
          Stack.of(this).formatArn({
            service: 'dynamodb',
            region,
            resource: 'table',
            resourceName: `${tableName}/index/*`,
          }),
          `Queries on any secondary index of the ${binding.name} table in ${region}; the indexes are declared with the table`,
        );
      }
    }
    return this;
  }

  /**
   * DynamoDB uses a table's customer-managed key on the caller's behalf. CDK's table grants would add
   * `kms:GenerateDataKey*` and `kms:ReEncrypt*`; DynamoDB needs only these, and only through DynamoDB.
   */
  private grantTableKey(keyArn: string, region: string, access: Access): void {
    const actions = ['kms:Decrypt', 'kms:DescribeKey'];
    if (access === 'write') actions.push('kms:Encrypt', 'kms:GenerateDataKey');
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions,
        resources: [keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${region}.amazonaws.com` } },
      }),
    );
  }

  /**
   * Lets the function read one secret at run time and names it in `envVar` (the ARN, never the value),
   * with the key that encrypts it usable only through Secrets Manager.
   */
  bindSecret(envVar: string, secretArn: string, keyArn: string): this {
    this.addEnvironment(envVar, secretArn);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        resources: [secretArn],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` },
        },
      }),
    );
    return this;
  }

  /** Lets the function put events on the bus, and tells it which bus. */
  bindEventBus(bus: events.IEventBus): this {
    this.addEnvironment('EVENT_BUS_NAME', bus.eventBusName);
    bus.grantPutEventsTo(this.role);
    return this;
  }

  /**
   * Lets the function call the search domain over signed HTTPS. Reads need POST too: `_search` and
   * `_msearch` carry their query in the body.
   */
  bindSearch(search: SearchBinding, access: Access): this {
    // The adapter adds the scheme: the endpoint is a host name.
    this.addEnvironment('SEARCH_ENDPOINT', search.domainEndpoint);
    this.addEnvironment('SEARCH_INDEX', SEARCH_INDEX);
    const actions = ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost'];
    if (access === 'write') actions.push('es:ESHttpPut', 'es:ESHttpDelete', 'es:ESHttpPatch');
    const domainArn = Stack.of(this).formatArn({
      service: 'es',
      resource: 'domain',
      resourceName: search.domainName,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions, resources: [domainArn, `${domainArn}/*`] }),
    );
    acknowledgeWildcardResource(
      this.role,
      `${domainArn}/*`,
      'OpenSearch index paths are created at run time; access is limited to this domain and refined by fine-grained access control',
    );
    return this;
  }
}

function failureHandlingReason(definition: FunctionDefinition): string {
  const handled: string[] = [];
  if (definition.routes?.length) handled.push('API Gateway invokes it synchronously and returns the error');
  if (definition.subscriptions?.length)
    handled.push('failed SQS messages move to the queue dead-letter queue');
  if (definition.streams?.length)
    handled.push('stream batches that fail every retry go to an SQS on-failure destination');
  if (definition.cognitoTrigger)
    handled.push('Cognito invokes it synchronously during sign-in and fails the sign-in on an error');
  return `Never invoked asynchronously: ${handled.join('; ') || 'no asynchronous trigger is declared'}`;
}
