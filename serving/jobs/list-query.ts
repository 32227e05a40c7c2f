/**
 * `GET /v1/jobs`'s query (model, status, limit, cursor) and its cursor, checked by zod. The list
 * route imports this on its first use, as it does the job service, so a worker that is never asked
 * for jobs does not load zod.
 */
import { z } from 'zod';
import { badRequest } from '../errors.ts';
import { jobStatusSchema } from './document.ts';
import { JOB_ID } from './job-id.ts';
import type { ListedRow } from './table.ts';

const listQuerySchema = z.object({
  model: z.string().max(200).optional(),
  status: jobStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});
type ListQueryParams = z.infer<typeof listQuerySchema>;
const cursorSchema = z.object({ createdAt: z.iso.datetime(), id: z.string().regex(JOB_ID) });

/** The query, or a 400 naming the parameter. */
export function parseListQuery(query: Record<string, string>): ListQueryParams {
  const parsed = listQuerySchema.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw badRequest(`query "${issue.path.join('.')}": ${issue.message}`, { field: issue.path.join('.') });
  }
  return parsed.data;
}

// created_at to the microsecond: jobs created within one millisecond would be skipped otherwise
export const encodeCursor = (row: ListedRow) => Buffer.from(JSON.stringify({ createdAt: row.cursor_at, id: row.id })).toString('base64url');
export function decodeCursor(raw: string): { createdAt: string; id: string } {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
  } catch {
    throw badRequest('query "cursor" is not a cursor this server gave', { field: 'cursor' });
  }
}
