import { ValidationError } from '../errors.ts';
import { assess, type RiskAssessment } from './risk-assessment.ts';
import type { RiskPolicy } from './risk-policy.ts';
import { RiskSignals, type RiskSignalsInput } from './risk-signals.ts';
import { RULES } from './rules.ts';
import { compilePolicy, deriveContext, planVelocity, type ScreeningContext } from './screening-context.ts';
import type { VelocityCount, VelocityStore } from './velocity-store.ts';

/**
 * Screens one checkout attempt against a market's policy.
 *
 * Records the attempt on the velocity counters (once per `context.attemptId`), runs every rule, and
 * returns the decision: the strictest outcome any rule asks for (decline > review > require_3ds >
 * approve). The score sums the reasons' severities to rank a review queue; it never changes the
 * decision. Given the same policy, signals and counter values the result is the same, `evaluatedAt`
 * included (it is the signals' `now`), so a stored assessment can be replayed and explained.
 *
 * If the velocity store fails, screening does not: velocity and resale rules are skipped and the
 * policy's `velocity.unavailableOutcome` is asked for instead, with a reason saying so.
 *
 * @param policy a validated policy (from `RiskPolicy.parse`, `riskPolicyFor` or `DEFAULT_RISK_POLICIES`)
 * @throws ValidationError when the signals are malformed or belong to another market than the policy
 */
export async function screenRisk(
  policy: RiskPolicy,
  signals: RiskSignalsInput,
  velocity: VelocityStore,
): Promise<RiskAssessment> {
  const parsed = RiskSignals.safeParse(signals);
  if (!parsed.success) {
    // Paths and messages only: the values are personal data and stay out of errors and logs.
    throw new ValidationError('risk signals are invalid', {
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    });
  }
  if (parsed.data.order.market !== policy.market) {
    throw new ValidationError(
      `risk policy is for market ${policy.market} but the order is in market ${parsed.data.order.market}`,
    );
  }
  const derived = deriveContext(compilePolicy(policy), parsed.data);
  const velocityKeys = planVelocity(derived);
  const counts = await readCounters(velocity, velocityKeys, derived);
  const ctx: ScreeningContext = { ...derived, velocityKeys, counts };
  return assess(
    RULES.flatMap((rule) => rule(ctx)),
    { policyVersion: policy.version, evaluatedAt: new Date(ctx.nowMs).toISOString() },
  );
}

async function readCounters(
  velocity: VelocityStore,
  planned: ScreeningContext['velocityKeys'],
  ctx: Pick<ScreeningContext, 'nowMs' | 'signals'>,
): Promise<Record<string, VelocityCount> | undefined> {
  if (planned.length === 0) return {};
  try {
    const counts = await velocity.hit(
      planned.map((p) => p.key),
      new Date(ctx.nowMs),
      ctx.signals.context.attemptId,
    );
    // A store that leaves a counter out has not honoured its contract: trust none of its numbers.
    return planned.every((p) => counts[p.key.id] !== undefined) ? counts : undefined;
  } catch {
    return undefined;
  }
}
