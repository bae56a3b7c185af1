import { z } from 'zod';
import { limitParam } from '../contracts/http.ts';
import { type Clock, systemClock } from '../platform/domain-event.ts';
import type { Notifier, OutboundMessage } from './ports.ts';
import { NotificationChannel, NotificationType } from './preferences.ts';

/** A message the local runtime "sent": what a provider would have delivered, for storefront developers. */
export const OutboxMessage = z
  .strictObject({
    messageId: z.string(),
    sentAt: z.iso.datetime(),
    dedupeKey: z.string(),
    customerId: z.string(),
    type: NotificationType,
    channel: NotificationChannel,
    to: z.string(),
    locale: z.string(),
    subject: z.string(),
    body: z.string(),
  })
  .meta({ id: 'OutboxMessage' });
export type OutboxMessage = z.infer<typeof OutboxMessage>;

/** The query of `GET /v1/dev/outbox`. */
export const OutboxQuery = z.strictObject({
  customerId: z.string().min(1).max(128).optional(),
  type: NotificationType.optional(),
  channel: NotificationChannel.optional(),
  limit: limitParam(500, 100),
});
export type OutboxQuery = z.infer<typeof OutboxQuery>;

/** Props of {@link LocalNotificationOutbox}. */
export interface LocalNotificationOutboxProps {
  /** @default systemClock */
  readonly clock?: Clock;
  /** The oldest messages are forgotten beyond this many. @default 5000 */
  readonly capacity?: number;
}

/**
 * The local runtime's notifier for every channel: it keeps what it is given, in memory, for
 * `GET /v1/dev/outbox`. It never fails, so the log's at-most-once guarantee is what tests observe.
 */
export class LocalNotificationOutbox implements Notifier {
  private readonly messages: OutboxMessage[] = [];
  private readonly clock: Clock;
  private readonly capacity: number;
  private sequence = 0;

  constructor(props: LocalNotificationOutboxProps = {}) {
    this.clock = props.clock ?? systemClock;
    this.capacity = props.capacity ?? 5000;
  }

  async send(message: OutboundMessage): Promise<{ providerMessageId: string }> {
    this.sequence++;
    const messageId = `local-${String(this.sequence).padStart(6, '0')}`;
    this.messages.push({
      messageId,
      sentAt: this.clock.now().toISOString(),
      dedupeKey: message.dedupeKey,
      customerId: message.customerId,
      type: message.type,
      channel: message.channel,
      to: message.to,
      locale: message.locale,
      subject: message.subject,
      body: message.body,
    });
    if (this.messages.length > this.capacity) this.messages.splice(0, this.messages.length - this.capacity);
    return { providerMessageId: messageId };
  }

  /** Messages in the order they were sent; with a limit, the latest ones. */
  list(query: Partial<OutboxQuery> = {}): OutboxMessage[] {
    const matching = this.messages.filter(
      (m) =>
        (query.customerId === undefined || m.customerId === query.customerId) &&
        (query.type === undefined || m.type === query.type) &&
        (query.channel === undefined || m.channel === query.channel),
    );
    return (query.limit === undefined ? matching : matching.slice(-query.limit)).map((m) => ({ ...m }));
  }
}
