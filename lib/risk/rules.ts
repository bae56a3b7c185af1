import { formatMoney } from '../money/currency.ts';
import { maskIp } from './ip.ts';
import { addressMatches, addressMentions, emailMatches, isDisposableEmail, maskEmail } from './normalize.ts';
import {
  type RiskDecision,
  type RiskEvidence,
  type RiskReason,
  type RiskRuleId,
  type RiskSeverity,
  SEVERITY_FOR_OUTCOME,
  strictest,
} from './risk-assessment.ts';
import type { VelocityKind } from './risk-policy.ts';
import { findIpEntry, type ScreeningContext, type VelocityPurpose } from './screening-context.ts';

/** A rule: reads the screening context, returns its findings (none when it does not fire). */
export type RiskRule = (ctx: ScreeningContext) => RiskReason[];

const DAY_MS = 24 * 3600 * 1000;

function reason(
  rule: RiskRuleId,
  outcome: RiskDecision,
  message: string,
  evidence: RiskEvidence,
  severity: RiskSeverity = SEVERITY_FOR_OUTCOME[outcome],
): RiskReason {
  return { rule, outcome, severity, message, evidence };
}

function money(ctx: ScreeningContext, amount: number): string {
  return formatMoney({ amount, currency: ctx.policy.currency }, 'en');
}

/** "1 h", "24 h", "30 days": windows as staff read them. */
export function formatWindow(seconds: number): string {
  if (seconds % (24 * 3600) === 0 && seconds > 24 * 3600) return `${seconds / (24 * 3600)} days`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** Shows the end of a payment-method fingerprint: enough to compare two reasons, not to reuse it. */
export function maskFingerprint(fingerprint: string): string {
  return `…${fingerprint.slice(-4)}`;
}

function addressEvidence(ctx: ScreeningContext): RiskEvidence {
  return { country: ctx.address.country, postalCode: ctx.address.postalCode || null };
}

/** A deny-listed email, IP, address or payment method declines. */
export const denyListRule: RiskRule = (ctx) => {
  const { policy, compiled } = ctx;
  const reasons: RiskReason[] = [];
  const email = policy.denyList.emails.find((entry) => emailMatches(ctx.email, entry));
  if (email) {
    const isDomain = !email.includes('@') || email.startsWith('@');
    reasons.push(
      reason(
        'deny_listed_email',
        'decline',
        isDomain
          ? `Email domain ${ctx.email.domain} is on the deny list (entry ${email}).`
          : `Email ${maskEmail(ctx.email)} is on the deny list.`,
        { email: maskEmail(ctx.email), listEntry: isDomain ? email : maskEmail(ctx.email) },
        'critical',
      ),
    );
  }
  const ip = findIpEntry(ctx.ip, compiled.denyIps);
  if (ip) {
    reasons.push(
      reason(
        'deny_listed_ip',
        'decline',
        `IP in ${maskIp(ctx.ip)} is on the deny list (entry ${ip.text}).`,
        { ipNetwork: maskIp(ctx.ip), listEntry: ip.text },
        'critical',
      ),
    );
  }
  const address = compiled.denyAddresses.find((entry) => addressMatches(ctx.address, entry.address));
  if (address) {
    reasons.push(
      reason(
        'deny_listed_address',
        'decline',
        `Shipping address matches deny-listed address "${address.label}".`,
        { ...addressEvidence(ctx), listEntry: address.label },
        'critical',
      ),
    );
  }
  const fingerprint = ctx.signals.context.paymentFingerprint;
  if (fingerprint !== undefined && compiled.denyFingerprints.has(fingerprint)) {
    reasons.push(
      reason(
        'deny_listed_payment_fingerprint',
        'decline',
        `Payment method ${maskFingerprint(fingerprint)} is on the deny list.`,
        { paymentMethod: maskFingerprint(fingerprint) },
        'critical',
      ),
    );
  }
  return reasons;
};

/** A throwaway mailbox on the order. */
export const disposableEmailRule: RiskRule = (ctx) => {
  const { disposableEmail } = ctx.policy;
  if (!disposableEmail.enabled || ctx.allowed.email) return [];
  if (!isDisposableEmail(ctx.email, disposableEmail.extraDomains)) return [];
  return [
    reason(
      'disposable_email',
      disposableEmail.outcome,
      `Email domain ${ctx.email.domain} is a disposable-mailbox service.`,
      { emailDomain: ctx.email.domain },
    ),
  ];
};

/** What makes a customer a VIP in good standing, or `undefined` when they are not one. */
export function vipStanding(
  ctx: ScreeningContext,
): { basis: 'tier' | 'lifetime_value'; tier: string | null } | undefined {
  const { vip } = ctx.policy;
  const { customer } = ctx.signals;
  if (!vip.enabled || customer.id === undefined || customer.accountCreatedAt === undefined) return undefined;
  if (customer.chargebacks > 0 || customer.previousPaidOrders < vip.minPaidOrders) return undefined;
  const ageDays = (ctx.nowMs - Date.parse(customer.accountCreatedAt)) / DAY_MS;
  if (ageDays < vip.minAccountAgeDays) return undefined;
  const tier = customer.tier?.trim().toLowerCase();
  if (tier !== undefined && vip.tiers.some((t) => t.toLowerCase() === tier)) return { basis: 'tier', tier };
  const ltv = customer.lifetimeValue;
  // Lifetime value in another currency is not compared: amounts are never converted.
  if (ltv && ltv.currency === ctx.policy.currency && ltv.amount >= vip.lifetimeValueFrom) {
    return { basis: 'lifetime_value', tier: tier ?? null };
  }
  return undefined;
}

/**
 * Value bands: 3-D Secure, review or decline as the total rises. A VIP in good standing gets 3-D Secure
 * instead of review below `vip.relaxReviewBelow`: the best customers are not made to wait for a person.
 */
export const valueBandRule: RiskRule = (ctx) => {
  const { valueBands, vip } = ctx.policy;
  const total = ctx.total;
  const evidence: RiskEvidence = {
    total: money(ctx, total),
    requireThreeDsFrom: money(ctx, valueBands.requireThreeDsFrom),
    reviewFrom: money(ctx, valueBands.reviewFrom),
  };
  if (valueBands.declineFrom !== undefined && total >= valueBands.declineFrom) {
    return [
      reason(
        'value_band',
        'decline',
        `Order total ${money(ctx, total)} is at or above the decline threshold ${money(ctx, valueBands.declineFrom)}.`,
        { ...evidence, band: 'decline', declineFrom: money(ctx, valueBands.declineFrom) },
      ),
    ];
  }
  if (total >= valueBands.reviewFrom) {
    const standing = total < vip.relaxReviewBelow ? vipStanding(ctx) : undefined;
    if (standing) {
      const why = standing.basis === 'tier' ? `tier ${standing.tier}` : 'lifetime value';
      return [
        reason(
          'value_band',
          'require_3ds',
          `Order total ${money(ctx, total)} is at or above the review threshold ${money(ctx, valueBands.reviewFrom)}; ` +
            `relaxed to 3-D Secure for a VIP in good standing (${why}).`,
          {
            ...evidence,
            band: 'review',
            relaxedForVip: true,
            vipBasis: standing.basis,
            vipRelaxBelow: money(ctx, vip.relaxReviewBelow),
          },
        ),
      ];
    }
    return [
      reason(
        'value_band',
        'review',
        `Order total ${money(ctx, total)} is at or above the review threshold ${money(ctx, valueBands.reviewFrom)}.`,
        { ...evidence, band: 'review', relaxedForVip: false },
      ),
    ];
  }
  if (total >= valueBands.requireThreeDsFrom) {
    return [
      reason(
        'value_band',
        'require_3ds',
        `Order total ${money(ctx, total)} is at or above the 3-D Secure threshold ${money(ctx, valueBands.requireThreeDsFrom)}.`,
        { ...evidence, band: 'require_3ds' },
      ),
    ];
  }
  return [];
};

const VELOCITY_RULE: Record<VelocityKind, RiskRuleId> = {
  customer: 'velocity_customer',
  email: 'velocity_email',
  ip: 'velocity_ip',
  payment_fingerprint: 'velocity_payment_fingerprint',
};

function velocitySubject(ctx: ScreeningContext, kind: VelocityKind): { label: string; value: string } {
  switch (kind) {
    case 'customer':
      return { label: 'Customer account', value: ctx.signals.customer.id ?? '' };
    case 'email':
      return { label: 'Email', value: maskEmail(ctx.email) };
    case 'ip':
      return { label: 'IP network', value: maskIp(ctx.ip) };
    case 'payment_fingerprint':
      return {
        label: 'Payment method',
        value: maskFingerprint(ctx.signals.context.paymentFingerprint ?? ''),
      };
  }
}

/** More attempts by one customer, email, IP or payment method than a window allows. */
export const velocityRule: RiskRule = (ctx) => {
  if (!ctx.counts) return [];
  const reasons: RiskReason[] = [];
  for (const { key, purpose } of ctx.velocityKeys) {
    if (purpose.kind !== 'limit') continue;
    const { limit } = purpose;
    const count = ctx.counts[key.id]?.total ?? 0;
    if (count <= limit.max) continue;
    const subject = velocitySubject(ctx, limit.key);
    reasons.push(
      reason(
        VELOCITY_RULE[limit.key],
        limit.outcome,
        `${subject.label} ${subject.value} made ${count} checkout attempts in ${formatWindow(limit.windowSeconds)} ` +
          `(limit ${limit.max}).`,
        {
          subject: subject.value,
          attempts: count,
          limit: limit.max,
          window: formatWindow(limit.windowSeconds),
        },
      ),
    );
  }
  return reasons;
};

/** The velocity store failed: go on with the policy's safe fallback rather than fail checkout. */
export const velocityUnavailableRule: RiskRule = (ctx) =>
  ctx.counts === undefined && ctx.velocityKeys.length > 0
    ? [
        reason(
          'velocity_unavailable',
          ctx.policy.velocity.unavailableOutcome,
          'Velocity counters were unavailable; velocity and resale rules could not be evaluated.',
          { countersSkipped: ctx.velocityKeys.length },
        ),
      ]
    : [];

/** A new or guest account placing a high-value order with no paid history. */
export const newAccountRule: RiskRule = (ctx) => {
  const { newAccount } = ctx.policy;
  const { customer } = ctx.signals;
  if (!newAccount.enabled || ctx.total < newAccount.valueFrom) return [];
  if (customer.previousPaidOrders >= newAccount.exemptAfterPaidOrders) return [];
  const guest = customer.id === undefined;
  if (guest && !newAccount.includeGuests) return [];
  // An account without a creation date is treated as new: unknown history earns no trust.
  const ageDays =
    customer.accountCreatedAt === undefined
      ? undefined
      : Math.floor((ctx.nowMs - Date.parse(customer.accountCreatedAt)) / DAY_MS);
  if (ageDays !== undefined && ageDays >= newAccount.maxAgeDays) return [];
  const who = guest
    ? 'Guest checkout'
    : ageDays === undefined
      ? 'Account of unknown age'
      : `Account ${ageDays} day${ageDays === 1 ? '' : 's'} old`;
  return [
    reason(
      'new_account_high_value',
      newAccount.outcome,
      `${who} with ${customer.previousPaidOrders} paid order${customer.previousPaidOrders === 1 ? '' : 's'} ` +
        `places an order of ${money(ctx, ctx.total)} ` +
        `(new-account threshold ${money(ctx, newAccount.valueFrom)}).`,
      {
        guest,
        accountAgeDays: ageDays ?? null,
        maxAgeDays: newAccount.maxAgeDays,
        previousPaidOrders: customer.previousPaidOrders,
        total: money(ctx, ctx.total),
        valueFrom: money(ctx, newAccount.valueFrom),
      },
    ),
  ];
};

/** Shipping to a country other than the card's billing country. */
export const countryMismatchRule: RiskRule = (ctx) => {
  const { countryMismatch } = ctx.policy;
  const billing = ctx.signals.context.billingCountry;
  const shipping = ctx.address.country;
  if (!countryMismatch.enabled || billing === undefined || billing === shipping) return [];
  const high = ctx.total >= countryMismatch.reviewFrom;
  // High values go to review at least; a configured outcome stricter than that still applies.
  const outcome = high ? strictest(countryMismatch.outcome, 'review') : countryMismatch.outcome;
  return [
    reason(
      'country_mismatch',
      outcome,
      `Shipping to ${shipping} while the card is billed in ${billing}` +
        (high
          ? `, for an order of ${money(ctx, ctx.total)} (review from ${money(ctx, countryMismatch.reviewFrom)}).`
          : '.'),
      {
        shippingCountry: shipping,
        billingCountry: billing,
        total: money(ctx, ctx.total),
        reviewFrom: money(ctx, countryMismatch.reviewFrom),
      },
    ),
  ];
};

const RESALE_RULES: Record<
  Exclude<VelocityPurpose['kind'], 'limit'>,
  { rule: RiskRuleId; limit: (ctx: ScreeningContext) => number; measure: 'distinct' | 'total' }
> = {
  drop_customers_per_address: {
    rule: 'drop_shared_address',
    limit: (ctx) => ctx.policy.resale.maxCustomersPerAddress,
    measure: 'distinct',
  },
  drop_customers_per_fingerprint: {
    rule: 'drop_shared_payment_fingerprint',
    limit: (ctx) => ctx.policy.resale.maxCustomersPerPaymentFingerprint,
    measure: 'distinct',
  },
  drop_units_per_address: {
    rule: 'drop_units_per_address',
    limit: (ctx) => ctx.policy.resale.maxUnitsPerAddress,
    measure: 'total',
  },
};

/** Resale patterns on drop and limited-edition items. */
export const resaleRule: RiskRule = (ctx) => {
  if (!ctx.counts) return [];
  const window = formatWindow(ctx.policy.resale.windowSeconds);
  const reasons: RiskReason[] = [];
  for (const { key, purpose } of ctx.velocityKeys) {
    if (purpose.kind === 'limit') continue;
    const spec = RESALE_RULES[purpose.kind];
    const count = ctx.counts[key.id]?.[spec.measure] ?? 0;
    const limit = spec.limit(ctx);
    if (count <= limit) continue;
    const where = `${ctx.address.country} ${ctx.address.postalCode}`.trim();
    const message =
      purpose.kind === 'drop_customers_per_address'
        ? `${count} different customers ordered drop or limited items to this building (${where}) in ${window} (limit ${limit}).`
        : purpose.kind === 'drop_customers_per_fingerprint'
          ? `${count} different customers paid for drop or limited items with payment method ` +
            `${maskFingerprint(ctx.signals.context.paymentFingerprint ?? '')} in ${window} (limit ${limit}).`
          : `${count} units of drop or limited items were ordered to this address (${where}) in ${window} (limit ${limit}).`;
    reasons.push(
      reason(spec.rule, ctx.policy.resale.outcome, message, {
        ...(purpose.kind === 'drop_customers_per_fingerprint'
          ? { paymentMethod: maskFingerprint(ctx.signals.context.paymentFingerprint ?? '') }
          : addressEvidence(ctx)),
        [spec.measure === 'distinct' ? 'customers' : 'units']: count,
        limit,
        window,
        unitsInOrder: ctx.dropUnits,
      }),
    );
  }
  return reasons;
};

/** A parcel forwarder as the shipping address: usually resale on drops, a softer signal otherwise. */
export const freightForwarderRule: RiskRule = (ctx) => {
  const { freightForwarder } = ctx.policy;
  if (!freightForwarder.enabled || ctx.allowed.address) return [];
  const listed = ctx.compiled.forwarderAddresses.find((entry) => addressMatches(ctx.address, entry.address));
  const marker = listed ? undefined : freightForwarder.markers.find((m) => addressMentions(ctx.address, m));
  if (!listed && !marker) return [];
  const drop = ctx.dropUnits > 0;
  const match = listed ? `listed forwarder "${listed.label}"` : `forwarder name "${marker}" in the address`;
  return [
    reason(
      'freight_forwarder',
      drop ? freightForwarder.dropOutcome : freightForwarder.otherOutcome,
      `Shipping address is a parcel forwarder (${match})${drop ? ' on an order with drop or limited items' : ''}.`,
      { ...addressEvidence(ctx), match: listed ? listed.label : (marker ?? ''), dropOrLimitedItems: drop },
    ),
  ];
};

/** Notes the allow-list exemptions, so staff can see why a shared identifier was not counted. */
export const allowListRule: RiskRule = (ctx) => {
  const notes: RiskReason[] = [];
  const { allowed } = ctx;
  if (allowed.address) {
    notes.push(
      reason(
        'allow_listed',
        'approve',
        `Shipping address is allow-listed ("${allowed.address}"): resale and forwarder rules not applied.`,
        { identifier: 'address', listEntry: allowed.address },
      ),
    );
  }
  if (allowed.ip) {
    notes.push(
      reason(
        'allow_listed',
        'approve',
        `IP in ${maskIp(ctx.ip)} is allow-listed (entry ${allowed.ip}): IP velocity not counted.`,
        { identifier: 'ip', listEntry: allowed.ip },
      ),
    );
  }
  if (allowed.email) {
    notes.push(
      reason(
        'allow_listed',
        'approve',
        `Email ${maskEmail(ctx.email)} is allow-listed: email velocity and disposable-email rules not applied.`,
        {
          identifier: 'email',
          listEntry:
            allowed.email.includes('@') && !allowed.email.startsWith('@')
              ? maskEmail(ctx.email)
              : allowed.email,
        },
      ),
    );
  }
  return notes;
};

/** Every rule, in evaluation order (the order does not change the outcome: reasons are sorted after). */
export const RULES: readonly RiskRule[] = [
  denyListRule,
  disposableEmailRule,
  valueBandRule,
  velocityRule,
  velocityUnavailableRule,
  newAccountRule,
  countryMismatchRule,
  resaleRule,
  freightForwarderRule,
  allowListRule,
];
