/**
 * The serving image runs: built on a Node 24 base (the repository's own node and its libraries),
 * pulled back with skopeo, unpacked layer by layer with umoci (whiteouts honoured), and started
 * as its config says (Cmd, Env, User) with the image's own node, chrooted into the unpacked root
 * as uid 1000. It must answer ready, predict iris, list the pinned versions, and stop on SIGTERM.
 * (No container runtime here: chroot gives the image's filesystem and user, not its isolation.)
 */
import { spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { prebuiltBundle } from '../../../actions/lib/image/prebuilt-bundle.ts';
import { bundleServing } from '../../../actions/lib/serving-bundle.ts';
import type { ServingBundle } from '../../../actions/lib/serving-bundle.ts';
import { sha256 } from '../../../training/artifact.ts';
import type { BuildResult } from '../../../actions/lib/image/build.ts';
import { manifestSchema, parseJson } from '../../../actions/lib/oci/manifest.ts';
import { pushNodeBase } from '../../fixtures/node-base.ts';
import { REGISTRY_PASSWORD, REGISTRY_USER, requireRegistryTools, run, useRegistry } from '../../fixtures/registry.ts';
import { freePort } from '../../fixtures/rgw.ts';
import { requireTool, commandWorks } from '../../helpers/tools.ts';
import { tempDir } from '../../helpers/temp.ts';
import { postJson } from '../../serving/helpers.ts';
import { clientFor } from '../oci/helpers.ts';
import { buildToRegistry, storeFixture } from './helpers.ts';
import type { StoreFixture } from './helpers.ts';

const canChroot = () => process.getuid?.() === 0 && commandWorks('sh', ['-c', 'command -v chroot && command -v ldd']);

describe('serving image: run it', () => {
  if (!requireRegistryTools() || !requireTool(canChroot(), 'root, chroot and ldd (to run the image without a container runtime)', 'run the tests as root')) return;
  const reg = useRegistry();
  const dir = tempDir('mlship-image-run-');
  let fx: StoreFixture;
  let result: BuildResult;
  let bundle: ServingBundle;

  beforeAll(async () => {
    fx = await storeFixture(path.join(dir, 'fx'));
    await pushNodeBase(reg.get(), 'base/node', '24');
    bundle = await bundleServing({ outfile: path.join(dir, 'bundle/serve.mjs') });
    result = await buildToRegistry({ client: clientFor(reg.get()), baseRef: `${reg.get().host}/base/node:24`, repository: 'serving/app', bundle: await prebuiltBundle(bundle.outfile), lock: fx.first, store: fx.store });
  }, 240_000);

  it('answers predictions from the pinned models, as uid 1000, from the unpacked image alone', async () => {
    const creds = `${REGISTRY_USER}:${REGISTRY_PASSWORD}`;
    const layout = path.join(dir, 'pulled');
    await run('skopeo', ['copy', '--quiet', '--src-tls-verify=false', '--src-creds', creds, `docker://${reg.get().host}/serving/app@${result.digest}`, `oci:${layout}:run`]);
    await run('umoci', ['unpack', '--image', `${layout}:run`, path.join(dir, 'bundle-root')]);
    const root = path.join(dir, 'bundle-root', 'rootfs');

    const client = clientFor(reg.get());
    const manifest = parseJson(manifestSchema, (await client.getManifest('serving/app', result.digest)).bytes, 'manifest');
    const { config } = JSON.parse((await client.getBlob('serving/app', manifest.config.digest)).toString()) as { config: { Cmd: string[]; Env: string[]; User: string; WorkingDir: string } };
    expect((await stat(path.join(root, config.WorkingDir))).isDirectory()).toBe(true);
    expect((await stat(path.join(root, 'usr/local/bin/node'))).isFile()).toBe(true);
    // The app layer holds the entry and every chunk, byte for byte; the chunk folder nothing else.
    expect(bundle.files.length).toBeGreaterThan(1);
    expect((await readdir(path.join(root, 'app/serve-chunks'))).map((f) => `serve-chunks/${f}`).sort()).toEqual(bundle.files.map((f) => f.path).filter((p) => p !== bundle.entry));
    for (const f of bundle.files) expect(sha256(await readFile(path.join(root, 'app', f.path))), f.path).toBe(sha256(f.bytes));

    const port = await freePort();
    const env = Object.fromEntries(config.Env.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    // The image's own port (8080) may be taken on this machine: the variable it reads is overridden.
    Object.assign(env, { MLSHIP_PORT: String(port), MLSHIP_HOST: '127.0.0.1', MLSHIP_WORKERS: '1' });
    const child = spawn('chroot', [`--userspec=${config.User}`, root, ...config.Cmd], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = `http://127.0.0.1:${port}`;
    try {
      let ready = 0;
      for (let i = 0; i < 300 && ready !== 200 && child.exitCode === null; i++) {
        ready = (await fetch(`${url}/v2/health/ready`).catch(() => undefined))?.status ?? 0;
        if (ready !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(ready, `not ready; stderr: ${stderr}\nstdout: ${stdout.slice(-2000)}`).toBe(200);
      const res = await fetch(`${url}/v1/models/iris:predict`, postJson({ instances: [{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }, [6.7, 3.0, 5.2, 2.3]] }));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ predictions: ['setosa', 'virginica'] });
      const listed = (await (await fetch(`${url}/v1/models`)).json()) as { models: { name: string; version: string; ready: boolean }[] };
      const versions = Object.fromEntries(listed.models.map((m) => [m.name, m.version]));
      expect(versions).toEqual(Object.fromEntries(Object.entries(fx.first.lock.models).map(([name, e]) => [name, e.version])));
      expect(listed.models.every((m) => m.ready)).toBe(true);
      // It ran as the image's user, not as root.
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8').catch(() => '');
      const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
      if (uid !== undefined) expect(uid).toBe('1000');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
