import { z } from 'zod';
import {
  type RiskAssessment,
  type RiskDecision,
  type RiskReason,
  type RiskSeverity,
  withReasons,
} from './risk-assessment.ts';

/** Stripe Radar's `outcome.risk_level` on a charge. */
export const RadarRiskLevel = z.enum(['normal', 'elevated', 'highest', 'not_assessed', 'unknown']);
export type RadarRiskLevel = z.infer<typeof RadarRiskLevel>;

/**
 * The part of a charge's Radar outcome screening uses, mapped by the payment adapter from Stripe's
 * `charge.outcome` (the domain never sees Stripe's types).
 */
export const RadarOutcome = z.strictObject({
  riskLevel: RadarRiskLevel,
  /** 0–100, present with Radar for Fraud Teams. */
  riskScore: z.number().int().min(0).max(100).optional(),
  /** Radar's `outcome.reason`, e.g. `highest_risk_level` or `elevated_risk_level`. */
  reason: z.string().max(100).optional(),
});
export type RadarOutcome = z.infer<typeof RadarOutcome>;

/**
 * What each level asks for after authorization, as Stripe recommends: capture `normal`, send `elevated`
 * to manual review, block `highest`. Radar not assessing the payment (`not_assessed`, `unknown`) adds no
 * risk: the pre-payment screening stands on its own. 3-D Secure is never asked for: it is too late.
 */
const RADAR_MAPPING: Readonly<
  Record<RadarRiskLevel, { outcome: RiskDecision; severity: RiskSeverity; message: string }>
> = {
  normal: { outcome: 'approve', severity: 'info', message: 'Stripe Radar rates the payment normal risk.' },
  elevated: {
    outcome: 'review',
    severity: 'medium',
    message: 'Stripe Radar rates the payment elevated risk: hold for manual review.',
  },
  highest: {
    outcome: 'decline',
    severity: 'critical',
    message: 'Stripe Radar rates the payment highest risk: cancel the authorization.',
  },
  not_assessed: {
    outcome: 'approve',
    severity: 'info',
    message: 'Stripe Radar did not assess the payment; the pre-payment screening stands.',
  },
  unknown: {
    outcome: 'approve',
    severity: 'info',
    message: 'Stripe Radar returned no risk level; the pre-payment screening stands.',
  },
};

/**
 * Turns Radar's verdict on an authorized payment into a reason of the same shape as screening's, so the
 * order's stored reasons tell one story. Pass a bare level or the outcome with score and reason.
 */
export function fromRadarOutcome(outcome: RadarRiskLevel | RadarOutcome): RiskReason {
  const parsed = RadarOutcome.parse(typeof outcome === 'string' ? { riskLevel: outcome } : outcome);
  const mapping = RADAR_MAPPING[parsed.riskLevel];
  return {
    rule: 'radar_risk_level',
    outcome: mapping.outcome,
    severity: mapping.severity,
    message: mapping.message,
    evidence: {
      riskLevel: parsed.riskLevel,
      riskScore: parsed.riskScore ?? null,
      radarReason: parsed.reason ?? null,
    },
  };
}

/**
 * Re-screens after authorization: the stored assessment plus Radar's reason. The decision can only stay
 * or get stricter; `decline` here means cancel the PaymentIntent, `review` means keep the manual-capture
 * hold for staff (before `capture_before`).
 */
export function rescreenWithRadar(
  assessment: RiskAssessment,
  outcome: RadarRiskLevel | RadarOutcome,
  evaluatedAt: Date,
): RiskAssessment {
  return withReasons(assessment, [fromRadarOutcome(outcome)], evaluatedAt.toISOString());
}
