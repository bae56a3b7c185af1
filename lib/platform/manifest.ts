import { type EventDefinition, type EventPattern, patternOf } from '../contracts/events.ts';
import type { RouteDefinition } from '../contracts/http.ts';
import type { TableName } from './tables.ts';

export type Access = 'read' | 'write';

/** A subscription to bus events: an EventBridge rule feeding the function's own SQS queue (with a DLQ). */
export interface SubscriptionDefinition {
  readonly events: readonly EventDefinition[];
  /** Extra pattern fields ANDed with source and detail-type (for example on `detail.data.status`). */
  readonly detail?: EventPattern;
  /** @default 10 */
  readonly batchSize?: number;
  /** Deliveries before a message moves to the dead-letter queue. @default 5 */
  readonly maxReceiveCount?: number;
}

/** A DynamoDB stream consumer. */
export interface StreamDefinition {
  readonly table: TableName;
  /** EventBridge-style pattern over the stream record, e.g. `{ dynamodb: { Keys: { pk: { S: [{ prefix: 'PRODUCT#' }] } } } }`. */
  readonly filter?: EventPattern;
  /** @default 100 */
  readonly batchSize?: number;
  /** Ignore records whose item was written in another region (replicas of a global table). */
  readonly ownRegionOnly?: boolean;
}

export interface ScheduleDefinition {
  /** `rate(1 minute)` or `cron(...)`, as EventBridge Scheduler takes them. */
  readonly expression: string;
  readonly description: string;
}

/**
 * A Cognito user pool trigger. `preTokenGeneration` runs with the V2_0 event, which can change access
 * tokens (scopes and claims) and needs the Essentials or Plus feature plan.
 */
export type CognitoTrigger = 'preTokenGeneration';

/** Cognito gives up on a trigger after 5 s and fails the sign-in. */
export const COGNITO_TRIGGER_TIMEOUT_SECONDS = 5;

/** The CloudWatch namespace of the metrics functions emit (EMF, with a `service` dimension). */
export const METRICS_NAMESPACE = 'Vitrine';

/**
 * An alarm on a count a function emits as an EMF metric in {@link METRICS_NAMESPACE} with its
 * service's `service` dimension. Every regional stack creates it beside the service's other alarms,
 * notifying the same topic, with a widget on the service's dashboard.
 */
export interface MetricAlarmDefinition {
  /** The metric name the function emits, e.g. `LowStockCrossings`. */
  readonly metric: string;
  /** What the alarm means to whoever receives it. */
  readonly description: string;
  /** Alarm when the sum over one period reaches this. @default 1 */
  readonly threshold?: number;
  /** @default 5 */
  readonly periodMinutes?: number;
}

/** The secrets a function may read. */
export type SecretName = 'payments' | 'carriers';

/** A messaging service a function sends customer notifications through. */
export type MessagingService = 'email' | 'sms';

/** One Lambda function: its entry module, its triggers and the resources it may touch. */
export interface FunctionDefinition {
  /** Module path from the project root, e.g. `functions/catalog/get-product.ts`; exports `handler` and `makeHandler`. */
  readonly entry: string;
  readonly description: string;
  /** @default 512 */
  readonly memoryMb?: number;
  /** Must stay below the API Gateway integration timeout for HTTP functions. @default 10 */
  readonly timeoutSeconds?: number;
  readonly routes?: readonly RouteDefinition[];
  readonly subscriptions?: readonly SubscriptionDefinition[];
  readonly streams?: readonly StreamDefinition[];
  readonly schedules?: readonly ScheduleDefinition[];
  readonly tables?: Partial<Record<TableName, Access>>;
  /** Puts events on the bus. */
  readonly publishes?: boolean;
  readonly search?: Access;
  /**
   * Secrets the function reads at run time (never in its environment), one Secrets Manager secret per
   * region each: `payments` is the Stripe secret key and the webhook signing secrets; `carriers` is each
   * carrier webhook feed's secrets (tokens or signing secrets, several while one is rolled).
   */
  readonly secrets?: readonly SecretName[];
  /**
   * Messaging services the function sends through, and so what its role and environment need: `email`
   * is SES `SendEmail` from the deployment's identity (`NOTIFICATION_EMAIL_FROM`), `sms` is SNS `Publish`
   * to phone numbers; both link to the storefront (`STOREFRONT_URL`). The local runtime sends every
   * channel to its in-memory outbox instead.
   * @default - none
   */
  readonly sends?: readonly MessagingService[];
  /**
   * Concurrent executions set aside for the function (and the most it may run). The deployment's
   * `concurrency` config overrides it per environment.
   * @default - none: the account's unreserved pool
   */
  readonly reservedConcurrency?: number;
  /**
   * Execution environments kept initialized behind a `live` alias, which every trigger then invokes.
   * The deployment's `concurrency` config overrides it per environment (0 turns it off).
   * @default - none
   */
  readonly provisionedConcurrency?: number;
  /** Alarms on the custom metrics the function emits. @default - none */
  readonly metricAlarms?: readonly MetricAlarmDefinition[];
  /**
   * Makes the function a trigger of every residency zone's user pool, deployed beside each pool (a
   * trigger must live in its pool's region) instead of in each regional API stack. It takes no other
   * trigger and binds no table, bus or search domain. The local runtime loads it and never calls it:
   * its dev issuer mints the scopes itself.
   * @default - none
   */
  readonly cognitoTrigger?: CognitoTrigger;
}

/** A service: a bounded context's functions, declared once for the CDK stacks and the local runtime. */
export interface ServiceManifest {
  readonly name: string;
  readonly functions: Readonly<Record<string, FunctionDefinition>>;
}

export function defineService<M extends ServiceManifest>(manifest: M): M {
  for (const [id, fn] of Object.entries(manifest.functions)) {
    if (!/^[a-z][A-Za-z0-9]+$/.test(id))
      throw new Error(`${manifest.name}.${id}: function ids are camelCase`);
    const timeout = fn.timeoutSeconds ?? 10;
    if (fn.routes?.length && timeout >= 29) {
      throw new Error(
        `${manifest.name}.${id}: an HTTP function's timeout must stay below API Gateway's 29 s`,
      );
    }
    if (fn.cognitoTrigger) assertCognitoTrigger(`${manifest.name}.${id}`, fn);
  }
  return manifest;
}

function assertCognitoTrigger(name: string, fn: FunctionDefinition): void {
  const extras: string[] = [
    ...(['routes', 'subscriptions', 'streams', 'schedules'] as const).filter((key) => fn[key]?.length),
    ...(['tables', 'publishes', 'search'] as const).filter((key) => fn[key]),
  ];
  if (extras.length > 0) {
    throw new Error(
      `${name}: a Cognito trigger is deployed beside each zone's user pool and takes no ${extras.join(', ')}`,
    );
  }
  const timeout = fn.timeoutSeconds ?? FUNCTION_DEFAULTS.timeoutSeconds;
  if (timeout > COGNITO_TRIGGER_TIMEOUT_SECONDS) {
    throw new Error(
      `${name}: Cognito waits ${COGNITO_TRIGGER_TIMEOUT_SECONDS} s for a trigger; set timeoutSeconds to ${COGNITO_TRIGGER_TIMEOUT_SECONDS} or less`,
    );
  }
}

/** The EventBridge pattern of a subscription: its events' sources and detail-types, AND its detail filter. */
export function subscriptionPattern(subscription: SubscriptionDefinition): EventPattern {
  return {
    ...patternOf(...subscription.events),
    ...(subscription.detail ? { detail: subscription.detail } : {}),
  };
}

/** Defaults applied wherever a function definition is read. */
export const FUNCTION_DEFAULTS = {
  memoryMb: 512,
  timeoutSeconds: 10,
  batchSize: 10,
  maxReceiveCount: 5,
} as const;

/** SQS visibility must outlast every retry of a batch by the consumer: AWS recommends six times its timeout. */
export function queueVisibilitySeconds(fn: FunctionDefinition): number {
  return 6 * (fn.timeoutSeconds ?? FUNCTION_DEFAULTS.timeoutSeconds);
}
