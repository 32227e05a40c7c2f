/**
 * Runs a pushed serving image without a container runtime, as tests/actions/image/run.test.ts
 * does: pulled with skopeo and unpacked with umoci (`unpackWithUmoci`), then started as the
 * runtime config umoci wrote says (args, env, uid), chrooted into its rootfs, on a free
 * loopback port. Needs root (chroot).
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { unpackWithUmoci } from '../../fixtures/registry.ts';
import type { TestRegistry } from '../../fixtures/registry.ts';
import { freePort } from '../../fixtures/rgw.ts';
import { commandWorks } from '../../helpers/tools.ts';

export const canChroot = () => process.getuid?.() === 0 && commandWorks('sh', ['-c', 'command -v chroot']);

export interface RunningImage {
  url: string;
  /** Stops it (SIGTERM) and gives its exit code. */
  stop(): Promise<number | null>;
}

interface RuntimeConfig {
  process: { args: string[]; env: string[]; user: { uid: number; gid: number } };
}

/** Unpacks `ref` (repository@digest in `registry`) under `work` and starts it; resolves once it is ready. */
export async function runImage(registry: TestRegistry, ref: string, work: string): Promise<RunningImage> {
  await mkdir(work, { recursive: true });
  const rootfs = await unpackWithUmoci(registry, ref, work);
  const config = JSON.parse(await readFile(path.join(path.dirname(rootfs), 'config.json'), 'utf8')) as RuntimeConfig;
  const port = await freePort();
  const env = Object.fromEntries(config.process.env.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  // The image's own port (8080) may be taken on this machine: the variable it reads is overridden.
  Object.assign(env, { MLSHIP_PORT: String(port), MLSHIP_HOST: '127.0.0.1', MLSHIP_WORKERS: '1' });
  const { uid, gid } = config.process.user;
  const child = spawn('chroot', [`--userspec=${uid}:${gid}`, rootfs, ...config.process.args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
  child.stderr.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited;
  };
  let ready = 0;
  for (let i = 0; i < 300 && ready !== 200 && child.exitCode === null; i++) {
    ready = (await fetch(`${url}/v2/health/ready`).catch(() => undefined))?.status ?? 0;
    if (ready !== 200) await new Promise((r) => setTimeout(r, 100));
  }
  if (ready !== 200) {
    await stop();
    throw new Error(`the image ${ref} did not get ready: ${output}`);
  }
  return { url, stop };
}
