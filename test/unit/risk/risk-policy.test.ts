import { describe, expect, it } from 'vitest';
import { MARKET_CODES, MARKETS } from '../../../lib/money/markets.ts';
import {
  DEFAULT_RISK_POLICIES,
  type RiskPolicy,
  RiskPolicy as RiskPolicySchema,
  riskPolicyFor,
} from '../../../lib/risk/risk-policy.ts';

const issuesOf = (input: unknown) => {
  const result = RiskPolicySchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

const withPatch = (patch: (p: RiskPolicy) => void): RiskPolicy => {
  const policy = structuredClone(DEFAULT_RISK_POLICIES.FR);
  patch(policy);
  return policy;
};

describe('DEFAULT_RISK_POLICIES', () => {
  it('has a valid policy in the market currency for every market', () => {
    expect(Object.keys(DEFAULT_RISK_POLICIES).sort()).toEqual([...MARKET_CODES].sort());
    for (const market of MARKET_CODES) {
      const policy = DEFAULT_RISK_POLICIES[market];
      expect(RiskPolicySchema.parse(policy)).toEqual(policy);
      expect(policy.currency).toBe(MARKETS[market].currency);
    }
  });

  it.each([
    ['FR', 100_000, 1_000_000, 5_000_000],
    ['GB', 100_000, 1_000_000, 5_000_000],
    ['US', 100_000, 1_000_000, 5_000_000],
    ['CH', 100_000, 1_000_000, 5_000_000],
    ['JP', 150_000, 1_500_000, 7_500_000],
    ['KR', 1_500_000, 15_000_000, 75_000_000],
    ['SG', 150_000, 1_500_000, 7_500_000],
  ] as const)(
    'sets %s bands in minor units: 3DS from %i, review from %i, VIP relief below %i',
    (market, threeDs, review, vip) => {
      const policy = DEFAULT_RISK_POLICIES[market];

      expect(policy.valueBands).toEqual({ requireThreeDsFrom: threeDs, reviewFrom: review });
      expect(policy.vip.relaxReviewBelow).toBe(vip);
      expect(policy.newAccount.valueFrom).toBe(threeDs * 5);
    },
  );
});

describe('RiskPolicy', () => {
  it('refuses amounts in another currency than the market’s', () => {
    expect(issuesOf(withPatch((p) => Object.assign(p, { currency: 'USD' })))).toEqual([
      'currency: market FR prices in EUR; policy amounts must be in EUR',
    ]);
  });

  it('refuses bands out of order', () => {
    const policy = withPatch((p) => {
      p.valueBands = { requireThreeDsFrom: 500_000, reviewFrom: 400_000, declineFrom: 400_000 };
    });

    expect(issuesOf(policy)).toEqual(
      expect.arrayContaining([
        'valueBands.reviewFrom: reviewFrom must be at least requireThreeDsFrom',
        'valueBands.declineFrom: declineFrom must be above reviewFrom',
      ]),
    );
  });

  it('refuses a VIP relief ceiling below the review band', () => {
    expect(issuesOf(withPatch((p) => Object.assign(p.vip, { relaxReviewBelow: 1 })))).toEqual([
      'vip.relaxReviewBelow: relaxReviewBelow must be at least valueBands.reviewFrom',
    ]);
  });

  it('refuses a malformed IP range with an actionable message', () => {
    expect(issuesOf(withPatch((p) => p.denyList.ips.push('203.0.113.9/24')))).toEqual([
      'denyList.ips.0: 203.0.113.9/24 has host bits set; did you mean 203.0.113.0/24?',
    ]);
  });

  it('refuses two limits on the same key and window', () => {
    const policy = withPatch((p) => p.velocity.limits.push({ ...p.velocity.limits[0]! }));

    expect(issuesOf(policy)).toEqual(['velocity.limits.7: a customer limit over 3600s is already set']);
  });

  it('refuses unknown fields', () => {
    expect(issuesOf({ ...DEFAULT_RISK_POLICIES.FR, threshold: 1 })).toHaveLength(1);
  });
});

describe('riskPolicyFor', () => {
  it('lays overrides over the market default, merging objects and replacing arrays', () => {
    const policy = riskPolicyFor('JP', {
      version: 'jp-2026-03',
      valueBands: { reviewFrom: 2_000_000 },
      denyList: { ips: ['203.0.113.0/24'] },
    });

    expect(policy.version).toBe('jp-2026-03');
    expect(policy.valueBands).toEqual({ requireThreeDsFrom: 150_000, reviewFrom: 2_000_000 });
    expect(policy.denyList).toEqual({
      emails: [],
      ips: ['203.0.113.0/24'],
      addresses: [],
      paymentFingerprints: [],
    });
  });

  it('leaves the defaults untouched', () => {
    riskPolicyFor('FR', { denyList: { emails: ['bad.example'] } });

    expect(DEFAULT_RISK_POLICIES.FR.denyList.emails).toEqual([]);
  });

  it('validates the result', () => {
    expect(() => riskPolicyFor('FR', { valueBands: { requireThreeDsFrom: 2_000_000 } })).toThrow(
      /reviewFrom must be at least requireThreeDsFrom/,
    );
  });
});
