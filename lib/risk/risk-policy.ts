import { z } from 'zod';
import { CurrencyCode, majorToMinor } from '../money/currency.ts';
import { MARKET_CODES, MARKETS, MarketCode } from '../money/markets.ts';
import { parseIpRange } from './ip.ts';
import { RuleOutcome } from './risk-assessment.ts';
import { CountryCode } from './risk-signals.ts';

/** An amount in minor units of the policy's currency. */
const MinorUnits = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const Count = z.number().int().nonnegative().max(1_000_000);
const WindowSeconds = z
  .number()
  .int()
  .positive()
  .max(366 * 24 * 3600);

/** A listed address. It matches as precisely as it is written: leave out the unit to cover a building. */
export const AddressListEntry = z.strictObject({
  /** Why it is listed, for staff reading a reason (e.g. "Reshipper flagged 2026-02, case 1841"). */
  label: z.string().trim().min(1).max(120),
  line1: z.string().trim().min(1).max(200),
  line2: z.string().trim().min(1).max(200).optional(),
  city: z.string().trim().min(1).max(100).optional(),
  postalCode: z.string().trim().min(1).max(20).optional(),
  country: CountryCode,
});
export type AddressListEntry = z.infer<typeof AddressListEntry>;

/** An IP address or CIDR range, IPv4 or IPv6. */
export const IpListEntry = z
  .string()
  .trim()
  .superRefine((text, ctx) => {
    const range = parseIpRange(text);
    if ('error' in range) ctx.addIssue({ code: 'custom', message: range.error });
  });

/** A full email address, or a domain (`example.com` or `@example.com`) that also covers its subdomains. */
export const EmailListEntry = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?:[^@\s]+@|@)?[a-z0-9-]+(?:\.[a-z0-9-]+)+$/, 'must be an email address or a domain');

/** The identifier a velocity limit counts attempts by. */
export const VelocityKind = z.enum(['customer', 'email', 'ip', 'payment_fingerprint']);
export type VelocityKind = z.infer<typeof VelocityKind>;

/** At most `max` attempts per `windowSeconds` by one identifier; the next one asks for `outcome`. */
export const VelocityLimit = z.strictObject({
  key: VelocityKind,
  windowSeconds: WindowSeconds,
  max: z.number().int().positive().max(1_000_000),
  outcome: RuleOutcome,
});
export type VelocityLimit = z.infer<typeof VelocityLimit>;

/**
 * How one market screens orders. Amounts are minor units of the market's currency and are set per market,
 * like price lists; nothing is converted.
 */
export const RiskPolicy = z
  .strictObject({
    /** Stored with every assessment: bump it on every change so a stored decision can be explained later. */
    version: z.string().trim().min(1).max(60),
    market: MarketCode,
    currency: CurrencyCode,
    /** Below `requireThreeDsFrom`: approve; from it: 3-D Secure; from `reviewFrom`: review; from `declineFrom`: decline. */
    valueBands: z.strictObject({
      requireThreeDsFrom: MinorUnits,
      reviewFrom: MinorUnits,
      declineFrom: MinorUnits.optional(),
    }),
    /**
     * Better terms for the best customers: a VIP in good standing gets 3-D Secure instead of review for a
     * total in `[reviewFrom, relaxReviewBelow)`. Good standing means an account (not a guest), no
     * chargebacks, at least `minPaidOrders` paid orders, an account at least `minAccountAgeDays` old, and a
     * tier in `tiers` or a lifetime value in the market currency from `lifetimeValueFrom`. Only the value
     * band is relaxed; every other rule applies as to anyone.
     */
    vip: z.strictObject({
      enabled: z.boolean(),
      tiers: z.array(z.string().trim().min(1).max(40)).max(20),
      lifetimeValueFrom: MinorUnits,
      minPaidOrders: Count,
      minAccountAgeDays: Count,
      relaxReviewBelow: MinorUnits,
    }),
    velocity: z.strictObject({
      limits: z.array(VelocityLimit).max(40),
      /** When the counters cannot be read, screening goes on and asks for this instead of failing checkout. */
      unavailableOutcome: RuleOutcome,
    }),
    /** A new (younger than `maxAgeDays`) or guest account whose order total is from `valueFrom`. */
    newAccount: z.strictObject({
      enabled: z.boolean(),
      maxAgeDays: Count,
      valueFrom: MinorUnits,
      /** Guests have no account age; treat them as brand new. */
      includeGuests: z.boolean(),
      /** A customer with this many paid orders is known, whatever the account's age. */
      exemptAfterPaidOrders: Count,
      outcome: RuleOutcome,
    }),
    /** Shipping country unlike the card's billing country: `outcome`, and review from `reviewFrom`. */
    countryMismatch: z.strictObject({
      enabled: z.boolean(),
      outcome: RuleOutcome,
      reviewFrom: MinorUnits,
    }),
    disposableEmail: z.strictObject({
      enabled: z.boolean(),
      outcome: RuleOutcome,
      /** Domains to add to the built-in list. */
      extraDomains: z.array(EmailListEntry).max(10_000),
    }),
    /**
     * Resale patterns, watched on orders with drop or limited-edition lines only, over `windowSeconds`:
     * more than `maxCustomersPerAddress` distinct customers shipping to one building, more than
     * `maxCustomersPerPaymentFingerprint` distinct customers on one payment method, more than
     * `maxUnitsPerAddress` such units to one delivery point (this order included).
     */
    resale: z.strictObject({
      enabled: z.boolean(),
      windowSeconds: WindowSeconds,
      maxCustomersPerAddress: z.number().int().positive(),
      maxCustomersPerPaymentFingerprint: z.number().int().positive(),
      maxUnitsPerAddress: z.number().int().positive(),
      outcome: RuleOutcome,
    }),
    /** Parcel forwarders: by listed address, or by a forwarder's name appearing in the address lines. */
    freightForwarder: z.strictObject({
      enabled: z.boolean(),
      markers: z.array(z.string().trim().min(2).max(60)).max(500),
      addresses: z.array(AddressListEntry).max(10_000),
      /** For orders with drop or limited-edition lines, where forwarders usually mean resale. */
      dropOutcome: RuleOutcome,
      /** For other orders, where forwarders are also common for legitimate cross-border buyers. */
      otherOutcome: RuleOutcome,
    }),
    /** Known bad identifiers: a match declines. A deny-list match wins over an allow-list match. */
    denyList: z.strictObject({
      emails: z.array(EmailListEntry).max(100_000),
      ips: z.array(IpListEntry).max(100_000),
      addresses: z.array(AddressListEntry).max(100_000),
      paymentFingerprints: z.array(z.string().trim().min(1).max(100)).max(100_000),
    }),
    /**
     * Trusted shared identifiers: boutique addresses for click & collect, boutique tablets' IPs, corporate
     * gifting mailboxes. Many customers legitimately share them, so they are exempt from the velocity,
     * disposable-email, resale and forwarder rules that count or flag sharing; never from deny lists,
     * value bands or 3-D Secure.
     */
    allowList: z.strictObject({
      emails: z.array(EmailListEntry).max(10_000),
      ips: z.array(IpListEntry).max(10_000),
      addresses: z.array(AddressListEntry).max(10_000),
    }),
  })
  .superRefine((policy, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    const currency = MARKETS[policy.market].currency;
    if (policy.currency !== currency) {
      issue(
        ['currency'],
        `market ${policy.market} prices in ${currency}; policy amounts must be in ${currency}`,
      );
    }
    const { requireThreeDsFrom, reviewFrom, declineFrom } = policy.valueBands;
    if (reviewFrom < requireThreeDsFrom) {
      issue(['valueBands', 'reviewFrom'], 'reviewFrom must be at least requireThreeDsFrom');
    }
    if (declineFrom !== undefined && declineFrom <= reviewFrom) {
      issue(['valueBands', 'declineFrom'], 'declineFrom must be above reviewFrom');
    }
    if (policy.vip.relaxReviewBelow < reviewFrom) {
      issue(['vip', 'relaxReviewBelow'], 'relaxReviewBelow must be at least valueBands.reviewFrom');
    }
    const seen = new Set<string>();
    for (const [index, limit] of policy.velocity.limits.entries()) {
      const id = `${limit.key}/${limit.windowSeconds}`;
      if (seen.has(id)) {
        issue(
          ['velocity', 'limits', index],
          `a ${limit.key} limit over ${limit.windowSeconds}s is already set`,
        );
      }
      seen.add(id);
    }
  });
export type RiskPolicy = z.infer<typeof RiskPolicy>;
export type RiskPolicyInput = z.input<typeof RiskPolicy>;

/**
 * One "band unit" per market, in major units: a locally round amount near €1,000 of list prices, chosen by
 * hand the way price lists are (JPY and KRW prices sit higher than a plain conversion would put them).
 * Every default amount is a multiple of it.
 */
export const RISK_BAND_UNIT: Readonly<Record<MarketCode, number>> = {
  FR: 1_000,
  DE: 1_000,
  IT: 1_000,
  ES: 1_000,
  GB: 1_000,
  CH: 1_000,
  US: 1_000,
  JP: 150_000,
  KR: 1_500_000,
  SG: 1_500,
};

/** Default amounts as multiples of the market's band unit. */
export const DEFAULT_BAND_MULTIPLES = {
  requireThreeDsFrom: 1,
  newAccountValueFrom: 5,
  countryMismatchReviewFrom: 5,
  reviewFrom: 10,
  vipRelaxReviewBelow: 50,
  vipLifetimeValueFrom: 50,
} as const;

const HOUR = 3600;
const DAY = 24 * HOUR;

/**
 * Names of large parcel forwarders and reshippers as they appear in address lines ("c/o MyUS", "Suite
 * 12345 Shipito"). Short on purpose: markets add their own.
 */
export const DEFAULT_FORWARDER_MARKERS: readonly string[] = [
  'shipito',
  'myus',
  'stackry',
  'planet express',
  'borderlinx',
  'forward2me',
  'reship',
  'parcl',
  'tenso',
  'buyee',
  'qwintry',
  'usgobuy',
  'comgateway',
  'shop and ship',
  'bongo',
];

/** The version string of the built-in policies. */
export const DEFAULT_POLICY_VERSION = 'default-v1';

function buildDefaultPolicy(market: MarketCode): RiskPolicy {
  const currency = MARKETS[market].currency;
  const units = (multiple: number) => majorToMinor(RISK_BAND_UNIT[market] * multiple, currency);
  const m = DEFAULT_BAND_MULTIPLES;
  return RiskPolicy.parse({
    version: DEFAULT_POLICY_VERSION,
    market,
    currency,
    valueBands: { requireThreeDsFrom: units(m.requireThreeDsFrom), reviewFrom: units(m.reviewFrom) },
    vip: {
      enabled: true,
      tiers: ['vip', 'vic'],
      lifetimeValueFrom: units(m.vipLifetimeValueFrom),
      minPaidOrders: 3,
      minAccountAgeDays: 180,
      relaxReviewBelow: units(m.vipRelaxReviewBelow),
    },
    velocity: {
      limits: [
        { key: 'customer', windowSeconds: HOUR, max: 5, outcome: 'review' },
        { key: 'customer', windowSeconds: DAY, max: 15, outcome: 'review' },
        { key: 'email', windowSeconds: HOUR, max: 5, outcome: 'review' },
        { key: 'email', windowSeconds: DAY, max: 15, outcome: 'review' },
        // Carrier-grade NAT and drop-launch crowds put many honest shoppers behind one IP: IP alone never
        // declines, and WAF rate rules deal with floods before checkout.
        { key: 'ip', windowSeconds: HOUR, max: 20, outcome: 'review' },
        { key: 'payment_fingerprint', windowSeconds: HOUR, max: 5, outcome: 'review' },
        // One card tried again and again over a day is someone probing amounts or limits.
        { key: 'payment_fingerprint', windowSeconds: DAY, max: 10, outcome: 'decline' },
      ],
      unavailableOutcome: 'require_3ds',
    },
    newAccount: {
      enabled: true,
      maxAgeDays: 14,
      valueFrom: units(m.newAccountValueFrom),
      includeGuests: true,
      exemptAfterPaidOrders: 1,
      outcome: 'review',
    },
    countryMismatch: {
      enabled: true,
      outcome: 'require_3ds',
      reviewFrom: units(m.countryMismatchReviewFrom),
    },
    disposableEmail: { enabled: true, outcome: 'review', extraDomains: [] },
    resale: {
      enabled: true,
      windowSeconds: 30 * DAY,
      maxCustomersPerAddress: 2,
      maxCustomersPerPaymentFingerprint: 1,
      maxUnitsPerAddress: 4,
      outcome: 'review',
    },
    freightForwarder: {
      enabled: true,
      markers: [...DEFAULT_FORWARDER_MARKERS],
      addresses: [],
      dropOutcome: 'review',
      otherOutcome: 'require_3ds',
    },
    denyList: { emails: [], ips: [], addresses: [], paymentFingerprints: [] },
    allowList: { emails: [], ips: [], addresses: [] },
  });
}

/** The built-in policy of every market in `lib/money/markets.ts`. */
export const DEFAULT_RISK_POLICIES: Readonly<Record<MarketCode, RiskPolicy>> = Object.fromEntries(
  MARKET_CODES.map((market) => [market, buildDefaultPolicy(market)]),
) as Record<MarketCode, RiskPolicy>;

/** Recursively optional; arrays are replaced whole, not merged. */
export type RiskPolicyOverrides = {
  [K in keyof RiskPolicy]?: RiskPolicy[K] extends readonly unknown[]
    ? RiskPolicy[K]
    : RiskPolicy[K] extends object
      ? { [P in keyof RiskPolicy[K]]?: RiskPolicy[K][P] }
      : RiskPolicy[K];
};

/**
 * A market's policy: its default with `overrides` laid over it (objects merged one level deep, arrays
 * replaced), validated. Throws a ZodError naming the offending field when the result is inconsistent.
 */
export function riskPolicyFor(market: MarketCode, overrides: RiskPolicyOverrides = {}): RiskPolicy {
  const base: Record<string, unknown> = structuredClone(DEFAULT_RISK_POLICIES[market]);
  for (const [key, value] of Object.entries(overrides)) {
    const current = base[key];
    base[key] =
      value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object'
        ? { ...current, ...value }
        : value;
  }
  return RiskPolicy.parse(base);
}
