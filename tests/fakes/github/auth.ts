/**
 * Tokens a test registers, each with an actor and GITHUB_TOKEN-style permissions, and the check
 * every request goes through: no token → 401, a token without the route's permission → 403.
 */
import { randomBytes } from 'node:crypto';
import { GitHubError } from './errors.ts';

export type PermissionName = 'contents' | 'pull_requests' | 'issues' | 'checks' | 'actions' | 'deployments' | 'statuses' | 'metadata';
export type Access = 'read' | 'write';
export type Permissions = Partial<Record<PermissionName, Access | 'none'>>;

export interface Actor {
  login: string;
  id: number;
  type: 'Bot' | 'User' | 'Organization';
}

export interface TokenGrant {
  token: string;
  actor: Actor;
  permissions: Permissions;
  /** `owner/name`s the token may write to; undefined: any (reads of other repositories stay allowed, as for public ones) */
  repositories: string[] | undefined;
}

/** The actor a workflow's GITHUB_TOKEN acts as. */
export const GITHUB_ACTIONS_BOT: Actor = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' };

export class TokenRegistry {
  readonly #grants = new Map<string, TokenGrant>();

  add(grant: { token?: string; actor?: Actor; permissions: Permissions; repositories?: string[] }): TokenGrant {
    const full: TokenGrant = {
      token: grant.token ?? `ghs_${randomBytes(18).toString('base64url')}`,
      actor: grant.actor ?? GITHUB_ACTIONS_BOT,
      permissions: grant.permissions,
      repositories: grant.repositories,
    };
    this.#grants.set(full.token, full);
    return full;
  }

  /** The grant behind an `Authorization` header (`token …` or `Bearer …`), else a 401. */
  authenticate(header: string | undefined): TokenGrant {
    if (!header) throw new GitHubError(401, 'Requires authentication', { documentationUrl: 'https://docs.github.com/rest' });
    const match = /^(?:token|bearer)\s+(\S+)$/i.exec(header.trim());
    const grant = match?.[1] === undefined ? undefined : this.#grants.get(match[1]);
    if (!grant) throw new GitHubError(401, 'Bad credentials', { documentationUrl: 'https://docs.github.com/rest' });
    return grant;
  }
}

/**
 * Whether the grant may do `access` under one of `needed` (any one suffices: a pull request's
 * comments take `issues` or `pull_requests`), on repository `fullName`. Metadata is always readable.
 */
export function authorize(grant: TokenGrant, needed: readonly PermissionName[], access: Access, fullName: string | undefined): void {
  const allowed = needed.some((name) => {
    if (name === 'metadata' && access === 'read') return true;
    const level = grant.permissions[name];
    return level === 'write' || (level === 'read' && access === 'read');
  });
  const inScope = access === 'read' || fullName === undefined || grant.repositories === undefined || grant.repositories.includes(fullName);
  if (!allowed || !inScope) throw new GitHubError(403, 'Resource not accessible by integration');
}
