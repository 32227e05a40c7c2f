/**
 * A batch job as the API shows it (`GET /v1/jobs/{id}`, the callback body), inferred from one zod
 * schema, and the states it moves through: queued → running → succeeded | failed | cancelled.
 * Its id and links: job-id.ts.
 */
import { z } from 'zod';
import { JOB_ID } from './job-id.ts';

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export const jobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof jobStatusSchema>;
export const FINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'cancelled']);

/** Where a bad row is: data row from 0 (not counting the header), CSV line from 1, the feature. */
export const rowErrorSchema = z.object({
  error: z.string(),
  row: z.number().int().optional(),
  line: z.number().int().optional(),
  column: z.string().optional(),
});
export type RowError = z.infer<typeof rowErrorSchema>;

export const onErrorSchema = z.enum(['fail', 'skip']);
export type OnError = z.infer<typeof onErrorSchema>;

/** At most this many skipped rows are listed in the job (the count is exact). */
export const MAX_LISTED_SKIPS = 1000;

export const jobDocumentSchema = z.object({
  id: z.string().regex(JOB_ID),
  status: jobStatusSchema,
  model: z.string(),
  version: z.string(),
  probabilities: z.boolean(),
  onError: onErrorSchema,
  rows: z.object({ done: z.number().int(), skipped: z.number().int() }),
  /** Input bytes read so far over the input's size, 0…1. */
  progress: z.number(),
  inputBytes: z.number().int(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  attempts: z.number().int(),
  error: rowErrorSchema.nullable(),
  skipped: z.array(rowErrorSchema),
  links: z.object({ self: z.string(), results: z.string() }),
});
export type JobDocument = z.infer<typeof jobDocumentSchema>;

/** `POST …/jobs` answers 202 with this (and `Location: links.self`). */
export const jobSubmittedSchema = z.object({ id: z.string().regex(JOB_ID), status: z.literal('queued'), links: jobDocumentSchema.shape.links });

/** `GET /v1/jobs`: a page of the caller's jobs, newest first; `next` is the next page's cursor. */
export const jobListSchema = z.object({ jobs: z.array(jobDocumentSchema), next: z.string().nullable() });
