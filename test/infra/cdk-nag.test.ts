import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, type NagPack, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MIN_REASON_LENGTH } from '#stacks/acknowledge.ts';
import { type SynthesizedVitrine, synthesizeVitrine } from './synth.ts';

interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
  readonly path: string;
}

/** Every acknowledgement recorded in the construct tree through `Validations.of(x).acknowledge()`. */
function acknowledgements(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          id: id.replace(/^annotation::/i, ''),
          reason,
          path: construct.node.path,
        })),
      ),
  );
}

/** A region-independent spelling, so the reviewed list has one line per kind of acknowledgement. */
function normalize(text: string): string {
  return text
    .replace(/^(\w+?)(Stateful|Api|ZoneData)[A-Z]\w*?(?=\/|$)/, '$1$2{Region}')
    .replace(/(ZoneData)[A-Z][a-z]+(?=-)/g, '$1{Zone}')
    .replace(/\b[a-z]{2}(-gov)?-[a-z]+-\d\b/g, '{region}')
    .replace(/-[0-9a-f]{8}\b/gi, '-{hash}');
}

let vitrine: SynthesizedVitrine;
beforeAll(() => {
  // Synthesis runs both packs through the Validations plugins, as `cdk synth` does, and throws on any
  // unacknowledged finding.
  vitrine = synthesizeVitrine();
});

describe('cdk-nag', () => {
  const packs: [string, () => NagPack][] = [
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ];

  it.each(packs)('%s reports no unacknowledged finding on any stack', (_name, pack) => {
    const report = pack().validateScope(vitrine.app);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map(
        (r) => `${v.severity} ${v.ruleName} ${r.constructPath ?? r.resourceLogicalId}`,
      ),
    );
    expect(findings.filter((f) => f.startsWith('error'))).toEqual([]);
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('gives every acknowledgement a reason a reviewer can act on', () => {
    const all = acknowledgements(vitrine.app);
    expect(all.length).toBeGreaterThan(0);
    for (const { id, reason, path } of all) {
      expect(reason.trim().length, `${id} on ${path}`).toBeGreaterThanOrEqual(MIN_REASON_LENGTH);
    }
  });

  it('acknowledges IAM findings one at a time, and a bare wildcard only where X-Ray or SMS needs it', () => {
    for (const { id, path } of acknowledgements(vitrine.app).filter((a) => /-IAM[45]/.test(a.id))) {
      expect(id, path).toMatch(/^AwsSolutions-IAM[45]\[(Action|Resource|Policy)::.+\]$/);
      // SNS publishes SMS to phone numbers, which have no ARN: only the notifiers' roles may say "*".
      if (id === 'AwsSolutions-IAM5[Resource::*]')
        expect(path).toMatch(/\/TracingPolicy$|\/Notifications\w*Notifier\/Role$/);
    }
  });

  it('keeps the acknowledgement list under review', () => {
    const kinds = [
      ...new Set(
        acknowledgements(vitrine.app).map(({ id, path }) => `${normalize(id)}  @ ${normalize(path)}`),
      ),
    ].sort();
    expect(kinds).toMatchSnapshot();
  });
});
