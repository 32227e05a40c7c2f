/**
 * Attack: the worst request found by the volumetric fuzz cases (issue 16 item 1), sent two at a
 * time in a loop against one serving process whose heap is capped at 256 MB (what a 512 MiB
 * task leaves), while a probe (wrk, single-row v1 predict) measures what other clients see.
 * Prints the process's RSS before and after, the attack requests' latency, and the probe's p99
 * with and without the attack, in this run.
 *
 * `node bench/run.ts --only attack`.
 */
import path from 'node:path';
import { median } from '../stats.ts';
import type { WrkResult } from './harness.ts';
import { pinning, rssMb, runWrk, runWrkAsync, wrkPostScript } from './harness.ts';
import { runAlone, withIrisServer } from './serve-process.ts';

const BODY = JSON.stringify({ instances: [[5.1, 3.5, 1.4, 0.2]] });
const PROBE_CONNECTIONS = 4;
const SECONDS = 10;

/** The worst found: 330,000 empty v2 input objects (990 KB) took 5.6 s and 1 GB before the fix. */
export const WORST = { what: 'v2 infer with 330,000 empty input objects', path: '/v2/models/iris/infer', body: `{"inputs":[${Array(330_000).fill('{}').join(',')}]}` };

export interface AttackResult {
  request: string;
  bytes: number;
  rssMb: { before: number; after: number };
  attack: { requests: number; statuses: Record<string, number>; medianMs: number; maxMs: number };
  probe: { quiet: WrkResult; underAttack: WrkResult };
}

export async function benchAttack(log: (line: string) => void): Promise<AttackResult> {
  log('## Serving under attack');
  const pin = pinning();
  return withIrisServer('attack', { workers: 1, prefix: pin.server, nodeArgs: ['--max-old-space-size=256'] }, async (serve, dir) => {
    const pid = serve.child.process.pid!;
    const script = wrkPostScript(path.join(dir, 'probe.lua'), BODY, 'application/json');
    const probeUrl = `${serve.url}/v1/models/iris:predict`;
    runWrk(pin.client, probeUrl, script, PROBE_CONNECTIONS, 2);
    const quiet = runWrk(pin.client, probeUrl, script, PROBE_CONNECTIONS, SECONDS);
    const before = rssMb(pid);
    const statuses: Record<string, number> = {};
    const times: number[] = [];
    let stop = false;
    const attacker = async () => {
      while (!stop) {
        const t = performance.now();
        const res = await fetch(serve.url + WORST.path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: WORST.body });
        await res.arrayBuffer();
        times.push(performance.now() - t);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      }
    };
    const probe = runWrkAsync(pin.client, probeUrl, script, PROBE_CONNECTIONS, SECONDS);
    const attackers = [attacker(), attacker()];
    const underAttack = await probe;
    stop = true;
    await Promise.all(attackers);
    const after = rssMb(pid);
    if (serve.child.process.exitCode !== null) throw new Error('the server died under the attack');
    const attack = { requests: times.length, statuses, medianMs: median(times), maxMs: Math.max(...times) };
    log(`worst request: ${WORST.what} (${(WORST.body.length / 1e3).toFixed(0)} KB), 2 at a time for ${SECONDS} s, one process, heap capped at 256 MB`);
    log(`attack: ${attack.requests} requests, statuses ${JSON.stringify(statuses)}, latency median ${attack.medianMs.toFixed(1)} ms, max ${attack.maxMs.toFixed(1)} ms; RSS ${before.toFixed(1)} MB before, ${after.toFixed(1)} MB after`);
    log(`probe (single-row v1, wrk -c${PROBE_CONNECTIONS}): quiet p99 ${quiet.p99Ms.toFixed(2)} ms (${Math.round(quiet.requestsPerSecond)} req/s); under attack p99 ${underAttack.p99Ms.toFixed(2)} ms (${Math.round(underAttack.requestsPerSecond)} req/s)`);
    return { request: WORST.what, bytes: WORST.body.length, rssMb: { before, after }, attack, probe: { quiet, underAttack } };
  });
}

if (import.meta.main) await runAlone(benchAttack);
