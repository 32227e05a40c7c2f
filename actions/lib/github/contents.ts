/** Reading files of a repository at a ref through the contents API (no checkout needed). */
import type { GitHubClient, RepoRef } from './client.ts';
import { httpStatus } from './client.ts';

export interface DirEntry {
  name: string;
  path: string;
  type: string;
  size: number;
}

/** A file's bytes at `ref`, or undefined when there is no such file. */
export async function readFileAt(client: GitHubClient, repo: RepoRef, ref: string, path: string): Promise<Buffer | undefined> {
  try {
    // the raw form: the bytes themselves, also for files over the JSON form's 1 MB
    const { data } = await client.rest.repos.getContent({ ...repo, path, ref, mediaType: { format: 'raw' } });
    const raw = data as unknown;
    if (typeof raw === 'string') return Buffer.from(raw, 'utf8');
    if (raw instanceof ArrayBuffer) return Buffer.from(raw);
    if (ArrayBuffer.isView(raw)) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    return undefined; // a folder's listing
  } catch (err) {
    if (httpStatus(err) === 404) return undefined;
    throw err;
  }
}

/** A folder's entries at `ref`, or undefined when there is no such folder. */
export async function listDirAt(client: GitHubClient, repo: RepoRef, ref: string, path: string): Promise<DirEntry[] | undefined> {
  try {
    const { data } = await client.rest.repos.getContent({ ...repo, path, ref });
    if (!Array.isArray(data)) return undefined;
    return data.map((e) => ({ name: e.name, path: e.path, type: e.type, size: e.size }));
  } catch (err) {
    if (httpStatus(err) === 404) return undefined;
    throw err;
  }
}
