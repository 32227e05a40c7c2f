/** One commit (`/commits/{ref}`) and the comparison of two (`/compare/{base}...{head}`), from git. */
import { commitJson, diffEntryJson, filesOfCommit } from '../commit-json.ts';
import { notFound, unprocessable } from '../errors.ts';
import { paginate } from '../pagination.ts';
import { type Route, type RouteContext, stringParam } from '../route.ts';
import { resolveCommitish } from './refs.ts';

/** GitHub lists at most this many commits and files in a comparison. */
const COMPARE_COMMITS = 250;
const COMPARE_FILES = 300;

export const commitRoutes: Route[] = [
  {
    operationId: 'repos/get-commit',
    permission: ['contents'],
    async handle(ctx) {
      const ref = stringParam(ctx, 'ref');
      const { git, fullName } = ctx.repository;
      const sha = await resolveCommitish(git, ref);
      if (!sha) throw unprocessable(`No commit found for SHA: ${ref}`);
      const commit = await git.readCommit(sha);
      // the files of one commit are paginated (300 per page at most on GitHub)
      const files = paginate(await filesOfCommit(git, commit), ctx.params, ctx.requestUrl, 300);
      return { status: 200, body: commitJson(commit, fullName, ctx.links, files.items), ...(files.link ? { headers: { link: files.link } } : {}) };
    },
  },
  {
    operationId: 'repos/compare-commits-with-basehead',
    permission: ['contents'],
    async handle(ctx) {
      const basehead = stringParam(ctx, 'basehead');
      const [baseName, headName] = basehead.includes('...') ? basehead.split('...') : basehead.split('..');
      if (baseName === undefined || headName === undefined) throw notFound();
      const { git, fullName } = ctx.repository;
      const base = await resolveCommitish(git, sameRepositoryRef(ctx, baseName));
      const head = await resolveCommitish(git, sameRepositoryRef(ctx, headName));
      if (!base || !head) throw notFound();
      const mergeBase = await git.mergeBase(base, head);
      if (!mergeBase) throw notFound(`No common ancestor between ${baseName} and ${headName}.`);
      const ahead = await git.commitsBetween(base, head);
      const behind = await git.commitsBetween(head, base);
      const status = ahead.length === 0 ? (behind.length === 0 ? 'identical' : 'behind') : behind.length === 0 ? 'ahead' : 'diverged';
      // page/per_page paginate the commits; without them GitHub lists the first 250
      const paged = ctx.requestUrl.searchParams.has('page') || ctx.requestUrl.searchParams.has('per_page');
      const page = paged ? paginate(ahead, ctx.params, ctx.requestUrl) : { items: ahead.slice(0, COMPARE_COMMITS), link: undefined };
      const render = async (sha: string) => commitJson(await git.readCommit(sha), fullName, ctx.links);
      const files = (await git.changedFiles(mergeBase, head)).slice(0, COMPARE_FILES);
      const url = ctx.links.repo(fullName, `/compare/${basehead}`);
      return {
        status: 200,
        ...(page.link ? { headers: { link: page.link } } : {}),
        body: {
          url,
          html_url: ctx.links.html(`/${fullName}/compare/${basehead}`),
          permalink_url: ctx.links.html(`/${fullName}/compare/${ctx.repository.owner.login}:${base.slice(0, 7)}...${ctx.repository.owner.login}:${head.slice(0, 7)}`),
          diff_url: ctx.links.html(`/${fullName}/compare/${basehead}.diff`),
          patch_url: ctx.links.html(`/${fullName}/compare/${basehead}.patch`),
          base_commit: await render(base),
          merge_base_commit: await render(mergeBase),
          status,
          ahead_by: ahead.length,
          behind_by: behind.length,
          total_commits: ahead.length,
          commits: await Promise.all(page.items.map(render)),
          files: files.map((f) => diffEntryJson(f, fullName, head, ctx.links)),
        },
      };
    },
  },
];

/** `owner:branch` names a branch of a repository in the network; the fake knows only this one. */
function sameRepositoryRef(ctx: RouteContext, name: string): string {
  const colon = name.indexOf(':');
  if (colon < 0) return name;
  if (name.slice(0, colon).toLowerCase() !== ctx.repository.owner.login.toLowerCase()) throw notFound();
  return name.slice(colon + 1);
}
