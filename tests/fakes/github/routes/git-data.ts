/**
 * The git data API: refs, blobs, trees and commits, straight onto the bare repository. A ref
 * update without `force` must be a fast-forward, and is a compare-and-swap against the tip it
 * checked, so a writer that lost a race gets GitHub's 422 instead of overwriting.
 */
import { gitCommitJson } from '../commit-json.ts';
import { notFound, unprocessable } from '../errors.ts';
import { type GitRepo, isoSeconds, type TreeChange } from '../git-repo.ts';
import { type Route, type RouteContext, stringParam } from '../route.ts';
import { gitIdentity, nodeId } from '../user-json.ts';

interface TreeItem {
  path?: string;
  mode?: string;
  type?: 'blob' | 'tree' | 'commit';
  sha?: string | null;
  content?: string;
}

interface Person {
  name?: string;
  email?: string;
  date?: string;
}

const MODE_TYPE: Record<string, string> = { '100644': 'blob', '100755': 'blob', '120000': 'blob', '040000': 'tree', '160000': 'commit' };

export const gitDataRoutes: Route[] = [
  {
    operationId: 'git/get-ref',
    permission: ['contents'],
    async handle(ctx) {
      const ref = `refs/${stringParam(ctx, 'ref')}`;
      const sha = await ctx.repository.git.refTarget(ref);
      if (!sha) throw notFound();
      return { status: 200, body: await refJson(ctx, ref, sha) };
    },
  },
  {
    operationId: 'git/create-ref',
    permission: ['contents'],
    async handle(ctx) {
      const { ref, sha } = ctx.body as { ref: string; sha: string };
      const { git } = ctx.repository;
      if (!/^refs\/[^/]+\/.+/.test(ref) || !(await validRefName(git, ref))) throw unprocessable(`${ref} is not a valid ref name.`);
      if (!(await git.objectType(sha))) throw unprocessable('Object does not exist');
      if (!(await git.compareAndSwapRef(ref, sha, undefined))) throw unprocessable('Reference already exists');
      return { status: 201, body: await refJson(ctx, ref, sha), headers: { location: ctx.links.repo(ctx.repository.fullName, `/git/${ref}`) } };
    },
  },
  {
    operationId: 'git/update-ref',
    permission: ['contents'],
    async handle(ctx) {
      const { sha, force } = ctx.body as { sha: string; force?: boolean };
      const { git } = ctx.repository;
      const ref = `refs/${stringParam(ctx, 'ref')}`;
      const current = await git.refTarget(ref);
      if (!current) throw unprocessable('Reference does not exist');
      if ((await git.objectType(sha)) !== 'commit') throw unprocessable('Object does not exist');
      if (!force && !(await git.isAncestor(current, sha))) throw unprocessable('Update is not a fast forward');
      // the ref moved after the check above: for this writer that is the same lost race
      if (!(await git.compareAndSwapRef(ref, sha, current))) throw unprocessable('Update is not a fast forward');
      return { status: 200, body: await refJson(ctx, ref, sha) };
    },
  },
  {
    operationId: 'git/create-blob',
    permission: ['contents'],
    async handle(ctx) {
      const { content, encoding = 'utf-8' } = ctx.body as { content: string; encoding?: string };
      if (encoding !== 'utf-8' && encoding !== 'base64') throw unprocessable(`encoding must be "utf-8" or "base64", not "${encoding}"`);
      const sha = await ctx.repository.git.writeBlob(Buffer.from(content, encoding === 'base64' ? 'base64' : 'utf8'));
      const url = ctx.links.repo(ctx.repository.fullName, `/git/blobs/${sha}`);
      return { status: 201, body: { sha, url }, headers: { location: url } };
    },
  },
  {
    operationId: 'git/create-tree',
    permission: ['contents'],
    async handle(ctx) {
      const { tree, base_tree: baseTree } = ctx.body as { tree: TreeItem[]; base_tree?: string };
      const { git, fullName } = ctx.repository;
      const base = baseTree === undefined ? undefined : await git.resolve(baseTree, 'tree');
      if (baseTree !== undefined && !base) throw unprocessable('Invalid tree info', [{ resource: 'Tree', field: 'base_tree', code: 'invalid' }]);
      const changes: TreeChange[] = [];
      for (const item of tree) changes.push(await treeChange(git, item));
      const sha = await git.writeTree(base, changes);
      const entries = await git.listTree(sha);
      const url = ctx.links.repo(fullName, `/git/trees/${sha}`);
      return {
        status: 201,
        headers: { location: url },
        body: {
          sha,
          url,
          truncated: false,
          tree: entries.map((e) => ({
            path: e.path, mode: e.mode, type: e.type, sha: e.sha, ...(e.size === undefined ? {} : { size: e.size }),
            url: ctx.links.repo(fullName, `/git/${e.type === 'tree' ? 'trees' : 'blobs'}/${e.sha}`),
          })),
        },
      };
    },
  },
  {
    operationId: 'git/create-commit',
    permission: ['contents'],
    async handle(ctx) {
      const body = ctx.body as { message: string; tree: string; parents?: string[]; author?: Person; committer?: Person };
      const { git, fullName } = ctx.repository;
      if ((await git.objectType(body.tree)) !== 'tree') throw unprocessable('Tree SHA does not exist');
      for (const parent of body.parents ?? []) {
        if ((await git.objectType(parent)) !== 'commit') throw unprocessable('Parent SHA does not exist or is not a commit object');
      }
      const now = isoSeconds(new Date());
      const identity = gitIdentity(ctx.actor);
      const author = { ...identity, date: now, ...body.author };
      const committer = body.committer ? { ...identity, date: now, ...body.committer } : author;
      const sha = await git.commitTree({ tree: body.tree, parents: body.parents ?? [], message: body.message, author, committer });
      const url = ctx.links.repo(fullName, `/git/commits/${sha}`);
      return { status: 201, headers: { location: url }, body: gitCommitJson(await git.readCommit(sha), fullName, ctx.links) };
    },
  },
  {
    operationId: 'git/get-commit',
    permission: ['contents'],
    async handle(ctx) {
      const sha = stringParam(ctx, 'commit_sha');
      const { git, fullName } = ctx.repository;
      if ((await git.objectType(sha)) !== 'commit') throw notFound();
      return { status: 200, body: gitCommitJson(await git.readCommit(sha), fullName, ctx.links) };
    },
  },
];

/** One entry of a create-tree request as a change of the index: by sha, by content, or deleted. */
async function treeChange(git: GitRepo, item: TreeItem): Promise<TreeChange> {
  const invalid = (why: string) => unprocessable(`Invalid tree info: ${why}`, [{ resource: 'Tree', field: 'tree', code: 'invalid', message: why }]);
  if (!item.path || !item.mode || !item.type) throw invalid('each entry needs path, mode and type');
  if (MODE_TYPE[item.mode] !== item.type) throw invalid(`mode ${item.mode} is not a ${item.type}`);
  if (item.content !== undefined && item.sha !== undefined) throw invalid(`${item.path}: use either sha or content, not both`);
  if (item.sha === null) return { path: item.path, mode: item.mode, sha: null };
  if (item.content !== undefined) {
    if (item.type !== 'blob') throw invalid(`${item.path}: content makes a blob, not a ${item.type}`);
    return { path: item.path, mode: item.mode, sha: await git.writeBlob(item.content) };
  }
  if (item.sha === undefined) throw invalid(`${item.path}: needs sha or content`);
  // a submodule's commit lives in another repository; blobs and trees must be here
  if (item.type !== 'commit' && (await git.objectType(item.sha)) !== item.type) throw invalid(`tree.sha ${item.sha} is not a valid ${item.type}`);
  return { path: item.path, mode: item.mode, sha: item.sha };
}

async function refJson(ctx: RouteContext, ref: string, sha: string): Promise<Record<string, unknown>> {
  const type = (await ctx.repository.git.objectType(sha)) ?? 'commit';
  const plural = type === 'commit' ? 'commits' : `${type}s`;
  return {
    ref,
    node_id: nodeId('Ref', `${ctx.repository.fullName}:${ref}`),
    url: ctx.links.repo(ctx.repository.fullName, `/git/${ref}`),
    object: { type, sha, url: ctx.links.repo(ctx.repository.fullName, `/git/${plural}/${sha}`) },
  };
}

async function validRefName(git: GitRepo, ref: string): Promise<boolean> {
  try {
    await git.run(['check-ref-format', ref]);
    return true;
  } catch {
    return false;
  }
}
