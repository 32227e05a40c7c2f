/**
 * Issue (and pull request) comments: list (paginated, oldest first), create as the token's
 * actor, update, delete. A body over GitHub's 65,536 characters is refused as GitHub refuses it.
 */
import { authorize, type PermissionName } from '../auth.ts';
import { notFound, unprocessable } from '../errors.ts';
import { isoSeconds } from '../git-repo.ts';
import { numberParam, pageResult, recordOf, type Route, type RouteContext } from '../route.ts';
import type { CommentRecord } from '../state.ts';
import { nodeId, userJson } from '../user-json.ts';

const MAX_BODY = 65536;
/** pull request comments take either permission; an issue's take `issues` */
const EITHER: readonly PermissionName[] = ['issues', 'pull_requests'];

export const commentRoutes: Route[] = [
  {
    operationId: 'issues/list-comments',
    permission: EITHER,
    handle(ctx) {
      const number = issueNumber(ctx, 'read');
      const since = typeof ctx.params.since === 'string' ? Date.parse(ctx.params.since) : undefined;
      const comments = ctx.state.comments.filter(
        (c) => c.repository === ctx.repository.fullName && c.issueNumber === number && (since === undefined || Date.parse(c.updatedAt) >= since),
      );
      return pageResult(ctx, comments, (c) => commentJson(ctx, c));
    },
  },
  {
    operationId: 'issues/create-comment',
    permission: EITHER,
    handle(ctx) {
      const number = issueNumber(ctx, 'write');
      const body = checkedBody(ctx);
      const now = isoSeconds(new Date());
      const comment: CommentRecord = {
        id: ctx.nextId(), repository: ctx.repository.fullName, issueNumber: number, body, user: ctx.actor, createdAt: now, updatedAt: now,
      };
      ctx.state.comments.push(comment);
      const json = commentJson(ctx, comment);
      return { status: 201, body: json, headers: { location: String(json.url) } };
    },
  },
  {
    operationId: 'issues/get-comment',
    permission: EITHER,
    handle: (ctx) => ({ status: 200, body: commentJson(ctx, commentOf(ctx, 'read')) }),
  },
  {
    operationId: 'issues/update-comment',
    permission: EITHER,
    handle(ctx) {
      const comment = commentOf(ctx, 'write');
      comment.body = checkedBody(ctx);
      comment.updatedAt = isoSeconds(new Date());
      return { status: 200, body: commentJson(ctx, comment) };
    },
  },
  {
    operationId: 'issues/delete-comment',
    permission: EITHER,
    handle(ctx) {
      const comment = commentOf(ctx, 'write');
      ctx.state.comments.splice(ctx.state.comments.indexOf(comment), 1);
      return { status: 204 };
    },
  },
];

/** The `issue_number` of the path, which must be a pull request or an issue of the repository. */
function issueNumber(ctx: RouteContext, access: 'read' | 'write'): number {
  return checkIssue(ctx, numberParam(ctx, 'issue_number'), access);
}

function checkIssue(ctx: RouteContext, number: number, access: 'read' | 'write'): number {
  const repository = ctx.repository.fullName;
  const isPull = ctx.state.pulls.some((p) => p.repository === repository && p.number === number);
  if (!isPull && !ctx.state.issues.some((i) => i.repository === repository && i.number === number)) throw notFound();
  if (!isPull) authorize(ctx.grant, ['issues'], access, repository);
  return number;
}

function commentOf(ctx: RouteContext, access: 'read' | 'write'): CommentRecord {
  const comment = recordOf(ctx, ctx.state.comments, 'comment_id');
  checkIssue(ctx, comment.issueNumber, access);
  return comment;
}

function checkedBody(ctx: RouteContext): string {
  const { body } = ctx.body as { body: string };
  const refuse = (message: string) => unprocessable('Validation Failed', [{ resource: 'IssueComment', code: 'unprocessable', field: 'data', message }]);
  if (body.trim() === '') throw refuse('Body cannot be blank');
  if (body.length > MAX_BODY) throw refuse(`Body is too long (maximum is ${MAX_BODY} characters)`);
  return body;
}

function commentJson(ctx: RouteContext, comment: CommentRecord): Record<string, unknown> {
  const { links } = ctx;
  const isPull = ctx.state.pulls.some((p) => p.repository === comment.repository && p.number === comment.issueNumber);
  return {
    id: comment.id,
    node_id: nodeId('IssueComment', comment.id),
    url: links.repo(comment.repository, `/issues/comments/${comment.id}`),
    html_url: links.html(`/${comment.repository}/${isPull ? 'pull' : 'issues'}/${comment.issueNumber}#issuecomment-${comment.id}`),
    body: comment.body,
    user: userJson(comment.user, links),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    issue_url: links.repo(comment.repository, `/issues/${comment.issueNumber}`),
    author_association: comment.user.type === 'Bot' ? 'NONE' : 'CONTRIBUTOR',
    performed_via_github_app: null,
    reactions: {
      url: links.repo(comment.repository, `/issues/comments/${comment.id}/reactions`),
      total_count: 0, '+1': 0, '-1': 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0,
    },
  };
}
