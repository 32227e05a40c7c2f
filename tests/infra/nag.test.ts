// cdk-nag AwsSolutionsChecks: no unacknowledged finding (error or warning), every acknowledgement
// is justified and matches a real finding, and the app's synthesis enforces the checks.
import { Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, NagPack } from 'cdk-nag';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.ts';
import { IMAGE, testConfig } from './helpers.ts';

interface Finding {
  readonly rule: string;
  readonly path: string;
  readonly severity: string;
}

type AppUnderTest = ReturnType<typeof buildApp>['app'];

function findings(app: AppUnderTest): Finding[] {
  return new AwsSolutionsChecks().validateScope(app).violations.flatMap((v) =>
    v.violatingResources.map((r) => ({ rule: v.ruleName, path: (r as { constructPath?: string }).constructPath ?? '?', severity: v.severity ?? '?' })),
  );
}

// The findings as if nothing were acknowledged: cdk-nag's (private) acknowledgement check is
// switched off for the duration of one run.
function rawFindings(app: AppUnderTest): Finding[] {
  const proto = NagPack.prototype as unknown as { isAcknowledged: (node: IConstruct, id: string) => boolean };
  const original = proto.isAcknowledged;
  proto.isAcknowledged = () => false;
  try {
    return findings(app);
  } finally {
    proto.isAcknowledged = original;
  }
}

interface Ack {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

function acknowledgements(root: IConstruct): Ack[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason }))),
  );
}

const configs = {
  default: testConfig(),
  'https, object lock, existing OIDC provider, id subjects, container insights, pipeline image': testConfig({
    github: {
      owner: 'acme',
      repo: 'models',
      oidcProviderArn: 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com',
      subjectFormat: 'id',
      ownerId: 1234567,
      repositoryId: 890123456,
    },
    bucket: { objectLock: { mode: 'COMPLIANCE', days: 365 } },
    service: {
      image: IMAGE,
      containerInsights: true,
      https: { certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/abcd-1234', domainName: 'models.example.com' },
    },
    network: { availabilityZones: ['eu-west-1a', 'eu-west-1c'] },
  }),
};

describe.each(Object.entries(configs))('AwsSolutionsChecks on the %s configuration', (_name, config) => {
  let app: AppUnderTest;
  beforeAll(() => {
    const built = buildApp(config, { nag: false });
    app = built.app;
    Template.fromStack(built.stack); // synthesize: aspects and late-bound resources exist from here on
  });

  it('reports no unacknowledged error or warning', () => {
    expect(findings(app)).toEqual([]);
  });

  it('acknowledges each finding with a specific reason on the resource (or its parent), never stack-wide', () => {
    const raw = rawFindings(app);
    expect(raw.length).toBeGreaterThan(0); // the checks really run: some findings exist before acknowledgement
    const acks = acknowledgements(app).filter((a) => a.id.startsWith('AwsSolutions-'));
    for (const finding of raw) {
      const ack = acks.find((a) => a.id === finding.rule && (finding.path === a.path || finding.path.startsWith(`${a.path}/`)));
      expect(ack, `${finding.rule} on ${finding.path} is acknowledged`).toBeDefined();
      expect(ack?.path.split('/').length, `${finding.rule} is acknowledged below the stack`).toBeGreaterThan(2);
    }
    for (const ack of acks) {
      expect(ack.reason.length, `reason of ${ack.id}`).toBeGreaterThan(60);
    }
  });

  it('has no stale acknowledgement: each one matches a finding', () => {
    const raw = rawFindings(app);
    for (const ack of acknowledgements(app).filter((a) => a.id.startsWith('AwsSolutions-'))) {
      const used = raw.some((f) => f.rule === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`)));
      expect(used, `${ack.id} on ${ack.path} matches a finding`).toBe(true);
    }
  });
});

describe('nag in the app', () => {
  it('synthesizes with the AwsSolutions plugin registered', () => {
    const { app } = buildApp(testConfig(), { outdir: mkdtempSync(join(tmpdir(), 'mlship-nag-')) });
    expect(() => app.synth()).not.toThrow();
  });

  it('fails synthesis on an unacknowledged finding', () => {
    const { app, stack } = buildApp(testConfig(), { outdir: mkdtempSync(join(tmpdir(), 'mlship-nag-')) });
    new s3.Bucket(stack, 'UnloggedPlainBucket'); // no access logs, no TLS-only policy
    expect(() => app.synth()).toThrow();
  });
});
