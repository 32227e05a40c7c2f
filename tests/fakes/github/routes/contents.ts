/**
 * The contents API: read a file or folder at a ref, and create or replace one file as a real
 * commit on a branch, with GitHub's optimistic lock (the replaced blob's `sha`).
 */
import { gitCommitJson } from '../commit-json.ts';
import { conflict, notFound, unprocessable } from '../errors.ts';
import { isoSeconds, type TreeEntry } from '../git-repo.ts';
import { type Route, type RouteContext, stringParam } from '../route.ts';
import { gitIdentity } from '../user-json.ts';
import { resolveCommitish } from './refs.ts';

interface PutContentsBody {
  message: string;
  content: string;
  sha?: string;
  branch?: string;
  committer?: { name: string; email: string; date?: string };
  author?: { name: string; email: string; date?: string };
}

const KIND: Record<string, string> = { blob: 'file', tree: 'dir', commit: 'submodule' };

export const contentsRoutes: Route[] = [
  {
    operationId: 'repos/get-content',
    permission: ['contents'],
    async handle(ctx) {
      const { git, defaultBranch } = ctx.repository;
      const ref = typeof ctx.params.ref === 'string' ? ctx.params.ref : defaultBranch;
      const commit = await resolveCommitish(git, ref);
      if (!commit) throw notFound(`No commit found for the ref ${ref}`);
      const filePath = stringParam(ctx, 'path').replace(/^\/+|\/+$/g, '');
      const entry = await git.entryAt(commit, filePath);
      if (!entry) throw notFound();
      if (entry.type === 'tree') {
        const entries = await git.listTree(entry.sha);
        return { status: 200, body: entries.map((e) => entryJson(ctx, { ...e, path: filePath ? `${filePath}/${e.path}` : e.path }, ref)) };
      }
      const content = await git.readBlob(entry.sha);
      // Octokit's mediaType: { format: 'raw' } asks for the bytes themselves
      if (/\.raw\b/.test(String(ctx.headers.accept ?? ''))) return { status: 200, body: content, headers: { 'content-type': 'application/vnd.github.raw' } };
      return {
        status: 200,
        body: { ...entryJson(ctx, entry, ref), type: 'file', encoding: 'base64', content: wrapBase64(content.toString('base64')) },
      };
    },
  },
  {
    operationId: 'repos/create-or-update-file-contents',
    permission: ['contents'],
    async handle(ctx) {
      const body = ctx.body as PutContentsBody;
      const { git, defaultBranch, fullName } = ctx.repository;
      const branch = body.branch ?? defaultBranch;
      const filePath = stringParam(ctx, 'path').replace(/^\/+|\/+$/g, '');
      const tip = await tipOrEmpty(ctx, branch);
      const existing = tip ? await git.entryAt(tip, filePath) : undefined;
      if (existing && existing.type !== 'blob') throw unprocessable(`${filePath} is a directory`);
      if (existing && body.sha === undefined) throw unprocessable('Invalid request.\n\n"sha" wasn\'t supplied.');
      if (body.sha !== undefined && body.sha !== existing?.sha) throw conflict(`${filePath} does not match ${body.sha}`);
      if (!/^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/.test(body.content)) throw unprocessable('content is not valid Base64');
      const blob = await git.writeBlob(Buffer.from(body.content, 'base64'));
      const baseTree = tip ? (await git.readCommit(tip)).tree : undefined;
      const tree = await git.writeTree(baseTree, [{ path: filePath, mode: existing?.mode ?? '100644', sha: blob }]);
      const now = isoSeconds(new Date());
      const committer = { ...gitIdentity(ctx.actor), date: now, ...body.committer };
      const author = body.author ? { date: now, ...body.author } : committer;
      const sha = await git.commitTree({ tree, parents: tip ? [tip] : [], message: body.message, author, committer });
      // another writer moved the branch since we read it: GitHub answers 409 as well
      if (!(await git.compareAndSwapRef(`refs/heads/${branch}`, sha, tip))) throw conflict(`${branch} moved while the file was being committed`);
      const entry = await git.entryAt(sha, filePath);
      if (!entry) throw new Error(`the commit ${sha} lacks ${filePath}`);
      return {
        status: existing ? 200 : 201,
        body: { content: { ...entryJson(ctx, entry, branch), type: 'file' }, commit: gitCommitJson(await git.readCommit(sha), fullName, ctx.links) },
      };
    },
  },
];

/** The branch's tip; undefined for the first commit of an empty repository, on its default branch. */
async function tipOrEmpty(ctx: RouteContext, branch: string): Promise<string | undefined> {
  const { git, defaultBranch } = ctx.repository;
  const tip = await git.refTarget(`refs/heads/${branch}`);
  if (tip) return tip;
  if (branch === defaultBranch && (await git.refs('refs/heads/')).length === 0) return undefined;
  throw notFound(`Branch ${branch} not found`);
}

function entryJson(ctx: RouteContext, entry: TreeEntry, ref: string): Record<string, unknown> {
  const { links } = ctx;
  const { fullName } = ctx.repository;
  const encoded = entry.path.split('/').map(encodeURIComponent).join('/');
  const url = links.repo(fullName, `/contents/${encoded}?ref=${encodeURIComponent(ref)}`);
  const gitUrl = links.repo(fullName, `/git/${entry.type === 'tree' ? 'trees' : 'blobs'}/${entry.sha}`);
  const htmlUrl = links.html(`/${fullName}/${entry.type === 'tree' ? 'tree' : 'blob'}/${ref}/${encoded}`);
  return {
    type: entry.mode === '120000' ? 'symlink' : (KIND[entry.type] ?? 'file'),
    size: entry.size ?? 0,
    name: entry.path.slice(entry.path.lastIndexOf('/') + 1),
    path: entry.path,
    sha: entry.sha,
    url,
    git_url: gitUrl,
    html_url: htmlUrl,
    download_url: entry.type === 'blob' ? links.html(`/${fullName}/raw/${ref}/${encoded}`) : null,
    _links: { self: url, git: gitUrl, html: htmlUrl },
  };
}

/** GitHub wraps base64 content at 60 characters. */
function wrapBase64(text: string): string {
  return `${text.replace(/.{60}/g, '$&\n')}\n`.replace(/\n\n$/, '\n');
}

