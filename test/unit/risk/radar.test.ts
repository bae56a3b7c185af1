import { describe, expect, it } from 'vitest';
import { fromRadarOutcome, rescreenWithRadar } from '../../../lib/risk/radar.ts';
import { assess, DECISION_STRICTNESS, type RiskDecision } from '../../../lib/risk/risk-assessment.ts';

const AFTER_AUTH = new Date('2026-03-01T10:05:00.000Z');

const assessmentWith = (decision: RiskDecision) =>
  assess(
    decision === 'approve'
      ? []
      : [
          {
            rule: 'value_band',
            outcome: decision,
            severity: 'low',
            message: 'pre-payment finding',
            evidence: {},
          },
        ],
    { policyVersion: 'default-v1', evaluatedAt: '2026-03-01T10:00:00.000Z' },
  );

describe('fromRadarOutcome', () => {
  it.each([
    ['normal', 'approve', 'info'],
    ['elevated', 'review', 'medium'],
    ['highest', 'decline', 'critical'],
    ['not_assessed', 'approve', 'info'],
    ['unknown', 'approve', 'info'],
  ] as const)('maps risk level %s to %s', (level, outcome, severity) => {
    expect(fromRadarOutcome(level)).toMatchObject({ rule: 'radar_risk_level', outcome, severity });
  });

  it('keeps Radar’s score and reason as evidence', () => {
    expect(
      fromRadarOutcome({ riskLevel: 'highest', riskScore: 91, reason: 'highest_risk_level' }).evidence,
    ).toEqual({
      riskLevel: 'highest',
      riskScore: 91,
      radarReason: 'highest_risk_level',
    });
  });

  it('never asks for 3-D Secure, which is too late after authorization', () => {
    for (const level of ['normal', 'elevated', 'highest', 'not_assessed', 'unknown'] as const) {
      expect(fromRadarOutcome(level).outcome).not.toBe('require_3ds');
    }
  });

  it('refuses a level Stripe does not send', () => {
    expect(() => fromRadarOutcome('severe' as never)).toThrow();
  });
});

describe('rescreenWithRadar', () => {
  it('sends an elevated payment to review and records when', () => {
    const rescreened = rescreenWithRadar(assessmentWith('approve'), 'elevated', AFTER_AUTH);

    expect(rescreened.decision).toBe('review');
    expect(rescreened.evaluatedAt).toBe(AFTER_AUTH.toISOString());
    expect(rescreened.reasons.map((r) => r.rule)).toEqual(['radar_risk_level']);
  });

  it('never makes a decision more lenient', () => {
    for (const before of ['approve', 'require_3ds', 'review', 'decline'] as const) {
      for (const level of ['normal', 'elevated', 'highest', 'not_assessed', 'unknown'] as const) {
        const after = rescreenWithRadar(assessmentWith(before), level, AFTER_AUTH).decision;
        expect(DECISION_STRICTNESS[after]).toBeGreaterThanOrEqual(DECISION_STRICTNESS[before]);
      }
    }
  });

  it('keeps the earlier reasons and the policy version', () => {
    const rescreened = rescreenWithRadar(assessmentWith('review'), 'highest', AFTER_AUTH);

    expect(rescreened.decision).toBe('decline');
    expect(rescreened.policyVersion).toBe('default-v1');
    expect(rescreened.reasons.map((r) => r.rule)).toEqual(['radar_risk_level', 'value_band']);
  });
});
