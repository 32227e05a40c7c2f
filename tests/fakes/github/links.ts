/** The URLs the fake's JSON carries: API URLs on the fake itself, and html URLs beside them. */
export class Links {
  /** e.g. `http://127.0.0.1:41234` */
  readonly origin: string;

  constructor(origin: string) {
    this.origin = origin;
  }

  api(path: string): string {
    return `${this.origin}${path}`;
  }

  /** where GitHub's web pages would be; the fake serves none, so they are under /_html */
  html(path: string): string {
    return `${this.origin}/_html${path}`;
  }

  repo(fullName: string, rest = ''): string {
    return this.api(`/repos/${fullName}${rest}`);
  }
}
