/**
 * Which credentials the deploy's ECS client uses. configure-aws-credentials puts one session in
 * the environment, which the SDK's standard chain reads; a rollout that waits longer than that
 * session lasts needs credentials that renew themselves: with the `refresh-role` input and the
 * runner's OIDC endpoint (`id-token: write`), a fresh GitHub token is exchanged for a new session
 * before each one expires (web-identity.ts).
 */
import * as core from '@actions/core';
import { STSClient } from '@aws-sdk/client-sts';
import type { CredentialsProvider } from '../lib/ecs/web-identity.ts';
import { webIdentityCredentials } from '../lib/ecs/web-identity.ts';

export interface CredentialsChoice {
  /** undefined: the standard chain (the environment configure-aws-credentials set). */
  provider: CredentialsProvider | undefined;
  /** What was chosen, for the log. */
  description: string;
}

export function chooseCredentials(env: NodeJS.ProcessEnv, options: { refreshRole: string; region: string; now?: () => number }): CredentialsChoice {
  if (!options.refreshRole) return { provider: undefined, description: 'the credentials in the environment' };
  if (!env.ACTIONS_ID_TOKEN_REQUEST_URL) {
    core.warning('refresh-role is set but the job cannot mint OIDC tokens (give it permissions: id-token: write): the credentials in the environment are used as they are, and a wait longer than they last fails');
    return { provider: undefined, description: 'the credentials in the environment (no OIDC token to renew them)' };
  }
  const sts = new STSClient({ region: options.region, ...(env.MLSHIP_STS_ENDPOINT ? { endpoint: env.MLSHIP_STS_ENDPOINT } : {}) });
  const provider = webIdentityCredentials(sts, {
    roleArn: options.refreshRole,
    roleSessionName: `mlship-deploy-${env.GITHUB_RUN_ID ?? 'local'}`.slice(0, 64),
    token: () => core.getIDToken('sts.amazonaws.com'),
    now: options.now,
  });
  return { provider, description: `sessions of ${options.refreshRole}, renewed with fresh OIDC tokens` };
}
