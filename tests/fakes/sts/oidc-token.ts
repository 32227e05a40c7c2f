/**
 * A stand-in for GitHub's OIDC token issuer in tests: an RSA key pair and RS256 JWTs with the
 * claims GitHub puts in an Actions token (`iss`, `aud`, `sub`, `iat`, `exp`). The STS fake checks
 * them with the public key, as STS checks GitHub's tokens against the provider's keys.
 */
import { createPublicKey, createSign, createVerify, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

export interface TokenClaims {
  iss: string;
  aud: string;
  sub: string;
  iat: number;
  exp: number;
  [claim: string]: unknown;
}

export interface TokenIssuer {
  publicKey: KeyObject;
  /** A signed token; claims default to GitHub's, valid for 5 minutes. */
  mint(claims: Partial<TokenClaims> & { sub: string }): string;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function tokenIssuer(): TokenIssuer {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    publicKey: createPublicKey(privateKey),
    mint(claims) {
      const now = Math.floor(Date.now() / 1000);
      const body: TokenClaims = { iss: GITHUB_ISSUER, aud: 'sts.amazonaws.com', iat: now, exp: now + 300, ...claims };
      const unsigned = `${b64({ alg: 'RS256', typ: 'JWT', kid: 'test' })}.${b64(body)}`;
      const signature = createSign('RSA-SHA256').update(unsigned).sign(privateKey).toString('base64url');
      return `${unsigned}.${signature}`;
    },
  };
}

/** The claims of a token signed by `publicKey`, or a sentence saying why it is refused. */
export function verifyToken(token: string, publicKey: KeyObject): TokenClaims | string {
  const parts = token.split('.');
  if (parts.length !== 3) return 'the token is not a JWT';
  const [header, body, signature] = parts as [string, string, string];
  let alg: unknown;
  try {
    alg = (JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: unknown }).alg;
  } catch {
    return 'the token header is not JSON';
  }
  if (alg !== 'RS256') return `the token is signed with ${String(alg)}, not RS256`;
  if (!createVerify('RSA-SHA256').update(`${header}.${body}`).verify(publicKey, Buffer.from(signature, 'base64url'))) return 'the token signature does not verify';
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString()) as TokenClaims;
  } catch {
    return 'the token claims are not JSON';
  }
}
