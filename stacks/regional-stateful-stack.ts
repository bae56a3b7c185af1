import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { VitrineConfig } from '#lib/config/config.ts';
import {
  FUNCTION_DEFAULTS,
  queueVisibilitySeconds,
  type ServiceManifest,
  type SubscriptionDefinition,
  subscriptionPattern,
} from '#lib/platform/manifest.ts';
import { acknowledge } from './acknowledge.ts';
import type { RegionalResources } from './api-stack.ts';
import { DeadLetterQueue, DurableQueue } from './constructs/durable-queue.ts';
import { SearchDomain } from './constructs/search-domain.ts';
import { type DeclaredFunction, regionalFunctions } from './naming.ts';

/** How long the bus archive keeps events for replay. */
const ARCHIVE_RETENTION = Duration.days(30);

export interface RegionalStatefulStackProps extends StackProps {
  readonly config: VitrineConfig;
  readonly services: readonly ServiceManifest[];
  readonly logRetention: logs.RetentionDays;
}

/**
 * What one region keeps between deployments: the customer-managed key for personal data and queues, the
 * event bus with its archive, each subscriber's queue and dead-letter queue, the stream and schedule
 * failure queues, the search domain and the alarm topic. Functions live in the API stack and import
 * these by ARN, so nothing here ever depends on them.
 */
export class RegionalStatefulStack extends Stack {
  /** Encrypts the zone tables' replica in this region, every queue and the alarm topic. */
  readonly dataKey: kms.Key;
  readonly bus: events.EventBus;
  readonly search: SearchDomain;
  readonly alarmTopic: sns.Topic;
  /**
   * Stripe's secret key and the webhook signing secrets of this region, as JSON
   * `{"secretKey": "sk_...", "webhookSecrets": ["whsec_..."]}`. Created with a placeholder the
   * functions refuse; the operator puts the real value once (see the README).
   */
  readonly paymentsSecret: secretsmanager.Secret;
  /**
   * Each carrier webhook feed's secrets in this region, as JSON `{"dhl": ["..."], "fedex": ["..."],
   * "ups": ["..."], "generic": ["..."]}` (several per feed while one is rolled). Created empty: every feed
   * answers 503 until the operator puts its secrets (see the README).
   */
  readonly carriersSecret: secretsmanager.Secret;
  /** The queue each subscribing function consumes, by function construct id. */
  readonly subscriptionQueues: ReadonlyMap<string, DurableQueue>;
  /** On-failure destination of each stream-consuming function, by function construct id. */
  readonly streamFailureQueues: ReadonlyMap<string, DeadLetterQueue>;
  /** Dead-letter queue for the asynchronous invocations of each scheduled function, by function construct id. */
  readonly scheduleFailureQueues: ReadonlyMap<string, DeadLetterQueue>;

  constructor(scope: Construct, id: string, props: RegionalStatefulStackProps) {
    super(scope, id, props);

    this.dataKey = new kms.Key(this, 'DataKey', {
      description: 'Vitrine personal data (zone table replica), queues and alarm topic in this region',
      enableKeyRotation: true,
    });
    // EventBridge delivers to encrypted queues (and their dead-letter queues) and CloudWatch alarms
    // publish to the encrypted topic; both act as services, so the key policy names them.
    for (const service of ['events.amazonaws.com', 'cloudwatch.amazonaws.com']) {
      this.dataKey.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal(service)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
        }),
      );
    }

    this.bus = new events.EventBus(this, 'Bus', { description: 'Vitrine domain events in this region' });
    this.bus.archive('Archive', {
      description: 'Every Vitrine event, for replay after a consumer fix',
      eventPattern: { source: [{ prefix: 'vitrine.' }] as unknown as string[] },
      retention: ARCHIVE_RETENTION,
    });

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Vitrine alarms',
      masterKey: this.dataKey,
      enforceSSL: true,
    });

    this.paymentsSecret = new secretsmanager.Secret(this, 'PaymentsSecret', {
      description: 'Vitrine payments: Stripe secret key and webhook signing secrets (JSON)',
      encryptionKey: this.dataKey,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ webhookSecrets: [] }),
        generateStringKey: 'secretKey',
      },
    });
    acknowledge(
      this.paymentsSecret,
      'AwsSolutions-SMG4',
      'Stripe API keys and webhook secrets are rolled in the Stripe Dashboard; the new value is put here by the operator',
    );

    this.carriersSecret = new secretsmanager.Secret(this, 'CarriersSecret', {
      description: "Vitrine carrier webhooks: each feed's tokens or signing secrets (JSON)",
      encryptionKey: this.dataKey,
      // An empty object, not a generated value: no feed is trusted until the operator sets its secrets.
      secretObjectValue: {},
    });
    acknowledge(
      this.carriersSecret,
      'AwsSolutions-SMG4',
      "Carrier webhook tokens and signing secrets are issued and rolled in each carrier's developer portal; the new value is put here by the operator",
    );

    this.search = new SearchDomain(this, 'Search', {
      appName: props.config.appName,
      sizing: props.config.search,
      logRetention: props.logRetention,
    });

    const subscriptionQueues = new Map<string, DurableQueue>();
    const streamFailureQueues = new Map<string, DeadLetterQueue>();
    const scheduleFailureQueues = new Map<string, DeadLetterQueue>();
    for (const fn of regionalFunctions(props.services)) {
      if (fn.definition.subscriptions?.length) subscriptionQueues.set(fn.id, this.subscribe(fn));
      if (fn.definition.streams?.length) {
        streamFailureQueues.set(
          fn.id,
          new DeadLetterQueue(this, `${fn.id}StreamFailures`, {
            encryptionKey: this.dataKey,
            purpose: `stream batches ${fn.service}.${fn.key} failed to process`,
          }),
        );
      }
      if (fn.definition.schedules?.length) {
        scheduleFailureQueues.set(
          fn.id,
          new DeadLetterQueue(this, `${fn.id}ScheduleFailures`, {
            encryptionKey: this.dataKey,
            purpose: `scheduled invocations of ${fn.service}.${fn.key} that failed or could not be delivered`,
          }),
        );
      }
    }
    this.subscriptionQueues = subscriptionQueues;
    this.streamFailureQueues = streamFailureQueues;
    this.scheduleFailureQueues = scheduleFailureQueues;
  }

  /** This stack's resources by ARN, for the API stack of the same region. */
  resources(): RegionalResources {
    const arns = (queues: ReadonlyMap<string, { queueArn: string }>) =>
      new Map([...queues].map(([id, queue]) => [id, queue.queueArn]));
    return {
      dataKeyArn: this.dataKey.keyArn,
      eventBusArn: this.bus.eventBusArn,
      searchDomainName: this.search.domainName,
      searchDomainEndpoint: this.search.domain.domainEndpoint,
      searchAdminRoleArn: this.search.adminRole.roleArn,
      alarmTopicArn: this.alarmTopic.topicArn,
      paymentsSecretArn: this.paymentsSecret.secretArn,
      carriersSecretArn: this.carriersSecret.secretArn,
      subscriptionQueues: new Map(
        [...this.subscriptionQueues].map(([id, q]) => [
          id,
          { queueArn: q.queue.queueArn, deadLetterQueueArn: q.deadLetterQueue.queueArn },
        ]),
      ),
      streamFailureQueueArns: arns(this.streamFailureQueues),
      scheduleFailureQueueArns: arns(this.scheduleFailureQueues),
    };
  }

  /**
   * A subscriber's queue, and one rule per subscription routing matching events to it. The rule and
   * the queue live together so the queue policy naming the rule never points across stacks.
   */
  private subscribe(fn: DeclaredFunction): DurableQueue {
    const subscriptions = fn.definition.subscriptions ?? [];
    const maxReceiveCount = Math.max(
      ...subscriptions.map((s) => s.maxReceiveCount ?? FUNCTION_DEFAULTS.maxReceiveCount),
    );
    const queue = new DurableQueue(this, `${fn.id}Subscription`, {
      encryptionKey: this.dataKey,
      visibilityTimeout: Duration.seconds(queueVisibilitySeconds(fn.definition)),
      maxReceiveCount,
      purpose: `events ${fn.service}.${fn.key} failed to process`,
    });
    subscriptions.forEach((subscription, index) => {
      new events.Rule(this, `${fn.id}Rule${index + 1}`, {
        eventBus: this.bus,
        description: `${fn.service}.${fn.key}: ${subscription.events.map((e) => e.detailType).join(', ')}`,
        eventPattern: cdkPattern(subscription),
        targets: [
          new targets.SqsQueue(queue.queue, {
            deadLetterQueue: queue.deadLetterQueue,
            retryAttempts: 185,
            maxEventAge: Duration.hours(24),
          }),
        ],
      });
    });
    return queue;
  }
}

/** The manifest's pattern (EventBridge JSON, shared with the local bus) in the shape the L2 rule takes. */
function cdkPattern(subscription: SubscriptionDefinition): events.EventPattern {
  const { 'detail-type': detailType, ...rest } = subscriptionPattern(subscription);
  return { ...rest, detailType } as events.EventPattern;
}
