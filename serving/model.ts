/**
 * A served model: the verified artifact, its compiled predictor, and what the API says about it
 * (computed once at load, not per request).
 */
import type { LockEntry } from '../registry/lock.ts';
import type { Artifact } from '../training/artifact.ts';
import type { FeatureEncoding } from '../training/encoding.ts';
import type { Predictor, PredictorTables } from './predictor.ts';
import { predictorFrom } from './predictor.ts';

/**
 * What the API and the model page say of an artifact: all of it but its trees, which live on
 * compiled in the predictor. Keeping the parsed trees as well would hold a 100-tree forest's
 * object graph (megabytes) in every serving process.
 */
export type ArtifactDescription = Artifact extends infer A ? (A extends unknown ? Omit<A, 'model'> : never) : never;

export interface ServedModel {
  name: string;
  version: string;
  sha256: string;
  entry: LockEntry;
  artifact: ArtifactDescription;
  predictor: Predictor;
  features: readonly FeatureEncoding[];
  featureNames: readonly string[];
  featureIndex: ReadonlyMap<string, number>;
  /** Every feature is a number, so one `[rows, features]` FP64 tensor can carry a batch. */
  allNumeric: boolean;
  /** `GET /v1/models` entry. */
  info: ModelInfo;
  /** `GET /v2/models/{name}` body. */
  metadata: V2ModelMetadata;
}

export interface ModelInfo {
  name: string;
  version: string;
  sha256: string;
  task: Artifact['task'];
  algorithm: string;
  ready: boolean;
  features: { name: string; type: FeatureEncoding['type']; categories?: string[] }[];
  target: { name: string; classes?: string[] };
  metrics: Record<string, number>;
  source: LockEntry['source'];
  lineage: Artifact['lineage'];
  error?: string;
}

export interface V2Tensor {
  name: string;
  datatype: string;
  shape: number[];
}
export interface V2ModelMetadata {
  name: string;
  versions: string[];
  platform: string;
  inputs: V2Tensor[];
  outputs: V2Tensor[];
}

/** The v2 datatype a feature's tensor carries. */
export function featureDatatype(feature: FeatureEncoding): 'FP64' | 'BOOL' | 'BYTES' {
  return feature.type === 'number' ? 'FP64' : feature.type === 'boolean' ? 'BOOL' : 'BYTES';
}

export const PLATFORM = 'mlship_cart';
export const FOREST_PLATFORM = 'mlship_random_forest';
export const OUTPUT_PREDICTIONS = 'predictions';
export const OUTPUT_PROBABILITIES = 'probabilities';

/**
 * A served model from a verified artifact's description (name and version already checked against
 * `entry`) and its compiled predictor (`serveArtifact`, verify.ts, compiles both).
 */
export function servedModel(name: string, entry: LockEntry, artifact: ArtifactDescription, predictor: Predictor): ServedModel {
  const features = artifact.features;
  const featureNames = features.map((f) => f.name);
  const classes = artifact.task === 'classification' ? artifact.target.classes : undefined;
  const numbers = Object.fromEntries(Object.entries(artifact.metrics).filter((e): e is [string, number] => typeof e[1] === 'number'));
  const info: ModelInfo = {
    name,
    version: artifact.version,
    sha256: entry.sha256,
    task: artifact.task,
    algorithm: artifact.algorithm,
    ready: true,
    features: features.map((f) => (f.type === 'category' ? { name: f.name, type: f.type, categories: f.categories } : { name: f.name, type: f.type })),
    target: classes ? { name: artifact.target.name, classes } : { name: artifact.target.name },
    metrics: numbers,
    source: entry.source,
    lineage: artifact.lineage,
  };
  const outputs: V2Tensor[] = classes
    ? [
        { name: OUTPUT_PREDICTIONS, datatype: 'BYTES', shape: [-1] },
        { name: OUTPUT_PROBABILITIES, datatype: 'FP64', shape: [-1, classes.length] },
      ]
    : [{ name: OUTPUT_PREDICTIONS, datatype: 'FP64', shape: [-1] }];
  return {
    name,
    version: artifact.version,
    sha256: entry.sha256,
    entry,
    artifact,
    predictor,
    features,
    featureNames,
    featureIndex: new Map(featureNames.map((n, i) => [n, i])),
    allNumeric: features.every((f) => f.type === 'number'),
    info,
    metadata: {
      name,
      versions: [artifact.version],
      platform: artifact.algorithm === 'random-forest' ? FOREST_PLATFORM : PLATFORM,
      inputs: features.map((f) => ({ name: f.name, datatype: featureDatatype(f), shape: [-1] })),
      outputs,
    },
  };
}

/**
 * A served model as a cluster primary hands it to its workers (structured clone, which copies
 * no functions): its predictor as the tables it walks.
 */
export type SharedModel = Omit<ServedModel, 'predictor'> & { tables: PredictorTables };

export function shareModel(model: ServedModel): SharedModel {
  const { predictor, ...rest } = model;
  return { ...rest, tables: predictor.tables };
}

/** What a worker serves from what its primary compiled: the predictor's functions rebuilt over the same tables. */
export function modelFromShared(shared: SharedModel): ServedModel {
  const { tables, ...rest } = shared;
  return { ...rest, predictor: predictorFrom(tables) };
}
