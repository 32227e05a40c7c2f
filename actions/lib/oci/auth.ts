/**
 * Credentials for registries, passed in by the caller: none (anonymous: public images still need
 * a bearer token, which the transport asks for), a user and password, or Amazon ECR's
 * `GetAuthorizationToken`, whose token is base64("AWS:<password>") and is sent as Basic auth.
 */
import { GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { MlshipError } from '../../../training/errors.ts';

export interface Credentials {
  username: string;
  password: string;
}

/** Gives the credentials for a registry host, or undefined for anonymous access. */
export type AuthProvider = (registry: string) => Promise<Credentials | undefined>;

export const anonymous: AuthProvider = async () => undefined;

export function basicAuth(username: string, password: string): AuthProvider {
  return async () => ({ username, password });
}

export class EcrAuthError extends MlshipError {}

/** Decodes an ECR authorization token (base64 of `AWS:<password>`). */
export function decodeEcrToken(token: string): Credentials {
  const text = Buffer.from(token, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) throw new EcrAuthError('the ECR authorization token is not base64("user:password")');
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/**
 * ECR credentials from `GetAuthorizationToken`, kept until five minutes before they expire (they
 * last 12 hours). The client (region, credentials, endpoint) is the caller's.
 */
export function ecrAuth(client: ECRClient, options: { now?: () => number } = {}): AuthProvider {
  const now = options.now ?? Date.now;
  let cached: { credentials: Credentials; expiresAt: number } | undefined;
  return async () => {
    if (cached && cached.expiresAt - 5 * 60_000 > now()) return cached.credentials;
    const answer = await client.send(new GetAuthorizationTokenCommand({}));
    const data = answer.authorizationData?.[0];
    if (!data?.authorizationToken) throw new EcrAuthError('ECR GetAuthorizationToken answered without an authorization token');
    const credentials = decodeEcrToken(data.authorizationToken);
    cached = { credentials, expiresAt: data.expiresAt?.getTime() ?? now() + 60 * 60_000 };
    return credentials;
  };
}

export function basicHeader(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="…"` → scheme and params. */
export function parseChallenge(header: string): Challenge | undefined {
  const m = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const pair = /([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))\s*,?\s*/gy;
  const rest = m[2]!;
  pair.lastIndex = 0;
  let p: RegExpExecArray | null;
  while ((p = pair.exec(rest))) params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
  return { scheme: m[1]!.toLowerCase(), params };
}
