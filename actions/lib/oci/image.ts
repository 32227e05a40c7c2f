/**
 * Appending layers to a base image, as pure data: from the base's manifest and config (parsed)
 * and the new layers, the new config and manifest bytes and their digests. No I/O, no clock:
 * the result is a function of its arguments only, so unchanged inputs give the same image digest.
 *
 * - The new config and layers keep the base's media-type family (Docker v2 or OCI): a manifest
 *   that mixes the two is refused by skopeo and some registries.
 * - Nothing per build goes in: the base's `created` is dropped (it would date our image with the
 *   base's build), history entries get no `created`, label and port keys are sorted.
 * - A layer whose diff_id is in `knownLayers` (from the image this one replaces) is referenced by
 *   the blob already pushed, so a different compressor output never causes a re-upload.
 */
import { sha256Digest } from './digest.ts';
import type { Digest } from './digest.ts';
import { ImageError } from './errors.ts';
import type { Layer } from './layer.ts';
import { MediaType, familyOf } from './manifest.ts';
import type { Descriptor, ImageConfig, Manifest, MediaTypeFamily } from './manifest.ts';

export interface BaseImage {
  manifest: Manifest;
  /** The manifest's own media type (Docker v2 or OCI). */
  mediaType: string;
  config: ImageConfig;
  /** The base manifest's digest and name, recorded as OCI base-image annotations when known. */
  digest?: Digest;
  name?: string;
}

export interface LayerToAppend {
  layer: Pick<Layer, 'digest' | 'diffId' | 'size'> & { bytes?: Uint8Array };
  /** The history line for the layer (`created_by`), e.g. "mlship: serving bundle". */
  createdBy: string;
}

/** A blob already in the target repository, by the diff_id of its content. */
export interface KnownLayer {
  digest: string;
  size: number;
  mediaType: string;
}

export interface ConfigChanges {
  /** Set or replace these variables (the base's others are kept). */
  env?: Record<string, string>;
  entrypoint?: string[];
  cmd?: string[];
  workingDir?: string;
  /** `8080/tcp` or `8080` (tcp). */
  exposedPorts?: string[];
  /** The user to run as; required unless the base already sets a non-root one. */
  user?: string;
  /** `org.opencontainers.image.source`: where the sources are (a repository URL). */
  source?: string;
  labels?: Record<string, string>;
}

export interface Blob {
  descriptor: Descriptor;
  bytes: Uint8Array;
}

export interface BuiltImage {
  manifest: { bytes: Buffer; digest: Digest; mediaType: string };
  config: Blob;
  /** Every layer of the image, base first. */
  layers: Descriptor[];
  /** The appended layers; `bytes` is absent for one reused by its diff_id. */
  appended: { descriptor: Descriptor; bytes?: Uint8Array; reused: boolean }[];
}

const FAMILY = {
  oci: { manifest: MediaType.ociManifest, config: MediaType.ociConfig, layer: MediaType.ociLayerGzip },
  docker: { manifest: MediaType.dockerManifest, config: MediaType.dockerConfig, layer: MediaType.dockerLayerGzip },
} as const;

const GZIP_LAYER_TYPES: readonly string[] = [MediaType.ociLayerGzip, MediaType.dockerLayerGzip];

/** The same gzip layer named in the other family keeps its bytes; other types are kept as they are. */
function layerMediaType(family: MediaTypeFamily, mediaType: string): string {
  return GZIP_LAYER_TYPES.includes(mediaType) ? FAMILY[family].layer : mediaType;
}

const ROOT_USERS = new Set(['', 'root', '0', '0:0', 'root:root', 'root:0', '0:root']);

function sortedRecord<T>(entries: [string, T][]): Record<string, T> {
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function mergeEnv(base: readonly string[], changes: Record<string, string>): string[] {
  const set = new Map(Object.entries(changes));
  for (const name of set.keys()) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ImageError(`environment variable name "${name}" is not valid`);
  }
  const kept = base.map((line) => {
    const name = line.split('=', 1)[0]!;
    if (!set.has(name)) return line;
    const value = set.get(name)!;
    set.delete(name);
    return `${name}=${value}`;
  });
  return [...kept, ...Object.entries(sortedRecord([...set.entries()])).map(([k, v]) => `${k}=${v}`)];
}

type PortSet = Record<string, Record<string, never>>;

function exposedPorts(base: PortSet | null | undefined, ports: readonly string[]): PortSet {
  const all = new Map<string, Record<string, never>>(Object.entries(base ?? {}));
  for (const port of ports) {
    const m = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/.exec(port);
    if (!m || Number(m[1]) < 1 || Number(m[1]) > 65535) throw new ImageError(`exposed port "${port}" is not PORT or PORT/tcp|udp|sctp`);
    all.set(`${m[1]}/${m[2] ?? 'tcp'}`, {});
  }
  return sortedRecord([...all.entries()]);
}

/** The new config document (unserialized). */
export function newConfig(base: ImageConfig, diffIds: readonly string[], history: readonly string[], changes: ConfigChanges): ImageConfig {
  const { created: _created, ...rest } = base;
  const container = { ...(base.config ?? {}) };
  if (changes.env) container.Env = mergeEnv(container.Env ?? [], changes.env);
  if (changes.entrypoint) container.Entrypoint = [...changes.entrypoint];
  if (changes.cmd) container.Cmd = [...changes.cmd];
  if (changes.workingDir !== undefined) container.WorkingDir = changes.workingDir;
  if (changes.exposedPorts) container.ExposedPorts = exposedPorts(container.ExposedPorts, changes.exposedPorts);
  if (changes.user !== undefined) container.User = changes.user;
  if (ROOT_USERS.has((container.User ?? '').trim())) {
    throw new ImageError(`the image would run as root (User "${container.User ?? ''}"): give a non-root user`, { field: 'user' });
  }
  const labels = { ...(container.Labels ?? {}), ...(changes.labels ?? {}) };
  if (changes.source !== undefined) labels['org.opencontainers.image.source'] = changes.source;
  if (Object.keys(labels).length > 0) container.Labels = sortedRecord(Object.entries(labels));
  return {
    ...rest,
    config: container,
    rootfs: { ...base.rootfs, diff_ids: [...base.rootfs.diff_ids, ...diffIds] },
    history: [...(base.history ?? []), ...history.map((line) => ({ created_by: line }))],
  };
}

export function appendLayers(base: BaseImage, layers: readonly LayerToAppend[], changes: ConfigChanges, options: { knownLayers?: ReadonlyMap<string, KnownLayer> } = {}): BuiltImage {
  if (base.manifest.layers.length !== base.config.rootfs.diff_ids.length) {
    throw new ImageError(`the base image has ${base.manifest.layers.length} layers but its config lists ${base.config.rootfs.diff_ids.length} diff_ids`);
  }
  const family = familyOf(base.mediaType);
  const types = FAMILY[family];
  const appended = layers.map(({ layer }) => {
    const known = options.knownLayers?.get(layer.diffId);
    if (known) return { descriptor: { mediaType: layerMediaType(family, known.mediaType), digest: known.digest, size: known.size }, reused: true };
    if (!layer.bytes) throw new ImageError(`layer ${layer.diffId} has no bytes and is not among the known layers`);
    return { descriptor: { mediaType: types.layer, digest: layer.digest, size: layer.size }, bytes: layer.bytes, reused: false };
  });
  const config = newConfig(base.config, layers.map((l) => l.layer.diffId), layers.map((l) => l.createdBy), changes);
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDescriptor: Descriptor = { mediaType: types.config, digest: sha256Digest(configBytes), size: configBytes.byteLength };
  const allLayers = [...base.manifest.layers.map((d) => ({ ...d, mediaType: layerMediaType(family, d.mediaType) })), ...appended.map((a) => a.descriptor)];
  const annotations: Record<string, string> = {};
  if (family === 'oci' && base.digest) annotations['org.opencontainers.image.base.digest'] = base.digest;
  if (family === 'oci' && base.name) annotations['org.opencontainers.image.base.name'] = base.name;
  const manifest = {
    schemaVersion: 2,
    mediaType: types.manifest,
    config: configDescriptor,
    layers: allLayers,
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  return {
    manifest: { bytes: manifestBytes, digest: sha256Digest(manifestBytes), mediaType: types.manifest },
    config: { descriptor: configDescriptor, bytes: configBytes },
    layers: allLayers,
    appended,
  };
}

/** The layers of an earlier image by diff_id, to pass as `knownLayers` (its config lists them in order). */
export function layersByDiffId(manifest: Manifest, config: ImageConfig): Map<string, KnownLayer> {
  const known = new Map<string, KnownLayer>();
  config.rootfs.diff_ids.forEach((diffId, i) => {
    const layer = manifest.layers[i];
    if (layer) known.set(diffId, { digest: layer.digest, size: layer.size, mediaType: layer.mediaType });
  });
  return known;
}
