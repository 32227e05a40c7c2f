/** Errors the fake answers with, in GitHub's shape: `{ message, errors?, documentation_url, status }`. */

export interface GitHubErrorDetail {
  resource?: string;
  field?: string;
  code: string;
  message?: string;
  value?: unknown;
}

export class GitHubError extends Error {
  readonly status: number;
  readonly errors: GitHubErrorDetail[] | undefined;
  /** when undefined, the operation's own documentation page is named */
  readonly documentationUrl: string | undefined;

  constructor(status: number, message: string, options: { errors?: GitHubErrorDetail[]; documentationUrl?: string } = {}) {
    super(message);
    this.status = status;
    this.errors = options.errors;
    this.documentationUrl = options.documentationUrl;
  }

  body(fallbackDocumentationUrl: string): Record<string, unknown> {
    return {
      message: this.message,
      ...(this.errors ? { errors: this.errors } : {}),
      documentation_url: this.documentationUrl ?? fallbackDocumentationUrl,
      status: String(this.status),
    };
  }
}

export const notFound = (message = 'Not Found') => new GitHubError(404, message);

/** GitHub's 422 for a request that parsed but cannot be done. */
export const unprocessable = (message: string, errors?: GitHubErrorDetail[]) => new GitHubError(422, message, errors ? { errors } : {});

export const conflict = (message: string) => new GitHubError(409, message);
