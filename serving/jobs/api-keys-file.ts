/**
 * Reading the API keys file (`--api-keys FILE`, its format in api-keys.ts): the command line reads
 * it and hands the keys on in the configuration, so the processes that check keys do not load its
 * schema.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { MlshipError } from '../../training/errors.ts';

export class ApiKeysError extends MlshipError {}

export const apiKeysFileSchema = z.object({
  keys: z.array(z.object({ id: z.string().min(1).max(100), sha256: z.string().regex(/^[0-9a-f]{64}$/) })).min(1),
});
export type ApiKeys = z.infer<typeof apiKeysFileSchema>['keys'];

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
