import type { NotificationRequest } from './decide.ts';
import { DeliveryRejectedError } from './errors.ts';
import type { NotificationChannel, NotificationPreferences, NotificationType } from './preferences.ts';

/** A rendered message for one channel and address. */
export interface OutboundMessage {
  readonly dedupeKey: string;
  readonly channel: NotificationChannel;
  /** An email address, an E.164 number or a push endpoint reference, as the channel needs. */
  readonly to: string;
  readonly customerId: string;
  readonly type: NotificationType;
  /** The language the message is written in. */
  readonly locale: string;
  /** The email subject, or the push title. */
  readonly subject: string;
  readonly body: string;
}

/**
 * Hands a message to a provider. Resolves once the provider accepted it; throws a
 * `DeliveryRejectedError` when it refused this message for good, a `DeliveryNotSentError` when it
 * certainly did not take it, and anything else when nobody can tell (a timeout mid-call).
 */
export interface Notifier {
  send(message: OutboundMessage): Promise<{ readonly providerMessageId: string }>;
}

/**
 * One notifier per channel. A channel without one rejects its messages, which the log records, so a
 * missing integration shows up as rejections rather than as silence.
 */
export function notifierByChannel(notifiers: Partial<Record<NotificationChannel, Notifier>>): Notifier {
  return {
    send: (message) => {
      const notifier = notifiers[message.channel];
      if (!notifier) {
        return Promise.reject(
          new DeliveryRejectedError(`No ${message.channel} sender is configured`, 'channel_unavailable'),
        );
      }
      return notifier.send(message);
    },
  };
}

/** A customer's preferences, stored in their residency zone. */
export interface PreferencesRepository {
  get(customerId: string, zone: string): Promise<NotificationPreferences | undefined>;
  /** Writes at `expectedVersion` (0: none stored yet); `VersionConflictError` when another write won. */
  put(preferences: NotificationPreferences, expectedVersion: number): Promise<void>;
}

/** Identifies a log entry, in the zone of the order the message is about. */
export interface LogEntryRef {
  readonly dedupeKey: string;
  readonly customerId: string;
  readonly zone: string;
}

/** What the log holds about a message, for the record (and a customer's data export). */
export interface LogEntryDetails extends LogEntryRef {
  readonly type: NotificationType;
  readonly channel: NotificationChannel;
  readonly subjectId: string;
  readonly sourceEventId: string;
}

/** Proof of a claim: only its holder may settle or release it. */
export interface Claim extends LogEntryRef {
  readonly token: string;
}

/** How a message's log entry ended. `uncertain`: it was handed over but the outcome was never recorded. */
export type SettledStatus = 'sent' | 'rejected' | 'uncertain';

export type ClaimOutcome =
  | { readonly kind: 'claimed'; readonly claim: Claim }
  /** `discovered`: this call found the stale claim and marked it uncertain (report it once). */
  | { readonly kind: 'settled'; readonly status: SettledStatus; readonly discovered?: boolean }
  /** Another execution holds the claim and may be sending right now. */
  | { readonly kind: 'busy'; readonly leaseUntil: string };

/**
 * The record that makes each message go out at most once: a conditional put claims the dedupe key before
 * the provider is called. A claim whose lease runs out unsettled means the sender died mid-call, and the
 * message may or may not have left: it is marked `uncertain` and never sent again.
 */
export interface NotificationLog {
  claim(entry: LogEntryDetails, now: Date, leaseUntil: Date): Promise<ClaimOutcome>;
  settle(
    claim: Claim,
    outcome:
      | { readonly status: 'sent'; readonly providerMessageId: string }
      | { readonly status: 'rejected'; readonly reason: string },
    now: Date,
  ): Promise<void>;
  /** Gives the key back after the provider certainly did not take the message, so a retry may send it. */
  release(claim: Claim): Promise<void>;
}

/** A message waiting out the customer's quiet hours. */
export interface DeferredNotification {
  readonly request: NotificationRequest;
  readonly notBefore: string;
}

/**
 * Messages held back by quiet hours until a scheduled sweep sends them. Each region sends the ones it
 * deferred: log claims are conditional writes on a replica, which only agree within one region.
 */
export interface DeferredNotifications {
  /** Holds a message until `notBefore`; a message already held keeps its time. */
  defer(request: NotificationRequest, notBefore: Date, region: string, now: Date): Promise<void>;
  /** Held messages this region deferred whose time has come, earliest first. */
  due(region: string, now: Date, limit: number): Promise<DeferredNotification[]>;
  /** Moves a held message to a later time (the customer's quiet hours changed meanwhile). */
  reschedule(item: DeferredNotification, notBefore: Date): Promise<void>;
  remove(item: DeferredNotification): Promise<void>;
}

/** What the message needs to know about its order. */
export interface OrderLookup {
  getOrder(orderId: string): Promise<
    | {
        readonly orderNumber: string;
        /** The address the order was placed with: the email fallback. */
        readonly email: string;
        readonly market: string;
      }
    | undefined
  >;
}

/** Names a click-and-collect location in the message, and gives the time zone its deadline is read in. */
export interface LocationLookup {
  get(locationId: string): Promise<{ readonly name: string; readonly timezone?: string } | undefined>;
}
