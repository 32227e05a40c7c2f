/** Looking at the processes a test started, by pid or by a path on their command line. */
import { execFileSync } from 'node:child_process';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Processes whose command line names `mark` (a test's own folder: no other process does). */
export function processesNaming(mark: string): { pid: number; args: string }[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /^(\d+)\s+(.*)$/.exec(l.trim()))
    .map((m) => ({ pid: Number(m?.[1]), args: m?.[2] ?? '' }))
    .filter((p) => p.args.includes(mark) && !p.args.startsWith('ps '));
}
