/**
 * HTTP to one registry over a `fetch` the caller passes in: authentication (the 401 challenge:
 * a bearer token from the realm it names, for the request's scope, or Basic), bounded retries
 * with backoff on 429 and 5xx that honour Retry-After, and redirects followed by hand so that
 * `Authorization` is dropped when the host changes (ECR redirects blob reads to S3, which
 * refuses a request that still carries the registry's credentials).
 */
import { basicHeader, parseChallenge } from './auth.ts';
import type { AuthProvider } from './auth.ts';
import { RegistryError } from './errors.ts';
import type { RegistryErrorDetails } from './errors.ts';
import { apiHost } from './reference.ts';

export type Fetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface RetryPolicy {
  /** Tries in all (the first and the retries). */
  attempts: number;
  baseDelayMs: number;
  /** Longest wait between tries, Retry-After included. */
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 250, maxDelayMs: 20_000, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

export interface TransportOptions {
  /** The registry as written in references (`docker.io`, `127.0.0.1:5000`). */
  registry: string;
  fetch: Fetch;
  auth: AuthProvider;
  /** `http` only for a local registry; the caller decides, nothing is guessed from the host. */
  scheme?: 'https' | 'http';
  retry?: Partial<RetryPolicy>;
  maxRedirects?: number;
}

export interface RegistryRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A path from the API root (`/v2/…`) or an absolute URL (an upload Location). */
  url: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** The token scope, `repository:<name>:pull` or `…:pull,push`. */
  scope: string;
  /** For error messages. */
  repository?: string;
  digest?: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export function isRetryable(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export class RegistryTransport {
  readonly registry: string;
  readonly baseUrl: string;
  private readonly options: TransportOptions;
  private readonly retry: RetryPolicy;
  private readonly tokens = new Map<string, string>();
  private basicRequested = false;

  constructor(options: TransportOptions) {
    this.options = options;
    this.registry = options.registry;
    this.baseUrl = `${options.scheme ?? 'https'}://${apiHost(options.registry)}`;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  /** Sends the request (authenticated, retried, redirects followed) and gives the final answer, whatever its status. */
  async request(req: RegistryRequest): Promise<Response> {
    const url = new URL(req.url, this.baseUrl).toString();
    let authorization = await this.authorizationFor(req.scope, false);
    let res = await this.sendWithRetries(req, url, authorization);
    if (res.status === 401) {
      const challenge = res.headers.get('www-authenticate');
      await res.body?.cancel();
      authorization = await this.answerChallenge(req, challenge);
      res = await this.sendWithRetries(req, url, authorization);
    }
    return res;
  }

  details(req: Pick<RegistryRequest, 'repository' | 'digest'>, status?: number, code?: string): RegistryErrorDetails {
    const d: RegistryErrorDetails = { registry: this.registry };
    if (req.repository) d.repository = req.repository;
    if (req.digest) d.digest = req.digest;
    if (status !== undefined) d.status = status;
    if (code) d.code = code;
    return d;
  }

  /** A RegistryError for an unexpected answer, with the API's error code and message when the body has them. */
  async failure(res: Response, what: string, req: Pick<RegistryRequest, 'repository' | 'digest'>): Promise<RegistryError> {
    const { code, message } = parseErrorBody(await res.text().catch(() => ''));
    return new RegistryError(message ? `${what}: ${message}` : what, this.details(req, res.status, code));
  }

  private async authorizationFor(scope: string, fresh: boolean): Promise<string | undefined> {
    const token = this.tokens.get(scope);
    if (token && !fresh) return `Bearer ${token}`;
    if (this.basicRequested) {
      const credentials = await this.options.auth(this.registry);
      return credentials ? basicHeader(credentials) : undefined;
    }
    return undefined;
  }

  private async answerChallenge(req: RegistryRequest, header: string | null): Promise<string | undefined> {
    const challenge = header ? parseChallenge(header) : undefined;
    if (challenge?.scheme === 'basic') {
      this.basicRequested = true;
      const credentials = await this.options.auth(this.registry);
      if (!credentials) throw new RegistryError('the registry wants a user and password, and none were given', this.details(req, 401));
      return basicHeader(credentials);
    }
    if (challenge?.scheme === 'bearer' && challenge.params.realm) {
      const token = await this.fetchToken(req, challenge.params.realm, challenge.params.service, req.scope);
      this.tokens.set(req.scope, token);
      return `Bearer ${token}`;
    }
    throw new RegistryError(`the registry refused access without a usable challenge (WWW-Authenticate: ${header ?? 'none'})`, this.details(req, 401));
  }

  /** The token endpoint of the challenge's realm, with Basic credentials when there are any (anonymous otherwise). */
  private async fetchToken(req: RegistryRequest, realm: string, service: string | undefined, scope: string): Promise<string> {
    const url = new URL(realm);
    if (service) url.searchParams.set('service', service);
    url.searchParams.set('scope', scope);
    const credentials = await this.options.auth(this.registry);
    const res = await this.sendWithRetries({ ...req, method: 'GET', body: undefined, headers: {} }, url.toString(), credentials ? basicHeader(credentials) : undefined);
    if (!res.ok) throw await this.failure(res, `the token service ${url.origin} refused a token for ${scope}`, req);
    const body = (await res.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(`the token service ${url.origin} answered without a token`, this.details(req, res.status));
    return token;
  }

  private async sendWithRetries(req: RegistryRequest, url: string, authorization: string | undefined): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await this.followRedirects(req, url, authorization);
      } catch (err) {
        if (err instanceof RegistryError || attempt >= this.retry.attempts) {
          if (err instanceof RegistryError) throw err;
          throw new RegistryError(`${req.method} ${new URL(url).pathname} failed after ${attempt} tries: ${(err as Error).message}`, this.details(req), { cause: err });
        }
        await this.retry.sleep(this.backoff(attempt, undefined));
        continue;
      }
      if (!isRetryable(res.status) || attempt >= this.retry.attempts) return res;
      const wait = this.backoff(attempt, retryAfterMs(res.headers.get('retry-after')));
      await res.body?.cancel();
      await this.retry.sleep(wait);
    }
  }

  private backoff(attempt: number, retryAfter: number | undefined): number {
    const exponential = this.retry.baseDelayMs * 2 ** (attempt - 1);
    return Math.min(this.retry.maxDelayMs, retryAfter ?? exponential);
  }

  private async followRedirects(req: RegistryRequest, start: string, authorization: string | undefined): Promise<Response> {
    let url = start;
    let method: string = req.method;
    let body: Uint8Array | undefined = req.body;
    const origin = new URL(start).origin;
    const maxRedirects = this.options.maxRedirects ?? 5;
    for (let hops = 0; ; hops++) {
      const headers: Record<string, string> = { ...req.headers };
      // Credentials go only to the host they are for.
      if (authorization && new URL(url).origin === origin) headers.authorization = authorization;
      const res = await this.options.fetch(url, { method, headers, body, redirect: 'manual' });
      const location = res.headers.get('location');
      if (!REDIRECTS.has(res.status) || !location) return res;
      if (hops >= maxRedirects) throw new RegistryError(`${req.method} ${new URL(start).pathname} was redirected more than ${maxRedirects} times`, this.details(req, res.status));
      await res.body?.cancel();
      url = new URL(location, url).toString();
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
    }
  }
}

/** The first error of a distribution API error body: `{"errors":[{"code","message"}]}`. */
export function parseErrorBody(text: string): { code?: string; message?: string } {
  try {
    const parsed = JSON.parse(text) as { errors?: { code?: unknown; message?: unknown }[] };
    const first = parsed.errors?.[0];
    const out: { code?: string; message?: string } = {};
    if (typeof first?.code === 'string') out.code = first.code;
    if (typeof first?.message === 'string') out.message = first.message;
    return out;
  } catch {
    const trimmed = text.trim().slice(0, 200);
    return trimmed ? { message: trimmed } : {};
  }
}
