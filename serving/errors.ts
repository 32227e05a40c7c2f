import { MlshipError } from '../training/errors.ts';

/** The server cannot start (the port is taken, the address is wrong): one line, no stack trace. */
export class ServeError extends MlshipError {}

/**
 * A request the server refuses: an HTTP status (always 4xx, or 503 for "not available yet") and a
 * JSON body `{"error": "...", ...details}` that names the part that is wrong, e.g.
 * `{"error": "row 3, feature \"petal_width\": expected a finite number, got \"abc\"", "row": 3, "feature": "petal_width"}`.
 */
export class RequestError extends MlshipError {
  readonly status: 400 | 404 | 405 | 408 | 413 | 415 | 429 | 503;
  readonly details: Record<string, unknown>;
  readonly headers: Record<string, string>;
  constructor(status: RequestError['status'], message: string, details: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.details = details;
    this.headers = headers;
  }

  body(): Record<string, unknown> {
    return { error: this.message, ...this.details };
  }
}

export function badRequest(message: string, details?: Record<string, unknown>): RequestError {
  return new RequestError(400, message, details);
}

/** Where a value sits, for messages: `row 3, feature "x"`. Rows count from 0 (the index in the request). */
export function cellError(row: number, feature: string, message: string, extra: Record<string, unknown> = {}): RequestError {
  return new RequestError(400, `row ${row}, feature "${feature}": ${message}`, { row, feature, ...extra });
}

/** Shortens user text quoted back in a message. */
export function clip(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
