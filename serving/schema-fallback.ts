/**
 * A request body the fast checks (plain-bodies.ts) refused, through its zod schema: the parsed
 * envelope, or the 400 the schema words (`schemaError`). schemas.ts is imported on the first such
 * body, not at start, so a worker that only sees well-formed requests never evaluates zod (about
 * 5 MB of RSS a worker, `bench/run.ts --only rss`); that first body waits for the import once.
 */
import type { ZodType } from 'zod';
import type * as Schemas from './schemas.ts';
import type { V1Envelope, V2Envelope } from './schemas.ts';

async function viaSchema<T>(pick: (s: typeof Schemas) => ZodType<T>, body: unknown): Promise<T> {
  const schemas = await import('./schemas.ts');
  const parsed = pick(schemas).safeParse(body);
  if (!parsed.success) throw schemas.schemaError(parsed.error);
  return parsed.data;
}

export const v1ViaSchema = (body: unknown): Promise<V1Envelope> => viaSchema((s) => s.v1EnvelopeSchema, body);
export const v2ViaSchema = (body: unknown): Promise<V2Envelope> => viaSchema((s) => s.v2EnvelopeSchema, body);
