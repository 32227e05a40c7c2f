// The three GitHub roles' trust policies, in both `sub` formats: the exact synthesized statements,
// and which of the workflows' jobs (by the subject GitHub gives each) can assume which role.
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.ts';
import { subjectPrefix } from '../../infra/constructs/github-subjects.ts';
import { OWNER, REPO, conditionsHold, logicalId, testConfig, trustOf } from './helpers.ts';

const OWNER_ID = 1234567;
const REPOSITORY_ID = 890123456;
const AUD = 'token.actions.githubusercontent.com:aud';
const SUB = 'token.actions.githubusercontent.com:sub';

const formats = {
  name: { github: { owner: OWNER, repo: REPO }, prefix: `repo:${OWNER}/${REPO}` },
  id: {
    github: { owner: OWNER, repo: REPO, subjectFormat: 'id', ownerId: OWNER_ID, repositoryId: REPOSITORY_ID },
    prefix: `repo:${OWNER}@${OWNER_ID}/${REPO}@${REPOSITORY_ID}`,
  },
} as const;

interface Synthesized {
  template: Template;
  provider: string;
  roles: { train: string; publish: string; deploy: string };
}
const built = {} as Record<keyof typeof formats, Synthesized>;

beforeAll(() => {
  for (const [format, { github }] of Object.entries(formats)) {
    const template = Template.fromStack(buildApp(testConfig({ github }), { nag: false }).stack);
    const role = (name: string) => logicalId(template, 'AWS::IAM::Role', `GitHub${name}Role`);
    built[format as keyof typeof formats] = {
      template,
      provider: logicalId(template, 'AWS::IAM::OIDCProvider', 'GitHub'),
      roles: { train: role('Train'), publish: role('Publish'), deploy: role('Deploy') },
    };
  }
});

describe.each(Object.entries(formats))("the '%s' subject format", (format, { prefix }) => {
  const get = () => built[format as keyof typeof formats];
  const trust = (role: keyof Synthesized['roles']) => trustOf(get().template, get().roles[role]);
  const statement = (Condition: unknown) => ({
    Effect: 'Allow',
    Action: 'sts:AssumeRoleWithWebIdentity',
    Principal: { Federated: { Ref: get().provider } },
    Condition,
  });

  it('train role: pull requests and the branches of this repository (StringLike), exact aud', () => {
    expect(trust('train')).toEqual([
      statement({
        StringEquals: { [AUD]: 'sts.amazonaws.com' },
        StringLike: { [SUB]: [`${prefix}:pull_request`, `${prefix}:ref:refs/heads/*`] },
      }),
    ]);
  });

  it('publish role: pull requests only, exact aud and sub', () => {
    expect(trust('publish')).toEqual([statement({ StringEquals: { [AUD]: 'sts.amazonaws.com', [SUB]: `${prefix}:pull_request` } })]);
  });

  it('deploy role: the production environment only, exact aud and sub', () => {
    expect(trust('deploy')).toEqual([statement({ StringEquals: { [AUD]: 'sts.amazonaws.com', [SUB]: `${prefix}:environment:production` } })]);
  });

  it('no other role trusts the GitHub provider', () => {
    const federated = Object.entries(get().template.findResources('AWS::IAM::Role'))
      .filter(([, r]) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('Federated'))
      .map(([id]) => id)
      .sort();
    expect(federated).toEqual(Object.values(get().roles).sort());
  });

  // The subject GitHub gives each job of the workflows, and the roles it may assume.
  const jobs: [job: string, sub: string, roles: string[]][] = [
    ['train.yml train / publish (same-repository pull request)', `${prefix}:pull_request`, ['train', 'publish']],
    ['train.yml train (merge queue)', `${prefix}:ref:refs/heads/gh-readonly-queue/main/pr-42-${'a'.repeat(40)}`, ['train']],
    ['train.yml train (workflow_dispatch on the pull request branch)', `${prefix}:ref:refs/heads/feature/iris-depth`, ['train']],
    ['report-fork.yml report (workflow_run, on main)', `${prefix}:ref:refs/heads/main`, ['train']],
    ['deploy.yml deploy (environment production)', `${prefix}:environment:production`, ['deploy']],
    ['a job in another environment', `${prefix}:environment:staging`, []],
    ['a tag push', `${prefix}:ref:refs/tags/v1.0.0`, []],
  ];
  it.each(jobs)('%s may assume exactly its roles', (_job, sub, roles) => {
    const may = (['train', 'publish', 'deploy'] as const).filter((role) => trust(role).some((s) => conditionsHold(s, { [AUD]: 'sts.amazonaws.com', [SUB]: sub })));
    expect(may).toEqual(roles);
  });

  it('no role for another audience, another repository, or the other subject format', () => {
    const other = format === 'name' ? formats.id.prefix : formats.name.prefix;
    const tokens = [
      { [AUD]: 'https://github.com/acme', [SUB]: `${prefix}:pull_request` },
      { [AUD]: 'sts.amazonaws.com', [SUB]: `repo:${OWNER}/${REPO}-fork:pull_request` },
      { [AUD]: 'sts.amazonaws.com', [SUB]: `repo:mallory/${REPO}:ref:refs/heads/main` },
      // The same names under other ids: a deleted and re-created owner or repository.
      { [AUD]: 'sts.amazonaws.com', [SUB]: `repo:${OWNER}@999/${REPO}@${REPOSITORY_ID}:pull_request` },
      { [AUD]: 'sts.amazonaws.com', [SUB]: `${other}:pull_request` },
      { [AUD]: 'sts.amazonaws.com', [SUB]: `${other}:environment:production` },
    ];
    for (const claims of tokens) {
      for (const role of ['train', 'publish', 'deploy'] as const) {
        expect(trust(role).some((s) => conditionsHold(s, claims)), `${role} for ${claims[SUB]}`).toBe(false);
      }
    }
  });

  it('the only pattern is the train role branch wildcard; publish and deploy are exact', () => {
    for (const role of ['publish', 'deploy'] as const) {
      const text = JSON.stringify(trust(role));
      expect(text).not.toContain('StringLike');
      expect(text).not.toContain('*');
    }
    const patterns = JSON.stringify(trust('train')).match(/[^"]*[*?][^"]*/g);
    expect(patterns).toEqual([`${prefix}:ref:refs/heads/*`]);
  });
});

it("refuses to build 'id' subjects without both ids (the config requires them; this is the construct's own guard)", () => {
  expect(() => subjectPrefix({ owner: OWNER, repo: REPO, subjectFormat: 'id', ownerId: OWNER_ID })).toThrow(/needs the owner and repository ids of acme\/models/);
  expect(subjectPrefix({ owner: OWNER, repo: REPO, subjectFormat: 'name', ownerId: OWNER_ID })).toBe(`repo:${OWNER}/${REPO}`);
});
