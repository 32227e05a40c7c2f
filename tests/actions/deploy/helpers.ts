/**
 * For the deploy actions' tests: a step of a `push` workflow run in a workspace that holds the
 * lock (and a file store), with the AWS settings the deploy job has after
 * configure-aws-credentials, pointed at the ECS fake.
 */
import type { StepResult } from '../pr/runner.ts';
import { runStep } from '../pr/runner.ts';

export const REGION = 'eu-west-1';

export function pushStep<T>(run: () => Promise<T>, options: { workspace: string; inputs: Record<string, string>; env?: Record<string, string | undefined> }): Promise<StepResult<T>> {
  return runStep(run, {
    inputs: options.inputs,
    event: { name: 'push', payload: { ref: 'refs/heads/main' } },
    repository: 'acme/models',
    apiUrl: 'http://127.0.0.1:9', // no GitHub API call is made: the job's environment records the deployment
    workspace: options.workspace,
    env: { GITHUB_SHA: 'a'.repeat(40), ...options.env },
  });
}

/** The environment configure-aws-credentials leaves (the ECS fake's test keys) and the fake's endpoint. */
export function awsEnv(ecsEndpoint: string): Record<string, string> {
  return { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: REGION, MLSHIP_ECS_ENDPOINT: ecsEndpoint };
}
