/** What one process needs for jobs: the database pool, the queue, the job objects, the keys. */
import pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { openStore } from '../../registry/store/index.ts';
import type { JobsConfig } from './config.ts';
import type { JobObjects } from './objects.ts';
import { jobObjectsFor } from './objects.ts';
import { installTable, openBoss } from './queue.ts';

export interface JobsService {
  config: JobsConfig;
  pool: pg.Pool;
  boss: PgBoss;
  /** Whether pg-boss listens for new jobs (LISTEN/NOTIFY) or only polls. */
  listening: boolean;
  objects: JobObjects;
  close(): Promise<void>;
}

export async function openJobs(config: JobsConfig, options: { supervise: boolean; poolSize?: number; objects?: JobObjects }): Promise<JobsService> {
  if (!config.databaseUrl) throw new Error('openJobs needs a database URL');
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: options.poolSize ?? 4, application_name: 'mlship' });
  pool.on('error', () => {}); // an idle client's lost connection: the next query reports it
  try {
    await installTable(pool);
    const { boss, listening } = await openBoss(config.databaseUrl, { supervise: options.supervise, lease: config.lease });
    const objects = options.objects ?? jobObjectsFor(openStore(config.storeUri, config.storeOptions));
    return {
      config,
      pool,
      boss,
      listening,
      objects,
      async close() {
        await boss.stop({ graceful: false }).catch(() => {});
        await pool.end().catch(() => {});
      },
    };
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
}

