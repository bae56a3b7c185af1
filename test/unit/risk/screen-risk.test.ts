import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lib/errors.ts';
import { InMemoryVelocityStore } from '../../../lib/risk/in-memory-velocity-store.ts';
import {
  DECISION_STRICTNESS,
  decide,
  RiskAssessment as RiskAssessmentSchema,
  type RiskReason,
  RULE_CATALOG,
  scoreOf,
  strictest,
} from '../../../lib/risk/risk-assessment.ts';
import {
  DEFAULT_RISK_POLICIES,
  type RiskPolicy,
  type RiskPolicyOverrides,
  riskPolicyFor,
} from '../../../lib/risk/risk-policy.ts';
import type { RiskSignalsInput } from '../../../lib/risk/risk-signals.ts';
import { screenRisk } from '../../../lib/risk/screen-risk.ts';
import type { VelocityStore } from '../../../lib/risk/velocity-store.ts';
import { FixedClock } from '../../support/fakes.ts';
import {
  daysAgo,
  eur,
  FailingVelocityStore,
  NOW,
  reasonsOf,
  ScriptedVelocityStore,
  signals,
} from './risk-fixtures.ts';

const FR = DEFAULT_RISK_POLICIES.FR;

function screen(
  input: RiskSignalsInput,
  policy: RiskPolicy = FR,
  store: VelocityStore = new InMemoryVelocityStore(),
) {
  return screenRisk(policy, input, store);
}

const DROP_ITEM = { sku: 'DROP-BAG-01', quantity: 1, dropId: 'drop-ss26' };
const building = (line2?: string) => ({
  line1: '10 Rue de Rivoli',
  ...(line2 ? { line2 } : {}),
  city: 'Paris',
  postalCode: '75004',
  country: 'FR',
});

describe('screenRisk', () => {
  describe('a clean order', () => {
    it('is approved with no reasons, a zero score, the policy version and the signals’ time', async () => {
      const assessment = await screen(signals());

      expect(assessment).toEqual({
        decision: 'approve',
        score: 0,
        reasons: [],
        policyVersion: 'default-v1',
        evaluatedAt: NOW.toISOString(),
      });
      expect(RiskAssessmentSchema.parse(assessment)).toEqual(assessment);
    });
  });

  describe('value bands', () => {
    it.each([
      [999_99, 'approve'],
      [1_000_00, 'require_3ds'],
      [9_999_99, 'require_3ds'],
      [10_000_00, 'review'],
    ] as const)('decides %i cents as %s', async (amount, decision) => {
      const assessment = await screen(signals({ order: { total: { amount, currency: 'EUR' } } }));

      expect(assessment.decision).toBe(decision);
      expect(reasonsOf(assessment, 'value_band').map((r) => r.outcome)).toEqual(
        decision === 'approve' ? [] : [decision],
      );
    });

    it('declines from declineFrom when the market sets one', async () => {
      const policy = riskPolicyFor('FR', { valueBands: { declineFrom: 100_000_00 } });

      expect((await screen(signals({ order: { total: eur(99_999) } }), policy)).decision).toBe('review');
      expect((await screen(signals({ order: { total: eur(100_000) } }), policy)).decision).toBe('decline');
    });

    it('uses the market’s own bands in its currency', async () => {
      const jp = (amount: number) =>
        signals({
          order: { market: 'JP', total: { amount, currency: 'JPY' } },
          context: {
            shippingAddress: { line1: '1-1 Ginza', city: 'Tokyo', postalCode: '104-0061', country: 'JP' },
            billingCountry: 'JP',
          },
        });

      expect((await screen(jp(149_999), DEFAULT_RISK_POLICIES.JP)).decision).toBe('approve');
      expect((await screen(jp(150_000), DEFAULT_RISK_POLICIES.JP)).decision).toBe('require_3ds');
    });
  });

  describe('VIP relief (better terms for the best customers)', () => {
    const vip = (patch: Partial<RiskSignalsInput['customer']> = {}, total = eur(12_000)) =>
      signals({
        order: { total },
        customer: { tier: 'VIC', previousPaidOrders: 12, accountCreatedAt: daysAgo(400), ...patch },
      });

    it('asks a VIP in good standing for 3-D Secure instead of review, and says why', async () => {
      const assessment = await screen(vip());

      expect(assessment.decision).toBe('require_3ds');
      expect(reasonsOf(assessment, 'value_band')).toEqual([
        expect.objectContaining({
          outcome: 'require_3ds',
          evidence: expect.objectContaining({ band: 'review', relaxedForVip: true, vipBasis: 'tier' }),
        }),
      ]);
      expect(reasonsOf(assessment, 'value_band')[0]?.message).toMatch(/relaxed to 3-D Secure for a VIP/);
    });

    it('recognizes a VIP by lifetime value in the market currency', async () => {
      expect((await screen(vip({ tier: undefined, lifetimeValue: eur(50_000) }))).decision).toBe(
        'require_3ds',
      );
      expect((await screen(vip({ tier: undefined, lifetimeValue: eur(49_999) }))).decision).toBe('review');
    });

    it('does not compare a lifetime value in another currency', async () => {
      const usd = { amount: 100_000_00, currency: 'USD' as const };

      expect((await screen(vip({ tier: undefined, lifetimeValue: usd }))).decision).toBe('review');
    });

    it.each<[string, Partial<RiskSignalsInput['customer']>]>([
      ['a chargeback on record', { chargebacks: 1 }],
      ['too few paid orders', { previousPaidOrders: 2 }],
      ['an account younger than six months', { accountCreatedAt: daysAgo(179) }],
      ['a tier that is not VIP', { tier: 'gold' }],
      ['guest checkout', { id: undefined }],
    ])('keeps review for %s', async (_case, patch) => {
      expect((await screen(vip(patch))).decision).toBe('review');
    });

    it('stops at the relief ceiling', async () => {
      expect((await screen(vip({}, eur(49_999)))).decision).toBe('require_3ds');
      expect((await screen(vip({}, eur(50_000)))).decision).toBe('review');
    });

    it('relaxes the value band only: other rules apply as to anyone', async () => {
      const policy = riskPolicyFor('FR', { denyList: { paymentFingerprints: ['fp_stolen0001'] } });
      const input = vip();
      input.context.paymentFingerprint = 'fp_stolen0001';

      expect((await screen(input, policy)).decision).toBe('decline');
    });

    it('can be switched off per market', async () => {
      expect((await screen(vip(), riskPolicyFor('FR', { vip: { enabled: false } }))).decision).toBe('review');
    });
  });

  describe('velocity', () => {
    const onlyLimit = (
      key: 'customer' | 'email' | 'ip' | 'payment_fingerprint',
      outcome = 'review' as const,
    ) => riskPolicyFor('FR', { velocity: { limits: [{ key, windowSeconds: 3600, max: 3, outcome }] } });

    async function attempts(
      count: number,
      policy: RiskPolicy,
      store: VelocityStore,
      patch: Parameters<typeof signals>[0] = {},
    ) {
      let last = await screen(signals(patch), policy, store);
      for (let i = 1; i < count; i++) last = await screen(signals(patch), policy, store);
      return last;
    }

    it.each([
      ['customer', 'velocity_customer', {}],
      ['email', 'velocity_email', {}],
      ['ip', 'velocity_ip', {}],
      [
        'payment_fingerprint',
        'velocity_payment_fingerprint',
        { context: { paymentFingerprint: 'fp_9a8b7c6d' } },
      ],
    ] as const)('allows %s attempts up to the limit and flags the next', async (kind, rule, patch) => {
      const store = new InMemoryVelocityStore();
      const policy = onlyLimit(kind);

      const third = await attempts(3, policy, store, patch);
      expect(reasonsOf(third, rule)).toEqual([]);

      const fourth = await attempts(1, policy, store, patch);
      expect(fourth.decision).toBe('review');
      expect(reasonsOf(fourth, rule)).toEqual([
        expect.objectContaining({
          outcome: 'review',
          evidence: expect.objectContaining({ attempts: 4, limit: 3 }),
        }),
      ]);
    });

    it('counts email aliases as one mailbox', async () => {
      const store = new InMemoryVelocityStore();
      const policy = onlyLimit('email');
      for (const email of ['j.doe@gmail.com', 'jdoe+1@gmail.com', 'JDOE@googlemail.com']) {
        await screen(signals({ customer: { email } }), policy, store);
      }

      const fourth = await screen(signals({ customer: { email: 'j.d.o.e+drop@gmail.com' } }), policy, store);
      expect(reasonsOf(fourth, 'velocity_email')).toHaveLength(1);
    });

    it('forgets attempts once they leave the window', async () => {
      const store = new InMemoryVelocityStore();
      const clock = new FixedClock(NOW);
      const policy = onlyLimit('ip');
      const at = () => ({ context: { now: clock.now().toISOString() } });
      for (let i = 0; i < 3; i++) {
        await screen(signals(at()), policy, store);
        clock.advance(20 * 60_000);
      }

      // t0 + 60 min: the first attempt (t0) has just left the one-hour window.
      expect(reasonsOf(await screen(signals(at()), policy, store), 'velocity_ip')).toEqual([]);
      clock.advance(19 * 60_000);
      // t0 + 79 min: attempts at 20, 40, 60 and 79 min are inside.
      expect(reasonsOf(await screen(signals(at()), policy, store), 'velocity_ip')).toHaveLength(1);
    });

    it('counts a retried screening of the same attempt once', async () => {
      const store = new InMemoryVelocityStore();
      const policy = onlyLimit('ip');
      const retried = signals();
      for (let i = 0; i < 5; i++) await screen(retried, policy, store);

      expect(reasonsOf(await screen(retried, policy, store), 'velocity_ip')).toEqual([]);
    });

    it('does not count allow-listed IPs such as a boutique’s tablets', async () => {
      const store = new InMemoryVelocityStore();
      const policy = riskPolicyFor('FR', {
        velocity: { limits: [{ key: 'ip', windowSeconds: 3600, max: 1, outcome: 'review' }] },
        allowList: { ips: ['198.51.100.0/24'] },
      });
      await screen(signals(), policy, store);
      const second = await screen(signals(), policy, store);

      expect(second.decision).toBe('approve');
      expect(reasonsOf(second, 'allow_listed')).toEqual([
        expect.objectContaining({
          outcome: 'approve',
          evidence: { identifier: 'ip', listEntry: '198.51.100.0/24' },
        }),
      ]);
    });

    it('declines by default after ten attempts on one card in a day', async () => {
      const store = new InMemoryVelocityStore();
      const clock = new FixedClock(NOW);
      const patch = () => ({
        context: { paymentFingerprint: 'fp_card0001', now: clock.now().toISOString() },
      });
      for (let i = 0; i < 10; i++) {
        await screen(signals(patch()), FR, store);
        clock.advance(2 * 3600_000);
      }

      const eleventh = await screen(signals(patch()), FR, store);
      expect(eleventh.decision).toBe('decline');
      expect(reasonsOf(eleventh, 'velocity_payment_fingerprint')[0]?.evidence).toMatchObject({
        attempts: 11,
        limit: 10,
        window: '24 h',
      });
    });

    it('falls back to the policy’s outcome, with a reason, when the counters are down', async () => {
      const assessment = await screen(signals(), FR, new FailingVelocityStore());

      expect(assessment.decision).toBe('require_3ds');
      expect(assessment.reasons).toEqual([expect.objectContaining({ rule: 'velocity_unavailable' })]);
      expect(JSON.stringify(assessment)).not.toContain('Provisioned');
    });

    it('treats a store that leaves counters out as down', async () => {
      const partial: VelocityStore = { hit: async () => ({}) };

      expect(reasonsOf(await screen(signals(), FR, partial), 'velocity_unavailable')).toHaveLength(1);
    });
  });

  describe('new account with a high value', () => {
    const order = (euros: number) => ({ total: eur(euros) });

    it.each<[string, Partial<RiskSignalsInput['customer']>, number, boolean]>([
      ['13 days old at the threshold', { accountCreatedAt: daysAgo(13), previousPaidOrders: 0 }, 5_000, true],
      ['14 days old', { accountCreatedAt: daysAgo(14), previousPaidOrders: 0 }, 5_000, false],
      ['below the threshold', { accountCreatedAt: daysAgo(1), previousPaidOrders: 0 }, 4_999, false],
      ['with a paid order', { accountCreatedAt: daysAgo(1), previousPaidOrders: 1 }, 5_000, false],
      ['a guest', { id: undefined, accountCreatedAt: undefined, previousPaidOrders: 0 }, 5_000, true],
      ['of unknown age', { accountCreatedAt: undefined, previousPaidOrders: 0 }, 5_000, true],
    ])('flags an account %s: %s', async (_case, customer, euros, fires) => {
      const assessment = await screen(signals({ order: order(euros), customer }));

      expect(reasonsOf(assessment, 'new_account_high_value').map((r) => r.outcome)).toEqual(
        fires ? ['review'] : [],
      );
    });

    it('leaves guests alone when the market says so', async () => {
      const policy = riskPolicyFor('FR', { newAccount: { includeGuests: false } });
      const guest = signals({ order: order(6_000), customer: { id: undefined, previousPaidOrders: 0 } });

      expect(reasonsOf(await screen(guest, policy), 'new_account_high_value')).toEqual([]);
    });
  });

  describe('shipping country unlike billing country', () => {
    const ship = (country: string, euros = 500, billingCountry: string | null = 'FR') =>
      signals({
        order: { total: eur(euros) },
        context: {
          billingCountry: billingCountry ?? undefined,
          shippingAddress: { line1: '1 Main Street', city: 'Town', postalCode: '12345', country },
        },
      });

    it('asks for 3-D Secure below the review threshold', async () => {
      const assessment = await screen(ship('US', 4_999));

      expect(reasonsOf(assessment, 'country_mismatch')).toEqual([
        expect.objectContaining({
          outcome: 'require_3ds',
          evidence: expect.objectContaining({ shippingCountry: 'US', billingCountry: 'FR' }),
        }),
      ]);
    });

    it('sends a high value to review', async () => {
      expect(reasonsOf(await screen(ship('US', 5_000)), 'country_mismatch')[0]?.outcome).toBe('review');
    });

    it('does not fire when the countries agree or the billing country is unknown', async () => {
      expect(reasonsOf(await screen(ship('FR')), 'country_mismatch')).toEqual([]);
      expect(reasonsOf(await screen(ship('US', 500, null)), 'country_mismatch')).toEqual([]);
    });
  });

  describe('deny lists', () => {
    const denying = (denyList: RiskPolicyOverrides['denyList']) => riskPolicyFor('FR', { denyList });

    it.each([
      ['the exact address', 'claire.martin@example.fr', 'claire.martin@example.fr'],
      ['a Gmail alias of the address', 'jdoe@gmail.com', 'J.Doe+vip@googlemail.com'],
      ['the domain', 'example.fr', 'claire.martin@example.fr'],
      ['a parent domain', '@example.fr', 'claire@shop.example.fr'],
    ])('declines an email matching %s', async (_case, entry, email) => {
      const assessment = await screen(signals({ customer: { email } }), denying({ emails: [entry] }));

      expect(assessment.decision).toBe('decline');
      expect(reasonsOf(assessment, 'deny_listed_email')).toEqual([
        expect.objectContaining({ severity: 'critical' }),
      ]);
    });

    it('does not decline a lookalike domain', async () => {
      const assessment = await screen(
        signals({ customer: { email: 'a@notexample.fr' } }),
        denying({ emails: ['example.fr'] }),
      );

      expect(assessment.decision).toBe('approve');
    });

    it.each([
      ['a single address', '198.51.100.23', '198.51.100.23', true],
      ['the first address of a range', '198.51.100.0/24', '198.51.100.0', true],
      ['the last address of a range', '198.51.100.0/24', '198.51.100.255', true],
      ['an address just past a range', '198.51.100.0/24', '198.51.101.0', false],
      ['an IPv6 range', '2001:db8::/32', '2001:db8:abcd::1', true],
      ['an IPv4-mapped client in an IPv4 range', '198.51.100.0/24', '::ffff:198.51.100.9', true],
    ])('checks IP deny lists: %s', async (_case, entry, ip, declined) => {
      const assessment = await screen(signals({ context: { ip } }), denying({ ips: [entry] }));

      expect(assessment.decision).toBe(declined ? 'decline' : 'approve');
    });

    it('declines a deny-listed address however it is spelled', async () => {
      const policy = denying({
        addresses: [
          {
            label: 'Chargeback ring, case 1841',
            line1: '10 Rue de Rivoli',
            postalCode: '75004',
            country: 'FR',
          },
        ],
      });
      const assessment = await screen(
        signals({
          context: {
            shippingAddress: {
              line1: '10, R. DE RIVOLI',
              line2: 'Appt 3',
              city: 'PARIS',
              postalCode: '75 004',
              country: 'FR',
            },
          },
        }),
        policy,
      );

      expect(assessment.decision).toBe('decline');
      expect(reasonsOf(assessment, 'deny_listed_address')[0]?.evidence).toEqual({
        country: 'FR',
        postalCode: '75004',
        listEntry: 'Chargeback ring, case 1841',
      });
    });

    it('declines a deny-listed payment method', async () => {
      const assessment = await screen(
        signals({ context: { paymentFingerprint: 'fp_chargeback42' } }),
        denying({ paymentFingerprints: ['fp_chargeback42'] }),
      );

      expect(reasonsOf(assessment, 'deny_listed_payment_fingerprint')[0]?.evidence).toEqual({
        paymentMethod: '…ck42',
      });
    });

    it('lets a deny-list match win over an allow-list match', async () => {
      const policy = riskPolicyFor('FR', {
        denyList: { ips: ['198.51.100.23'] },
        allowList: { ips: ['198.51.100.0/24'] },
      });

      expect((await screen(signals(), policy)).decision).toBe('decline');
    });
  });

  describe('disposable email', () => {
    it('sends a throwaway mailbox to review', async () => {
      const assessment = await screen(signals({ customer: { email: 'x7@mailinator.com' } }));

      expect(reasonsOf(assessment, 'disposable_email')).toEqual([
        expect.objectContaining({ outcome: 'review', evidence: { emailDomain: 'mailinator.com' } }),
      ]);
    });

    it('uses the market’s extra domains', async () => {
      const policy = riskPolicyFor('FR', { disposableEmail: { extraDomains: ['burner.example'] } });

      expect((await screen(signals({ customer: { email: 'a@burner.example' } }), policy)).decision).toBe(
        'review',
      );
    });

    it('spares an allow-listed mailbox', async () => {
      const policy = riskPolicyFor('FR', { allowList: { emails: ['qa@mailinator.com'] } });

      expect((await screen(signals({ customer: { email: 'qa@mailinator.com' } }), policy)).decision).toBe(
        'approve',
      );
    });
  });

  describe('resale patterns on drop items', () => {
    const dropOrder = (
      customerId: string | undefined,
      line2: string,
      patch: Parameters<typeof signals>[0] = {},
    ) =>
      signals({
        ...patch,
        order: { items: [DROP_ITEM], ...patch.order },
        customer: { id: customerId, email: `${customerId ?? 'guest'}@example.fr`, ...patch.customer },
        context: { shippingAddress: building(line2), ...patch.context },
      });

    it('allows two customers per building and flags the third', async () => {
      const store = new InMemoryVelocityStore();
      await screen(dropOrder('c1', 'Apt 1'), FR, store);
      const second = await screen(dropOrder('c2', 'Apt 2'), FR, store);
      expect(reasonsOf(second, 'drop_shared_address')).toEqual([]);

      const third = await screen(dropOrder(undefined, 'Apt 3'), FR, store);
      expect(third.decision).toBe('review');
      expect(reasonsOf(third, 'drop_shared_address')[0]?.evidence).toMatchObject({ customers: 3, limit: 2 });
    });

    it('counts a returning customer once', async () => {
      const store = new InMemoryVelocityStore();
      for (const id of ['c1', 'c2', 'c1', 'c2']) await screen(dropOrder(id, 'Apt 1'), FR, store);

      expect(reasonsOf(await screen(dropOrder('c1', 'Apt 1'), FR, store), 'drop_shared_address')).toEqual([]);
    });

    it('watches limited-edition pieces outside drops too, and ignores ordinary orders', async () => {
      const store = new InMemoryVelocityStore();
      await screen(signals({ customer: { id: 'c1' }, context: { shippingAddress: building() } }), FR, store);
      await screen(signals({ customer: { id: 'c2' }, context: { shippingAddress: building() } }), FR, store);
      const limited = { sku: 'WATCH-LE-042', quantity: 1, limitedEdition: true };

      const third = await screen(
        signals({
          order: { items: [limited] },
          customer: { id: 'c3' },
          context: { shippingAddress: building() },
        }),
        FR,
        store,
      );
      expect(reasonsOf(third, 'drop_shared_address')).toEqual([]);
    });

    it('flags a second customer paying for drop items with the same card', async () => {
      const store = new InMemoryVelocityStore();
      const card = { context: { paymentFingerprint: 'fp_shared777' } };
      const first = await screen(dropOrder('c1', 'Apt 1', card), FR, store);
      expect(reasonsOf(first, 'drop_shared_payment_fingerprint')).toEqual([]);

      const second = await screen(
        dropOrder('c2', '', { ...card, context: { ...card.context, shippingAddress: building('Apt 9') } }),
        FR,
        store,
      );
      expect(reasonsOf(second, 'drop_shared_payment_fingerprint')[0]?.evidence).toMatchObject({
        customers: 2,
        limit: 1,
        paymentMethod: '…d777',
      });
    });

    it('allows four drop units to one address and flags the fifth', async () => {
      const store = new InMemoryVelocityStore();
      const units = (quantity: number) => ({ order: { items: [{ ...DROP_ITEM, quantity }] } });
      await screen(dropOrder('c1', 'Apt 1', units(2)), FR, store);
      const fourUnits = await screen(dropOrder('c1', 'Apt 1', units(2)), FR, store);
      expect(reasonsOf(fourUnits, 'drop_units_per_address')).toEqual([]);

      const fiveUnits = await screen(dropOrder('c1', 'Apt 1', units(1)), FR, store);
      expect(reasonsOf(fiveUnits, 'drop_units_per_address')[0]?.evidence).toMatchObject({
        units: 5,
        limit: 4,
      });
    });

    it('spares an allow-listed boutique address used for click & collect', async () => {
      const store = new InMemoryVelocityStore();
      const policy = riskPolicyFor('FR', {
        allowList: {
          addresses: [
            { label: 'Boutique Rivoli', line1: '10 Rue de Rivoli', postalCode: '75004', country: 'FR' },
          ],
        },
      });
      let last = await screen(dropOrder('c1', ''), policy, store);
      for (const id of ['c2', 'c3', 'c4']) last = await screen(dropOrder(id, ''), policy, store);

      expect(last.decision).toBe('approve');
      expect(reasonsOf(last, 'allow_listed')[0]?.evidence).toEqual({
        identifier: 'address',
        listEntry: 'Boutique Rivoli',
      });
    });
  });

  describe('freight forwarders', () => {
    const viaForwarder = (items = [{ sku: 'HB-TOTE-001', quantity: 1 }]) =>
      signals({
        order: { items },
        context: {
          shippingAddress: {
            line1: '4500 Cargo Way',
            line2: 'Suite SH-12345, c/o Shipito',
            city: 'Portland',
            postalCode: '97203',
            country: 'US',
          },
          billingCountry: 'US',
        },
      });

    it('sends drop items to a forwarder to review', async () => {
      const assessment = await screen(viaForwarder([DROP_ITEM]));

      expect(reasonsOf(assessment, 'freight_forwarder')).toEqual([
        expect.objectContaining({
          outcome: 'review',
          evidence: expect.objectContaining({ match: 'shipito', dropOrLimitedItems: true }),
        }),
      ]);
    });

    it('asks for 3-D Secure for other items to a forwarder', async () => {
      expect((await screen(viaForwarder())).decision).toBe('require_3ds');
    });

    it('recognizes a listed forwarder address without a marker', async () => {
      const policy = riskPolicyFor('FR', {
        freightForwarder: {
          addresses: [
            {
              label: 'Reshipper, Wilmington',
              line1: '501 Silverside Rd',
              postalCode: '19809',
              country: 'US',
            },
          ],
        },
      });
      const input = signals({
        context: {
          shippingAddress: {
            line1: '501 Silverside Road',
            line2: '#77',
            city: 'Wilmington',
            postalCode: '19809',
            country: 'US',
          },
        },
      });

      expect(reasonsOf(await screen(input, policy), 'freight_forwarder')[0]?.evidence).toMatchObject({
        match: 'Reshipper, Wilmington',
      });
    });
  });

  describe('decision', () => {
    it('is the strictest outcome any rule asks for', async () => {
      const policy = riskPolicyFor('FR', { denyList: { emails: ['example.fr'] } });
      const assessment = await screen(
        signals({ order: { total: eur(12_000) }, context: { billingCountry: 'US' } }),
        policy,
      );

      expect(assessment.reasons.map((r) => [r.rule, r.outcome])).toEqual([
        ['deny_listed_email', 'decline'],
        ['value_band', 'review'],
        ['country_mismatch', 'review'],
      ]);
      expect(assessment.decision).toBe('decline');
      expect(assessment.score).toBe(100);
    });

    it('orders decline > review > require_3ds > approve', () => {
      expect(
        Object.entries(DECISION_STRICTNESS)
          .sort((a, b) => a[1] - b[1])
          .map(([d]) => d),
      ).toEqual(['approve', 'require_3ds', 'review', 'decline']);
      expect(strictest('review', 'require_3ds')).toBe('review');
      expect(strictest('approve', 'decline')).toBe('decline');
    });

    it('lets the score explain but never decide', () => {
      const many3ds: RiskReason[] = Array.from({ length: 12 }, (_, i) => ({
        rule: 'value_band',
        outcome: 'require_3ds',
        severity: 'low',
        message: `finding ${i}`,
        evidence: {},
      }));

      expect(scoreOf(many3ds)).toBe(100);
      expect(decide(many3ds)).toBe('require_3ds');
    });

    it('names a catalogued rule in every reason', async () => {
      const assessment = await screen(
        signals({ order: { total: eur(12_000) }, customer: { email: 'a@yopmail.com' } }),
      );

      for (const reason of assessment.reasons) expect(RULE_CATALOG[reason.rule].title).toBeTruthy();
    });

    it('keeps raw identifiers out of the stored reasons', async () => {
      const policy = riskPolicyFor('FR', {
        velocity: {
          limits: [
            { key: 'ip', windowSeconds: 3600, max: 1, outcome: 'review' },
            { key: 'email', windowSeconds: 3600, max: 1, outcome: 'review' },
          ],
        },
      });
      const store = new InMemoryVelocityStore();
      const input = () =>
        signals({
          order: { total: eur(12_000), items: [DROP_ITEM] },
          customer: { email: 'claire.martin@example.fr' },
          context: { ip: '198.51.100.23', paymentFingerprint: 'fp_secretcard9', billingCountry: 'US' },
        });
      await screen(input(), policy, store);
      const text = JSON.stringify(await screen(input(), policy, store));

      expect(text).toContain('198.51.100.0/24');
      for (const raw of ['claire.martin', '198.51.100.23', 'fp_secretcard9', 'Faubourg']) {
        expect(text).not.toContain(raw);
      }
    });
  });

  describe('input checks', () => {
    it('refuses signals from another market than the policy', async () => {
      await expect(screen(signals(), DEFAULT_RISK_POLICIES.DE)).rejects.toThrow(
        new ValidationError('risk policy is for market DE but the order is in market FR'),
      );
    });

    it('refuses a total in another currency than the market’s', async () => {
      const error = await screen(signals({ order: { total: { amount: 1, currency: 'USD' } } })).catch(
        (e) => e,
      );

      expect(error).toBeInstanceOf(ValidationError);
      expect(error.details.issues).toEqual([
        { path: 'order.total.currency', message: 'order total must be in EUR, the currency of market FR' },
      ]);
    });

    it('refuses a malformed IP without echoing personal data', async () => {
      const error = await screen(
        signals({ customer: { email: 'x@example.fr' }, context: { ip: '999.1.1.1' } }),
      ).catch((e) => e);

      expect(error.details.issues).toEqual([
        { path: 'context.ip', message: 'must be an IPv4 or IPv6 address' },
      ]);
      expect(JSON.stringify(error.details)).not.toContain('999.1.1.1');
    });
  });

  describe('with scripted counters', () => {
    it('reads each velocity limit from its own counter', async () => {
      const assessment = await screen(
        signals(),
        FR,
        new ScriptedVelocityStore({ ip: { total: 21, distinct: 0 } }),
      );

      expect(assessment.reasons.map((r) => r.rule)).toEqual(['velocity_ip']);
      expect(assessment.reasons[0]?.message).toBe(
        'IP network 198.51.100.0/24 made 21 checkout attempts in 1 h (limit 20).',
      );
    });
  });
});
