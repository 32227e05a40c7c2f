import { describe, expect, it } from 'vitest';
import { SERVE_USAGE, WORKER_USAGE } from '../../cli/commands/usage.ts';
import { JOB_FLAGS } from '../../cli/commands/worker.ts';

describe('usage lines', () => {
  it('mlship serve names every job flag it takes', () => {
    for (const flag of Object.keys(JOB_FLAGS)) expect(SERVE_USAGE).toContain(`[--${flag} `);
  });
  it('mlship worker names the job flags a worker uses', () => {
    for (const flag of ['allow-callback-host', 'callback-secret-file', 'callback-ca', 'job-retention', 'job-heartbeat']) expect(WORKER_USAGE).toContain(`[--${flag} `);
  });
});
