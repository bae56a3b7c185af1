import { PreconditionFailedError, VersionConflictError } from '../errors.ts';
import { MARKETS, type MarketCode } from '../money/markets.ts';
import type { Clock } from '../platform/domain-event.ts';
import {
  type NotificationRequest,
  type PlannedDelivery,
  planNotification,
  type SkippedChannel,
} from './decide.ts';
import { DeliveryError } from './errors.ts';
import type { NotificationLinks } from './links.ts';
import type {
  DeferredNotification,
  DeferredNotifications,
  LocationLookup,
  NotificationLog,
  Notifier,
  OrderLookup,
  PreferencesRepository,
} from './ports.ts';
import {
  applyPreferencesInput,
  defaultPreferences,
  type NotificationPreferences,
  type NotificationPreferencesInput,
  samePreferences,
} from './preferences.ts';
import { renderNotification } from './templates.ts';

/**
 * How long a claim protects a send in progress. Longer than any send can take (the notifier's timeout),
 * shorter than the queue's redelivery budget, so a sender that died mid-call is noticed by a retry
 * before the message reaches the dead-letter queue.
 */
export const DEFAULT_CLAIM_LEASE_MS = 5 * 60_000;

/** What the notifier and the deferred sweep need. */
export interface NotificationDeps {
  readonly preferences: PreferencesRepository;
  readonly log: NotificationLog;
  readonly deferred: DeferredNotifications;
  readonly notifier: Notifier;
  readonly orders: OrderLookup;
  /** @default - messages name no pickup location */
  readonly locations?: LocationLookup;
  readonly links: NotificationLinks;
  readonly clock: Clock;
  /** The region this runs in: held messages are sent by the region that held them. */
  readonly region: string;
  /** Every residency zone, to find preferences saved in a zone other than the order's. */
  readonly zones: readonly string[];
  /** @default DEFAULT_CLAIM_LEASE_MS */
  readonly claimLeaseMs?: number;
}

/** What `GET` and `PUT /v1/me/notification-preferences` need. */
export interface PreferencesDeps {
  readonly preferences: PreferencesRepository;
  readonly clock: Clock;
  /** The residency zone of a customer, from their country; preferences are personal data. */
  readonly zoneOfCountry: (country: string | undefined) => string;
}

/** How one channel's message went. `retry` asks for the source message to come again. */
export interface DeliveryOutcome {
  readonly channel: PlannedDelivery['channel'];
  readonly dedupeKey: string;
  readonly result: 'sent' | 'duplicate' | 'rejected' | 'uncertain' | 'retry';
  readonly reason?: string;
}

/** What handling one message did, for the consumer's metrics and its partial batch response. */
export interface NotificationOutcome {
  readonly request: NotificationRequest;
  readonly plan: 'deliver' | 'defer' | 'drop';
  readonly deferredUntil?: string;
  readonly dropReason?: 'stale' | 'no_channel';
  readonly deliveries: readonly DeliveryOutcome[];
  readonly skipped: readonly SkippedChannel[];
  /** Whether something may still have to be sent: the source (queue message, held item) must come again. */
  readonly retry: boolean;
}

/** Preferences saved for the customer, looked for in the order's zone first, then in the others. */
async function findPreferences(
  deps: NotificationDeps,
  customerId: string,
  zone: string,
): Promise<NotificationPreferences | undefined> {
  for (const candidate of [zone, ...deps.zones.filter((z) => z !== zone)]) {
    const found = await deps.preferences.get(customerId, candidate);
    if (found) return found;
  }
  return undefined;
}

const marketLocale = (market: string | undefined) =>
  market && market in MARKETS ? MARKETS[market as MarketCode].locale : undefined;

/**
 * Handles one message a bus event calls for: plans it against the customer's preferences, holds it
 * through quiet hours, and sends each channel's copy at most once. Safe to call again with the same
 * request (redeliveries, duplicates, the sweep of held messages): every send is claimed in the log first.
 * `held` is the stored item when the deferred sweep calls; it is removed once nothing is left to do.
 */
export async function handleNotificationEvent(
  deps: NotificationDeps,
  request: NotificationRequest,
  held?: DeferredNotification,
): Promise<NotificationOutcome> {
  const now = deps.clock.now();
  const [stored, order] = await Promise.all([
    findPreferences(deps, request.customerId, request.zone),
    deps.orders.getOrder(request.orderId),
  ]);
  const prefs =
    stored ??
    defaultPreferences(request.customerId, request.zone, {
      email: order?.email,
      locale: marketLocale(order?.market),
    });
  // The order was placed with an email address: it stands in when the preferences name none.
  const effective =
    prefs.contacts.email || !order?.email
      ? prefs
      : { ...prefs, contacts: { ...prefs.contacts, email: order.email } };
  const plan = planNotification(request, effective, now);
  const base = { request, skipped: plan.skipped };

  if (plan.kind === 'defer') {
    if (held) await deps.deferred.reschedule(held, plan.notBefore);
    else await deps.deferred.defer(request, plan.notBefore, deps.region, now);
    return {
      ...base,
      plan: 'defer',
      deferredUntil: plan.notBefore.toISOString(),
      deliveries: [],
      retry: false,
    };
  }
  if (plan.kind === 'drop') {
    if (held) await deps.deferred.remove(held);
    return { ...base, plan: 'drop', dropReason: plan.reason, deliveries: [], retry: false };
  }

  const location = request.details.locationId
    ? await deps.locations?.get(request.details.locationId)
    : undefined;
  const shipment = request.subjectId !== request.orderId ? request.subjectId : undefined;
  const rendered = renderNotification({
    type: request.type,
    locale: effective.locale,
    // A collection deadline is read at the boutique, in its own time.
    timeZone: location?.timezone ?? effective.timeZone,
    orderNumber: request.details.orderNumber ?? order?.orderNumber ?? request.orderId,
    carrier: request.details.carrier,
    trackingNumber: request.details.trackingNumber,
    estimate: request.details.estimate,
    signatureRequired: request.details.signatureRequired,
    locationName: location?.name,
    collectBy: request.details.collectBy,
    reissued: request.details.reissued,
    links: {
      order: deps.links.order(request.orderId),
      ...(shipment
        ? {
            tracking: deps.links.tracking(request.orderId, shipment),
            reschedule: deps.links.reschedule(request.orderId, shipment),
            pickup: deps.links.pickup(request.orderId, shipment),
          }
        : {}),
    },
  });
  const deliveries = await Promise.all(
    plan.deliveries.map((delivery) =>
      deliverOnce(deps, request, delivery, {
        locale: rendered.locale,
        subject: rendered.subject,
        body: delivery.channel === 'email' ? rendered.body : rendered.short,
      }),
    ),
  );
  const retry = deliveries.some((d) => d.result === 'retry');
  if (held && !retry) await deps.deferred.remove(held);
  return { ...base, plan: 'deliver', deliveries, retry };
}

async function deliverOnce(
  deps: NotificationDeps,
  request: NotificationRequest,
  delivery: PlannedDelivery,
  text: { locale: string; subject: string; body: string },
): Promise<DeliveryOutcome> {
  const now = deps.clock.now();
  const ref = { channel: delivery.channel, dedupeKey: delivery.dedupeKey };
  const claimed = await deps.log.claim(
    {
      dedupeKey: delivery.dedupeKey,
      customerId: request.customerId,
      zone: request.zone,
      type: request.type,
      channel: delivery.channel,
      subjectId: request.subjectId,
      sourceEventId: request.sourceEventId,
    },
    now,
    new Date(now.getTime() + (deps.claimLeaseMs ?? DEFAULT_CLAIM_LEASE_MS)),
  );
  if (claimed.kind === 'busy') return { ...ref, result: 'retry', reason: 'claimed_elsewhere' };
  if (claimed.kind === 'settled') {
    return claimed.status === 'uncertain' && claimed.discovered
      ? { ...ref, result: 'uncertain', reason: 'sender_died_mid_call' }
      : { ...ref, result: 'duplicate', reason: claimed.status };
  }
  try {
    const { providerMessageId } = await deps.notifier.send({
      dedupeKey: delivery.dedupeKey,
      channel: delivery.channel,
      to: delivery.to,
      customerId: request.customerId,
      type: request.type,
      ...text,
    });
    await deps.log.settle(claimed.claim, { status: 'sent', providerMessageId }, deps.clock.now());
    return { ...ref, result: 'sent' };
  } catch (error) {
    if (error instanceof DeliveryError && !error.retryable) {
      await deps.log.settle(claimed.claim, { status: 'rejected', reason: error.reason }, deps.clock.now());
      return { ...ref, result: 'rejected', reason: error.reason };
    }
    if (error instanceof DeliveryError) {
      await deps.log.release(claimed.claim);
      return { ...ref, result: 'retry', reason: error.reason };
    }
    // Nobody knows whether the provider took it: the claim stays, and its lease running out marks it
    // uncertain on a later attempt rather than risk a second copy.
    return { ...ref, result: 'retry', reason: 'outcome_unknown' };
  }
}

/** What one sweep of held messages did. */
export interface DeferredSweepReport {
  readonly due: number;
  readonly outcomes: readonly NotificationOutcome[];
  /** Held messages whose handling threw; they stay held for the next sweep. */
  readonly failed: readonly { readonly request: NotificationRequest; readonly error: string }[];
}

/** Sends the held messages whose quiet hours are over (the scheduled sweep). */
export async function sendDueNotifications(
  deps: NotificationDeps,
  options: { readonly limit?: number } = {},
): Promise<DeferredSweepReport> {
  const due = await deps.deferred.due(deps.region, deps.clock.now(), options.limit ?? 100);
  const outcomes: NotificationOutcome[] = [];
  const failed: { request: NotificationRequest; error: string }[] = [];
  for (const item of due) {
    try {
      outcomes.push(await handleNotificationEvent(deps, item.request, item));
    } catch (error) {
      failed.push({ request: item.request, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { due: due.length, outcomes, failed };
}

/** Who is asking, from the access token. */
export interface PreferencesCaller {
  readonly customerId: string;
  readonly country?: string | undefined;
  readonly email?: string | undefined;
}

/** The caller's preferences, or the defaults (version 0) when they never saved any. */
export async function getNotificationPreferences(
  deps: PreferencesDeps,
  caller: PreferencesCaller,
): Promise<NotificationPreferences> {
  const zone = deps.zoneOfCountry(caller.country);
  return (
    (await deps.preferences.get(caller.customerId, zone)) ??
    defaultPreferences(caller.customerId, zone, { email: caller.email })
  );
}

const MAX_SAVE_ATTEMPTS = 3;

/**
 * Replaces the caller's preferences. Idempotent: a body that changes nothing writes nothing and keeps
 * the version. `ifMatch` pins the version the caller read (412 otherwise); without it, a concurrent
 * write is read again and the body applied over it.
 */
export async function putNotificationPreferences(
  deps: PreferencesDeps,
  caller: PreferencesCaller,
  input: NotificationPreferencesInput,
  ifMatch?: number,
): Promise<{ readonly preferences: NotificationPreferences; readonly created: boolean }> {
  const zone = deps.zoneOfCountry(caller.country);
  for (let attempt = 1; ; attempt++) {
    const stored = await deps.preferences.get(caller.customerId, zone);
    if (ifMatch !== undefined && ifMatch !== (stored?.version ?? 0)) {
      throw new PreconditionFailedError(
        `The preferences are at version ${stored?.version ?? 0}, not ${ifMatch}`,
      );
    }
    const next = applyPreferencesInput(
      stored,
      input,
      { customerId: caller.customerId, zone },
      deps.clock.now(),
    );
    if (stored && samePreferences(stored, next)) return { preferences: stored, created: false };
    try {
      await deps.preferences.put(next, stored?.version ?? 0);
      return { preferences: next, created: !stored };
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      if (ifMatch !== undefined) {
        throw new PreconditionFailedError(`The preferences changed since version ${ifMatch}`);
      }
      if (attempt >= MAX_SAVE_ATTEMPTS) throw error;
    }
  }
}
