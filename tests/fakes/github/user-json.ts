/** An actor as GitHub's `simple-user` (the `user`, `owner`, `creator` … of every resource). */
import type { Actor } from './auth.ts';
import type { Links } from './links.ts';

export function userJson(actor: Actor, links: Links): Record<string, unknown> {
  // GitHub escapes the brackets of a bot's login in URLs: /users/github-actions%5Bbot%5D
  const login = encodeURIComponent(actor.login);
  const url = links.api(`/users/${login}`);
  return {
    login: actor.login,
    id: actor.id,
    node_id: nodeId(actor.type, actor.id),
    avatar_url: `${links.origin}/_avatars/${actor.id}`,
    gravatar_id: '',
    url,
    html_url: links.html(`/${login}`),
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: actor.type,
    user_view_type: 'public',
    site_admin: false,
  };
}

/** The node_id GitHub would give a resource: opaque to clients, stable in the fake. */
export function nodeId(kind: string, id: number | string): string {
  return Buffer.from(`${kind}:${id}`).toString('base64').replace(/=+$/, '');
}

/** Who a commit made through the API is by, when the request names nobody: the token's actor. */
export function gitIdentity(actor: Actor): { name: string; email: string } {
  return { name: actor.login, email: `${actor.id}+${actor.login}@users.noreply.github.com` };
}
