/**
 * The OCI distribution API for one registry: manifests (read with the right Accept, written as
 * the exact bytes that were hashed), blobs (existence, reads verified against their digest,
 * uploads monolithic or chunked, cross-repository mounts). Transport concerns (auth, retries,
 * redirects) are RegistryTransport's.
 */
import { sha256Digest } from './digest.ts';
import type { Digest } from './digest.ts';
import { RegistryError } from './errors.ts';
import { ACCEPT_ANY_MANIFEST } from './manifest.ts';
import { RegistryTransport } from './transport.ts';
import type { RegistryRequest, TransportOptions } from './transport.ts';

export interface RegistryClientOptions extends TransportOptions {
  /** Blobs of this many bytes or more go up in chunks (PATCH with Content-Range); default 64 MiB. */
  chunkedThreshold?: number;
  chunkSize?: number;
}

export interface ManifestResponse {
  bytes: Buffer;
  mediaType: string;
  digest: Digest;
}

export interface ManifestHead {
  digest: Digest;
  mediaType: string;
  size: number;
}

export interface BlobUpload {
  /** Bytes sent in request bodies. */
  bytesSent: number;
}

const MiB = 1024 * 1024;

const pull = (repository: string) => `repository:${repository}:pull`;
const pushPull = (repository: string) => `repository:${repository}:pull,push`;

/** An upload Location (relative or absolute, with its own query) with more query parameters. */
export function withQuery(location: string, base: string, params: Record<string, string>): string {
  const url = new URL(location, base);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

export class RegistryClient {
  readonly transport: RegistryTransport;
  readonly registry: string;
  private readonly chunkedThreshold: number;
  private readonly chunkSize: number;

  constructor(options: RegistryClientOptions) {
    this.transport = new RegistryTransport(options);
    this.registry = options.registry;
    this.chunkedThreshold = options.chunkedThreshold ?? 64 * MiB;
    this.chunkSize = options.chunkSize ?? 16 * MiB;
  }

  private async send(req: RegistryRequest): Promise<Response> {
    return this.transport.request(req);
  }

  /** Reads a manifest or index by tag or digest. A read by digest is verified against it. */
  async getManifest(repository: string, reference: string, accept: string = ACCEPT_ANY_MANIFEST): Promise<ManifestResponse> {
    const ctx = { repository, digest: reference };
    const res = await this.send({ method: 'GET', url: `/v2/${repository}/manifests/${reference}`, headers: { accept }, scope: pull(repository), ...ctx });
    if (!res.ok) throw await this.transport.failure(res, res.status === 404 ? 'no such manifest' : 'could not read the manifest', ctx);
    const bytes = Buffer.from(await res.arrayBuffer());
    const digest = sha256Digest(bytes);
    if (reference.startsWith('sha256:') && digest !== reference) throw new RegistryError(`the manifest read has digest ${digest}, not the one asked for`, this.transport.details(ctx, res.status));
    const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim() || mediaTypeInside(bytes);
    return { bytes, mediaType, digest };
  }

  /**
   * The digest a tag points at, or undefined when there is no such manifest. Asks with `accept`
   * (the media type that was pushed), since a registry may convert to what is asked for.
   */
  async headManifest(repository: string, reference: string, accept: string = ACCEPT_ANY_MANIFEST): Promise<ManifestHead | undefined> {
    const ctx = { repository, digest: reference };
    const res = await this.send({ method: 'HEAD', url: `/v2/${repository}/manifests/${reference}`, headers: { accept }, scope: pull(repository), ...ctx });
    if (res.status === 404) return undefined;
    if (!res.ok) throw await this.transport.failure(res, 'could not look the manifest up', ctx);
    const header = res.headers.get('docker-content-digest');
    const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    if (header && header.startsWith('sha256:')) return { digest: header as Digest, mediaType, size: Number(res.headers.get('content-length') ?? 0) };
    // No digest header: hash the body, which only a GET gives.
    const got = await this.getManifest(repository, reference, accept);
    return { digest: got.digest, mediaType: got.mediaType, size: got.bytes.byteLength };
  }

  /** PUTs exactly these bytes (the ones that were hashed) under a tag or digest; gives the registry's digest. */
  async putManifest(repository: string, reference: string, bytes: Uint8Array, mediaType: string): Promise<Digest> {
    const ctx = { repository, digest: reference };
    const res = await this.send({ method: 'PUT', url: `/v2/${repository}/manifests/${reference}`, headers: { 'content-type': mediaType }, body: bytes, scope: pushPull(repository), ...ctx });
    if (res.status !== 201 && res.status !== 200) throw await this.transport.failure(res, 'the registry refused the manifest', ctx);
    await res.body?.cancel();
    const digest = sha256Digest(bytes);
    const reported = res.headers.get('docker-content-digest');
    if (reported && reported !== digest) throw new RegistryError(`the registry stored the manifest as ${reported}, not as the bytes sent (${digest})`, this.transport.details(ctx, res.status));
    return digest;
  }

  /** The blob's size when the repository has it, else undefined. */
  async blobSize(repository: string, digest: string): Promise<number | undefined> {
    const ctx = { repository, digest };
    const res = await this.send({ method: 'HEAD', url: `/v2/${repository}/blobs/${digest}`, scope: pull(repository), ...ctx });
    if (res.status === 404) return undefined;
    if (!res.ok) throw await this.transport.failure(res, 'could not look the blob up', ctx);
    return Number(res.headers.get('content-length') ?? 0);
  }

  /** Reads a blob, following a redirect to storage, and checks it against its digest. */
  async getBlob(repository: string, digest: string): Promise<Buffer> {
    const ctx = { repository, digest };
    const res = await this.send({ method: 'GET', url: `/v2/${repository}/blobs/${digest}`, scope: pull(repository), ...ctx });
    if (!res.ok) throw await this.transport.failure(res, res.status === 404 ? 'no such blob' : 'could not read the blob', ctx);
    const bytes = Buffer.from(await res.arrayBuffer());
    const got = sha256Digest(bytes);
    if (got !== digest) throw new RegistryError(`the blob read has digest ${got}`, this.transport.details(ctx, res.status));
    return bytes;
  }

  /**
   * Asks the registry to mount a blob from another repository of it (no bytes sent). True when
   * it did; false when it declined (it then opens an ordinary upload, which is cancelled here).
   */
  async mountBlob(repository: string, digest: string, from: string): Promise<boolean> {
    const ctx = { repository, digest };
    const scope = `${pushPull(repository)} repository:${from}:pull`;
    const res = await this.send({ method: 'POST', url: `/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`, scope, ...ctx });
    await res.body?.cancel();
    if (res.status === 201) return true;
    if (res.status !== 202) throw await this.transport.failure(res, `the registry refused to mount the blob from ${from}`, ctx);
    const cancel = await this.send({ method: 'DELETE', url: this.location(res, ctx), scope, ...ctx });
    await cancel.body?.cancel();
    return false;
  }

  /** Uploads a blob: one POST then a monolithic PUT, or PATCH chunks then a closing PUT for large blobs. */
  async uploadBlob(repository: string, digest: string, bytes: Uint8Array): Promise<BlobUpload> {
    const ctx = { repository, digest };
    const start = await this.send({ method: 'POST', url: `/v2/${repository}/blobs/uploads/`, scope: pushPull(repository), ...ctx });
    if (start.status !== 202) throw await this.transport.failure(start, 'the registry refused to start an upload', ctx);
    await start.body?.cancel();
    let location = this.location(start, ctx);
    let sent = 0;
    if (bytes.byteLength >= this.chunkedThreshold) {
      for (let offset = 0; offset < bytes.byteLength; offset += this.chunkSize) {
        const chunk = bytes.subarray(offset, Math.min(bytes.byteLength, offset + this.chunkSize));
        const res = await this.send({
          method: 'PATCH',
          url: location,
          headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${offset + chunk.byteLength - 1}` },
          body: chunk,
          scope: pushPull(repository),
          ...ctx,
        });
        if (res.status !== 202) throw await this.transport.failure(res, `the registry refused the chunk at byte ${offset}`, ctx);
        await res.body?.cancel();
        sent += chunk.byteLength;
        location = this.location(res, ctx);
      }
      const done = await this.send({ method: 'PUT', url: withQuery(location, this.transport.baseUrl, { digest }), scope: pushPull(repository), ...ctx });
      if (done.status !== 201) throw await this.transport.failure(done, 'the registry refused to complete the upload', ctx);
      await done.body?.cancel();
      return { bytesSent: sent };
    }
    const res = await this.send({
      method: 'PUT',
      url: withQuery(location, this.transport.baseUrl, { digest }),
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
      scope: pushPull(repository),
      ...ctx,
    });
    if (res.status !== 201) throw await this.transport.failure(res, 'the registry refused the blob', ctx);
    await res.body?.cancel();
    return { bytesSent: bytes.byteLength };
  }

  /** Tags of a repository (one page is enough for the tests and the tag lookups here). */
  async listTags(repository: string): Promise<string[]> {
    const ctx = { repository };
    const res = await this.send({ method: 'GET', url: `/v2/${repository}/tags/list`, scope: pull(repository), ...ctx });
    if (res.status === 404) return [];
    if (!res.ok) throw await this.transport.failure(res, 'could not list the tags', ctx);
    return ((await res.json()) as { tags?: string[] | null }).tags ?? [];
  }

  private location(res: Response, ctx: { repository: string; digest: string }): string {
    const location = res.headers.get('location');
    if (!location) throw new RegistryError('the registry answered an upload without a Location', this.transport.details(ctx, res.status));
    // Relative or absolute, and its query (the upload state some registries keep there) is kept.
    return new URL(location, this.transport.baseUrl).toString();
  }
}

function mediaTypeInside(bytes: Buffer): string {
  try {
    const doc = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown };
    return typeof doc.mediaType === 'string' ? doc.mediaType : '';
  } catch {
    return '';
  }
}
