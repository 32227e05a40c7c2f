// The embedded database (PGlite behind pglite-socket), as npm start uses it: jobs run on it, and
// they survive a restart of the database (its data is in a folder).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmbeddedDatabase } from '../../../serving/jobs/embedded.ts';
import { listenNotifyWorks } from '../../../serving/jobs/listen-probe.ts';
import { tempDir } from '../../helpers/temp.ts';
import { jobsHarness, submitCsv } from './helpers.ts';

const CSV = 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n';

describe('jobs on the embedded database (PGlite)', () => {
  it('runs a job, cancels another, and keeps both across a restart of the database', async () => {
    const dataDir = path.join(tempDir('mlship-pglite-'), 'jobs-db');
    let db = await startEmbeddedDatabase(dataDir);
    let h = await jobsHarness(db.url);
    let done: string;
    let cancelled: string;
    try {
      await h.startWorker();
      const res = await h.app.request('/v1/models/iris/jobs', submitCsv(CSV));
      expect(res.status).toBe(202);
      done = ((await res.json()) as { id: string }).id;
      expect((await h.waitJob(done)).status).toBe('succeeded');
      expect(await (await h.app.request(`/v1/jobs/${done}/results`)).text()).toBe('prediction\nsetosa\nvirginica\n');
      await h.service.boss.offWork('mlship-jobs');
      cancelled = ((await (await h.app.request('/v1/models/iris/jobs', submitCsv(CSV))).json()) as { id: string }).id;
      expect((await h.app.request(`/v1/jobs/${cancelled}`, { method: 'DELETE' })).status).toBe(200);
    } finally {
      await h.close();
      await db.close();
    }
    db = await startEmbeddedDatabase(dataDir);
    h = await jobsHarness(db.url);
    try {
      const list = (await (await h.app.request('/v1/jobs')).json()) as { jobs: { id: string; status: string }[] };
      expect(list.jobs.map((j) => [j.id, j.status])).toEqual([[cancelled, 'cancelled'], [done, 'succeeded']]);
    } finally {
      await h.close();
      await db.close();
    }
  });

  // pglite-socket takes LISTEN but delivers no notification: with LISTEN on, pg-boss would poll
  // every 30 s and each job would wait that long to start
  it('turns LISTEN off, as no notification arrives through pglite-socket', async () => {
    const db = await startEmbeddedDatabase(path.join(tempDir('mlship-pglite-'), 'jobs-db'));
    const h = await jobsHarness(db.url);
    try {
      expect(await listenNotifyWorks(db.url)).toBe(false);
      expect(h.service.listening).toBe(false);
    } finally {
      await h.close();
      await db.close();
    }
  });
});
