/**
 * One report comment per pull request, edited on every push: found again by a hidden marker AND
 * the bot's own login (anyone can quote the marker), looking through every page of comments.
 */
import type { GitHubClient, RepoRef } from '../github/client.ts';

export interface StickyCommentOptions {
  repo: RepoRef;
  issueNumber: number;
  body: string;
  marker: string;
  /** The login the token comments as (`github-actions[bot]` for a workflow's GITHUB_TOKEN). */
  author: string;
}

export interface StickyCommentResult {
  id: number;
  action: 'created' | 'updated' | 'unchanged';
  url: string;
}

export async function upsertStickyComment(client: GitHubClient, options: StickyCommentOptions): Promise<StickyCommentResult> {
  const { repo, issueNumber, body, marker, author } = options;
  const comments = await client.paginate(client.rest.issues.listComments, { ...repo, issue_number: issueNumber, per_page: 100 });
  const mine = comments.find((c) => c.user?.login === author && (c.body ?? '').includes(marker));
  if (mine) {
    if (mine.body === body) return { id: mine.id, action: 'unchanged', url: mine.html_url };
    const { data } = await client.rest.issues.updateComment({ ...repo, comment_id: mine.id, body });
    return { id: data.id, action: 'updated', url: data.html_url };
  }
  const { data } = await client.rest.issues.createComment({ ...repo, issue_number: issueNumber, body });
  return { id: data.id, action: 'created', url: data.html_url };
}
