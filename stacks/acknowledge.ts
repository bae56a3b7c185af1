import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/** Shortest reason an acknowledgement may carry; "n/a" explains nothing to the next reviewer. */
export const MIN_REASON_LENGTH = 10;

/**
 * Acknowledges one cdk-nag finding on one construct (and its children), with the reason a reviewer
 * reads. IAM findings must name the finding (`AwsSolutions-IAM5[Resource::...]`), never the whole
 * rule, so a new wildcard elsewhere still fails synthesis.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (reason.trim().length < MIN_REASON_LENGTH) {
    throw new Error(
      `acknowledgement ${id} on ${scope.node.path} needs a reason of at least ${MIN_REASON_LENGTH} characters`,
    );
  }
  if (/-IAM[45]$/.test(id)) {
    throw new Error(
      `acknowledgement ${id} on ${scope.node.path} must name the finding, e.g. ${id}[Resource::...]`,
    );
  }
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * Acknowledges the IAM5 finding for one wildcard resource ARN, spelled the way cdk-nag spells it. The
 * ARN must resolve within `scope`'s stack (literals and pseudo parameters, no cross-stack references).
 */
export function acknowledgeWildcardResource(scope: IConstruct, arn: string, reason: string): void {
  const flattened = flattenCfnReference(Stack.of(scope).resolve(arn));
  acknowledge(scope, `AwsSolutions-IAM5[Resource::${flattened}]`, reason);
}
