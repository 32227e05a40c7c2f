/**
 * What a fork's untrusted run uploaded (its results folder, as a workflow artifact), read by the
 * trusted `workflow_run` report as data only: the zip's size is bounded before and after the
 * download, only `results.json` and `artifacts/<name>/model.json` are taken out of it (their
 * declared sizes bounded before inflating), the document is validated by the results schema, and
 * each artifact is parsed strictly. Nothing in it is executed or written where code could run.
 */
import { unzipSync } from 'fflate';
import type { Artifact } from '../../../training/artifact.ts';
import { parseArtifact, sha256 } from '../../../training/artifact.ts';
import { MlshipError, describeError } from '../../../training/errors.ts';
import { MODEL_NAME_PART } from '../../../training/identifiers.ts';
import type { GitHubClient, RepoRef } from '../github/client.ts';
import type { Results } from './results.ts';
import { ARTIFACTS_DIR, RESULTS_FILE, parseResults } from './results.ts';

export class UploadError extends MlshipError {}

export const DEFAULT_MAX_UPLOAD_BYTES = 64 * 1024 * 1024;
const ENTRY = new RegExp(`^${ARTIFACTS_DIR}/(${MODEL_NAME_PART})/model\\.json$`);

export interface ForkArtifact {
  sha256: string;
  /** The parsed artifact, or why it is not one. */
  artifact?: Artifact;
  invalid?: string;
}

export interface ForkUpload {
  results: Results;
  artifacts: Map<string, ForkArtifact>;
}

/** The zip of the run's artifact named `name`, within `maxBytes`. */
export async function downloadUpload(client: GitHubClient, repo: RepoRef, runId: number, name: string, maxBytes = DEFAULT_MAX_UPLOAD_BYTES): Promise<Uint8Array> {
  const { data } = await client.rest.actions.listWorkflowRunArtifacts({ ...repo, run_id: runId, name, per_page: 100 });
  const found = data.artifacts.filter((a) => a.name === name && !a.expired);
  if (found.length === 0) throw new UploadError(`run ${runId} has no unexpired artifact named "${name}"`);
  if (found.length > 1) throw new UploadError(`run ${runId} has ${found.length} artifacts named "${name}": which one is the upload is unclear`);
  const artifact = found[0]!;
  if (artifact.size_in_bytes > maxBytes) throw new UploadError(`the artifact "${name}" is ${artifact.size_in_bytes} bytes, over the limit of ${maxBytes}`);
  const response = await client.rest.actions.downloadArtifact({ ...repo, artifact_id: artifact.id, archive_format: 'zip' });
  const zip = new Uint8Array(response.data as ArrayBuffer);
  if (zip.byteLength > maxBytes) throw new UploadError(`the artifact "${name}" downloaded as ${zip.byteLength} bytes, over the limit of ${maxBytes}`);
  return zip;
}

/** The results and artifacts in an uploaded zip, validated. */
export function readUpload(zip: Uint8Array, maxBytes = DEFAULT_MAX_UPLOAD_BYTES): ForkUpload {
  let declared = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip, {
      filter(file) {
        if (file.name !== RESULTS_FILE && !ENTRY.test(file.name)) return false;
        declared += file.originalSize;
        if (declared > maxBytes) throw new UploadError(`the upload inflates to more than ${maxBytes} bytes`);
        return true;
      },
    });
  } catch (err) {
    if (err instanceof UploadError) throw err;
    throw new UploadError(`the upload is not a valid zip (${(err as Error).message})`);
  }
  const inflated = Object.values(files).reduce((n, f) => n + f.byteLength, 0);
  if (inflated > maxBytes) throw new UploadError(`the upload inflates to more than ${maxBytes} bytes`);
  const document = files[RESULTS_FILE];
  if (!document) throw new UploadError(`the upload has no ${RESULTS_FILE}`);
  const results = parseResults(document, `upload:${RESULTS_FILE}`);
  const artifacts = new Map<string, ForkArtifact>();
  for (const [file, bytes] of Object.entries(files)) {
    const name = ENTRY.exec(file)?.[1];
    if (!name) continue;
    const entry: ForkArtifact = { sha256: sha256(bytes) };
    try {
      const artifact = parseArtifact(bytes, `upload:${file}`);
      if (artifact.name !== name) entry.invalid = `it names the model "${artifact.name}"`;
      else entry.artifact = artifact;
    } catch (err) {
      if (!(err instanceof MlshipError)) throw err;
      entry.invalid = describeError(err);
    }
    artifacts.set(name, entry);
  }
  return { results, artifacts };
}
