/**
 * A job's id and links: 128 random bits as 32 lowercase hex digits, and where the API shows the
 * job and its results. Apart from the job document's schema (document.ts), so that the job routes
 * name jobs without loading zod.
 */
import { randomBytes } from 'node:crypto';

export const JOB_ID = /^[0-9a-f]{32}$/;
export const newJobId = (): string => randomBytes(16).toString('hex');

export const jobLinks = (id: string) => ({ self: `/v1/jobs/${id}`, results: `/v1/jobs/${id}/results` });
