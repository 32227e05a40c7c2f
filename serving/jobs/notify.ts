/**
 * Tells the callback URL that a job ended: `POST` of the job document, signed (signature.ts),
 * with retries and exponential backoff. Each attempt checks the URL again (callback-url.ts) and
 * connects to the address it checked, with TLS verified against the URL's host name. Redirects
 * are not followed (a redirect could lead inside).
 */
import { request } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { LookupFunction } from 'node:net';
import type { Resolve } from './callback-url.ts';
import { checkCallbackUrl } from './callback-url.ts';
import { SIGNATURE_HEADER, signature } from './signature.ts';

export interface NotifyOptions {
  secret: string;
  allowHosts: readonly string[];
  /** Attempts in all; default 5. */
  attempts?: number;
  /** First backoff; doubled each time; default 1 s. */
  backoffMs?: number;
  /** Per attempt; default 10 s. */
  timeoutMs?: number;
  /** Extra trusted CA certificates (PEM) for receivers, besides the system's. */
  ca?: string;
  resolve?: Resolve;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface NotifyResult {
  delivered: boolean;
  attempts: number;
  /** The last failure, when not delivered. */
  error?: string;
}

/** The CAs a receiver's certificate may chain to: --callback-ca adds to the system's (`ca` alone would replace them). */
export const trustedCas = (extra: string | undefined): string[] | undefined => (extra ? [...rootCertificates, extra] : undefined);

function post(target: Awaited<ReturnType<typeof checkCallbackUrl>>, body: string, header: string, options: NotifyOptions): Promise<number> {
  const pinned: LookupFunction = (_host, _opts, callback) => {
    const all = (_opts as { all?: boolean }).all;
    if (all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  return new Promise((resolve, reject) => {
    const req = request(
      target.url,
      {
        method: 'POST',
        lookup: pinned,
        ca: trustedCas(options.ca),
        timeout: options.timeoutMs ?? 10_000,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), [SIGNATURE_HEADER]: header, 'user-agent': 'mlship-callback' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

export async function notify(callbackUrl: string, document: unknown, options: NotifyOptions): Promise<NotifyResult> {
  const attempts = options.attempts ?? 5;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const body = JSON.stringify(document);
  let error = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const target = await checkCallbackUrl(callbackUrl, options.allowHosts, options.resolve);
      const status = await post(target, body, signature(options.secret, body, Math.floor(now() / 1000)), options);
      if (status >= 200 && status < 300) return { delivered: true, attempts: attempt };
      error = `the receiver answered ${status}`;
      if (status >= 400 && status < 500 && status !== 408 && status !== 429) return { delivered: false, attempts: attempt, error };
    } catch (err) {
      error = (err as Error).message;
    }
    if (attempt < attempts) await sleep((options.backoffMs ?? 1000) * 2 ** (attempt - 1));
  }
  return { delivered: false, attempts, error };
}
