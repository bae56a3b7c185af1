import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.ts';

export interface DeadLetterQueueProps {
  /** Customer-managed key: messages may carry personal data. */
  readonly encryptionKey: kms.IKey;
  /** What ends up here, for the acknowledgement a reviewer reads. */
  readonly purpose: string;
}

/**
 * The end of a redrive chain: kept 14 days (the SQS maximum) so an operator can inspect and redrive.
 * A dead-letter queue has no dead-letter queue of its own, which cdk-nag is told per queue.
 */
export class DeadLetterQueue extends sqs.Queue {
  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id, {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const reason = `Dead-letter queue for ${props.purpose}; it is the end of the redrive chain and is alarmed on depth`;
    acknowledge(this, 'AwsSolutions-SQS3', reason);
    acknowledge(this, 'Serverless-SQSRedrivePolicy', reason);
  }
}

export interface DurableQueueProps {
  readonly encryptionKey: kms.IKey;
  /** At least six times the consumer's timeout, so a message is not redelivered while still in flight. */
  readonly visibilityTimeout: Duration;
  /** Deliveries before a message moves to the dead-letter queue. @default 5 */
  readonly maxReceiveCount?: number;
  /** What the queue feeds, for the dead-letter queue's acknowledgement. */
  readonly purpose: string;
}

/** An encrypted, TLS-only SQS queue with its own dead-letter queue. */
export class DurableQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: DurableQueueProps) {
    super(scope, id);
    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetterQueue', {
      encryptionKey: props.encryptionKey,
      purpose: props.purpose,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout,
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
  }
}
