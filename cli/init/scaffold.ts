/**
 * `mlship init`'s work: a team's model repository in an empty folder — one example model, an
 * empty lock, the workflows (rendered for mlship's actions at one commit), .gitignore and a README.
 */
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { emptyLock, formatLock } from '../../registry/lock.ts';
import { UsageError } from '../io.ts';
import { teamReadme } from './readme.ts';
import type { RemoteActions } from './render.ts';
import { renderTemplate } from './render.ts';
import { WORKFLOW_TEMPLATES, readTemplate } from './templates.ts';

const EXAMPLE_MODEL = path.resolve(import.meta.dirname, '../../models/iris');
const EXAMPLE_FILES = ['model.yaml', 'iris.csv'];

/** Writes the repository into `dir` (created if missing; refused unless empty). Returns the files, relative. */
export async function scaffold(dir: string, source: RemoteActions): Promise<string[]> {
  await refuseNonEmpty(dir);
  const files = new Map<string, string>([
    ['README.md', teamReadme(source)],
    ['.gitignore', '.mlship/\n'],
    ['models.lock.json', formatLock(emptyLock())],
  ]);
  for (const t of WORKFLOW_TEMPLATES) files.set(t.file, renderTemplate(await readTemplate(t), source, t.template));

  const written: string[] = [];
  for (const [file, text] of files) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text, { flag: 'wx' });
    written.push(file);
  }
  await mkdir(path.join(dir, 'models/iris'), { recursive: true });
  for (const file of EXAMPLE_FILES) {
    await copyFile(path.join(EXAMPLE_MODEL, file), path.join(dir, 'models/iris', file));
    written.push(`models/iris/${file}`);
  }
  return written.sort();
}

async function refuseNonEmpty(dir: string): Promise<void> {
  try {
    if ((await readdir(dir)).length > 0) throw new UsageError(`${dir} is not empty: mlship init writes into a new or empty folder`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await mkdir(dir, { recursive: true });
  }
}
