import { z } from 'zod';
import { TimeZoneName } from '../platform/time-zones.ts';
import { ConsentRequiredError, ContactMissingError } from './errors.ts';

/**
 * The service messages Vitrine sends about an order, one per moment a customer cares about. Every one is
 * transactional (it tells the customer about a purchase they made), none is marketing.
 */
export const NotificationType = z.enum([
  'order_confirmed',
  'ready_for_pickup',
  'shipped',
  'out_for_delivery',
  'late',
  'delivery_attempted',
  'delivered',
]);
export type NotificationType = z.infer<typeof NotificationType>;
export const NOTIFICATION_TYPES: readonly NotificationType[] = NotificationType.options;

/** Where a message can reach a customer. */
export const NotificationChannel = z.enum(['email', 'sms', 'push', 'whatsapp']);
export type NotificationChannel = z.infer<typeof NotificationChannel>;
export const NOTIFICATION_CHANNELS: readonly NotificationChannel[] = NotificationChannel.options;

/**
 * Channels used for a type the customer has not chosen channels for. Email needs no recorded consent for
 * service messages (see {@link channelPermission}), so a customer who never opened their settings still
 * hears about their order.
 */
export const DEFAULT_CHANNELS: readonly NotificationChannel[] = ['email'];

/** A BCP 47 language tag such as `fr`, `fr-CH` or `ja-JP`. */
export const LocaleTag = z
  .string()
  .max(35)
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as fr or fr-CH');

export const TimeZone = TimeZoneName.describe('IANA time zone; quiet hours are read in it');

/** `HH:MM`, 24-hour, in the customer's own time zone. */
export const LocalTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time such as 22:00');

/**
 * When nothing may be sent, in the customer's local time. `start` after `end` crosses midnight
 * (22:00 to 07:00); the window includes `start` and ends just before `end`.
 */
export const QuietHours = z
  .strictObject({ start: LocalTime, end: LocalTime })
  .refine((q) => q.start !== q.end, { message: 'quiet hours must start and end at different times' });
export type QuietHours = z.infer<typeof QuietHours>;

/** E.164: a plus, the country code and the subscriber number, no spaces. */
export const E164 = z
  .string()
  .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +33612345678');

/** Where each channel reaches the customer. */
export const ContactPoints = z.strictObject({
  email: z.email().max(254).optional(),
  phone: E164.optional().describe('For SMS'),
  whatsapp: E164.optional().describe('The WhatsApp number, often the same as the phone'),
  pushTokenRef: z
    .string()
    .min(1)
    .max(512)
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
    .optional()
    .describe('A reference to the registered device endpoint (never the raw device token)'),
});
export type ContactPoints = z.infer<typeof ContactPoints>;

const ChannelList = z
  .array(NotificationChannel)
  .max(NOTIFICATION_CHANNELS.length)
  .refine((list) => new Set(list).size === list.length, 'a channel may be listed once')
  .describe('Every channel listed gets the message once; an empty list turns the type off');

/** Channels chosen per type; a type left out uses {@link DEFAULT_CHANNELS}. */
export const ChannelsByType = z.strictObject({
  order_confirmed: ChannelList.optional(),
  ready_for_pickup: ChannelList.optional(),
  shipped: ChannelList.optional(),
  out_for_delivery: ChannelList.optional(),
  late: ChannelList.optional(),
  delivery_attempted: ChannelList.optional(),
  delivered: ChannelList.optional(),
});
export type ChannelsByType = z.infer<typeof ChannelsByType>;

/** Where a customer gave or withdrew consent. */
export const ConsentSource = z.enum([
  'account_settings',
  'checkout',
  'app_prompt',
  'boutique',
  'client_service',
]);
export type ConsentSource = z.infer<typeof ConsentSource>;

/** A consent decision as the customer sends it; the server records when it arrived. */
export const ConsentInput = z.strictObject({ granted: z.boolean(), source: ConsentSource });

/** A consent decision as recorded: `at` is when Vitrine received it, stamped by the server. */
export const ConsentRecord = z.strictObject({
  granted: z.boolean(),
  source: ConsentSource,
  at: z.iso.datetime(),
});
export type ConsentRecord = z.infer<typeof ConsentRecord>;

const perChannel = <T extends z.ZodType>(value: T) =>
  z.strictObject({
    email: value.optional(),
    sms: value.optional(),
    push: value.optional(),
    whatsapp: value.optional(),
  });

export const ConsentRecords = perChannel(ConsentRecord);
export type ConsentRecords = z.infer<typeof ConsentRecords>;

/** The body of `PUT /v1/me/notification-preferences`. */
export const NotificationPreferencesInput = z
  .strictObject({
    locale: LocaleTag,
    timeZone: TimeZone,
    quietHours: QuietHours.optional(),
    channels: ChannelsByType,
    contacts: ContactPoints,
    consent: perChannel(ConsentInput)
      .optional()
      .describe(
        'Consent decisions to record. A channel left out keeps its recorded decision; withdraw with granted false.',
      ),
  })
  .meta({ id: 'NotificationPreferencesInput' });
export type NotificationPreferencesInput = z.infer<typeof NotificationPreferencesInput>;

/**
 * A customer's notification preferences. Personal data: stored in the customer's residency zone.
 * `version` 0 means nothing is stored yet and these are the defaults.
 */
export const NotificationPreferences = z
  .strictObject({
    customerId: z.string().min(1).max(128),
    zone: z.string().min(1).max(16),
    locale: LocaleTag,
    timeZone: TimeZone,
    quietHours: QuietHours.optional(),
    channels: ChannelsByType,
    contacts: ContactPoints,
    consent: ConsentRecords,
    updatedAt: z.iso.datetime().optional(),
    version: z.number().int().min(0),
  })
  .meta({ id: 'NotificationPreferences' });
export type NotificationPreferences = z.infer<typeof NotificationPreferences>;

/** Why a channel cannot carry a message to a customer. */
export type ChannelRefusal = 'no_consent' | 'consent_withdrawn' | 'no_contact';

/**
 * Whether a channel may be used, by its recorded consent. A channel without a recorded grant is never
 * used, with one exception: email service messages about the customer's own order rest on the purchase
 * itself (performing the contract), not on consent, so email is allowed until the customer withdraws it.
 * SMS, push and WhatsApp need a recorded grant (carrier and WhatsApp opt-in rules, the device's permission).
 */
export function channelPermission(
  prefs: Pick<NotificationPreferences, 'consent'>,
  channel: NotificationChannel,
): 'allowed' | Exclude<ChannelRefusal, 'no_contact'> {
  const record = prefs.consent[channel];
  if (record) return record.granted ? 'allowed' : 'consent_withdrawn';
  return channel === 'email' ? 'allowed' : 'no_consent';
}

/** The address a channel sends to, if the customer gave one. */
export function contactFor(contacts: ContactPoints, channel: NotificationChannel): string | undefined {
  switch (channel) {
    case 'email':
      return contacts.email;
    case 'sms':
      return contacts.phone;
    case 'whatsapp':
      return contacts.whatsapp;
    case 'push':
      return contacts.pushTokenRef;
  }
}

/** The channels a type goes out on. */
export const channelsFor = (prefs: Pick<NotificationPreferences, 'channels'>, type: NotificationType) =>
  prefs.channels[type] ?? DEFAULT_CHANNELS;

/**
 * What a customer who never saved preferences gets: email for every type, no quiet hours, and what the
 * caller knows of them (the account or order email, the market's locale).
 */
export function defaultPreferences(
  customerId: string,
  zone: string,
  hints: { readonly email?: string | undefined; readonly locale?: string | undefined } = {},
): NotificationPreferences {
  const email =
    hints.email && ContactPoints.shape.email.safeParse(hints.email).success ? hints.email : undefined;
  const locale = hints.locale && LocaleTag.safeParse(hints.locale).success ? hints.locale : 'en';
  return {
    customerId,
    zone,
    locale,
    timeZone: 'UTC',
    channels: {},
    contacts: email ? { email } : {},
    consent: {},
    version: 0,
  };
}

/**
 * The preferences a PUT leaves behind: the body replaces locale, time zone, quiet hours, channels and
 * contacts; consent decisions are merged by channel, and a decision is stamped with `now` only when it
 * differs from the one recorded, so replaying a request keeps the original times.
 *
 * Refuses (422) channels that could never carry a message: SMS, push or WhatsApp without their contact
 * point, and any channel without the consent {@link channelPermission} needs.
 */
export function applyPreferencesInput(
  stored: NotificationPreferences | undefined,
  input: NotificationPreferencesInput,
  owner: { readonly customerId: string; readonly zone: string },
  now: Date,
): NotificationPreferences {
  const consent: ConsentRecords = { ...stored?.consent };
  for (const channel of NOTIFICATION_CHANNELS) {
    const decision = input.consent?.[channel];
    const recorded = consent[channel];
    if (decision && (recorded?.granted !== decision.granted || recorded.source !== decision.source)) {
      consent[channel] = { ...decision, at: now.toISOString() };
    }
  }
  const next: NotificationPreferences = {
    customerId: owner.customerId,
    zone: stored?.zone ?? owner.zone,
    locale: input.locale,
    timeZone: input.timeZone,
    ...(input.quietHours ? { quietHours: input.quietHours } : {}),
    channels: input.channels,
    contacts: input.contacts,
    consent,
    updatedAt: now.toISOString(),
    version: (stored?.version ?? 0) + 1,
  };
  assertUsable(next);
  return next;
}

function assertUsable(prefs: NotificationPreferences): void {
  const chosen = new Map<NotificationChannel, NotificationType[]>();
  for (const type of NOTIFICATION_TYPES) {
    for (const channel of channelsFor(prefs, type))
      chosen.set(channel, [...(chosen.get(channel) ?? []), type]);
  }
  for (const [channel, types] of chosen) {
    // Email may fall back to the address the order was placed with; the others have nowhere to go.
    if (channel !== 'email' && !contactFor(prefs.contacts, channel)) {
      throw new ContactMissingError(`${channel} is chosen for ${types.join(', ')} but has no contact point`, {
        channel,
        types,
      });
    }
    const permission = channelPermission(prefs, channel);
    if (permission !== 'allowed') {
      throw new ConsentRequiredError(
        permission === 'consent_withdrawn'
          ? `${channel} is chosen for ${types.join(', ')} but its consent was withdrawn`
          : `${channel} is chosen for ${types.join(', ')} but has no recorded consent`,
        { channel, types },
      );
    }
  }
}

/** Whether two preferences say the same thing, whatever their version and stamps. */
export function samePreferences(a: NotificationPreferences, b: NotificationPreferences): boolean {
  const meaning = ({ updatedAt: _u, version: _v, ...rest }: NotificationPreferences) => canonical(rest);
  return meaning(a) === meaning(b);
}

/** JSON with sorted keys: DynamoDB hands maps back in any order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
