/**
 * Reading a request body, within two limits: the body's own size (413, checked against
 * Content-Length before reading and while streaming a chunked body) and the process's budget for
 * bodies being read at once (503 with Retry-After).
 *
 * Not hono/body-limit: it buffers a chunked body up to the limit before the handler runs, outside
 * any process-wide budget, and reads through the Fetch body, where node's request stream is
 * cheaper (see `readBody`).
 */
import type { IncomingMessage } from 'node:http';
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
  constructor(max: number) {
    this.max = max;
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

function bodyTooLarge(bytes: number | undefined, limit: number): RequestError {
  return new RequestError(413, `request body too large: ${bytes === undefined ? 'more than' : `${bytes} bytes, over`} the limit of ${limit} bytes (send fewer rows per request)`, { limit }, { Connection: 'close' });
}

/**
 * The body as text, refusing more than `limit` bytes: before reading when the length is declared,
 * while reading when it is not (chunked). Over HTTP it is read straight from node's request stream
 * (the cheapest way); through `app.request` (tests) from the Fetch body.
 */
export function readBody(c: ServingContext, limit: number, budget: BodyBudget): Promise<string> {
  const declared = header(c, 'content-length');
  if (declared !== undefined) {
    const n = Number(declared);
    if (!(n <= limit)) return Promise.reject(bodyTooLarge(Number.isFinite(n) ? n : undefined, limit));
  }
  const incoming = c.env.incoming;
  return incoming ? readIncoming(incoming, limit, budget) : readFetchBody(c.req.raw, limit, budget);
}

function readIncoming(incoming: IncomingMessage, limit: number, budget: BodyBudget): Promise<string> {
  if (incoming.readableEnded) return Promise.resolve(''); // already read to the end: nothing left
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const cleanup = () => {
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
      resolve(chunks.length === 1 ? chunks[0]!.toString() : Buffer.concat(chunks).toString());
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

const decoder = new TextDecoder();

async function readFetchBody(request: Request, limit: number, budget: BodyBudget): Promise<string> {
  let total = 0;
  try {
    const body = request.body;
    if (!body) return '';
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
    return decoder.decode(Buffer.concat(chunks));
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
