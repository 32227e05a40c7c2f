/**
 * API keys (`--api-keys FILE`): the file holds only SHA-256 hashes of the keys, never the keys:
 * JSON `{"keys": [{"id": "alice", "sha256": "<hex of sha256(key)>"}]}`. A request names its key as
 * `Authorization: Bearer <key>`; the key's id owns the jobs it creates. Hashing the presented key
 * and looking the hash up keeps the comparison independent of how much of a key matches.
 */
import { createHash } from 'node:crypto';
import type { ApiKeys } from './api-keys-file.ts';

export const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex');

/** The key id for an `Authorization` header, or undefined when it names no known key. */
export function keyOwner(keys: ReadonlyMap<string, string>, authorization: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!m) return undefined;
  return keys.get(hashKey(m[1]!));
}

export const keyIndex = (keys: ApiKeys): Map<string, string> => new Map(keys.map((k) => [k.sha256, k.id]));

/** The server's keys by hash, or none when it has no keys (jobs open to anyone). */
export const ownerIndex = (config: { apiKeys?: ApiKeys }): Map<string, string> | undefined => (config.apiKeys ? keyIndex(config.apiKeys) : undefined);
