/**
 * API keys (`--api-keys FILE`): the file holds only SHA-256 hashes of the keys, never the keys:
 * JSON `{"keys": [{"id": "alice", "sha256": "<hex of sha256(key)>"}]}`. A request names its key as
 * `Authorization: Bearer <key>`; the key's id owns the jobs it creates. Hashing the presented key
 * and looking the hash up keeps the comparison independent of how much of a key matches.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { MlshipError } from '../../training/errors.ts';

export class ApiKeysError extends MlshipError {}

export const apiKeysFileSchema = z.object({
  keys: z.array(z.object({ id: z.string().min(1).max(100), sha256: z.string().regex(/^[0-9a-f]{64}$/) })).min(1),
});
export type ApiKeys = z.infer<typeof apiKeysFileSchema>['keys'];

export const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export async function readApiKeys(file: string): Promise<ApiKeys> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ApiKeysError(`cannot read the API keys file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { file }, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApiKeysError('the API keys file is not JSON', { file });
  }
  const parsed = apiKeysFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ApiKeysError(`${issue.message} (expected {"keys": [{"id": "...", "sha256": "<64 hex digits>"}]})`, { file, field: issue.path.join('.') });
  }
  return parsed.data.keys;
}

/** The key id for an `Authorization` header, or undefined when it names no known key. */
export function keyOwner(keys: ReadonlyMap<string, string>, authorization: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!m) return undefined;
  return keys.get(hashKey(m[1]!));
}

export const keyIndex = (keys: ApiKeys): Map<string, string> => new Map(keys.map((k) => [k.sha256, k.id]));

/** The server's keys by hash, or none when it has no keys (jobs open to anyone). */
export const ownerIndex = (config: { apiKeys?: ApiKeys }): Map<string, string> | undefined => (config.apiKeys ? keyIndex(config.apiKeys) : undefined);
