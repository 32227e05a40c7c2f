/**
 * A bare git repository on disk, read and written with git plumbing only (no work tree): what
 * the fake commits through the API is a real commit, and what a test pushes with git is seen.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag';

export interface TreeEntry {
  mode: string;
  type: ObjectType;
  sha: string;
  path: string;
  /** bytes, for blobs */
  size?: number;
}

export interface Signature {
  name: string;
  email: string;
  /** ISO 8601 with a zone, as GitHub writes dates */
  date: string;
}

export interface CommitObject {
  sha: string;
  tree: string;
  parents: string[];
  author: Signature;
  committer: Signature;
  message: string;
}

/** One path a new tree changes: a blob or tree by sha, or `sha: null` to delete it. */
export interface TreeChange {
  path: string;
  mode: string;
  sha: string | null;
}

export interface ChangedFile {
  status: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed';
  filename: string;
  previousFilename?: string;
  /** blob sha after the change (before it, for a removed file) */
  sha: string;
  additions: number;
  deletions: number;
}

const ZERO_SHA = '0'.repeat(40);
// The developer's own git config (signing, hooks, templates) must not change what the fake writes.
const ISOLATED = { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0' };

export class GitError extends Error {
  readonly code: number | null;
  readonly stderr: string;
  constructor(args: readonly string[], code: number | null, stderr: string) {
    super(`git ${args.join(' ')} exited ${code}: ${stderr.trim()}`);
    this.code = code;
    this.stderr = stderr;
  }
}

export class GitRepo {
  readonly gitDir: string;

  constructor(gitDir: string) {
    this.gitDir = gitDir;
  }

  /** Creates an empty bare repository whose HEAD names `defaultBranch`. */
  static async initBare(gitDir: string, defaultBranch = 'main'): Promise<GitRepo> {
    await runGit(['init', '--quiet', '--bare', `--initial-branch=${defaultBranch}`, gitDir]);
    return new GitRepo(gitDir);
  }

  async run(args: readonly string[], options: { input?: string | Buffer; env?: Record<string, string> } = {}): Promise<Buffer> {
    return runGit(['--git-dir', this.gitDir, ...args], options);
  }

  async #text(args: readonly string[], options: { input?: string | Buffer; env?: Record<string, string> } = {}): Promise<string> {
    return (await this.run(args, options)).toString('utf8').trim();
  }

  /** The sha `rev` names as an object of `type`, or undefined when it names none. */
  async resolve(rev: string, type: ObjectType = 'commit'): Promise<string | undefined> {
    if (rev.startsWith('-')) return undefined;
    try {
      return await this.#text(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{${type}}`]);
    } catch {
      return undefined;
    }
  }

  /** The sha a full ref name (`refs/heads/main`) points at, or undefined. */
  async refTarget(ref: string): Promise<string | undefined> {
    const out = await this.#text(['for-each-ref', '--format=%(objectname)', ref]);
    return out.split('\n').find((line) => line.length > 0);
  }

  /** Full ref names and targets under `prefix` (e.g. `refs/heads/`). */
  async refs(prefix: string): Promise<{ ref: string; sha: string }[]> {
    const out = await this.#text(['for-each-ref', '--format=%(refname) %(objectname)', prefix]);
    return out.split('\n').filter(Boolean).map((line) => {
      const [ref = '', sha = ''] = line.split(' ');
      return { ref, sha };
    });
  }

  async objectType(sha: string): Promise<ObjectType | undefined> {
    if (!/^[0-9a-f]{40}$/.test(sha)) return undefined;
    try {
      return (await this.#text(['cat-file', '-t', sha])) as ObjectType;
    } catch {
      return undefined;
    }
  }

  async readBlob(sha: string): Promise<Buffer> {
    return this.run(['cat-file', 'blob', sha]);
  }

  async writeBlob(content: Buffer | string): Promise<string> {
    return this.#text(['hash-object', '-w', '--stdin'], { input: content });
  }

  /** The entry at `filePath` in a commit's tree, or undefined when nothing is there. */
  async entryAt(commit: string, filePath: string): Promise<TreeEntry | undefined> {
    if (filePath === '') return { mode: '040000', type: 'tree', sha: (await this.readCommit(commit)).tree, path: '' };
    const [entry] = parseTree(await this.run(['ls-tree', '-z', '-l', '--full-tree', commit, '--', filePath]));
    return entry?.path === filePath ? entry : undefined;
  }

  /** A tree's entries; recursive lists blobs at every depth. */
  async listTree(treeish: string, recursive = false): Promise<TreeEntry[]> {
    return parseTree(await this.run(['ls-tree', '-z', '-l', ...(recursive ? ['-r', '-t'] : []), treeish]));
  }

  /**
   * Writes a tree: `base` (a tree sha) with `changes` applied, through a throwaway index file so
   * nothing else sees it until a commit and a ref point at it.
   */
  async writeTree(base: string | undefined, changes: readonly TreeChange[]): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'github-fake-index-'));
    const env = { GIT_INDEX_FILE: path.join(dir, 'index') };
    try {
      await this.run(base ? ['read-tree', base] : ['read-tree', '--empty'], { env });
      for (const change of changes) {
        // replacing or deleting a path removes whatever was below it first
        const below = (await this.run(['ls-files', '-z', '--', change.path], { env })).toString('utf8').split('\0').filter(Boolean);
        if (below.length > 0) await this.run(['update-index', '-z', '--index-info'], { env, input: below.map((p) => `0 ${ZERO_SHA}\t${p}\0`).join('') });
        if (change.sha === null) continue;
        if (change.mode === '040000') await this.run(['read-tree', `--prefix=${change.path}/`, change.sha], { env });
        else await this.run(['update-index', '-z', '--index-info'], { env, input: `${change.mode} ${change.sha}\t${change.path}\0` });
      }
      return await this.#text(['write-tree'], { env });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async readCommit(sha: string): Promise<CommitObject> {
    const raw = (await this.run(['cat-file', 'commit', sha])).toString('utf8');
    const split = raw.indexOf('\n\n');
    const headers = (split < 0 ? raw : raw.slice(0, split)).split('\n');
    const value = (name: string) => headers.filter((h) => h.startsWith(`${name} `)).map((h) => h.slice(name.length + 1));
    return {
      sha,
      tree: value('tree')[0] ?? '',
      parents: value('parent'),
      author: parseSignature(value('author')[0] ?? ''),
      committer: parseSignature(value('committer')[0] ?? ''),
      message: split < 0 ? '' : raw.slice(split + 2),
    };
  }

  async commitTree(commit: { tree: string; parents: readonly string[]; message: string; author: Signature; committer: Signature }): Promise<string> {
    const env = {
      GIT_AUTHOR_NAME: commit.author.name,
      GIT_AUTHOR_EMAIL: commit.author.email,
      GIT_AUTHOR_DATE: gitDate(commit.author.date),
      GIT_COMMITTER_NAME: commit.committer.name,
      GIT_COMMITTER_EMAIL: commit.committer.email,
      GIT_COMMITTER_DATE: gitDate(commit.committer.date),
    };
    const parents = commit.parents.flatMap((p) => ['-p', p]);
    return this.#text(['commit-tree', commit.tree, ...parents], { env, input: commit.message });
  }

  /**
   * Moves `ref` to `next` only if it still points at `expected` (undefined: only if it does not
   * exist yet). Returns false when another writer got there first.
   */
  async compareAndSwapRef(ref: string, next: string, expected: string | undefined): Promise<boolean> {
    try {
      await this.run(['update-ref', ref, next, expected ?? ZERO_SHA]);
      return true;
    } catch (err) {
      if (err instanceof GitError) return false;
      throw err;
    }
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    try {
      await this.run(['merge-base', '--is-ancestor', ancestor, descendant]);
      return true;
    } catch (err) {
      if (err instanceof GitError && err.code === 1) return false;
      throw err;
    }
  }

  async mergeBase(a: string, b: string): Promise<string | undefined> {
    try {
      return await this.#text(['merge-base', a, b]);
    } catch {
      return undefined;
    }
  }

  /** The tree of merging two commits (git's own merge), or undefined when they conflict. */
  async mergeTree(ours: string, theirs: string): Promise<string | undefined> {
    try {
      return (await this.#text(['merge-tree', '--write-tree', '--no-messages', ours, theirs])).split('\n')[0];
    } catch (err) {
      if (err instanceof GitError && err.code === 1) return undefined;
      throw err;
    }
  }

  /** Commits reachable from `head` and not from `base`, oldest first. */
  async commitsBetween(base: string, head: string): Promise<string[]> {
    return (await this.#text(['rev-list', '--reverse', `${base}..${head}`])).split('\n').filter(Boolean);
  }

  /** What changed from tree-ish `from` to `to`, with renames found as GitHub shows them. */
  async changedFiles(from: string, to: string): Promise<ChangedFile[]> {
    const raw = (await this.run(['diff-tree', '-r', '-M', '-z', '--raw', from, to])).toString('utf8').split('\0');
    const numstat = (await this.run(['diff-tree', '-r', '-M', '-z', '--numstat', from, to])).toString('utf8').split('\0');
    const files: ChangedFile[] = [];
    let r = 0;
    let n = 0;
    while (r < raw.length && raw[r]?.startsWith(':')) {
      const [, , oldSha = '', newSha = '', letter = ''] = (raw[r] ?? '').slice(1).split(' ');
      const twoPaths = letter.startsWith('R') || letter.startsWith('C');
      const first = raw[r + 1] ?? '';
      const second = twoPaths ? (raw[r + 2] ?? '') : undefined;
      r += twoPaths ? 3 : 2;
      const [added = '0', deleted = '0'] = (numstat[n] ?? '').split('\t');
      n += twoPaths ? 3 : 1;
      const status = STATUS[letter[0] ?? 'M'] ?? 'modified';
      files.push({
        status,
        filename: second ?? first,
        ...(second === undefined ? {} : { previousFilename: first }),
        sha: status === 'removed' ? oldSha : newSha,
        // binary files count as `-`; GitHub shows them as 0
        additions: Number.parseInt(added, 10) || 0,
        deletions: Number.parseInt(deleted, 10) || 0,
      });
    }
    return files;
  }
}

const STATUS: Record<string, ChangedFile['status']> = { A: 'added', D: 'removed', M: 'modified', R: 'renamed', C: 'copied', T: 'changed' };

function parseTree(out: Buffer): TreeEntry[] {
  return out.toString('utf8').split('\0').filter(Boolean).map((line) => {
    const tab = line.indexOf('\t');
    const [mode = '', type = '', sha = '', size = '-'] = line.slice(0, tab).split(/ +/);
    return { mode, type: type as ObjectType, sha, path: line.slice(tab + 1), ...(size === '-' ? {} : { size: Number(size) }) };
  });
}

/** `Name <email> 1700000000 +0100` → a signature with an ISO date in UTC. */
function parseSignature(line: string): Signature {
  const match = /^(.*) <(.*)> (\d+) ([+-]\d{4})$/.exec(line);
  if (!match) return { name: line, email: '', date: new Date(0).toISOString() };
  return { name: match[1] ?? '', email: match[2] ?? '', date: isoSeconds(new Date(Number(match[3]) * 1000)) };
}

/** Git's own date format (`@<epoch> +0000`), which it never misreads. */
function gitDate(iso: string): string {
  const ms = Date.parse(iso);
  return `@${Math.floor((Number.isNaN(ms) ? Date.now() : ms) / 1000)} +0000`;
}

/** GitHub writes timestamps to the second: `2024-05-01T12:00:00Z`. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function runGit(args: readonly string[], options: { input?: string | Buffer; env?: Record<string, string> } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      { encoding: 'buffer', maxBuffer: 512 * 1024 * 1024, env: { ...process.env, ...ISOLATED, ...options.env } },
      (error, stdout, stderr) => {
        if (!error) resolve(stdout);
        else if (typeof error.code === 'number') reject(new GitError(args, error.code, stderr.toString('utf8')));
        else reject(error);
      },
    );
    // a git command that does not read its input may exit first: its closed pipe is no error
    child.stdin?.on('error', () => {});
    if (options.input === undefined) child.stdin?.end();
    else child.stdin?.end(options.input);
  });
}
