/**
 * Expiry: a job's input, results and record are deleted once its retention has passed. On S3 the
 * bucket's lifecycle rule on `jobs/` (infra) removes the objects too, as a backstop; the file
 * store has only this. The file store's job folders left empty (an upload cut off by a crash
 * before it could clean up) go once they are an hour old.
 */
import type { JobsService } from './service.ts';
import { deleteJob, expiredJobs } from './table.ts';

const STALE_FOLDER_MS = 3600_000;

export async function removeExpired(service: Pick<JobsService, 'pool' | 'objects'>, now: Date): Promise<number> {
  let removed = 0;
  for (;;) {
    const ids = await expiredJobs(service.pool, now);
    if (ids.length === 0) {
      await service.objects.removeEmptyFolders(new Date(now.getTime() - STALE_FOLDER_MS));
      return removed;
    }
    for (const id of ids) {
      await service.objects.deleteJob(id);
      await deleteJob(service.pool, id);
      removed++;
    }
  }
}
