/**
 * `npm start`: the whole pipeline locally on its embedded defaults — train every model under
 * models/, evaluate and gate it.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_OUT, trainModels } from './commands/train.ts';
import type { CommandIO } from './io.ts';
import { EXIT } from './io.ts';

export async function start(io: CommandIO): Promise<number> {
  const modelsDir = path.join(io.cwd, 'models');
  const dirs = (await readdir(modelsDir, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => path.join(modelsDir, d.name))
    .sort();
  io.stdout.write(`Training ${dirs.length} models from models/\n`);
  const trained = await trainModels(dirs, { out: path.join(io.cwd, DEFAULT_OUT), champions: new Map(), json: false }, io);
  return trained.every((m) => m.result?.gates.passed) ? EXIT.ok : EXIT.failed;
}

if (import.meta.main) {
  process.exitCode = await start({ cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr });
}
