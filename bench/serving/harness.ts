/**
 * Helpers for the serving benchmark: CPU pinning, free ports, servers as child processes (stopped
 * by their own pid), and wrk runs with a Lua script for POST bodies, parsed.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';

export const WRK = '/usr/bin/wrk';
export const TASKSET = '/usr/bin/taskset';
export const GUNICORN = '/usr/bin/gunicorn';
export const CURL = '/usr/bin/curl';

export function has(file: string): boolean {
  return existsSync(file);
}

/** Server on CPU 0, load generator on CPU 1, when there are two CPUs and taskset. */
export interface Pinning {
  server: string[];
  client: string[];
  note: string;
}

export function pinning(): Pinning {
  if (availableParallelism() >= 2 && has(TASKSET)) {
    return { server: [TASKSET, '-c', '0'], client: [TASKSET, '-c', '1'], note: 'server processes pinned to CPU 0 (taskset -c 0), load generator to CPU 1 (taskset -c 1)' };
  }
  return { server: [], client: [], note: 'not pinned (needs 2 CPUs and taskset): server and load generator share the CPUs' };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Child {
  process: ChildProcess;
  /** Stops the process by its pid (SIGTERM, then SIGKILL after 15 s) and waits for it. */
  stop(): Promise<number | null>;
}

/** Spawns `[...prefix, command, ...args]`, stdout and stderr to `logFile`. */
export function startProcess(prefix: string[], command: string, args: string[], options: { env?: NodeJS.ProcessEnv; logFile: string; cwd?: string }): Child {
  const argv = [...prefix, command, ...args];
  const out = openSync(options.logFile, 'a');
  const child = spawn(argv[0]!, argv.slice(1), { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', out, out] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Polls `check` until it is true (or throws after `timeoutMs`). */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface WrkResult {
  requestsPerSecond: number;
  requests: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  socketErrors: number;
  connections: number;
  seconds: number;
}

/**
 * Slices of one route's load, as one result: requests over the slices' requested durations (wrk's
 * own run times differ from them by under 0.2%, alike for every route); for latency, the worst
 * slice's percentiles (wrk reports no histogram to merge).
 */
export function combineSlices(slices: readonly WrkResult[]): WrkResult {
  if (slices.length === 0) throw new Error('combineSlices: no slices');
  const sum = (pick: (r: WrkResult) => number) => slices.reduce((a, r) => a + pick(r), 0);
  const worst = (pick: (r: WrkResult) => number) => Math.max(...slices.map(pick));
  const requests = sum((r) => r.requests);
  const seconds = sum((r) => r.seconds);
  return {
    requestsPerSecond: requests / seconds,
    requests,
    p50Ms: worst((r) => r.p50Ms),
    p90Ms: worst((r) => r.p90Ms),
    p99Ms: worst((r) => r.p99Ms),
    maxMs: worst((r) => r.maxMs),
    non2xx: sum((r) => r.non2xx),
    socketErrors: sum((r) => r.socketErrors),
    connections: slices[0]!.connections,
    seconds,
  };
}

/** A wrk Lua script that POSTs `body` with `contentType`. */
export function wrkPostScript(file: string, body: string, contentType: string): string {
  const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
  writeFileSync(file, `wrk.method = "POST"\nwrk.body = ${quote(body)}\nwrk.headers["Content-Type"] = ${quote(contentType)}\n`);
  return file;
}

function toMs(value: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(value.trim());
  if (!m) throw new Error(`unexpected wrk duration "${value}"`);
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
}

function wrkArgv(prefix: string[], url: string, script: string, connections: number, seconds: number): string[] {
  return [...prefix, WRK, '-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '--timeout', '5s', '-s', script, url];
}

/** Runs wrk (one thread) against `url` and parses its report. */
export function runWrk(prefix: string[], url: string, script: string, connections: number, seconds: number): WrkResult {
  const argv = wrkArgv(prefix, url, script, connections, seconds);
  return parseWrk(execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8' }), connections, seconds);
}

/** `runWrk` without blocking this process (for load beside other requests). */
export async function runWrkAsync(prefix: string[], url: string, script: string, connections: number, seconds: number): Promise<WrkResult> {
  const argv = wrkArgv(prefix, url, script, connections, seconds);
  const { stdout } = await promisify(execFile)(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  return parseWrk(stdout, connections, seconds);
}

function parseWrk(out: string, connections: number, seconds: number): WrkResult {
  const percentile = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(out);
    if (!m) throw new Error(`wrk printed no ${p}% latency:\n${out}`);
    return toMs(m[1]!);
  };
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const total = /(\d+) requests in/.exec(out);
  const max = /Latency\s+\S+\s+\S+\s+(\S+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  if (!rps || !total) throw new Error(`cannot parse wrk output:\n${out}`);
  return {
    requestsPerSecond: Number(rps[1]),
    requests: Number(total[1]),
    p50Ms: percentile('50'),
    p90Ms: percentile('90'),
    p99Ms: percentile('99'),
    maxMs: max ? toMs(max[1]!) : NaN,
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    connections,
    seconds,
  };
}

/** Resident memory (VmRSS, MB) of a process, from /proc. */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for process ${pid}`);
  return Number(m[1]) / 1024;
}

/** The pids of a process's children (its cluster workers), from /proc. */
export function childPids(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text ? text.split(/\s+/).map(Number) : [];
}

/**
 * The HTTP cluster workers among a server's children: not its job worker or embedded jobs
 * database (`<entry> worker …`, `<entry> jobs-db …`), which the same entry file runs.
 */
export function clusterWorkerPids(pid: number): number[] {
  return childPids(pid).filter((child) => {
    try {
      const argv = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0');
      return !argv.includes('worker') && !argv.includes('jobs-db');
    } catch {
      return false; // gone since
    }
  });
}
