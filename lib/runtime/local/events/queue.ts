import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { systemTimers, type Timers } from './clock.ts';

/** A message attribute as SendMessage takes it. */
export interface MessageAttributeValue {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: Uint8Array;
}

/** The optional part of SendMessage. */
export interface SendMessageOptions {
  readonly MessageAttributes?: Readonly<Record<string, MessageAttributeValue>>;
  /** 0 to 900; overrides the queue's delay. */
  readonly DelaySeconds?: number;
}

/** The SendMessage response. */
export interface SendMessageOutput {
  readonly MessageId: string;
  readonly MD5OfMessageBody: string;
  readonly MD5OfMessageAttributes?: string;
}

/**
 * A Lambda SQS handler, as the event source mapping calls it (the local runtime adds the context). It
 * may return (a promise of) an `SQSBatchResponse`; anything else counts as full success, as on AWS.
 */
export type QueueHandler = (event: SQSEvent) => unknown;

/** The event source mapping settings that change delivery. */
export interface ConsumerOptions {
  /** @default 10 */
  readonly batchSize?: number;
  /** Wait up to this long for a full batch. @default 0 */
  readonly maxBatchingWindowMs?: number;
  /** Batches in flight at once. @default 1 */
  readonly maxConcurrency?: number;
  /**
   * `FunctionResponseTypes: ['ReportBatchItemFailures']`. Without it AWS ignores `batchItemFailures` and
   * deletes the whole batch on success (RELIABILITY.md F10), and so does this queue. @default true
   */
  readonly reportBatchItemFailures?: boolean;
}

/** An attached consumer; detach it to stop new deliveries. */
export interface QueueConsumer {
  detach(): void;
}

export interface RedrivePolicy {
  readonly deadLetterQueue: LocalQueue;
  /** Receives before the next receive moves the message to the dead-letter queue (1 to 1000). */
  readonly maxReceiveCount: number;
}

export interface LocalQueueProps {
  readonly name: string;
  /** @default 'eu-west-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly account?: string;
  /** @default 30_000 */
  readonly visibilityTimeoutMs?: number;
  /** Queue-level DelaySeconds. @default 0 */
  readonly delaySeconds?: number;
  /** Without one, failing messages are retried until they succeed, as on SQS. */
  readonly redrivePolicy?: RedrivePolicy;
  /** @default systemTimers */
  readonly timers?: Timers;
  /** Called when a handler throws (the batch is retried either way). @default writes to stderr */
  readonly onHandlerError?: (error: unknown, messageIds: readonly string[]) => void;
}

/** What `peek()` shows of a stored message. */
export interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly receiveCount: number;
  readonly visible: boolean;
  readonly messageAttributes: SQSMessageAttributes;
  readonly deadLetterQueueSourceArn?: string;
}

interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly md5OfMessageAttributes: string | undefined;
  readonly messageAttributes: SQSMessageAttributes;
  readonly sentTimestamp: number;
  readonly deadLetterQueueSourceArn: string | undefined;
  receiveCount: number;
  firstReceiveTimestamp: number | undefined;
  visibleAt: number;
  receiptHandle: string | undefined;
}

interface Consumer {
  readonly handler: QueueHandler;
  readonly batchSize: number;
  readonly maxBatchingWindowMs: number;
  readonly maxConcurrency: number;
  readonly reportBatchItemFailures: boolean;
  running: number;
  windowStartedAt: number | undefined;
}

const SENDER_ID = 'AIDALOCALRUNTIME0000';

/**
 * An SQS standard queue with a Lambda event source mapping in front of it: at-least-once delivery,
 * visibility timeout, ApproximateReceiveCount, redrive to a dead-letter queue, delays, batching and
 * partial batch responses, with handler events shaped exactly as Lambda sends them.
 */
export class LocalQueue {
  readonly name: string;
  readonly arn: string;
  readonly url: string;
  private readonly region: string;
  private readonly visibilityTimeoutMs: number;
  private readonly delaySeconds: number;
  private readonly redrive: RedrivePolicy | undefined;
  private readonly timers: Timers;
  private readonly onHandlerError: NonNullable<LocalQueueProps['onHandlerError']>;
  private readonly messages = new Map<string, StoredMessage>();
  private readonly consumers = new Set<Consumer>();
  private running = 0;
  private stopped = false;
  private kickHandle: unknown;
  private wake: { at: number; handle: unknown } | undefined;
  private idleWaiters: Array<() => void> = [];
  private drainWaiters: Array<() => void> = [];

  constructor(props: LocalQueueProps) {
    this.name = props.name;
    this.region = props.region ?? 'eu-west-1';
    const account = props.account ?? '000000000000';
    this.arn = `arn:aws:sqs:${this.region}:${account}:${this.name}`;
    this.url = `https://sqs.${this.region}.amazonaws.com/${account}/${this.name}`;
    this.visibilityTimeoutMs = props.visibilityTimeoutMs ?? 30_000;
    this.delaySeconds = props.delaySeconds ?? 0;
    this.redrive = props.redrivePolicy;
    this.timers = props.timers ?? systemTimers;
    this.onHandlerError =
      props.onHandlerError ??
      ((error, ids) => console.error(`[${this.name}] handler failed on ${ids.join(', ')}`, error));
    if (!(this.visibilityTimeoutMs >= 0 && this.visibilityTimeoutMs <= 12 * 3600_000)) {
      throw new Error(`LocalQueue ${this.name}: visibilityTimeoutMs must be between 0 and 12 hours`);
    }
    checkDelay(this.delaySeconds, `LocalQueue ${this.name}: delaySeconds`);
    const maxReceiveCount = this.redrive?.maxReceiveCount;
    if (
      maxReceiveCount !== undefined &&
      !(Number.isInteger(maxReceiveCount) && maxReceiveCount >= 1 && maxReceiveCount <= 1000)
    ) {
      throw new Error(`LocalQueue ${this.name}: maxReceiveCount must be an integer from 1 to 1000`);
    }
    if (this.redrive?.deadLetterQueue === this) {
      throw new Error(`LocalQueue ${this.name}: a queue cannot be its own dead-letter queue`);
    }
  }

  /** SendMessage. Delivery to consumers always happens later, never inside the caller's call. */
  send(body: string, options: SendMessageOptions = {}): SendMessageOutput {
    if (typeof body !== 'string' || body.length === 0) {
      throw new Error(`LocalQueue ${this.name}: the message body must be a non-empty string`);
    }
    const delaySeconds = options.DelaySeconds ?? this.delaySeconds;
    checkDelay(delaySeconds, `LocalQueue ${this.name}: DelaySeconds`);
    const now = this.timers.now();
    const attributes = options.MessageAttributes ?? {};
    const message: StoredMessage = {
      messageId: randomUUID(),
      body,
      md5OfBody: md5(body),
      md5OfMessageAttributes:
        Object.keys(attributes).length > 0 ? md5OfMessageAttributes(attributes) : undefined,
      messageAttributes: toLambdaAttributes(attributes),
      sentTimestamp: now,
      deadLetterQueueSourceArn: undefined,
      receiveCount: 0,
      firstReceiveTimestamp: undefined,
      visibleAt: now + delaySeconds * 1000,
      receiptHandle: undefined,
    };
    this.messages.set(message.messageId, message);
    this.kick();
    return {
      MessageId: message.messageId,
      MD5OfMessageBody: message.md5OfBody,
      ...(message.md5OfMessageAttributes ? { MD5OfMessageAttributes: message.md5OfMessageAttributes } : {}),
    };
  }

  /** Adds an event source mapping that polls this queue. */
  attachConsumer(handler: QueueHandler, options: ConsumerOptions = {}): QueueConsumer {
    const consumer: Consumer = {
      handler,
      batchSize: options.batchSize ?? 10,
      maxBatchingWindowMs: options.maxBatchingWindowMs ?? 0,
      maxConcurrency: options.maxConcurrency ?? 1,
      reportBatchItemFailures: options.reportBatchItemFailures ?? true,
      running: 0,
      windowStartedAt: undefined,
    };
    if (!(Number.isInteger(consumer.batchSize) && consumer.batchSize >= 1 && consumer.batchSize <= 10_000)) {
      throw new Error(`LocalQueue ${this.name}: batchSize must be an integer from 1 to 10000`);
    }
    if (consumer.batchSize > 10 && consumer.maxBatchingWindowMs < 1000) {
      // Lambda rejects this mapping too; catching it here keeps local and deployed configs aligned.
      throw new Error(
        `LocalQueue ${this.name}: a batchSize above 10 needs maxBatchingWindowMs of at least 1 s`,
      );
    }
    if (!(Number.isInteger(consumer.maxConcurrency) && consumer.maxConcurrency >= 1)) {
      throw new Error(`LocalQueue ${this.name}: maxConcurrency must be a positive integer`);
    }
    this.consumers.add(consumer);
    this.kick();
    return {
      detach: () => {
        this.consumers.delete(consumer);
        this.checkWaiters();
      },
    };
  }

  /** Messages stored (visible, in flight or delayed): ApproximateNumberOfMessages and friends, summed. */
  get size(): number {
    return this.messages.size;
  }

  /** A snapshot of the stored messages, oldest first; for tests and DLQ inspection. */
  peek(): QueuedMessage[] {
    const now = this.timers.now();
    return [...this.messages.values()].map((m) => ({
      messageId: m.messageId,
      body: m.body,
      receiveCount: m.receiveCount,
      visible: m.visibleAt <= now,
      messageAttributes: structuredClone(m.messageAttributes),
      ...(m.deadLetterQueueSourceArn ? { deadLetterQueueSourceArn: m.deadLetterQueueSourceArn } : {}),
    }));
  }

  /**
   * Resolves when nothing can happen right now: no batch is running and no visible message waits for
   * an attached consumer. Delayed and invisible messages do not count; use `drain()` for those.
   */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.checkWaiters();
    });
  }

  /**
   * Resolves when the queue is empty and no batch runs: every message was deleted or dead-lettered.
   * Messages waiting out a visibility timeout keep it pending, so with fake timers advance the clock.
   */
  drain(): Promise<void> {
    return new Promise((resolve) => {
      this.drainWaiters.push(resolve);
      this.checkWaiters();
    });
  }

  /** Stops polling and waits for running batches; stored messages stay. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.consumers.clear();
    if (this.kickHandle !== undefined) this.timers.clearTimeout(this.kickHandle);
    if (this.wake) this.timers.clearTimeout(this.wake.handle);
    this.kickHandle = undefined;
    this.wake = undefined;
    await this.idle();
  }

  /** Coalesces wake-ups into one timer tick, so consumers never run inside a caller's stack. */
  private kick(): void {
    if (this.stopped || this.kickHandle !== undefined) return;
    this.kickHandle = this.timers.setTimeout(() => {
      this.kickHandle = undefined;
      this.pump();
    }, 0);
  }

  private pump(): void {
    if (this.stopped) {
      this.checkWaiters();
      return;
    }
    const now = this.timers.now();
    let wakeAt = Number.POSITIVE_INFINITY;
    for (const consumer of this.consumers) {
      while (consumer.running < consumer.maxConcurrency) {
        const visible = this.visibleMessages(now);
        if (visible.length === 0) {
          consumer.windowStartedAt = undefined;
          break;
        }
        if (visible.length < consumer.batchSize && consumer.maxBatchingWindowMs > 0) {
          consumer.windowStartedAt ??= now;
          const deadline = consumer.windowStartedAt + consumer.maxBatchingWindowMs;
          if (now < deadline) {
            wakeAt = Math.min(wakeAt, deadline);
            break;
          }
        }
        consumer.windowStartedAt = undefined;
        const batch = this.receive(visible, consumer.batchSize, now);
        if (batch.length > 0) void this.runBatch(consumer, batch);
      }
    }
    for (const message of this.messages.values()) {
      if (message.visibleAt > now) wakeAt = Math.min(wakeAt, message.visibleAt);
    }
    this.armWake(wakeAt, now);
    this.checkWaiters();
  }

  private visibleMessages(now: number): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.visibleAt <= now);
  }

  /** ReceiveMessage: hides each message for the visibility timeout, or dead-letters it first. */
  private receive(visible: readonly StoredMessage[], max: number, now: number): SQSRecord[] {
    const records: SQSRecord[] = [];
    for (const message of visible) {
      if (records.length >= max) break;
      if (this.redrive && message.receiveCount >= this.redrive.maxReceiveCount) {
        this.messages.delete(message.messageId);
        this.redrive.deadLetterQueue.acceptDeadLetter(message, this.arn);
        continue;
      }
      message.receiveCount++;
      message.firstReceiveTimestamp ??= now;
      message.receiptHandle = randomBytes(48).toString('base64');
      message.visibleAt = now + this.visibilityTimeoutMs;
      records.push(this.toRecord(message));
    }
    return records;
  }

  private async runBatch(consumer: Consumer, records: SQSRecord[]): Promise<void> {
    consumer.running++;
    this.running++;
    let succeeded: readonly SQSRecord[] = [];
    try {
      const result = await consumer.handler({ Records: records });
      succeeded = consumer.reportBatchItemFailures ? successfulRecords(result, records) : records;
    } catch (error) {
      this.reportHandlerError(error, records);
    }
    for (const record of succeeded) this.deleteMessage(record.messageId, record.receiptHandle);
    consumer.running--;
    this.running--;
    this.pump();
  }

  /** DeleteMessage: a stale receipt handle (the message was received again since) deletes nothing. */
  private deleteMessage(messageId: string, receiptHandle: string): void {
    const message = this.messages.get(messageId);
    if (message?.receiptHandle === receiptHandle) this.messages.delete(messageId);
  }

  private acceptDeadLetter(message: StoredMessage, sourceArn: string): void {
    const now = this.timers.now();
    this.messages.set(message.messageId, {
      ...message,
      deadLetterQueueSourceArn: sourceArn,
      receiveCount: 0,
      firstReceiveTimestamp: undefined,
      visibleAt: now,
      receiptHandle: undefined,
    });
    this.kick();
    this.checkWaiters();
  }

  private toRecord(message: StoredMessage): SQSRecord {
    return {
      messageId: message.messageId,
      receiptHandle: message.receiptHandle as string,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentTimestamp),
        SenderId: SENDER_ID,
        ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp),
        ...(message.deadLetterQueueSourceArn
          ? { DeadLetterQueueSourceArn: message.deadLetterQueueSourceArn }
          : {}),
      },
      messageAttributes: structuredClone(message.messageAttributes),
      md5OfBody: message.md5OfBody,
      ...(message.md5OfMessageAttributes ? { md5OfMessageAttributes: message.md5OfMessageAttributes } : {}),
      eventSource: 'aws:sqs',
      eventSourceARN: this.arn,
      awsRegion: this.region,
    };
  }

  private armWake(at: number, now: number): void {
    if (this.wake?.at === at) return;
    if (this.wake) this.timers.clearTimeout(this.wake.handle);
    this.wake = undefined;
    if (at === Number.POSITIVE_INFINITY) return;
    const handle = this.timers.setTimeout(
      () => {
        this.wake = undefined;
        this.pump();
      },
      Math.max(0, at - now),
    );
    this.wake = { at, handle };
  }

  private reportHandlerError(error: unknown, records: readonly SQSRecord[]): void {
    try {
      this.onHandlerError(
        error,
        records.map((r) => r.messageId),
      );
    } catch {
      // A reporter that throws must not leave the batch counted as running.
    }
  }

  private checkWaiters(): void {
    const now = this.timers.now();
    const actionable = this.consumers.size > 0 && !this.stopped && this.visibleMessages(now).length > 0;
    if (this.running === 0 && !actionable && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
    if (this.running === 0 && this.messages.size === 0 && this.drainWaiters.length > 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}

/**
 * Lambda's reading of a partial batch response: no response, a null or empty list is full success;
 * a malformed list or any identifier that is empty or not in the batch fails the whole batch.
 */
function successfulRecords(result: unknown, records: readonly SQSRecord[]): readonly SQSRecord[] {
  if (result === undefined || result === null || typeof result !== 'object') return records;
  const failures = (result as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return records;
  if (!Array.isArray(failures)) return [];
  const ids = new Set(records.map((r) => r.messageId));
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !ids.has(id)) return [];
    failed.add(id);
  }
  return records.filter((r) => !failed.has(r.messageId));
}

function toLambdaAttributes(
  attributes: Readonly<Record<string, MessageAttributeValue>>,
): SQSMessageAttributes {
  const result: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes)) {
    result[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined
        ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }
        : {}),
      stringListValues: [],
      binaryListValues: [],
      dataType: value.DataType,
    };
  }
  return result;
}

function md5(value: string | Uint8Array): string {
  return createHash('md5').update(value).digest('hex');
}

/** SQS's digest of message attributes: sorted names, each length-prefixed with a transport byte. */
export function md5OfMessageAttributes(attributes: Readonly<Record<string, MessageAttributeValue>>): string {
  const hash = createHash('md5');
  const lengthPrefixed = (bytes: Uint8Array) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length);
    hash.update(bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const value = attributes[name] as MessageAttributeValue;
    lengthPrefixed(Buffer.from(name, 'utf8'));
    lengthPrefixed(Buffer.from(value.DataType, 'utf8'));
    if (value.BinaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      lengthPrefixed(value.BinaryValue);
    } else {
      hash.update(Buffer.from([1]));
      lengthPrefixed(Buffer.from(value.StringValue ?? '', 'utf8'));
    }
  }
  return hash.digest('hex');
}

function checkDelay(seconds: number, what: string): void {
  if (!(Number.isInteger(seconds) && seconds >= 0 && seconds <= 900)) {
    throw new Error(`${what} must be an integer from 0 to 900`);
  }
}
