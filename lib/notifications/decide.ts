import { z } from 'zod';
import {
  type ChannelRefusal,
  channelPermission,
  channelsFor,
  contactFor,
  type NotificationChannel,
  type NotificationPreferences,
  NotificationType,
} from './preferences.ts';
import { quietHoursEnd } from './quiet-hours.ts';

/**
 * One message to send, derived from a bus event (see `triggers.ts`) and kept as is while it waits out
 * quiet hours. `subjectId` and `status` name the message: the same shipment reaching the same status is
 * one message, however many times the event arrives.
 */
export const NotificationRequest = z.strictObject({
  type: NotificationType,
  customerId: z.string().min(1).max(128),
  zone: z.string().min(1).max(16).describe('The residency zone of the order the message is about'),
  orderId: z.string().min(1).max(64),
  subjectId: z.string().min(1).max(64).describe('The shipment the message is about, else the order'),
  status: z.string().min(1).max(120).describe('What happened to the subject, e.g. `delivered`'),
  occurredAt: z.iso.datetime(),
  sourceEventId: z.string().min(1).max(256),
  details: z.strictObject({
    orderNumber: z.string().max(64).optional(),
    carrier: z.string().max(32).optional(),
    trackingNumber: z.string().max(64).optional(),
    estimate: z.strictObject({ earliest: z.iso.date(), latest: z.iso.date() }).optional(),
    signatureRequired: z.boolean().optional(),
    locationId: z.string().max(64).optional(),
    collectBy: z.iso.datetime().optional(),
    reissued: z.boolean().optional(),
  }),
});
export type NotificationRequest = z.infer<typeof NotificationRequest>;

/**
 * The key that makes a message go out at most once per channel:
 * `notify:<customer>:<type>:<shipmentOrOrderId>:<status>:<channel>`.
 */
export const dedupeKey = (request: NotificationRequest, channel: NotificationChannel): string =>
  `notify:${request.customerId}:${request.type}:${request.subjectId}:${request.status}:${channel}`;

/**
 * How long a message stays worth sending after what it reports happened. "Out for delivery" read the
 * morning after the parcel arrived is noise; every other type still tells the customer something.
 */
const RELEVANT_FOR_MS: Readonly<Partial<Record<NotificationType, number>>> = {
  out_for_delivery: 12 * 3_600_000,
};

export interface PlannedDelivery {
  readonly channel: NotificationChannel;
  readonly to: string;
  readonly dedupeKey: string;
}

export interface SkippedChannel {
  readonly channel: NotificationChannel;
  readonly reason: ChannelRefusal;
}

export type NotificationPlan =
  | {
      readonly kind: 'deliver';
      readonly deliveries: readonly PlannedDelivery[];
      readonly skipped: readonly SkippedChannel[];
    }
  | { readonly kind: 'defer'; readonly notBefore: Date; readonly skipped: readonly SkippedChannel[] }
  | {
      readonly kind: 'drop';
      /** `stale`: too late to be useful; `no_channel`: the customer turned the type off or no channel may carry it. */
      readonly reason: 'stale' | 'no_channel';
      readonly skipped: readonly SkippedChannel[];
    };

/**
 * Decides where a message goes and when. Each channel the customer chose for the type gets it once,
 * provided consent allows the channel ({@link channelPermission}) and there is an address for it.
 *
 * Quiet hours hold every channel, email included (the customer asked not to be disturbed, and a phone
 * chimes for mail too), and no type is urgent enough to break them: a missed delivery can be rescheduled
 * in the morning. The whole message is deferred to the end of the quiet hours in the customer's time
 * zone, so channels never drift apart.
 */
export function planNotification(
  request: NotificationRequest,
  prefs: NotificationPreferences,
  now: Date,
): NotificationPlan {
  const deliveries: PlannedDelivery[] = [];
  const skipped: SkippedChannel[] = [];
  for (const channel of channelsFor(prefs, request.type)) {
    const permission = channelPermission(prefs, channel);
    const to = contactFor(prefs.contacts, channel);
    if (permission !== 'allowed') skipped.push({ channel, reason: permission });
    else if (!to) skipped.push({ channel, reason: 'no_contact' });
    else deliveries.push({ channel, to, dedupeKey: dedupeKey(request, channel) });
  }
  const relevantFor = RELEVANT_FOR_MS[request.type] ?? Number.POSITIVE_INFINITY;
  const staleAt = Date.parse(request.occurredAt) + relevantFor;
  if (now.getTime() > staleAt) return { kind: 'drop', reason: 'stale', skipped };
  if (deliveries.length === 0) return { kind: 'drop', reason: 'no_channel', skipped };
  const quietUntil = prefs.quietHours ? quietHoursEnd(now, prefs.quietHours, prefs.timeZone) : undefined;
  if (quietUntil) {
    // Waiting would only deliver it once it is no longer worth reading.
    if (quietUntil.getTime() > staleAt) return { kind: 'drop', reason: 'stale', skipped };
    return { kind: 'defer', notBefore: quietUntil, skipped };
  }
  return { kind: 'deliver', deliveries, skipped };
}
