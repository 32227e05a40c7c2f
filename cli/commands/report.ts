/**
 * `mlship report --base <ref> [--store URI] [--out DIR]`
 * Prints the Markdown the pull request would show, locally: the models changed since the merge
 * base with `<ref>` (committed, staged, unstaged and untracked changes alike) trained and gated
 * against the champions `<ref>`'s lock pins (from the store, where it has them).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { changedModels } from '../../actions/lib/pr/changed-models.ts';
import { modelFolders } from '../../actions/lib/pr/model-folders.ts';
import { renderReport } from '../../actions/lib/pr/report-markdown.ts';
import { trainChanges } from '../../actions/lib/pr/train-changes.ts';
import { availableChampions } from '../../registry/champion.ts';
import type { Lock } from '../../registry/lock.ts';
import { DEFAULT_LOCK, emptyLock, parseLock } from '../../registry/lock.ts';
import type { CommandIO } from '../io.ts';
import { EXIT, UsageError } from '../io.ts';
import { storeFor } from '../store.ts';
import { REPORT_USAGE } from './usage.ts';

const git = async (cwd: string, args: string[]) => (await promisify(execFile)('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 })).stdout;

export async function reportCommand(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { base: { type: 'string' }, store: { type: 'string' }, out: { type: 'string' } } });
  if (positionals.length > 0 || !values.base) throw new UsageError(`usage: mlship ${REPORT_USAGE}`);
  const base = values.base;
  // a ref is passed to git as one argument, never through a shell; one that looks like an option is refused
  if (base.startsWith('-')) throw new UsageError(`--base must name a commit, got "${base}"`);
  const root = (await gitOrUsage(io.cwd, ['rev-parse', '--show-toplevel'], 'not inside a git repository')).trim();
  const baseSha = (await gitOrUsage(root, ['rev-parse', '--verify', '--quiet', `${base}^{commit}`], `"${base}" names no commit`)).trim();
  const head = (await git(root, ['rev-parse', '--verify', '--quiet', 'HEAD']).catch(() => '')).trim() || null;
  const baseLock = await lockAt(root, baseSha);
  const changes = changedModels(await changedFiles(root, baseSha), await modelFolders(root));

  const store = storeFor(values.store, { ...io, cwd: root });
  const { champions, missing } = await availableChampions(baseLock, changes.train, store);
  for (const name of missing) io.stderr.write(`! ${name}: the champion pinned at ${base} is not in ${store.uri}; gated without it\n`);

  const out = values.out ? path.resolve(io.cwd, values.out) : await mkdtemp(path.join(tmpdir(), 'mlship-report-'));
  try {
    const results = await trainChanges({
      root, changes, baseLock, champions, out, commit: null, pullRequest: null,
      head: { sha: head, repository: null }, base: { sha: baseSha, ref: base },
    });
    io.stdout.write(renderReport(results));
    if (results.models.some((m) => m.status === 'error')) return EXIT.badInput;
    return results.passed ? EXIT.ok : EXIT.failed;
  } finally {
    if (!values.out) await rm(out, { recursive: true, force: true });
  }
}

async function gitOrUsage(cwd: string, args: string[], message: string): Promise<string> {
  try {
    return await git(cwd, args);
  } catch {
    throw new UsageError(message);
  }
}

/** The lock committed at `sha`; none there is an empty lock. */
async function lockAt(root: string, sha: string): Promise<Lock> {
  let text: string;
  try {
    text = await git(root, ['show', `${sha}:${DEFAULT_LOCK}`]);
  } catch {
    return emptyLock();
  }
  return parseLock(text, `${DEFAULT_LOCK} at ${sha.slice(0, 12)}`);
}

/** What a pull request from this working tree would change: since the merge base, plus uncommitted and untracked files. */
async function changedFiles(root: string, baseSha: string): Promise<string[]> {
  const lines = (text: string) => text.split('\n').filter(Boolean);
  const committed = lines(await git(root, ['diff', '--name-only', '--no-renames', `${baseSha}...HEAD`]).catch(() => ''));
  const uncommitted = lines(await git(root, ['diff', '--name-only', '--no-renames', 'HEAD']).catch(() => ''));
  const untracked = lines(await git(root, ['ls-files', '--others', '--exclude-standard']));
  return [...new Set([...committed, ...uncommitted, ...untracked])];
}
