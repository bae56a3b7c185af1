import type { RiskAssessment, RiskReason, RiskRuleId } from '../../../lib/risk/risk-assessment.ts';
import type { RiskSignalsInput } from '../../../lib/risk/risk-signals.ts';
import type { VelocityCount, VelocityKey, VelocityStore } from '../../../lib/risk/velocity-store.ts';

/** The instant every scenario is evaluated at unless it moves the clock. */
export const NOW = new Date('2026-03-01T10:00:00.000Z');

const DAY_MS = 24 * 3600 * 1000;

/** An ISO timestamp `days` before {@link NOW}. */
export function daysAgo(days: number, from: Date = NOW): string {
  return new Date(from.getTime() - days * DAY_MS).toISOString();
}

type SignalsPatch = {
  order?: Partial<RiskSignalsInput['order']>;
  customer?: Partial<RiskSignalsInput['customer']>;
  context?: Partial<RiskSignalsInput['context']>;
};

let attempts = 0;

/**
 * A clean FR order from an established customer that no rule flags: €500, an account two years old with
 * two paid orders, same shipping and billing country, a plain IP and address. Each call gets a fresh
 * attempt id unless the patch sets one.
 */
export function signals(patch: SignalsPatch = {}): RiskSignalsInput {
  attempts += 1;
  return {
    order: {
      total: { amount: 50_000, currency: 'EUR' },
      market: 'FR',
      items: [{ sku: 'HB-TOTE-001', quantity: 1 }],
      ...patch.order,
    },
    customer: {
      id: 'cus_1001',
      accountCreatedAt: daysAgo(730),
      email: 'claire.martin@example.fr',
      previousPaidOrders: 2,
      ...patch.customer,
    },
    context: {
      attemptId: `attempt-${attempts}`,
      ip: '198.51.100.23',
      userAgent: 'Mozilla/5.0',
      shippingAddress: {
        line1: '24 Rue du Faubourg Saint-Honoré',
        city: 'Paris',
        postalCode: '75008',
        country: 'FR',
      },
      billingCountry: 'FR',
      now: NOW.toISOString(),
      ...patch.context,
    },
  };
}

/** Amount in EUR cents from whole euros. */
export const eur = (euros: number) => ({ amount: euros * 100, currency: 'EUR' as const });

/** The reasons of one rule. */
export function reasonsOf(assessment: RiskAssessment, rule: RiskRuleId): RiskReason[] {
  return assessment.reasons.filter((reason) => reason.rule === rule);
}

/** The counter name inside an engine key id (`risk:v1:{name}:{digest}:{window}`). */
export function counterName(key: VelocityKey): string {
  return key.id.split(':')[2] ?? '';
}

/**
 * A velocity store that answers fixed counts per counter name (`ip`, `drop-building`, …), for property
 * tests that need to set counts without replaying attempts. Unnamed counters answer "this attempt only".
 */
export class ScriptedVelocityStore implements VelocityStore {
  constructor(private readonly counts: Readonly<Record<string, VelocityCount>> = {}) {}
  async hit(keys: readonly VelocityKey[]): Promise<Record<string, VelocityCount>> {
    return Object.fromEntries(
      keys.map((key) => [key.id, this.counts[counterName(key)] ?? { total: key.weight ?? 1, distinct: 1 }]),
    );
  }
}

/** A velocity store that is down. */
export class FailingVelocityStore implements VelocityStore {
  async hit(): Promise<Record<string, VelocityCount>> {
    throw new Error('ProvisionedThroughputExceededException: internal detail');
  }
}
