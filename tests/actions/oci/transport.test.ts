/** The transport over a fake fetch: retries, the token flow, redirects, upload Locations. */
import { describe, expect, it } from 'vitest';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { anonymous, basicAuth, decodeEcrToken, ecrAuth, parseChallenge } from '../../../actions/lib/oci/auth.ts';
import { sha256Digest } from '../../../actions/lib/oci/digest.ts';
import { RegistryError } from '../../../actions/lib/oci/errors.ts';
import { RegistryClient, withQuery } from '../../../actions/lib/oci/registry.ts';
import { retryAfterMs } from '../../../actions/lib/oci/transport.ts';
import type { Fetch } from '../../../actions/lib/oci/transport.ts';
import { rejected } from '../../helpers/errors.ts';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
}

/** A fetch that answers from a script and records what it was asked. */
function scripted(answer: (req: Seen, n: number) => Response): { fetch: Fetch; seen: Seen[] } {
  const seen: Seen[] = [];
  const fetch: Fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    const req = { method: init?.method ?? 'GET', url: String(input), authorization: headers.get('authorization') ?? undefined };
    seen.push(req);
    return answer(req, seen.length);
  };
  return { fetch, seen };
}

const sleeps: number[] = [];
const retry = { baseDelayMs: 100, maxDelayMs: 1_000, sleep: async (ms: number) => void sleeps.push(ms) };
const blob = Buffer.from('layer bytes');
const digest = sha256Digest(blob);

describe('registry transport', () => {
  it('retries 503 and 429 with backoff, honouring Retry-After, then succeeds', async () => {
    sleeps.length = 0;
    const { fetch, seen } = scripted((_req, n) =>
      n === 1 ? new Response('busy', { status: 503 }) : n === 2 ? new Response('slow down', { status: 429, headers: { 'retry-after': '1' } }) : new Response(blob, { status: 200 }),
    );
    const client = new RegistryClient({ registry: 'r.example', fetch, auth: anonymous, retry });
    expect((await client.getBlob('a/b', digest)).equals(blob)).toBe(true);
    expect(seen).toHaveLength(3);
    expect(sleeps).toEqual([100, 1_000]);
  });

  it('gives up after the bounded number of tries, naming registry, repository, digest and status', async () => {
    const { fetch, seen } = scripted(() => new Response('{"errors":[{"code":"UNAVAILABLE","message":"down"}]}', { status: 503 }));
    const client = new RegistryClient({ registry: 'r.example', fetch, auth: anonymous, retry: { ...retry, attempts: 3 } });
    const err = await client.getBlob('a/b', digest).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).details).toEqual({ registry: 'r.example', repository: 'a/b', digest, status: 503, code: 'UNAVAILABLE' });
    expect((err as Error).message).toBe(`could not read the blob: down (registry r.example, repository a/b, digest ${digest}, HTTP 503, UNAVAILABLE)`);
    expect(seen).toHaveLength(3);
  });

  it('answers a Bearer challenge with a token for the scope, fetched with the credentials', async () => {
    const { fetch, seen } = scripted((req) => {
      if (req.url.startsWith('https://auth.example/token')) {
        return req.authorization === `Basic ${Buffer.from('u:p').toString('base64')}` ? Response.json({ token: 'T1' }) : new Response('', { status: 401 });
      }
      if (req.authorization !== 'Bearer T1') return new Response('', { status: 401, headers: { 'www-authenticate': 'Bearer realm="https://auth.example/token",service="r.example",scope="repository:a/b:pull"' } });
      return new Response(blob);
    });
    const client = new RegistryClient({ registry: 'r.example', fetch, auth: basicAuth('u', 'p'), retry });
    await client.getBlob('a/b', digest);
    await client.getBlob('a/b', digest); // the token is kept for the scope
    const token = new URL(seen[1]!.url);
    expect(token.searchParams.get('service')).toBe('r.example');
    expect(token.searchParams.get('scope')).toBe('repository:a/b:pull');
    expect(seen.map((s) => s.authorization?.split(' ')[0])).toEqual([undefined, 'Basic', 'Bearer', 'Bearer']);
  });

  it('gets an anonymous token for a public image (no credentials)', async () => {
    const { fetch, seen } = scripted((req) => {
      if (req.url.startsWith('https://auth.docker.io/')) return Response.json({ access_token: 'anon' });
      if (req.authorization !== 'Bearer anon') return new Response('', { status: 401, headers: { 'www-authenticate': 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"' } });
      return new Response('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}', { headers: { 'content-type': 'application/vnd.oci.image.index.v1+json' } });
    });
    const client = new RegistryClient({ registry: 'docker.io', fetch, auth: anonymous, retry });
    const got = await client.getManifest('library/node', '24');
    expect(got.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(seen[0]!.url).toBe('https://registry-1.docker.io/v2/library/node/manifests/24');
    expect(seen[1]!.authorization).toBeUndefined();
  });

  it('follows a redirect to another host (ECR to S3) without Authorization', async () => {
    const { fetch, seen } = scripted((req) => {
      if (req.url.includes('/blobs/') && !req.authorization) return new Response(null, { status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } });
      if (req.url.includes('/blobs/')) return new Response(null, { status: 307, headers: { location: 'https://bucket.s3.example/layer?X-Amz-Signature=abc' } });
      return req.authorization ? new Response('<Error>only one auth mechanism allowed</Error>', { status: 400 }) : new Response(blob);
    });
    const client = new RegistryClient({ registry: 'r.example', fetch, auth: basicAuth('u', 'p'), retry });
    expect((await client.getBlob('a/b', digest)).equals(blob)).toBe(true);
    expect(seen.map((s) => [new URL(s.url).host, s.authorization !== undefined])).toEqual([
      ['r.example', false],
      ['r.example', true],
      ['bucket.s3.example', false],
    ]);
    expect(seen[2]!.url).toBe('https://bucket.s3.example/layer?X-Amz-Signature=abc');
  });

  it('gives up on a redirect loop', async () => {
    const { fetch } = scripted(() => new Response(null, { status: 302, headers: { location: '/again' } }));
    const client = new RegistryClient({ registry: 'r.example', fetch, auth: anonymous, retry, maxRedirects: 3 });
    expect(await rejected(client.getBlob('a/b', digest))).toMatch(/redirected more than 3 times/);
  });

  it('uploads to a relative or absolute Location, keeping its query and adding the digest', async () => {
    for (const location of ['/v2/a/b/blobs/uploads/u1?_state=xyz', 'https://upload.example/u1?_state=xyz']) {
      const { fetch, seen } = scripted((req) => (req.method === 'POST' ? new Response(null, { status: 202, headers: { location } }) : new Response(null, { status: 201 })));
      const client = new RegistryClient({ registry: 'r.example', fetch, auth: anonymous, retry });
      await client.uploadBlob('a/b', digest, blob);
      const put = new URL(seen[1]!.url);
      expect(put.searchParams.get('_state')).toBe('xyz');
      expect(put.searchParams.get('digest')).toBe(digest);
      expect(put.origin).toBe(location.startsWith('/') ? 'https://r.example' : 'https://upload.example');
    }
    expect(withQuery('/up?a=1', 'http://h:5000', { digest: 'sha256:x' })).toBe('http://h:5000/up?a=1&digest=sha256%3Ax');
  });

  it('reads Retry-After as seconds or a date, and parses challenges', () => {
    expect(retryAfterMs('3')).toBe(3_000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(parseChallenge('Bearer realm="https://a/token",service="s",scope="repository:x:pull,push"')).toEqual({ scheme: 'bearer', params: { realm: 'https://a/token', service: 's', scope: 'repository:x:pull,push' } });
    expect(parseChallenge('Basic realm="test"')).toEqual({ scheme: 'basic', params: { realm: 'test' } });
  });

  it('keeps an ECR token until five minutes before it expires', async () => {
    let now = 0;
    let calls = 0;
    const client = { send: async () => ({ authorizationData: [{ authorizationToken: Buffer.from(`AWS:pw${++calls}`).toString('base64'), expiresAt: new Date(3_600_000) }] }) } as unknown as ECRClient;
    const auth = ecrAuth(client, { now: () => now });
    expect(await auth('r')).toEqual({ username: 'AWS', password: 'pw1' });
    now = 3_600_000 - 5 * 60_000 - 1;
    expect((await auth('r'))!.password).toBe('pw1');
    now += 2;
    expect((await auth('r'))!.password).toBe('pw2');
    expect(() => decodeEcrToken(Buffer.from('nocolon').toString('base64'))).toThrow(/not base64/);
  });
});
