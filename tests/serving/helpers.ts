// Shared by the serving tests: the example models trained once per test file, a folder with their
// artifacts and a lock pinning them, and an app serving them with its log lines captured.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Lock } from '../../registry/lock.ts';
import { emptyLock, entryFor, formatLock } from '../../registry/lock.ts';
import { createApp } from '../../serving/app.ts';
import type { Limits } from '../../serving/limits.ts';
import { verifyArtifact } from '../../serving/loader.ts';
import { createLogger } from '../../serving/log.ts';
import { Metrics } from '../../serving/metrics.ts';
import type { ServedModel } from '../../serving/model.ts';
import { stateWith } from '../../serving/state.ts';
import { loadSpec } from '../../training/spec.ts';
import type { TrainResult } from '../../training/train-model.ts';
import { trainModel } from '../../training/train-model.ts';
import { EXAMPLES, REPO as ROOT } from '../helpers/temp.ts';

// The repository root and the example models, as every test suite names them.
export { EXAMPLES, REPO as ROOT } from '../helpers/temp.ts';

let trained: Promise<Map<string, TrainResult>> | undefined;

/** The example models, trained once per test file (deterministic: same bytes every time). */
export function trainedExamples(): Promise<Map<string, TrainResult>> {
  trained ??= (async () => {
    const out = new Map<string, TrainResult>();
    for (const name of EXAMPLES) out.set(name, await trainModel(await loadSpec(path.join(ROOT, 'models', name)), {}));
    return out;
  })();
  return trained;
}

export async function servedExamples(): Promise<ServedModel[]> {
  const results = await trainedExamples();
  const lock = lockFor(results);
  return [...results].map(([name, r]) => verifyArtifact(name, lock.models[name]!, r.bytes));
}

export function lockFor(results: Map<string, TrainResult>): Lock {
  const lock = emptyLock();
  for (const [name, r] of results) lock.models[name] = entryFor(r.artifact, r.sha256, { commit: null, spec: `models/${name}/model.yaml` });
  return lock;
}

export interface Fixture {
  dir: string;
  /** `<dir>/models/<name>/<version>/model.json` */
  modelsDir: string;
  /** The file store at `dir` (its layout is `models/<name>/<version>/model.json`). */
  store: string;
  lockFile: string;
  lock: Lock;
  cleanup(): Promise<void>;
}

/** A temp folder with the artifacts and a lock (file:// URIs); `tamper` alters those artifacts' bytes after pinning. */
export async function writeFixture(options: { tamper?: string[] } = {}): Promise<Fixture> {
  const results = await trainedExamples();
  const dir = await mkdtemp(path.join(tmpdir(), 'mlship-serving-'));
  const modelsDir = path.join(dir, 'models');
  const lock = lockFor(results);
  for (const [name, r] of results) {
    const file = path.join(modelsDir, name, r.artifact.version, 'model.json');
    await mkdir(path.dirname(file), { recursive: true });
    let bytes = r.bytes;
    if (options.tamper?.includes(name)) bytes = Buffer.from(r.bytes.toString().replace(/"splitValue":([0-9.]+)/, (_, v: string) => `"splitValue":${Number(v) + 1}`));
    await writeFile(file, bytes);
  }
  const lockFile = path.join(dir, 'models.lock.json');
  await writeFile(lockFile, formatLock(lock));
  return { dir, modelsDir, store: pathToFileURL(dir).href, lockFile, lock, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** An app serving the examples, with its log records captured. */
export async function exampleApp(limits: Partial<Limits> = {}) {
  const records: Record<string, unknown>[] = [];
  const logger = createLogger((text) => {
    for (const line of text.split('\n')) if (line) records.push(JSON.parse(line) as Record<string, unknown>);
  });
  const metrics = new Metrics();
  const state = stateWith(await servedExamples());
  const app = createApp({ state, limits, logger, metrics });
  return { app, state, records, logger, metrics };
}

export function postJson(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

export function postCsv(text: string): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'text/csv' }, body: text };
}

let mixed: Promise<{ result: TrainResult; model: ServedModel; csv: string }> | undefined;

/**
 * A classification model with a category, a boolean and a number feature (with missing values),
 * for the encoding paths the all-numeric examples do not reach.
 */
export function trainedMixed(): Promise<{ result: TrainResult; model: ServedModel; csv: string }> {
  mixed ??= (async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mlship-mixed-'));
    const modelDir = path.join(dir, 'mixed');
    await mkdir(modelDir);
    const colors = ['red', 'green', 'blue'];
    const lines = ['color,member,size,label'];
    for (let i = 0; i < 240; i++) {
      const color = colors[(i * 7) % 3]!;
      const member = (i * 5) % 4 === 0;
      const size = ((i * 37) % 100) / 10;
      const label = color === 'red' && size > 5 ? 'a' : member ? 'b' : color === 'blue' ? 'c' : 'd';
      lines.push(`${color},${member},${i % 10 === 3 ? '' : size},${label}`);
    }
    const csv = `${lines.join('\n')}\n`;
    await writeFile(path.join(modelDir, 'data.csv'), csv);
    await writeFile(
      path.join(modelDir, 'model.yaml'),
      'task: classification\nalgorithm: cart\ndata: data.csv\ntarget: label\nfeatures: [color, member, size]\nparams: { maxDepth: 6, minNumSamples: 2 }\nsplit: { test: 0.25, seed: 1 }\n',
    );
    const result = await trainModel(await loadSpec(modelDir), {});
    await rm(dir, { recursive: true, force: true });
    const lock = lockFor(new Map([['mixed', result]]));
    return { result, model: verifyArtifact('mixed', lock.models.mixed!, result.bytes), csv };
  })();
  return mixed;
}

/** Polls until `check` returns true (logs are flushed every 50 ms). */
export async function waitFor(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface ServeProcess {
  child: ChildProcess;
  port: number;
  /** Every JSON log line so far. */
  records: Record<string, unknown>[];
  exited: Promise<number | null>;
  stderr(): string;
}

/** Spawns a serving process and resolves with the port its (first) `listening` line names. */
export async function spawnServe(command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string }): Promise<ServeProcess> {
  const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const records: Record<string, unknown>[] = [];
  let rest = '';
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      const lines = (rest + c.toString()).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        const record = JSON.parse(line) as Record<string, unknown>;
        records.push(record);
        if (record.msg === 'listening') resolve(record.port as number);
      }
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  return { child, port, records, exited, stderr: () => stderr };
}
