/** Content negotiation for prediction bodies: JSON or CSV from the Content-Type, else a 415. */
import type { ServingContext } from './context.ts';
import { header } from './context.ts';
import { clip, RequestError } from './errors.ts';

const UTF8_CHARSET = /^charset="?(utf-8|utf8|us-ascii)"?$/;

/** JSON or CSV from the Content-Type (a missing one is taken as JSON); anything else is a 415. */
export function bodyKind(c: ServingContext, csvAllowed: boolean): 'json' | 'csv' {
  const value = header(c, 'content-type');
  if (value === 'application/json') return 'json'; // the common case, without parsing
  if (value === undefined || value.trim() === '') return 'json';
  const [type = '', ...params] = value.split(';');
  const media = type.trim().toLowerCase();
  const charset = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('charset='));
  const supported = csvAllowed ? 'application/json or text/csv' : 'application/json';
  if (charset !== undefined && !UTF8_CHARSET.test(charset)) {
    throw new RequestError(415, `unsupported ${clip(charset)}: send UTF-8`, { contentType: clip(value, 100) });
  }
  if (media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'))) return 'json';
  if (csvAllowed && (media === 'text/csv' || media === 'application/csv')) return 'csv';
  const hint = media === 'application/x-www-form-urlencoded' ? " (curl -d sends this: add -H 'Content-Type: application/json')" : '';
  throw new RequestError(415, `unsupported content type "${clip(media)}": send ${supported}${hint}`, { contentType: clip(value, 100) });
}
