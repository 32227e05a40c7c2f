/**
 * JSON logs: one line per record, to stdout by default.
 *
 * Request lines are the hot path (one per request), so they are built as text rather than through
 * an object and JSON.stringify, and buffered: written every 50 ms, at 64 KiB, with the next
 * lifecycle record or error (those are written at once), on `flush()` and at process exit. Each write is at most 4 KiB of whole lines, so
 * lines from several worker processes sharing a pipe never interleave mid-line.
 */

export interface Logger {
  log(record: Record<string, unknown>): void;
  /** A record given as JSON members without braces (`"msg":"request","status":200`), already escaped. */
  logFields(fields: string): void;
  /** Writes what is buffered now. */
  flush(): void;
}

const CHUNK = 4096;
const FLUSH_MS = 50;
const FLUSH_BYTES = 64 * 1024;

let lastMs = 0;
let lastIso = '';
/** The current time as ISO 8601 (computed once per millisecond). */
function isoNow(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastIso = new Date(now).toISOString();
  }
  return lastIso;
}

const flushAtExit = new Set<() => void>();
process.once('exit', () => {
  for (const flush of flushAtExit) flush();
});

export function createLogger(write: (text: string) => void = (text) => process.stdout.write(text), fields: Record<string, unknown> = {}): Logger {
  const extra = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `,${JSON.stringify(k)}:${JSON.stringify(v)}`)
    .join('');
  let buffer = '';
  let timer: NodeJS.Timeout | undefined;

  const flush = () => {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    let text = buffer;
    buffer = '';
    while (text.length > CHUNK) {
      let cut = text.lastIndexOf('\n', CHUNK - 1) + 1;
      if (cut === 0) cut = text.indexOf('\n') + 1 || text.length;
      write(text.slice(0, cut));
      text = text.slice(cut);
    }
    if (text.length > 0) write(text);
  };
  flushAtExit.add(flush);

  const add = (line: string) => {
    buffer += line;
    if (buffer.length >= FLUSH_BYTES) flush();
    else if (!timer) {
      timer = setTimeout(flush, FLUSH_MS);
      timer.unref();
    }
  };

  return {
    log(record) {
      // Lifecycle events and errors are rare and matter: written at once (after any buffered lines).
      const body = JSON.stringify(record);
      buffer += `{"time":"${isoNow()}"${extra}${body.length > 2 ? `,${body.slice(1)}` : '}'}\n`;
      flush();
    },
    logFields(members) {
      add(`{"time":"${isoNow()}"${extra},${members}}\n`);
    },
    flush,
  };
}
