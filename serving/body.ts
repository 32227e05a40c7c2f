/**
 * Reading a request body, within these limits:
 * - the body's own size (413, checked against Content-Length before reading, while streaming a
 *   chunked body, and after gzip decoding: a gzip bomb is a 413 too);
 * - the process's budget for bodies being read at once (503 with Retry-After);
 * - time: the whole body within `bodyTimeoutMs`, and, after the first `BODY_RATE_GRACE_MS`, at
 *   least `minBodyBytesPerSecond` on average (408). A slow upload thus cannot hold the server for
 *   long, and it never holds a prediction slot: the routes admit a request only once its body has
 *   arrived.
 * - `Content-Encoding`: gzip (or x-gzip) is decoded, identity is the body as is, anything else 415.
 *
 * Not hono/body-limit: it buffers a chunked body up to the limit before the handler runs, outside
 * any process-wide budget, and reads through the Fetch body, where node's request stream is
 * cheaper (see `readBody`).
 */
import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { ServingContext } from './context.ts';
import { header } from './context.ts';
import { badRequest, clip, RequestError } from './errors.ts';

/**
 * Request-body bytes this process holds while bodies are being read, across requests. A chunk
 * that would go over the budget fails its request with 503 and Retry-After: the server is busy
 * with large uploads, not broken, and memory stays bounded whatever clients do.
 */
export class BodyBudget {
  private used = 0;
  readonly max: number;
  /** How slowly a body may arrive (over HTTP; `app.request` bodies are already there). */
  readonly pace: BodyPace;
  constructor(max: number, pace: BodyPace = DEFAULT_PACE) {
    this.max = max;
    this.pace = pace;
  }
  /** Reserves `n` more bytes for a body, or throws the 503. */
  take(n: number): void {
    if (this.used + n > this.max) {
      throw new RequestError(
        503,
        `the server is busy reading other large requests (over ${this.max} bytes of bodies at once); retry shortly`,
        { limit: this.max },
        { 'Retry-After': '1', Connection: 'close' },
      );
    }
    this.used += n;
  }
  give(n: number): void {
    this.used -= n;
  }
}

/** How long a body may take to arrive. */
export interface BodyPace {
  /** The whole body within this many milliseconds of the handler asking for it. */
  timeoutMs: number;
  /** At least this many bytes a second on average, from BODY_RATE_GRACE_MS on (0: no minimum). */
  minBytesPerSecond: number;
}

/** A client gets this long before its average rate counts (a first packet may be slow to come). */
export const BODY_RATE_GRACE_MS = 5_000;
const DEFAULT_PACE: BodyPace = { timeoutMs: 60_000, minBytesPerSecond: 1_024 };

function tooSlow(message: string): RequestError {
  return new RequestError(408, message, {}, { Connection: 'close' });
}

function bodyTooLarge(bytes: number | undefined, limit: number): RequestError {
  return new RequestError(413, `request body too large: ${bytes === undefined ? 'more than' : `${bytes} bytes, over`} the limit of ${limit} bytes (send fewer rows per request)`, { limit }, { Connection: 'close' });
}

/**
 * The body as text, refusing more than `limit` bytes: before reading when the length is declared,
 * while reading when it is not (chunked), and after decoding gzip. Over HTTP it is read straight
 * from node's request stream (the cheapest way), within the budget's pace; through `app.request`
 * (tests) from the Fetch body.
 */
export function readBody(c: ServingContext, limit: number, budget: BodyBudget): Promise<string> {
  const gzipped = contentEncoding(header(c, 'content-encoding'));
  const declared = header(c, 'content-length');
  if (declared !== undefined) {
    const n = Number(declared);
    if (!(n <= limit)) return Promise.reject(bodyTooLarge(Number.isFinite(n) ? n : undefined, limit));
  }
  const incoming = c.env.incoming;
  const raw = incoming ? readIncoming(incoming, limit, budget) : readFetchBody(c.req.raw, limit, budget);
  if (!gzipped) return raw.then((bytes) => bytes.toString());
  return raw.then((bytes) => gunzipWithin(bytes, limit));
}

const SUPPORTED_ENCODINGS = 'gzip or identity';

/** Whether the body is gzip (true) or as is (false); a 415 for any other coding, or several. */
function contentEncoding(value: string | undefined): boolean {
  if (value === undefined) return false;
  const coding = value.trim().toLowerCase();
  if (coding === '' || coding === 'identity') return false;
  if (coding === 'gzip' || coding === 'x-gzip') return true;
  throw new RequestError(415, `unsupported Content-Encoding "${clip(value)}": send ${SUPPORTED_ENCODINGS}`, { contentEncoding: clip(value, 100) });
}

const gunzipAsync = promisify(gunzip);

/** The decoded text of a gzip body, refusing more than `limit` decoded bytes (zlib stops there: a bomb never grows past it). */
async function gunzipWithin(bytes: Buffer, limit: number): Promise<string> {
  if (bytes.length === 0) return '';
  try {
    return (await gunzipAsync(bytes, { maxOutputLength: limit })).toString();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw bodyTooLarge(undefined, limit);
    throw badRequest(`the gzip body cannot be decoded (${clip((err as Error).message, 100)})`, { field: 'body' });
  }
}

function readIncoming(incoming: IncomingMessage, limit: number, budget: BodyBudget): Promise<Buffer> {
  if (incoming.readableEnded) return Promise.resolve(Buffer.alloc(0)); // already read to the end: nothing left
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const { timeoutMs, minBytesPerSecond } = budget.pace;
    const started = performance.now();
    // One timer per body still arriving: first at the grace period's end (or the timeout), then each second.
    let timer: NodeJS.Timeout | undefined = setTimeout(checkPace, Math.min(timeoutMs, BODY_RATE_GRACE_MS));
    function checkPace() {
      const elapsed = performance.now() - started;
      let refusal: RequestError | undefined;
      if (elapsed >= timeoutMs) {
        refusal = tooSlow(`the request body did not arrive within ${timeoutMs} ms (${total} bytes came)`);
      } else if (elapsed >= BODY_RATE_GRACE_MS && total < (minBytesPerSecond * elapsed) / 1000) {
        refusal = tooSlow(`the request body is arriving too slowly (${total} bytes in ${Math.round(elapsed)} ms; at least ${minBytesPerSecond} bytes a second)`);
      }
      if (refusal) {
        cleanup();
        reject(refusal);
        return;
      }
      timer = setTimeout(checkPace, Math.min(1_000, timeoutMs - elapsed));
    }
    const cleanup = () => {
      clearTimeout(timer);
      timer = undefined;
      budget.give(total);
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      try {
        if (total + chunk.length > limit) throw bodyTooLarge(undefined, limit);
        budget.take(chunk.length);
      } catch (err) {
        cleanup();
        reject(err);
        return;
      }
      total += chunk.length;
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(badRequest(`the request body could not be read (${clip(err.message, 100)})`));
    };
    const onClose = () => {
      if (incoming.readableEnded) return;
      cleanup();
      reject(badRequest('the client closed the connection before the whole body arrived'));
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('close', onClose);
  });
}

async function readFetchBody(request: Request, limit: number, budget: BodyBudget): Promise<Buffer> {
  let total = 0;
  try {
    const body = request.body;
    if (!body) return Buffer.alloc(0);
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (total + value.byteLength > limit) {
        await reader.cancel().catch(() => undefined);
        throw bodyTooLarge(undefined, limit);
      }
      budget.take(value.byteLength);
      total += value.byteLength;
      chunks.push(value);
    }
    return Buffer.concat(chunks);
  } catch (err) {
    if (err instanceof RequestError) throw err;
    throw badRequest(`the request body could not be read (${clip(String((err as Error)?.message ?? err), 100)})`);
  } finally {
    budget.give(total);
  }
}

/** A JSON body, or a 400 that says what is wrong with it. */
export function parseJson(text: string): unknown {
  if (text.length === 0) throw badRequest('the request body is empty: send a JSON document');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`malformed JSON: ${clip((err as Error).message, 200)}`);
  }
}
