import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { z } from 'zod';
import type { EventDefinition } from '../../contracts/events.ts';
import { logger, metrics, tracer } from '../observability.ts';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** One message of a batch, as its consumer's `parse` read it. */
export interface QueuedMessage<T> {
  readonly messageId: string;
  readonly value: T;
}

/** What a consumer's batch handling answers: the ids of the messages SQS must deliver again. */
export interface BatchOutcome {
  readonly failed: readonly string[];
}

/**
 * The data of an EventBridge event of one type carried in an SQS body (a rule's target), or undefined
 * when the body is not such an event.
 */
export function eventDataOf<E extends EventDefinition>(
  definition: E,
): (body: unknown) => z.infer<E['data']> | undefined {
  return (body) => {
    const detail = (body as { detail?: unknown } | null)?.detail;
    const parsed = definition.detail.safeParse(detail);
    return parsed.success ? (parsed.data.data as z.infer<E['data']>) : undefined;
  };
}

/**
 * The middy chain of every SQS consumer, with partial batch responses. A message that is not JSON or
 * that `parse` rejects is reported failed at once: it is logged, and SQS delivers it again until its
 * redrive policy moves it to the dead-letter queue, where staff see it. The others go to `handle`
 * together, which answers the ones to deliver again; every other message of the batch is deleted.
 */
export function sqsHandler<T>(options: {
  /** The kind of message, for the log line of one that cannot be read. */
  readonly carries: string;
  /** The message a body carries (null is a message too); undefined when it carries none. */
  readonly parse: (body: unknown) => T;
  readonly handle: (
    messages: readonly QueuedMessage<NoInfer<Exclude<T, undefined>>>[],
  ) => Promise<BatchOutcome>;
}): SqsHandler {
  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer))
    .use(logMetrics(metrics))
    .handler(async (event) => {
      const messages: QueuedMessage<Exclude<T, undefined>>[] = [];
      const failed: string[] = [];
      for (const record of event.Records) {
        const value = parseBody(record.body, options.parse);
        if (value !== undefined) messages.push({ messageId: record.messageId, value });
        else {
          logger.error(`Not ${options.carries}; it goes to the dead-letter queue`, {
            messageId: record.messageId,
          });
          failed.push(record.messageId);
        }
      }
      const outcome = messages.length > 0 ? await options.handle(messages) : { failed: [] };
      const again = new Set([...failed, ...outcome.failed]);
      // In batch order, whoever reported them.
      return {
        batchItemFailures: event.Records.filter((r) => again.has(r.messageId)).map((r) => ({
          itemIdentifier: r.messageId,
        })),
      };
    }) as unknown as SqsHandler;
}

function parseBody<T>(body: string, parse: (body: unknown) => T): Exclude<T, undefined> | undefined {
  try {
    return parse(JSON.parse(body)) as Exclude<T, undefined> | undefined;
  } catch {
    return undefined;
  }
}

/**
 * Batch handling from one message's: messages are handled one after another (copies of one event in a
 * batch then find each other's work done, not busy), and one that throws, or answers `'retry'`, is
 * delivered again without holding up the rest.
 */
export function oneByOne<T>(
  /** Anything but `'retry'` it answers means done. */
  handleOne: (value: T, messageId: string) => Promise<unknown>,
  failure: string,
): (messages: readonly QueuedMessage<T>[]) => Promise<BatchOutcome> {
  return async (messages) => {
    const failed: string[] = [];
    for (const { messageId, value } of messages) {
      try {
        if ((await handleOne(value, messageId)) === 'retry') failed.push(messageId);
      } catch (error) {
        logger.warn(`${failure}; the message will be redelivered`, { messageId, error });
        failed.push(messageId);
      }
    }
    return { failed };
  };
}
