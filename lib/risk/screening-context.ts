import { createHash } from 'node:crypto';
import { type IpAddress, type IpRange, ipInRange, ipVelocitySubject, parseIp, parseIpRange } from './ip.ts';
import {
  addressMatches,
  emailMatches,
  type NormalizedAddress,
  type NormalizedEmail,
  normalizeAddress,
  normalizeEmail,
} from './normalize.ts';
import type { AddressListEntry, RiskPolicy, VelocityLimit } from './risk-policy.ts';
import type { RiskSignals } from './risk-signals.ts';
import type { VelocityCount, VelocityKey } from './velocity-store.ts';

/** A listed address, normalized once per policy. */
export interface CompiledAddressEntry {
  readonly label: string;
  readonly address: NormalizedAddress;
}

/** A listed IP range, parsed once per policy. */
export interface CompiledIpEntry {
  readonly text: string;
  readonly range: IpRange;
}

/** A policy with its lists normalized, so large lists are not re-normalized on every screening. */
export interface CompiledPolicy {
  readonly policy: RiskPolicy;
  readonly denyAddresses: readonly CompiledAddressEntry[];
  readonly allowAddresses: readonly CompiledAddressEntry[];
  readonly forwarderAddresses: readonly CompiledAddressEntry[];
  readonly denyIps: readonly CompiledIpEntry[];
  readonly allowIps: readonly CompiledIpEntry[];
  readonly denyFingerprints: ReadonlySet<string>;
}

const compiledPolicies = new WeakMap<RiskPolicy, CompiledPolicy>();

function compileAddresses(entries: readonly AddressListEntry[]): CompiledAddressEntry[] {
  return entries.map((entry) => ({ label: entry.label, address: normalizeAddress(entry) }));
}

function compileIps(entries: readonly string[]): CompiledIpEntry[] {
  return entries.flatMap((text) => {
    const range = parseIpRange(text);
    return 'error' in range ? [] : [{ text, range }];
  });
}

/** Compiles a (validated) policy; memoized per policy object, which is treated as immutable. */
export function compilePolicy(policy: RiskPolicy): CompiledPolicy {
  const cached = compiledPolicies.get(policy);
  if (cached) return cached;
  const compiled: CompiledPolicy = {
    policy,
    denyAddresses: compileAddresses(policy.denyList.addresses),
    allowAddresses: compileAddresses(policy.allowList.addresses),
    forwarderAddresses: compileAddresses(policy.freightForwarder.addresses),
    denyIps: compileIps(policy.denyList.ips),
    allowIps: compileIps(policy.allowList.ips),
    denyFingerprints: new Set(policy.denyList.paymentFingerprints),
  };
  compiledPolicies.set(policy, compiled);
  return compiled;
}

/** Why a velocity key is counted: a policy limit, or one of the resale patterns. */
export type VelocityPurpose =
  | { readonly kind: 'limit'; readonly limit: VelocityLimit }
  | { readonly kind: 'drop_customers_per_address' }
  | { readonly kind: 'drop_customers_per_fingerprint' }
  | { readonly kind: 'drop_units_per_address' };

/** A counter screening records this attempt on, and why. */
export interface PlannedVelocityKey {
  readonly key: VelocityKey;
  readonly purpose: VelocityPurpose;
}

/** Everything the rules read, derived once from policy and signals. */
export interface ScreeningContext {
  readonly compiled: CompiledPolicy;
  readonly policy: RiskPolicy;
  readonly signals: RiskSignals;
  readonly nowMs: number;
  readonly total: number;
  readonly email: NormalizedEmail;
  readonly ip: IpAddress;
  readonly address: NormalizedAddress;
  /** Units on drop or limited-edition lines. */
  readonly dropUnits: number;
  /** Allow-list matches: the matched entry (email, IP) or label (address). */
  readonly allowed: { readonly email?: string; readonly ip?: string; readonly address?: string };
  readonly velocityKeys: readonly PlannedVelocityKey[];
  /** The counters after this attempt; `undefined` when the store could not be read. */
  readonly counts: Readonly<Record<string, VelocityCount>> | undefined;
}

/** Hashes an identifier for a counter id: counters must not hold emails, IPs or addresses. */
function digest(subject: string): string {
  return createHash('sha256').update(subject).digest('base64url').slice(0, 22);
}

function counterId(name: string, subject: string, windowSeconds: number): string {
  return `risk:v1:${name}:${digest(subject)}:${windowSeconds}`;
}

type DerivedContext = Omit<ScreeningContext, 'velocityKeys' | 'counts'>;

/** Derives the normalized identifiers and allow-list matches the rules and velocity keys need. */
export function deriveContext(compiled: CompiledPolicy, signals: RiskSignals): DerivedContext {
  const { policy } = compiled;
  const email = normalizeEmail(signals.customer.email);
  // The schema has already checked the address parses.
  const ip = parseIp(signals.context.ip)!;
  const address = normalizeAddress(signals.context.shippingAddress);
  const dropUnits = signals.order.items
    .filter((item) => item.limitedEdition || item.dropId !== undefined)
    .reduce((sum, item) => sum + item.quantity, 0);
  const allowed: { email?: string; ip?: string; address?: string } = {};
  const allowedEmail = policy.allowList.emails.find((entry) => emailMatches(email, entry));
  if (allowedEmail) allowed.email = allowedEmail;
  const allowedIp = compiled.allowIps.find((entry) => ipInRange(ip, entry.range));
  if (allowedIp) allowed.ip = allowedIp.text;
  const allowedAddress = compiled.allowAddresses.find((entry) => addressMatches(address, entry.address));
  if (allowedAddress) allowed.address = allowedAddress.label;
  return {
    compiled,
    policy,
    signals,
    nowMs: Date.parse(signals.context.now),
    total: signals.order.total.amount,
    email,
    ip,
    address,
    dropUnits,
    allowed,
  };
}

/** Whether the address is inside one of the compiled ranges; the first match. */
export function findIpEntry(ip: IpAddress, entries: readonly CompiledIpEntry[]): CompiledIpEntry | undefined {
  return entries.find((entry) => ipInRange(ip, entry.range));
}

/**
 * The counters this attempt is recorded on. Identifiers on the allow list are not counted at all (a
 * boutique's IP is shared by design), and resale counters only see orders with drop or limited lines.
 */
export function planVelocity(ctx: DerivedContext): PlannedVelocityKey[] {
  const { policy, signals } = ctx;
  const planned: PlannedVelocityKey[] = [];
  const subjects: Record<VelocityLimit['key'], string | undefined> = {
    customer: signals.customer.id,
    email: ctx.allowed.email ? undefined : ctx.email.address,
    ip: ctx.allowed.ip ? undefined : ipVelocitySubject(ctx.ip),
    payment_fingerprint: signals.context.paymentFingerprint,
  };
  for (const limit of policy.velocity.limits) {
    const subject = subjects[limit.key];
    if (subject === undefined) continue;
    planned.push({
      key: {
        id: counterId(limit.key, subject, limit.windowSeconds),
        windowSeconds: limit.windowSeconds,
        weight: 1,
      },
      purpose: { kind: 'limit', limit },
    });
  }
  if (policy.resale.enabled && ctx.dropUnits > 0) {
    const { windowSeconds } = policy.resale;
    // Guests are told apart by their (normalized) email, which is what a reseller has to vary.
    const member = signals.customer.id ? `c:${signals.customer.id}` : `g:${digest(ctx.email.address)}`;
    if (!ctx.allowed.address) {
      planned.push(
        {
          key: {
            id: counterId('drop-building', ctx.address.buildingKey, windowSeconds),
            windowSeconds,
            weight: 1,
            member,
          },
          purpose: { kind: 'drop_customers_per_address' },
        },
        {
          key: {
            id: counterId('drop-units', ctx.address.fullKey, windowSeconds),
            windowSeconds,
            weight: ctx.dropUnits,
          },
          purpose: { kind: 'drop_units_per_address' },
        },
      );
    }
    const fingerprint = signals.context.paymentFingerprint;
    if (fingerprint !== undefined) {
      planned.push({
        key: { id: counterId('drop-payment', fingerprint, windowSeconds), windowSeconds, weight: 1, member },
        purpose: { kind: 'drop_customers_per_fingerprint' },
      });
    }
  }
  return planned;
}
