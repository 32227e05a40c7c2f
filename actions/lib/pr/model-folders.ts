/** The model folders of a checkout: `models/<name>/` holding a `model.yaml`. */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { isModelName } from '../../../training/identifiers.ts';
import { SPEC_FILE } from '../../../training/spec.ts';
import { MODELS_DIR } from './changed-models.ts';

export async function modelFolders(root: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(path.join(root, MODELS_DIR));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const found: string[] = [];
  for (const name of names.sort()) {
    if (!isModelName(name)) continue;
    const spec = await stat(path.join(root, MODELS_DIR, name, SPEC_FILE)).catch(() => undefined);
    if (spec?.isFile()) found.push(name);
  }
  return found;
}

export function modelDirOf(root: string, name: string): string {
  return path.join(root, MODELS_DIR, name);
}
