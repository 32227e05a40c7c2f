/**
 * The JSON shapes of the image and distribution specs that mlship reads from registries and
 * layouts (descriptor, manifest, index, config), as zod schemas: what comes over the wire is
 * validated, and the types are inferred from the schemas. Objects are loose: fields mlship does
 * not know (annotations, a config's `os.features`, …) are kept and written back unchanged.
 */
import { z } from 'zod';
import { DIGEST_PATTERN } from './digest.ts';
import { ImageError } from './errors.ts';

export const MediaType = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** The two families of media types. skopeo (and some registries) refuse a manifest that mixes them. */
export type MediaTypeFamily = 'oci' | 'docker';

export const MANIFEST_MEDIA_TYPES: readonly string[] = [MediaType.ociManifest, MediaType.dockerManifest];
export const INDEX_MEDIA_TYPES: readonly string[] = [MediaType.ociIndex, MediaType.dockerList];
/** What a client accepts when it reads a manifest by tag: any of the four. */
export const ACCEPT_ANY_MANIFEST = [...INDEX_MEDIA_TYPES, ...MANIFEST_MEDIA_TYPES].join(', ');

export function familyOf(manifestMediaType: string): MediaTypeFamily {
  return manifestMediaType === MediaType.dockerManifest || manifestMediaType === MediaType.dockerList ? 'docker' : 'oci';
}

export const platformSchema = z.looseObject({
  architecture: z.string(),
  os: z.string(),
  variant: z.string().optional(),
  'os.version': z.string().optional(),
});
export type Platform = z.infer<typeof platformSchema>;

export const descriptorSchema = z.looseObject({
  mediaType: z.string(),
  digest: z.string().regex(DIGEST_PATTERN, 'a sha256 digest'),
  size: z.number().int().nonnegative(),
  annotations: z.record(z.string(), z.string()).optional(),
  platform: platformSchema.optional(),
  urls: z.array(z.string()).optional(),
});
export type Descriptor = z.infer<typeof descriptorSchema>;

export const manifestSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type Manifest = z.infer<typeof manifestSchema>;

export const indexSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(descriptorSchema),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type Index = z.infer<typeof indexSchema>;

const containerConfigSchema = z.looseObject({
  User: z.string().optional(),
  Env: z.array(z.string()).nullish(),
  Entrypoint: z.array(z.string()).nullish(),
  Cmd: z.array(z.string()).nullish(),
  WorkingDir: z.string().optional(),
  ExposedPorts: z.record(z.string(), z.object({})).nullish(),
  Labels: z.record(z.string(), z.string()).nullish(),
});

export const imageConfigSchema = z.looseObject({
  created: z.string().optional(),
  architecture: z.string(),
  os: z.string(),
  variant: z.string().optional(),
  config: containerConfigSchema.optional(),
  rootfs: z.looseObject({ type: z.literal('layers'), diff_ids: z.array(z.string().regex(DIGEST_PATTERN, 'a sha256 digest')) }),
  history: z.array(z.looseObject({ created: z.string().optional(), created_by: z.string().optional(), comment: z.string().optional(), empty_layer: z.boolean().optional() })).optional(),
});
export type ImageConfig = z.infer<typeof imageConfigSchema>;

/** Parses JSON bytes against a schema; `what` names the document in the error (`manifest sha256:…`). */
export function parseJson<T>(schema: z.ZodType<T>, bytes: Uint8Array, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new ImageError(`${what} is not JSON: ${(err as Error).message}`, {}, { cause: err });
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ImageError(`${what} is not valid: ${issue.message}`, { field: issue.path.join('.') || undefined });
  }
  return result.data;
}

/** A manifest's media type: the field, else (Docker v2 always sets it) the OCI default. */
export function manifestMediaType(doc: { mediaType?: string | undefined }, fallback: string = MediaType.ociManifest): string {
  return doc.mediaType ?? fallback;
}
