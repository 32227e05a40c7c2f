/**
 * Checks an AWS Signature Version 4 as AWS does: the canonical request rebuilt from what arrived
 * (method, path, query, the signed headers, the body's sha256), the string to sign for the
 * credential scope, and the HMAC chain from the secret key. A request signed with another
 * secret, or altered after signing, does not verify.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

export function parseAuthorization(header: string | undefined): ParsedAuthorization | undefined {
  const m = AUTH.exec(header ?? '');
  if (!m) return undefined;
  return { accessKeyId: m[1]!, date: m[2]!, region: m[3]!, service: m[4]!, signedHeaders: m[5]!.split(';'), signature: m[6]! };
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export function signatureMatches(request: { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer }, auth: ParsedAuthorization, secretAccessKey: string): boolean {
  const url = new URL(request.url, 'http://x');
  const query = [...url.searchParams.entries()]
    .map(([k, v]) => [encode(k), encode(v)])
    .sort(([a, av], [b, bv]) => (a! < b! ? -1 : a! > b! ? 1 : av! < bv! ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const header = (name: string) => {
    const value = request.headers[name];
    return (Array.isArray(value) ? value.join(',') : (value ?? '')).trim().replace(/\s+/g, ' ');
  };
  const canonical = [
    request.method,
    url.pathname.split('/').map((segment) => encode(decodeURIComponent(segment))).join('/'),
    query,
    auth.signedHeaders.map((name) => `${name}:${header(name)}\n`).join(''),
    auth.signedHeaders.join(';'),
    sha256(request.body),
  ].join('\n');
  const amzDate = header('x-amz-date');
  if (!amzDate.startsWith(auth.date)) return false;
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, auth.date), auth.region), auth.service), 'aws4_request');
  const expected = createHmac('sha256', key).update(toSign).digest();
  return timingSafeEqual(expected, Buffer.from(auth.signature, 'hex'));
}
