/**
 * Image references as users write them: `host[:port]/repo[:tag|@sha256:…]` for a registry
 * (Docker Hub's short forms too: `node:24` is docker.io/library/node:24), and `oci:DIR[:tag]`
 * for an OCI image layout on disk.
 */
import { isDigest } from './digest.ts';
import type { Digest } from './digest.ts';
import { ImageError } from './errors.ts';

export interface RegistryReference {
  kind: 'registry';
  /** As written (`docker.io`, `127.0.0.1:5000`, `123456789012.dkr.ecr.eu-west-1.amazonaws.com`). */
  registry: string;
  repository: string;
  tag?: string;
  digest?: Digest;
}

export interface LayoutReference {
  kind: 'layout';
  dir: string;
  tag?: string;
}

export type ImageReference = RegistryReference | LayoutReference;

const DOCKER_HUB = 'docker.io';
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

function refuse(text: string, why: string): never {
  throw new ImageError(`image reference "${text}" ${why}`);
}

export function parseReference(text: string): ImageReference {
  if (text.startsWith('oci:')) return parseLayoutReference(text);
  let rest = text;
  let digest: Digest | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    const d = rest.slice(at + 1);
    if (!isDigest(d)) refuse(text, 'has a digest that is not sha256:<64 hex digits>');
    digest = d;
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_PATTERN.test(tag)) refuse(text, `has a tag "${tag}" that is not 1-128 of letters, digits, _ . - (not starting with . or -)`);
  }
  const parts = rest.split('/');
  // Like Docker: the first part is a registry only if it looks like a host.
  let registry = DOCKER_HUB;
  if (parts.length > 1 && (parts[0]!.includes('.') || parts[0]!.includes(':') || parts[0] === 'localhost')) registry = parts.shift()!;
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  for (const part of parts) {
    if (!COMPONENT.test(part)) refuse(text, `has a repository part "${part}" that is not lower-case letters and digits separated by . _ __ or -`);
  }
  const ref: RegistryReference = { kind: 'registry', registry, repository: parts.join('/') };
  if (tag !== undefined) ref.tag = tag;
  if (digest) ref.digest = digest;
  if (!tag && !digest) ref.tag = 'latest';
  return ref;
}

function parseLayoutReference(text: string): LayoutReference {
  const body = text.slice('oci:'.length);
  const colon = body.lastIndexOf(':');
  // `oci:/a/b:tag`: a tag is what follows the last colon, when no slash does.
  const hasTag = colon !== -1 && !body.slice(colon + 1).includes('/');
  const dir = hasTag ? body.slice(0, colon) : body;
  const tag = hasTag ? body.slice(colon + 1) : undefined;
  if (!dir) refuse(text, 'has no folder (oci:DIR[:tag])');
  if (tag !== undefined && !TAG_PATTERN.test(tag)) refuse(text, `has a tag "${tag}" that is not valid`);
  return tag === undefined ? { kind: 'layout', dir } : { kind: 'layout', dir, tag };
}

/** The tag or digest a manifest request names: the digest when both are given (it pins). */
export function manifestReference(ref: RegistryReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/** The host that serves the API: Docker Hub's is not docker.io. */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
}

export function formatReference(ref: ImageReference): string {
  if (ref.kind === 'layout') return `oci:${ref.dir}${ref.tag ? `:${ref.tag}` : ''}`;
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}
