/**
 * `npm start`: the whole pipeline locally on its embedded defaults — train every model under
 * models/ (gated against the version models.lock.json pins), publish those that pass to the
 * local store (.mlship/store, or MLSHIP_STORE) and pin them in models.lock.json.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_LOCK } from '../registry/lock.ts';
import { isFailure, publishArtifacts } from '../registry/publish.ts';
import { openStore, storeOptionsFromEnv, storeUriFrom } from '../registry/store/index.ts';
import { DEFAULT_OUT, championsFromLock, trainModels } from './commands/train.ts';
import type { CommandIO } from './io.ts';
import { EXIT } from './io.ts';

export async function start(io: CommandIO): Promise<number> {
  const modelsDir = path.join(io.cwd, 'models');
  const dirs = (await readdir(modelsDir, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => path.join(modelsDir, d.name))
    .sort();
  const lockFile = path.join(io.cwd, DEFAULT_LOCK);
  const store = openStore(storeUriFrom(undefined, io.env), { cwd: io.cwd, ...storeOptionsFromEnv(io.env) });

  io.stdout.write(`1/2 Training ${dirs.length} models from models/\n`);
  const champions = await championsFromLock(lockFile, undefined, dirs, io, { missing: 'warn' });
  const trained = await trainModels(dirs, { out: path.join(io.cwd, DEFAULT_OUT), champions, json: false }, io);
  const passed = trained.filter((m) => m.file && m.result);

  io.stdout.write(`\n2/2 Publishing ${passed.length} models to ${store.uri}\n`);
  const report = await publishArtifacts(
    passed.map((m) => ({ bytes: m.result!.bytes, source: path.relative(io.cwd, m.file!) })),
    { store, lockFile },
  );
  for (const o of report.outcomes) {
    if (isFailure(o)) io.stderr.write(`✗ ${o.error}\n`);
    else io.stdout.write(`${o.status === 'published' ? 'published' : 'already published'} ${o.name} ${o.version}\n`);
  }
  io.stdout.write(`${DEFAULT_LOCK}: ${report.lockChanged ? 'updated' : 'unchanged'}\n`);
  const ok = trained.every((m) => m.result?.gates.passed) && !report.outcomes.some(isFailure);
  return ok ? EXIT.ok : EXIT.failed;
}

if (import.meta.main) {
  process.exitCode = await start({ cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr });
}
