import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { majorToMinor } from '../../../lib/money/currency.ts';
import { MARKET_CODES, MARKETS, type MarketCode } from '../../../lib/money/markets.ts';
import { InMemoryVelocityStore } from '../../../lib/risk/in-memory-velocity-store.ts';
import {
  DECISION_STRICTNESS,
  decide,
  type RiskAssessment,
  RiskDecision,
  type RiskReason,
  RiskRuleId,
  RiskSeverity,
  scoreOf,
} from '../../../lib/risk/risk-assessment.ts';
import {
  DEFAULT_RISK_POLICIES,
  RISK_BAND_UNIT,
  type RiskPolicy,
  riskPolicyFor,
} from '../../../lib/risk/risk-policy.ts';
import type { RiskSignalsInput } from '../../../lib/risk/risk-signals.ts';
import { screenRisk } from '../../../lib/risk/screen-risk.ts';
import type { VelocityCount } from '../../../lib/risk/velocity-store.ts';
import { daysAgo, NOW, ScriptedVelocityStore } from './risk-fixtures.ts';

const RUNS = { numRuns: 150 };

const EMAILS = ['claire.martin@example.fr', 'j.doe+x@gmail.com', 'x7@mailinator.com', 'vip@client.example'];
const IPS = ['198.51.100.23', '203.0.113.7', '2001:db8:1:2::9', '::ffff:192.0.2.44'];
const ADDRESSES = [
  { line1: '10 Rue de Rivoli', city: 'Paris', postalCode: '75004' },
  { line1: '4500 Cargo Way', line2: 'c/o Shipito', city: 'Portland', postalCode: '97203' },
  { line1: '12 St James St', line2: 'Flat 2', city: 'London', postalCode: 'SW1A 1AA' },
];
const COUNTERS = [
  'customer',
  'email',
  'ip',
  'payment_fingerprint',
  'drop-building',
  'drop-units',
  'drop-payment',
];

const countArb: fc.Arbitrary<VelocityCount> = fc.record({
  total: fc.integer({ min: 1, max: 40 }),
  distinct: fc.integer({ min: 0, max: 6 }),
});
/** A value for every counter, so raising them below compares like with like. */
const countsArb: fc.Arbitrary<Record<string, VelocityCount>> = fc.record(
  Object.fromEntries(COUNTERS.map((name) => [name, countArb])),
);

/** Arbitrary but valid signals for a market, with enough spread to make every rule fire sometimes. */
function signalsArb(market: MarketCode): fc.Arbitrary<RiskSignalsInput> {
  const currency = MARKETS[market].currency;
  const unit = majorToMinor(RISK_BAND_UNIT[market], currency);
  return fc
    .record({
      amount: fc.integer({ min: 0, max: unit * 60 }),
      items: fc.array(
        fc.record({
          sku: fc.constantFrom('HB-TOTE-001', 'WATCH-LE-042', 'DROP-BAG-01'),
          quantity: fc.integer({ min: 1, max: 4 }),
          limitedEdition: fc.boolean(),
          dropId: fc.option(fc.constant('drop-ss26'), { nil: undefined }),
        }),
        { minLength: 1, maxLength: 3 },
      ),
      customerId: fc.option(fc.constantFrom('cus_1', 'cus_2'), { nil: undefined }),
      ageDays: fc.option(fc.integer({ min: 0, max: 1_000 }), { nil: undefined }),
      email: fc.constantFrom(...EMAILS),
      previousPaidOrders: fc.integer({ min: 0, max: 12 }),
      ltv: fc.option(fc.integer({ min: 0, max: unit * 80 }), { nil: undefined }),
      tier: fc.option(fc.constantFrom('vip', 'vic', 'gold'), { nil: undefined }),
      chargebacks: fc.integer({ min: 0, max: 1 }),
      ip: fc.constantFrom(...IPS),
      fingerprint: fc.option(fc.constantFrom('fp_aaaa1111', 'fp_bbbb2222'), { nil: undefined }),
      address: fc.constantFrom(...ADDRESSES),
      shipCountry: fc.constantFrom(market, 'US', 'GB'),
      billingCountry: fc.option(fc.constantFrom(market, 'US', 'GB'), { nil: undefined }),
      attempt: fc.integer({ min: 1, max: 1_000_000 }),
    })
    .map((g) => ({
      order: { total: { amount: g.amount, currency }, market, items: g.items },
      customer: {
        id: g.customerId,
        accountCreatedAt: g.ageDays === undefined ? undefined : daysAgo(g.ageDays),
        email: g.email,
        previousPaidOrders: g.previousPaidOrders,
        lifetimeValue: g.ltv === undefined ? undefined : { amount: g.ltv, currency },
        tier: g.tier,
        chargebacks: g.chargebacks,
      },
      context: {
        attemptId: `attempt-${g.attempt}`,
        ip: g.ip,
        paymentFingerprint: g.fingerprint,
        shippingAddress: { ...g.address, country: g.shipCountry },
        billingCountry: g.billingCountry,
        now: NOW.toISOString(),
      },
    }));
}

const scenarioArb = fc
  .constantFrom(...MARKET_CODES)
  .chain((market) =>
    fc.record({ market: fc.constant(market), signals: signalsArb(market), counts: countsArb }),
  );

const screen = (policy: RiskPolicy, signals: RiskSignalsInput, counts: Record<string, VelocityCount>) =>
  screenRisk(policy, signals, new ScriptedVelocityStore(counts));

const atLeastAsStrict = (after: RiskAssessment, before: RiskAssessment) =>
  DECISION_STRICTNESS[after.decision] >= DECISION_STRICTNESS[before.decision];

const reasonArb: fc.Arbitrary<RiskReason> = fc.record({
  rule: fc.constantFrom(...RiskRuleId.options),
  outcome: fc.constantFrom(...RiskDecision.options),
  severity: fc.constantFrom(...RiskSeverity.options),
  message: fc.string({ minLength: 1, maxLength: 20 }),
  evidence: fc.constant({}),
});

describe('screenRisk properties', () => {
  it('gives the same assessment for the same input', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ market, signals }) => {
        const policy = DEFAULT_RISK_POLICIES[market];
        const first = await screenRisk(policy, signals, new InMemoryVelocityStore());
        const second = await screenRisk(policy, structuredClone(signals), new InMemoryVelocityStore());
        expect(second).toEqual(first);
      }),
      RUNS,
    );
  });

  it('keeps the score within 0–100 and explains every decision stricter than approve', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ market, signals, counts }) => {
        const assessment = await screen(DEFAULT_RISK_POLICIES[market], signals, counts);
        expect(assessment.score).toBeGreaterThanOrEqual(0);
        expect(assessment.score).toBeLessThanOrEqual(100);
        expect(assessment.decision).toBe(decide(assessment.reasons));
        if (assessment.decision !== 'approve') {
          expect(assessment.reasons.some((r) => r.outcome === assessment.decision)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('never gets more lenient when a deny list starts matching', async () => {
    await fc.assert(
      fc.asyncProperty(
        scenarioArb,
        fc.constantFrom('email', 'ip', 'address', 'fingerprint'),
        async ({ market, signals, counts }, list) => {
          const base = DEFAULT_RISK_POLICIES[market];
          const { customer, context } = signals;
          const denyList = {
            email: { emails: [customer.email] },
            ip: { ips: [context.ip.replace(/^::ffff:/, '')] },
            address: { addresses: [{ label: 'listed', ...context.shippingAddress }] },
            fingerprint: {
              paymentFingerprints: context.paymentFingerprint ? [context.paymentFingerprint] : [],
            },
          }[list];
          const before = await screen(base, signals, counts);
          const after = await screen(riskPolicyFor(market, { denyList }), signals, counts);
          expect(atLeastAsStrict(after, before)).toBe(true);
          if (list !== 'fingerprint' || context.paymentFingerprint) expect(after.decision).toBe('decline');
        },
      ),
      RUNS,
    );
  });

  it('never gets more lenient when counters rise', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, countsArb, async ({ market, signals, counts }, extra) => {
        const higher = Object.fromEntries(
          COUNTERS.map((name) => {
            const a = counts[name]!;
            const b = extra[name]!;
            return [name, { total: a.total + b.total, distinct: a.distinct + b.distinct }];
          }),
        );
        const policy = DEFAULT_RISK_POLICIES[market];
        expect(
          atLeastAsStrict(await screen(policy, signals, higher), await screen(policy, signals, counts)),
        ).toBe(true);
      }),
      RUNS,
    );
  });

  it('never gets more lenient when the total rises', async () => {
    await fc.assert(
      fc.asyncProperty(
        scenarioArb,
        fc.nat({ max: 10_000_000 }),
        async ({ market, signals, counts }, more) => {
          const policy = DEFAULT_RISK_POLICIES[market];
          const larger = structuredClone(signals);
          larger.order.total.amount += more;
          expect(
            atLeastAsStrict(await screen(policy, larger, counts), await screen(policy, signals, counts)),
          ).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it('never gets more lenient when the billing country starts to differ or a drop line is added', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, fc.boolean(), async ({ market, signals, counts }, addDropLine) => {
        const policy = DEFAULT_RISK_POLICIES[market];
        const riskier = structuredClone(signals);
        if (addDropLine) riskier.order.items.push({ sku: 'DROP-BAG-01', quantity: 1, dropId: 'drop-ss26' });
        else riskier.context.billingCountry = riskier.context.shippingAddress.country === 'KR' ? 'JP' : 'KR';
        expect(
          atLeastAsStrict(await screen(policy, riskier, counts), await screen(policy, signals, counts)),
        ).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('decide properties', () => {
  it('never gets more lenient when a reason is added', () => {
    fc.assert(
      fc.property(fc.array(reasonArb, { maxLength: 8 }), reasonArb, (reasons, added) => {
        const before = decide(reasons);
        const after = decide([...reasons, added]);
        expect(DECISION_STRICTNESS[after]).toBeGreaterThanOrEqual(DECISION_STRICTNESS[before]);
        expect(DECISION_STRICTNESS[after]).toBeGreaterThanOrEqual(DECISION_STRICTNESS[added.outcome]);
        expect(scoreOf([...reasons, added])).toBeGreaterThanOrEqual(scoreOf(reasons));
      }),
    );
  });

  it('does not depend on the order of the reasons', () => {
    fc.assert(
      fc.property(
        fc
          .array(reasonArb, { maxLength: 8 })
          .chain((r) => fc.tuple(fc.constant(r), fc.shuffledSubarray(r, { minLength: r.length }))),
        ([reasons, shuffled]) => {
          expect(decide(shuffled)).toBe(decide(reasons));
          expect(scoreOf(shuffled)).toBe(scoreOf(reasons));
        },
      ),
    );
  });
});
