import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface ApiFirewallProps {
  /** The REST API stage to protect (`arn:aws:apigateway:{region}::/restapis/{id}/stages/{stage}`). */
  readonly stageArn: string;
  /** Requests per caller in a 5-minute window before the firewall answers 429. */
  readonly rateLimitPer5Min: number;
  /** Requests per access token and IP in a minute to drop paths before the firewall answers 429. */
  readonly dropRateLimitPerMinute: number;
  /** The stage name, which prefixes every path on the execute-api endpoint (`/live/v1/...`). */
  readonly stageName: string;
  /** Prefix of the CloudWatch metric names. */
  readonly metricPrefix: string;
}

const RATE_LIMITED_BODY_KEY = 'RateLimited';

/** Where drop traffic arrives: entries, entry polling and the drop pages. */
export const DROP_PATH_PREFIX = '/v1/drops/';

/** The shortest window WAF offers: a drop opens and sells out within a minute or two. */
const DROP_WINDOW_SECONDS = 60;

/**
 * The regional web ACL in front of the API: a tight per-minute rate rule on drop paths, then two
 * rate-based rules over everything (per IP, and per Authorization header and IP so one token cannot
 * spread a drop rush over many addresses, nor many shoppers behind one carrier NAT starve each other),
 * then AWS's common and known-bad-inputs rule sets.
 */
export class ApiFirewall extends Construct {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: ApiFirewallProps) {
    super(scope, id);
    const visibility = (name: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `${props.metricPrefix}${name}`,
    });
    // The firewall answers before API Gateway, so it speaks the API's error envelope itself; there is no
    // API Gateway request id yet.
    const rateLimited: wafv2.CfnWebACL.RuleActionProperty = {
      block: {
        customResponse: {
          responseCode: 429,
          customResponseBodyKey: RATE_LIMITED_BODY_KEY,
          responseHeaders: [{ name: 'retry-after', value: '60' }],
        },
      },
    };
    const managed = (
      priority: number,
      name: string,
      excluded: string[] = [],
    ): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ruleActionOverrides: excluded.map((rule) => ({ name: rule, actionToUse: { count: {} } })),
        },
      },
      visibilityConfig: visibility(name),
    });

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      description: 'Vitrine API: rate limits and AWS managed protections',
      visibilityConfig: visibility('WebAcl'),
      customResponseBodies: {
        [RATE_LIMITED_BODY_KEY]: {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({
            error: { code: 'RATE_LIMITED', message: 'Too many requests; retry later', requestId: 'waf' },
          }),
        },
      },
      rules: [
        {
          // The Authorization header carries the shopper's JWT, so the key is the token (its subject)
          // and the address together. WAF does not count requests that lack a key part: anonymous
          // drop page reads fall to the per-IP rule below.
          name: 'DropRateLimitPerTokenAndIp',
          priority: 5,
          action: rateLimited,
          statement: {
            rateBasedStatement: {
              limit: props.dropRateLimitPerMinute,
              aggregateKeyType: 'CUSTOM_KEYS',
              evaluationWindowSec: DROP_WINDOW_SECONDS,
              customKeys: [
                { header: { name: 'authorization', textTransformations: [{ priority: 0, type: 'NONE' }] } },
                { ip: {} },
              ],
              scopeDownStatement: {
                // The execute-api endpoint puts the stage before the path; a custom domain does not.
                orStatement: {
                  statements: [DROP_PATH_PREFIX, `/${props.stageName}${DROP_PATH_PREFIX}`].map((prefix) => ({
                    byteMatchStatement: {
                      fieldToMatch: { uriPath: {} },
                      positionalConstraint: 'STARTS_WITH',
                      searchString: prefix,
                      // Decoded first, so `/v1/%64rops/` cannot slip past.
                      textTransformations: [{ priority: 0, type: 'URL_DECODE' }],
                    },
                  })),
                },
              },
            },
          },
          visibilityConfig: visibility('DropRateLimitPerTokenAndIp'),
        },
        {
          name: 'RateLimitPerIp',
          priority: 10,
          action: rateLimited,
          statement: {
            rateBasedStatement: {
              limit: props.rateLimitPer5Min,
              aggregateKeyType: 'IP',
              evaluationWindowSec: 300,
            },
          },
          visibilityConfig: visibility('RateLimitPerIp'),
        },
        {
          name: 'RateLimitPerTokenAndIp',
          priority: 20,
          action: rateLimited,
          statement: {
            rateBasedStatement: {
              limit: props.rateLimitPer5Min,
              aggregateKeyType: 'CUSTOM_KEYS',
              evaluationWindowSec: 300,
              customKeys: [
                { header: { name: 'authorization', textTransformations: [{ priority: 0, type: 'NONE' }] } },
                { ip: {} },
              ],
            },
          },
          visibilityConfig: visibility('RateLimitPerTokenAndIp'),
        },
        // The API accepts bodies up to maxBodyBytes and the handlers enforce it; the common rule set's
        // 8 KB body limit would block product and drop payloads, so that one rule only counts.
        managed(30, 'AWSManagedRulesCommonRuleSet', ['SizeRestrictions_BODY']),
        managed(40, 'AWSManagedRulesKnownBadInputsRuleSet'),
      ],
    });

    new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}
