// GitHub Actions -> AWS without stored keys: the workflows exchange their OIDC token for short-lived
// credentials of one of three roles. Each role's trust policy pins the audience and the subject
// (`sub`) claims GitHub issues for this repository's jobs (github-subjects.ts), so no other
// repository, fork, branch pattern or environment can assume it.
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.ts';
import { addDeployPermissions, type DeployPermissionsProps } from './deploy-permissions.ts';
import { type GitHubRepository, deploySubjects, publishSubjects, trainSubjects } from './github-subjects.ts';

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

export interface GitHubOidcProps extends DeployPermissionsProps {
  readonly github: GitHubRepository;
  /** Use this existing provider instead of creating one (one provider per URL per account). */
  readonly existingProviderArn?: string;
  /** The GitHub environment of the deploy job: the deploy role's only subject. */
  readonly deployEnvironment: string;
}

export class GitHubOidc extends Construct {
  readonly providerArn: string;
  readonly trainRole: iam.Role;
  readonly publishRole: iam.Role;
  readonly deployRole: iam.Role;

  constructor(scope: Construct, id: string, props: GitHubOidcProps) {
    super(scope, id);
    const provider = props.existingProviderArn
      ? iam.OidcProviderNative.fromOidcProviderArn(this, 'Provider', props.existingProviderArn)
      : new iam.OidcProviderNative(this, 'Provider', {
          url: `https://${GITHUB_OIDC_HOST}`,
          clientIds: [GITHUB_OIDC_AUDIENCE],
          // No thumbprints: IAM trusts GitHub's certificate through its own CA store.
        });
    this.providerArn = provider.oidcProviderArn;

    // StringEquals for exact subjects; StringLike only where a pattern is meant (the train role's branches).
    const principal = (subjects: string[], operator: 'StringEquals' | 'StringLike' = 'StringEquals') => {
      const sub = { [`${GITHUB_OIDC_HOST}:sub`]: subjects.length === 1 ? subjects[0] : subjects };
      const aud = { [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE };
      return new iam.WebIdentityPrincipal(
        provider.oidcProviderArn,
        operator === 'StringEquals' ? { StringEquals: { ...aud, ...sub } } : { StringEquals: aud, StringLike: sub },
      );
    };
    const { owner, repo } = props.github;
    const role = (name: string, assumedBy: iam.IPrincipal, description: string) =>
      new iam.Role(this, name, { assumedBy, description, maxSessionDuration: Duration.hours(1) });

    // ---- train: read only, for the jobs that train or report (pull requests, merge queue, dispatches, fork report)
    this.trainRole = role(
      'TrainRole',
      principal(trainSubjects(props.github), 'StringLike'),
      `mlship train: ${owner}/${repo} jobs read the model objects (read only)`,
    );
    for (const statement of props.modelBucket.readModelStatements()) this.trainRole.addToPrincipalPolicy(statement);

    // ---- publish: pull requests add new model objects, never replace or delete one -----------
    // GitHub's `sub` does not name the job: any job of a same-repository pull request with
    // `id-token: write` (the train job too) could assume this role. What bounds it is what it may do.
    // A fork's pull request gets no OIDC token at all.
    this.publishRole = role(
      'PublishRole',
      principal(publishSubjects(props.github)),
      `mlship publish: ${owner}/${repo} pull requests add new model objects (no overwrite, no delete)`,
    );
    for (const statement of props.modelBucket.readModelStatements()) this.publishRole.addToPrincipalPolicy(statement);
    for (const statement of props.modelBucket.addNewModelsStatements()) this.publishRole.addToPrincipalPolicy(statement);

    // ---- deploy: the deploy environment only ------------------------------------------------
    this.deployRole = role(
      'DeployRole',
      principal(deploySubjects(props.github, props.deployEnvironment)),
      `mlship deploy: ${owner}/${repo} environment ${props.deployEnvironment} pushes the serving image and rolls out the ECS service`,
    );
    addDeployPermissions(this.deployRole, props);

    // cdk-nag names a wildcard resource by the bucket's logical id: `Resource::<ModelBucket1234.Arn>/*`.
    const bucketLogicalId = Stack.of(this).getLogicalId(props.modelBucket.bucket.node.defaultChild as CfnBucket);
    const prefix = props.modelBucket.modelsPrefix;
    const modelObjects = `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/${prefix}*]`;
    acknowledge(
      this.trainRole,
      modelObjects,
      `Reading the model objects under ${prefix} is the job: training reads the champions the lock pins, by keys ` +
        '(<name>/<version>/) that are content-addressed and not known in advance. GetObject only.',
    );
    acknowledge(
      this.publishRole,
      modelObjects,
      `New model versions are written under ${prefix}<name>/<version>/, a key only known after training; PutObject is ` +
        'limited to that prefix and to requests with If-None-Match: * (or multipart steps that create no object); no delete.',
    );
    acknowledge(
      this.deployRole,
      `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/*]`,
      'Reading any object of the model bucket is the job: the deploy reads the objects the lock pins into the image. ' +
        'Keys are content-addressed and not known in advance. GetObject only.',
    );
  }
}
