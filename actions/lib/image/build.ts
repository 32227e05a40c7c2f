/**
 * Building the serving image: the base, plus an app layer (the serving bundle) and a model layer
 * (the lock and every artifact it pins), with the serving config; pushed to a registry or written
 * to a layout.
 *
 * First the inputs tag is computed (no bundle built, no artifact read) and looked up in the target:
 * when it is there, that image is the answer and only the extra tags (the commit) are added. Else
 * the image is built: its digest is a function of the base, the bundle and the pinned artifacts
 * alone, so a rebuild of the same inputs anywhere gives the same digest, and only blobs the target
 * lacks are sent. Returns data; the command line and the action render it.
 */
import { sha256 } from '../../../training/artifact.ts';
import type { Lock } from '../../../registry/lock.ts';
import type { BundleFiles } from '../serving-bundle-files.ts';
import type { ModelStore } from '../../../registry/store/types.ts';
import type { Digest } from '../oci/digest.ts';
import { appendLayers } from '../oci/image.ts';
import type { KnownLayer } from '../oci/image.ts';
import { buildLayer } from '../oci/layer.ts';
import { manifestSchema, parseJson } from '../oci/manifest.ts';
import { imageToPush } from '../oci/push.ts';
import type { TagStatus } from '../oci/push.ts';
import { appLayerFiles } from './app-layer.ts';
import type { BaseSource } from './base.ts';
import { servingConfig } from './config.ts';
import { inputsTag } from './inputs-tag.ts';
import type { BundleInputs, ImageInputs } from './inputs-tag.ts';
import { fetchPinnedArtifacts, modelLayerFiles } from './model-layer.ts';
import type { ImageTarget } from './target.ts';

export interface ServingBundleSource {
  /** What identifies the bundle without building it. */
  inputs: BundleInputs;
  /** Its files (the entry and its chunks): asked for only when an image is built. */
  read(): Promise<BundleFiles>;
}

export interface BuildServingImageOptions {
  base: BaseSource;
  platform: string;
  target: ImageTarget;
  bundle: ServingBundleSource;
  /** The lock as parsed and the exact bytes it was read from (both go into the image). */
  lock: { lock: Lock; bytes: Uint8Array };
  store: ModelStore;
  /** `org.opencontainers.image.source`: the repository the image is built from. */
  source?: string;
  /** More tags for the image, e.g. the commit SHA: names in the target, never in the image. */
  tags?: readonly string[];
  /** A tag of an earlier image in the target whose layers are reused by diff_id. */
  previous?: string;
}

export type BuildStatus = 'built' | 'found';

export interface BuildResult {
  status: BuildStatus;
  /** `registry/repository@sha256:…` or `oci:DIR@sha256:…`. */
  image: string;
  digest: Digest;
  inputsTag: string;
  inputs: ImageInputs;
  tags: { tag: string; status: TagStatus }[];
  /** The pinned versions the image serves, by model name. */
  models: Record<string, string>;
  bytesUploaded: number;
  blobsUploaded: number;
  blobsReused: number;
  /** Layers of the image, the base's included. */
  layers: number;
  /** Layers not sent: the target had them (or mounted them), or an earlier image's were reused by diff_id. */
  layersReused: number;
}

export function imageInputs(options: Pick<BuildServingImageOptions, 'base' | 'platform' | 'bundle' | 'lock' | 'source'>): ImageInputs {
  return {
    base: { digest: options.base.digest, ...(options.base.name ? { name: options.base.name } : {}) },
    platform: options.platform,
    bundle: options.bundle.inputs,
    lockSha256: sha256(options.lock.bytes),
    ...(options.source ? { source: options.source } : {}),
  };
}

export async function buildServingImage(options: BuildServingImageOptions): Promise<BuildResult> {
  const { target, lock } = options;
  const inputs = imageInputs(options);
  const tag = inputsTag(inputs);
  const extraTags = [...new Set(options.tags ?? [])].filter((t) => t !== tag);
  const models = Object.fromEntries(Object.entries(lock.lock.models).map(([name, entry]) => [name, entry.version]));

  const found = await target.find(tag);
  if (found) {
    const layers = parseJson(manifestSchema, found.bytes, `manifest ${found.digest}`).layers.length;
    const tags = await target.tag(found, extraTags);
    return { status: 'found', image: `${target.name}@${found.digest}`, digest: found.digest, inputsTag: tag, inputs, tags, models, bytesUploaded: 0, blobsUploaded: 0, blobsReused: 0, layers, layersReused: layers };
  }

  const [bundle, artifacts, known] = await Promise.all([
    options.bundle.read(),
    fetchPinnedArtifacts(lock.lock, options.store),
    options.previous ? target.knownLayers(options.previous) : Promise.resolve(undefined),
  ]);
  const app = await buildLayer(appLayerFiles(bundle));
  const model = await buildLayer(modelLayerFiles(lock.bytes, artifacts));
  const built = appendLayers(
    options.base,
    [
      { layer: app, createdBy: 'mlship: serving bundle' },
      { layer: model, createdBy: 'mlship: pinned models and lock' },
    ],
    servingConfig(lock.lock, options.source ? { source: options.source } : {}),
    known ? { knownLayers: known as ReadonlyMap<string, KnownLayer> } : {},
  );
  const pushed = await target.push(imageToPush(built, options.base, { registry: target.registry ?? '' }), [tag, ...extraTags]);
  return {
    status: 'built',
    image: `${target.name}@${built.manifest.digest}`,
    digest: built.manifest.digest,
    inputsTag: tag,
    inputs,
    tags: pushed.tags,
    models,
    bytesUploaded: pushed.bytesUploaded,
    blobsUploaded: pushed.blobsUploaded,
    blobsReused: pushed.blobsReused,
    layers: built.layers.length,
    layersReused: built.layers.length - pushed.layersUploaded,
  };
}
