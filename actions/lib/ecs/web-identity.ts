/**
 * AWS credentials from a web identity (GitHub Actions' OIDC token) that renew themselves: before
 * the current set expires, a fresh token is minted and exchanged again with STS
 * AssumeRoleWithWebIdentity. A rollout can outlast one session (the deploy role allows one hour,
 * a runner's token lives minutes), so a deploy that waits must not hold on to one set.
 *
 * The result is an SDK credentials provider: pass it as a client's `credentials`. The SDK asks it
 * before each request; it answers from its cache until `refreshBeforeMs` before expiry, and
 * concurrent requests share one refresh.
 */
import { AssumeRoleWithWebIdentityCommand } from '@aws-sdk/client-sts';
import type { STSClient } from '@aws-sdk/client-sts';
import { MlshipError } from '../../../training/errors.ts';

export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/**
 * `memoized` tells the SDK the provider caches and renews by itself, so the SDK asks it before
 * every request instead of keeping a set until its own fixed window (5 minutes before expiry).
 */
export type CredentialsProvider = (() => Promise<SessionCredentials>) & { readonly memoized: true };

export interface WebIdentityOptions {
  roleArn: string;
  roleSessionName: string;
  /** Mints a new OIDC token (for GitHub: `core.getIDToken('sts.amazonaws.com')`). */
  token: () => Promise<string>;
  /** Asked of STS (900-43200; default 3600). */
  durationSeconds?: number;
  /** Renew this long before expiry (default 5 minutes). */
  refreshBeforeMs?: number;
  now?: () => number;
}

export class CredentialsError extends MlshipError {}

export function webIdentityCredentials(sts: STSClient, options: WebIdentityOptions): CredentialsProvider {
  const now = options.now ?? Date.now;
  const margin = options.refreshBeforeMs ?? 5 * 60_000;
  let current: SessionCredentials | undefined;
  let pending: Promise<SessionCredentials> | undefined;

  const assume = async (): Promise<SessionCredentials> => {
    let answer;
    try {
      const token = await options.token();
      answer = await sts.send(
        new AssumeRoleWithWebIdentityCommand({ RoleArn: options.roleArn, RoleSessionName: options.roleSessionName, WebIdentityToken: token, DurationSeconds: options.durationSeconds ?? 3600 }),
      );
    } catch (err) {
      const why = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      throw new CredentialsError(`STS AssumeRoleWithWebIdentity for ${options.roleArn} failed: ${why}`, {}, { cause: err });
    }
    const c = answer.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new CredentialsError(`STS AssumeRoleWithWebIdentity for ${options.roleArn} answered without complete credentials`);
    }
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  };

  const provide = async (): Promise<SessionCredentials> => {
    if (current && current.expiration.getTime() - margin > now()) return current;
    pending ??= assume().then(
      (fresh) => {
        current = fresh;
        pending = undefined;
        return fresh;
      },
      (err: unknown) => {
        pending = undefined;
        // A failed renewal is not fatal while the current set still works: the next request tries again.
        if (current && current.expiration.getTime() > now()) return current;
        throw err;
      },
    );
    return pending;
  };
  return Object.assign(provide, { memoized: true as const });
}
