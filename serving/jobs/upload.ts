/**
 * The job upload: the request body as a stream, counted against the upload limit (413, checked
 * against Content-Length first, then while reading), never held whole.
 */
import { Readable, Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { ServingContext } from '../context.ts';
import { header } from '../context.ts';
import { RequestError } from '../errors.ts';

export const uploadTooLarge = (limit: number) =>
  new RequestError(413, `the job upload is over the limit of ${limit} bytes (split the file into several jobs)`, { limit }, { Connection: 'close' });

/** The client closed the connection mid-upload: its fault, a 400 (no stack logged, not a 500). */
export const uploadCut = () => new RequestError(400, 'the upload ended before its end (the client closed the connection)', {}, { Connection: 'close' });

export interface CountedUpload {
  stream: Readable;
  bytes(): number;
}

export function uploadStream(c: ServingContext, limit: number): CountedUpload {
  // The upload is stored as it comes and read as CSV later: a compressed one would be a bad file.
  const coding = header(c, 'content-encoding')?.trim().toLowerCase();
  if (coding && coding !== 'identity') throw new RequestError(415, `a job upload is not decoded: send the CSV uncompressed, not Content-Encoding "${coding.slice(0, 40)}"`);
  const declared = header(c, 'content-length');
  if (declared !== undefined && !(Number(declared) <= limit)) throw uploadTooLarge(limit);
  const incoming = c.env.incoming;
  const source: Readable = incoming ?? (c.req.raw.body ? Readable.fromWeb(c.req.raw.body as WebReadableStream<Uint8Array>) : Readable.from([]));
  let total = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      total += chunk.length;
      if (total > limit) done(uploadTooLarge(limit));
      else done(null, chunk);
    },
  });
  source.on('error', (err) => counter.destroy(err instanceof RequestError ? err : uploadCut()));
  source.on('close', () => {
    if (!source.readableEnded && !counter.destroyed) counter.destroy(uploadCut());
  });
  // The store may still be opening its file when the limit trips: the error waits in the stream for it.
  counter.on('error', () => {});
  source.pipe(counter);
  return { stream: counter, bytes: () => total };
}
