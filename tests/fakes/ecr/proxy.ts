/**
 * An ECR-like front for the test registry, with the two quirks of ECR's distribution API that
 * matter to a client:
 * - a blob GET is answered `307` to another origin (S3 in ECR) that refuses any request still
 *   carrying `Authorization` (as S3 does with a presigned URL: "Only one auth mechanism allowed");
 * - in an immutable repository, a manifest PUT under a tag that exists is `400 TAG_INVALID`
 *   ("… cannot be overwritten because the tag is immutable"), whatever digest it names, as ECR does.
 * Everything else is passed to the registry as is (Host kept, so its Locations name the proxy).
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { listen, readBody } from './http.ts';
import type { LocalServer } from './http.ts';

export interface EcrProxy extends LocalServer {
  /** `127.0.0.1:PORT`, as written in references. */
  host: string;
  storage: LocalServer;
  /** Requests the storage origin refused because they carried Authorization. */
  refusedWithAuthorization: number;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function forward(upstream: URL, method: string, path: string, headers: IncomingHttpHeaders, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: upstream.hostname, port: upstream.port, method, path, headers }, (res: IncomingMessage) => {
      readBody(res).then((b) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: b }), reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const BLOB_GET = /^\/v2\/(.+)\/blobs\/(sha256:[a-f0-9]{64})$/;
const MANIFEST = /^\/v2\/(.+)\/manifests\/([^/]+)$/;

export async function startEcrProxy(options: { upstream: string; immutableRepositories?: string[] }): Promise<EcrProxy> {
  const upstream = new URL(options.upstream);
  const immutable = new Set(options.immutableRepositories ?? []);
  const stored = new Map<string, Buffer>();
  const state = { refusedWithAuthorization: 0 };

  const storage = await listen(async (req, res) => {
    await readBody(req);
    if (req.headers.authorization) {
      state.refusedWithAuthorization++;
      res.writeHead(400, { 'content-type': 'application/xml' });
      res.end('<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified</Message></Error>');
      return;
    }
    const bytes = stored.get(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    if (!bytes) {
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end('<Error><Code>AccessDenied</Code></Error>');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.byteLength });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  });

  const front = await listen(async (req, res) => {
    const body = await readBody(req);
    const url = req.url ?? '/';
    const path = new URL(url, 'http://x').pathname;
    const blob = req.method === 'GET' ? BLOB_GET.exec(path) : null;
    if (blob) {
      const got = await forward(upstream, 'GET', url, req.headers, body);
      if (got.status === 200) {
        const key = randomBytes(8).toString('hex');
        stored.set(key, got.body);
        res.writeHead(307, { location: `${storage.url}/${key}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=${randomBytes(16).toString('hex')}`, 'content-length': 0 });
        res.end();
        return;
      }
      res.writeHead(got.status, got.headers);
      res.end(got.body);
      return;
    }
    const manifest = req.method === 'PUT' ? MANIFEST.exec(path) : null;
    if (manifest && immutable.has(manifest[1]!) && !manifest[2]!.startsWith('sha256:')) {
      // distribution answers an OCI manifest only to a client that accepts the OCI type.
      const accept = 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json';
      const existing = await forward(upstream, 'HEAD', url, { ...req.headers, 'content-length': '0', accept }, Buffer.alloc(0));
      if (existing.status === 200) {
        const text = JSON.stringify({ errors: [{ code: 'TAG_INVALID', message: `The image tag '${manifest[2]}' already exists in the '${manifest[1]}' repository and cannot be overwritten because the tag is immutable.` }] });
        res.writeHead(400, { 'content-type': 'application/json; charset=utf-8', 'docker-distribution-api-version': 'registry/2.0' });
        res.end(text);
        return;
      }
      if (existing.status === 401) {
        res.writeHead(401, existing.headers);
        res.end();
        return;
      }
    }
    const got = await forward(upstream, req.method ?? 'GET', url, req.headers, body);
    res.writeHead(got.status, got.headers);
    res.end(got.body);
  });

  return {
    ...front,
    host: `127.0.0.1:${front.port}`,
    storage,
    get refusedWithAuthorization() {
      return state.refusedWithAuthorization;
    },
    close: async () => {
      await front.close();
      await storage.close();
    },
  };
}
