/** Commits as GitHub renders them: `git-commit` (git data API) and `commit` (commits API). */
import type { ChangedFile, CommitObject, GitRepo } from './git-repo.ts';
import type { Links } from './links.ts';
import { nodeId } from './user-json.ts';

const UNSIGNED = { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null };

export function gitCommitJson(commit: CommitObject, fullName: string, links: Links): Record<string, unknown> {
  return {
    sha: commit.sha,
    node_id: nodeId('Commit', commit.sha),
    url: links.repo(fullName, `/git/commits/${commit.sha}`),
    html_url: links.html(`/${fullName}/commit/${commit.sha}`),
    author: commit.author,
    committer: commit.committer,
    message: commit.message,
    tree: { sha: commit.tree, url: links.repo(fullName, `/git/trees/${commit.tree}`) },
    parents: commit.parents.map((sha) => ({ sha, url: links.repo(fullName, `/git/commits/${sha}`), html_url: links.html(`/${fullName}/commit/${sha}`) })),
    verification: UNSIGNED,
  };
}

/** The commits API's view; `files` (with `stats`) only where GitHub includes them (a single commit). */
export function commitJson(commit: CommitObject, fullName: string, links: Links, files?: readonly ChangedFile[]): Record<string, unknown> {
  const url = links.repo(fullName, `/commits/${commit.sha}`);
  const rendered = files?.map((f) => diffEntryJson(f, fullName, commit.sha, links));
  return {
    sha: commit.sha,
    node_id: nodeId('Commit', commit.sha),
    url,
    html_url: links.html(`/${fullName}/commit/${commit.sha}`),
    comments_url: `${url}/comments`,
    commit: {
      url: links.repo(fullName, `/git/commits/${commit.sha}`),
      author: commit.author,
      committer: commit.committer,
      message: commit.message,
      comment_count: 0,
      tree: { sha: commit.tree, url: links.repo(fullName, `/git/trees/${commit.tree}`) },
      verification: UNSIGNED,
    },
    // commits are not linked to GitHub accounts in the fake: GitHub answers null for unknown emails
    author: null,
    committer: null,
    parents: commit.parents.map((sha) => ({ sha, url: links.repo(fullName, `/commits/${sha}`), html_url: links.html(`/${fullName}/commit/${sha}`) })),
    ...(files && rendered
      ? {
          stats: { additions: sum(files, 'additions'), deletions: sum(files, 'deletions'), total: sum(files, 'additions') + sum(files, 'deletions') },
          files: rendered,
        }
      : {}),
  };
}

export function diffEntryJson(file: ChangedFile, fullName: string, atCommit: string, links: Links): Record<string, unknown> {
  const encoded = file.filename.split('/').map(encodeURIComponent).join('/');
  return {
    sha: file.sha,
    filename: file.filename,
    status: file.status,
    additions: file.additions,
    deletions: file.deletions,
    changes: file.additions + file.deletions,
    blob_url: links.html(`/${fullName}/blob/${atCommit}/${encoded}`),
    raw_url: links.html(`/${fullName}/raw/${atCommit}/${encoded}`),
    contents_url: links.repo(fullName, `/contents/${encoded}?ref=${atCommit}`),
    ...(file.previousFilename === undefined ? {} : { previous_filename: file.previousFilename }),
  };
}

/** The files a commit changed against its first parent (all of them, for a root commit). */
export async function filesOfCommit(git: GitRepo, commit: CommitObject): Promise<ChangedFile[]> {
  const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
  return git.changedFiles(commit.parents[0] ?? EMPTY_TREE, commit.sha);
}

function sum(files: readonly ChangedFile[], key: 'additions' | 'deletions'): number {
  return files.reduce((total, f) => total + f[key], 0);
}
