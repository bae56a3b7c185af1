import { z } from 'zod';

/**
 * What checkout does with an order after screening, from most lenient to strictest:
 * - `approve`: confirm the PaymentIntent as usual (automatic capture);
 * - `require_3ds`: confirm with 3-D Secure requested, so no exemption lets the issuer skip it;
 * - `review`: authorize with manual capture and hold the order for staff (mind `capture_before`);
 * - `decline`: do not take payment (after authorization: cancel the PaymentIntent to release the hold).
 */
export const RiskDecision = z.enum(['approve', 'require_3ds', 'review', 'decline']);
export type RiskDecision = z.infer<typeof RiskDecision>;

/** What a rule that fires asks for; a rule never asks to approve. */
export const RuleOutcome = z.enum(['require_3ds', 'review', 'decline']);
export type RuleOutcome = z.infer<typeof RuleOutcome>;

/**
 * The documented strictness order: decline > review > require_3ds > approve. The decision is the strictest
 * outcome any reason asks for, so one rule can never be outvoted by others or by the score.
 */
export const DECISION_STRICTNESS: Readonly<Record<RiskDecision, number>> = {
  approve: 0,
  require_3ds: 1,
  review: 2,
  decline: 3,
};

/** The stricter of two decisions. */
export function strictest(a: RiskDecision, b: RiskDecision): RiskDecision {
  return DECISION_STRICTNESS[b] > DECISION_STRICTNESS[a] ? b : a;
}

/** Every rule the engine knows; reasons name one, and staff tools look its title up in {@link RULE_CATALOG}. */
export const RiskRuleId = z.enum([
  'deny_listed_email',
  'deny_listed_ip',
  'deny_listed_address',
  'deny_listed_payment_fingerprint',
  'disposable_email',
  'value_band',
  'velocity_customer',
  'velocity_email',
  'velocity_ip',
  'velocity_payment_fingerprint',
  'velocity_unavailable',
  'new_account_high_value',
  'country_mismatch',
  'drop_shared_address',
  'drop_shared_payment_fingerprint',
  'drop_units_per_address',
  'freight_forwarder',
  'allow_listed',
  'radar_risk_level',
]);
export type RiskRuleId = z.infer<typeof RiskRuleId>;

/** How strong a signal is; it feeds the score only, never the decision. */
export const RiskSeverity = z.enum(['info', 'low', 'medium', 'high', 'critical']);
export type RiskSeverity = z.infer<typeof RiskSeverity>;

/** Score points per severity. The score sums them (capped at 100) so staff can sort a review queue. */
export const SEVERITY_POINTS: Readonly<Record<RiskSeverity, number>> = {
  info: 0,
  low: 10,
  medium: 25,
  high: 50,
  critical: 80,
};

/** The severity a rule reports by default for the outcome it asks for. */
export const SEVERITY_FOR_OUTCOME: Readonly<Record<RiskDecision, RiskSeverity>> = {
  approve: 'info',
  require_3ds: 'low',
  review: 'medium',
  decline: 'high',
};

/** Facts behind a reason: thresholds, counts, masked identifiers and list labels, never raw PII. */
export const RiskEvidence = z.record(
  z.string(),
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]),
);
export type RiskEvidence = z.infer<typeof RiskEvidence>;

/** One explained finding. Stored with the order and shown to staff as is. */
export const RiskReason = z.strictObject({
  rule: RiskRuleId,
  /** The decision this finding asks for; `approve` marks an informational note. */
  outcome: RiskDecision,
  severity: RiskSeverity,
  /** Staff-readable sentence; identifiers in it are masked the same way as in the evidence. */
  message: z.string().min(1).max(500),
  evidence: RiskEvidence,
});
export type RiskReason = z.infer<typeof RiskReason>;

/** The result of screening: stored with the order, shown to staff, and replayable from its inputs. */
export const RiskAssessment = z.strictObject({
  decision: RiskDecision,
  /** 0–100, explanatory: sums the reasons' severities and never changes the decision. */
  score: z.number().int().min(0).max(100),
  reasons: z.array(RiskReason),
  policyVersion: z.string().min(1),
  evaluatedAt: z.iso.datetime({ offset: true }),
});
export type RiskAssessment = z.infer<typeof RiskAssessment>;

/** The strictest outcome any reason asks for; `approve` when none asks for more. */
export function decide(reasons: readonly RiskReason[]): RiskDecision {
  return reasons.reduce<RiskDecision>((decision, reason) => strictest(decision, reason.outcome), 'approve');
}

/** Sum of the reasons' severity points, capped at 100. */
export function scoreOf(reasons: readonly RiskReason[]): number {
  return Math.min(
    100,
    reasons.reduce((sum, reason) => sum + SEVERITY_POINTS[reason.severity], 0),
  );
}

/**
 * Orders reasons strictest first, then in catalogue order, then by message, so the same findings always
 * read (and serialize) the same way whatever order the rules ran in.
 */
export function sortReasons(reasons: readonly RiskReason[]): RiskReason[] {
  const ruleIndex = (rule: RiskRuleId) => RiskRuleId.options.indexOf(rule);
  return [...reasons].sort(
    (a, b) =>
      DECISION_STRICTNESS[b.outcome] - DECISION_STRICTNESS[a.outcome] ||
      ruleIndex(a.rule) - ruleIndex(b.rule) ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}

/** Builds an assessment from reasons: the one place decision and score are derived. */
export function assess(
  reasons: readonly RiskReason[],
  meta: { policyVersion: string; evaluatedAt: string },
): RiskAssessment {
  const sorted = sortReasons(reasons);
  return {
    decision: decide(sorted),
    score: scoreOf(sorted),
    reasons: sorted,
    policyVersion: meta.policyVersion,
    evaluatedAt: meta.evaluatedAt,
  };
}

/**
 * Re-screens an existing assessment with later findings (for example Radar's verdict after
 * authorization). Findings only add: the new decision is never more lenient than the old one.
 */
export function withReasons(
  assessment: RiskAssessment,
  reasons: readonly RiskReason[],
  evaluatedAt: string,
): RiskAssessment {
  return assess([...assessment.reasons, ...reasons], {
    policyVersion: assessment.policyVersion,
    evaluatedAt,
  });
}

/** Staff-facing titles and descriptions of the rules, for review screens and audit exports. */
export const RULE_CATALOG: Readonly<Record<RiskRuleId, { title: string; description: string }>> = {
  deny_listed_email: {
    title: 'Deny-listed email',
    description: 'The email address or its domain is on the market deny list.',
  },
  deny_listed_ip: {
    title: 'Deny-listed IP',
    description: 'The IP address is on, or inside a range on, the deny list.',
  },
  deny_listed_address: {
    title: 'Deny-listed address',
    description: 'The shipping address matches a deny-listed address after normalization.',
  },
  deny_listed_payment_fingerprint: {
    title: 'Deny-listed payment method',
    description: 'The payment method fingerprint is on the deny list (for example after a chargeback).',
  },
  disposable_email: {
    title: 'Disposable email',
    description: 'The email domain belongs to a throwaway-mailbox service.',
  },
  value_band: {
    title: 'Order value band',
    description: 'The order total falls in a band that requires 3-D Secure, review or decline.',
  },
  velocity_customer: {
    title: 'Customer velocity',
    description: 'The account placed more checkout attempts than allowed in a window.',
  },
  velocity_email: {
    title: 'Email velocity',
    description: 'The email address was used for more attempts than allowed in a window.',
  },
  velocity_ip: {
    title: 'IP velocity',
    description: 'The IP address made more attempts than allowed in a window.',
  },
  velocity_payment_fingerprint: {
    title: 'Payment method velocity',
    description: 'The payment method was used for more attempts than allowed in a window.',
  },
  velocity_unavailable: {
    title: 'Velocity unavailable',
    description: 'Velocity counters could not be read, so the order is screened with the safe fallback.',
  },
  new_account_high_value: {
    title: 'New account, high value',
    description: 'A new or guest account places a high-value first order.',
  },
  country_mismatch: {
    title: 'Shipping and billing countries differ',
    description: 'The order ships to a country other than the card billing country.',
  },
  drop_shared_address: {
    title: 'Drop items: shared address',
    description: 'Many different customers ship drop or limited items to the same building.',
  },
  drop_shared_payment_fingerprint: {
    title: 'Drop items: shared payment method',
    description: 'Many different customers pay for drop or limited items with the same payment method.',
  },
  drop_units_per_address: {
    title: 'Drop items: units per address',
    description: 'Many units of drop or limited items go to one address in a window.',
  },
  freight_forwarder: {
    title: 'Freight forwarder',
    description: 'The shipping address is a known parcel forwarder or reshipper.',
  },
  allow_listed: {
    title: 'Allow-listed identifier',
    description:
      'A trusted shared identifier (a boutique address, a boutique IP) is exempt from velocity and resale counts.',
  },
  radar_risk_level: {
    title: 'Stripe Radar risk level',
    description: "Stripe Radar's risk level for the authorized payment.",
  },
};
