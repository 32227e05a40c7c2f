/**
 * A pull request's model folders at its head commit, fetched through the contents API as blobs
 * into a fresh folder (no checkout of the pull request's code: only the files of `models/<name>/`
 * are read, as bytes). Symlinks and submodules are left out; sizes and counts are bounded.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isModelName } from '../../../training/identifiers.ts';
import { MlshipError } from '../../../training/errors.ts';
import type { GitHubClient, RepoRef } from '../github/client.ts';
import { listDirAt, readFileAt } from '../github/contents.ts';
import { MODELS_DIR } from './changed-models.ts';

export class FetchModelsError extends MlshipError {}

export interface FetchLimits {
  maxFiles: number;
  maxBytes: number;
  maxDepth: number;
}

export const DEFAULT_FETCH_LIMITS: FetchLimits = { maxFiles: 500, maxBytes: 200 * 1024 * 1024, maxDepth: 4 };

/** The model folders at `ref` (names of the folders under `models/`). */
export async function modelFoldersAt(client: GitHubClient, repo: RepoRef, ref: string): Promise<string[]> {
  const entries = (await listDirAt(client, repo, ref, MODELS_DIR)) ?? [];
  return entries.filter((e) => e.type === 'dir' && isModelName(e.name)).map((e) => e.name).sort();
}

/** Writes `<dest>/models/<name>/…` for each model, as the repository has it at `ref`. */
export async function fetchModels(client: GitHubClient, repo: RepoRef, ref: string, names: readonly string[], dest: string, limits = DEFAULT_FETCH_LIMITS): Promise<{ skipped: string[] }> {
  let files = 0;
  let bytes = 0;
  const skipped: string[] = [];
  const fetchDir = async (dir: string, depth: number): Promise<void> => {
    for (const entry of (await listDirAt(client, repo, ref, dir)) ?? []) {
      // paths come from the API; still, nothing may land outside the model's folder
      if (!/^[^/\\]+$/.test(entry.name) || entry.name === '.' || entry.name === '..') {
        skipped.push(`${dir}/${entry.name}`);
        continue;
      }
      const repoPath = `${dir}/${entry.name}`;
      if (entry.type === 'dir') {
        if (depth >= limits.maxDepth) skipped.push(repoPath);
        else await fetchDir(repoPath, depth + 1);
        continue;
      }
      if (entry.type !== 'file') {
        skipped.push(repoPath); // symlinks, submodules
        continue;
      }
      if (++files > limits.maxFiles) throw new FetchModelsError(`the model folders hold more than ${limits.maxFiles} files`);
      bytes += entry.size;
      if (bytes > limits.maxBytes) throw new FetchModelsError(`the model folders hold more than ${limits.maxBytes} bytes`);
      const content = await readFileAt(client, repo, ref, repoPath);
      if (content === undefined) throw new FetchModelsError(`${repoPath} could not be read at ${ref}`);
      const target = path.join(dest, ...repoPath.split('/'));
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, content);
    }
  };
  for (const name of names) {
    if (!isModelName(name)) throw new FetchModelsError(`"${name}" is not a model name`);
    await fetchDir(`${MODELS_DIR}/${name}`, 1);
  }
  return { skipped };
}
