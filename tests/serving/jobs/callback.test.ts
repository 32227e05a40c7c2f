// Callbacks: a job's end is POSTed, signed, to an https receiver on 127.0.0.1 (allowed with
// allowCallbackHosts, as --allow-callback-host does); the README's verification snippet accepts
// that signature and refuses a forged one. And the SSRF rules on callback URLs.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { rootCertificates } from 'node:tls';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCallbackUrl, isBlockedAddress } from '../../../serving/jobs/callback-url.ts';
import { trustedCas } from '../../../serving/jobs/notify.ts';
import type { JobDocument } from '../../../serving/jobs/document.ts';
import { SIGNATURE_HEADER, signature, verifySignature } from '../../../serving/jobs/signature.ts';
import { requirePostgres, usePostgres } from '../../fixtures/postgres.ts';
import { REPO, tempDir } from '../../helpers/temp.ts';
import type { JobsHarness } from './helpers.ts';
import { jobsHarness, submitCsv } from './helpers.ts';

type Verify = (secret: string, body: string, header: string, toleranceSeconds?: number) => boolean;

/** The README's snippet, run as it is written there. */
async function readmeSnippet(dir: string): Promise<Verify> {
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const match = /<!-- signature-snippet[^>]*-->\n```js\n([\s\S]*?)```/.exec(readme);
  if (!match) throw new Error('README has no signature snippet');
  const file = path.join(dir, 'verify.mjs');
  writeFileSync(file, match[1]!);
  return ((await import(pathToFileURL(file).href)) as { verifyMlshipSignature: Verify }).verifyMlshipSignature;
}

describe('signatures', () => {
  const dir = tempDir('mlship-sig-');
  it('the README snippet and verifySignature accept a real signature and refuse forged, altered and stale ones', async () => {
    const verify = await readmeSnippet(dir);
    const body = '{"id":"x","status":"succeeded"}';
    const now = Math.floor(Date.now() / 1000);
    const good = signature('s3cret-s3cret-s3cret', body, now);
    expect(good).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    for (const v of [verify, verifySignature]) {
      expect(v('s3cret-s3cret-s3cret', body, good)).toBe(true);
      expect(v('another-secret-xx', body, good)).toBe(false); // forged: signed with another secret
      expect(v('s3cret-s3cret-s3cret', body.replace('succeeded', 'failed'), good)).toBe(false);
      expect(v('s3cret-s3cret-s3cret', body, good.replace(/v1=./, (m) => (m.endsWith('0') ? 'v1=1' : 'v1=0')))).toBe(false);
      expect(v('s3cret-s3cret-s3cret', body, signature('s3cret-s3cret-s3cret', body, now - 3600))).toBe(false); // a replay
      expect(v('s3cret-s3cret-s3cret', body, 'garbage')).toBe(false);
    }
  });
});

describe('callback URLs (SSRF)', () => {
  const resolveTo = (address: string) => async () => [{ address, family: address.includes(':') ? 6 : 4 }];
  it('refuses http, credentials, and hosts that resolve to private, loopback or link-local addresses', async () => {
    await expect(checkCallbackUrl('http://example.com/x', [], resolveTo('93.184.216.34'))).rejects.toThrow(/https/);
    await expect(checkCallbackUrl('https://u:p@example.com/x', [], resolveTo('93.184.216.34'))).rejects.toThrow(/credentials/);
    for (const address of ['127.0.0.1', '10.1.2.3', '172.16.5.4', '192.168.1.1', '169.254.169.254', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '100.64.0.1']) {
      expect(isBlockedAddress(address)).toBe(true);
      await expect(checkCallbackUrl('https://hooks.example.com/x', [], resolveTo(address))).rejects.toThrow(/private, loopback or link-local/);
    }
    await expect(checkCallbackUrl('https://[::1]:8443/x', [])).rejects.toThrow(/private/);
    await expect(checkCallbackUrl('https://127.0.0.1/x', [])).rejects.toThrow(/private/);
    expect((await checkCallbackUrl('https://hooks.example.com/x', [], resolveTo('93.184.216.34'))).address).toBe('93.184.216.34');
    expect((await checkCallbackUrl('https://127.0.0.1:9/x', ['127.0.0.1'])).address).toBe('127.0.0.1');
    // IPv4 inside IPv6: compatible (::/96), mapped in hex as URL parsing writes it, NAT64, 6to4
    for (const address of ['::7f00:1', '::a00:1', '::ffff:7f00:1', '::ffff:a9fe:a9fe', '0:0:0:0:0:ffff:10.0.0.1', '64:ff9b::a9fe:a9fe', '2002:7f00:1::1', '2002:c0a8:101::', '2002:a9fe:a9fe::1']) {
      expect(isBlockedAddress(address), address).toBe(true);
    }
    await expect(checkCallbackUrl('https://[::ffff:127.0.0.1]/x', [])).rejects.toThrow(/private/);
    for (const address of ['::ffff:5db8:d822', '2002:5db8:d822::1', '2606:4700::1111']) expect(isBlockedAddress(address), address).toBe(false);
    await expect(checkCallbackUrl('https://nowhere.invalid/x', [], async () => { throw new Error('ENOTFOUND'); })).rejects.toThrow(/does not resolve/);
  });
});

describe('--callback-ca', () => {
  it('adds its CA to the system CAs rather than replacing them', () => {
    const cas = trustedCas('-----BEGIN CERTIFICATE-----\nextra\n-----END CERTIFICATE-----\n')!;
    expect(cas.length).toBe(rootCertificates.length + 1);
    expect(cas).toEqual(expect.arrayContaining([...rootCertificates]));
    expect(trustedCas(undefined)).toBeUndefined();
  });
});

describe('a job callback received by an https receiver on 127.0.0.1 (PostgreSQL)', () => {
  if (!requirePostgres()) return;
  const pg = usePostgres();
  const dir = tempDir('mlship-cb-');
  const SECRET = 'test-callback-secret-0123456789';
  let h: JobsHarness;
  let receiver: Server;
  let port = 0;
  const received: { body: string; header: string }[] = [];
  let ca = '';
  beforeAll(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    ca = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    receiver = createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert: ca }, (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ body, header: String(req.headers[SIGNATURE_HEADER.toLowerCase()]) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    port = (receiver.address() as AddressInfo).port;
    h = await jobsHarness(await pg.database(), { callbackSecret: SECRET, allowCallbackHosts: ['127.0.0.1'], callbackCa: ca });
    await h.startWorker({ notify: { secret: SECRET, allowHosts: ['127.0.0.1'], ca, backoffMs: 50 } });
  });
  afterAll(async () => {
    await h?.close();
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  });

  it('POSTs the job document with a signature the README snippet verifies', async () => {
    const callback = `https://127.0.0.1:${port}/hook`;
    const res = await h.app.request(`/v1/models/iris/jobs?callback=${encodeURIComponent(callback)}`, submitCsv('sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n'));
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await h.waitJob(id);
    const until = Date.now() + 30_000;
    while (received.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(received).toHaveLength(1);
    const { body, header } = received[0]!;
    const doc = JSON.parse(body) as JobDocument;
    expect(doc).toMatchObject({ id, status: 'succeeded', rows: { done: 1, skipped: 0 } });
    const verify = await readmeSnippet(dir);
    expect(verify(SECRET, body, header)).toBe(true);
    expect(verify('not-the-secret-at-all', body, header)).toBe(false);
    expect(verify(SECRET, body.replace('succeeded', 'cancelled'), header)).toBe(false);
  });

  it('refuses a callback to a loopback host that is not allowed, and plain http', async () => {
    const csv = submitCsv('sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n');
    const local = await h.app.request(`/v1/models/iris/jobs?callback=${encodeURIComponent('https://localhost:1/x')}`, csv);
    expect(local.status).toBe(400);
    expect(((await local.json()) as { error: string }).error).toMatch(/loopback/);
    const http = await h.app.request(`/v1/models/iris/jobs?callback=${encodeURIComponent(`http://127.0.0.1:${port}/x`)}`, csv);
    expect(http.status).toBe(400);
    expect(((await http.json()) as { error: string }).error).toMatch(/https/);
  });
});
