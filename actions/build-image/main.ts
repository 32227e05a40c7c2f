/**
 * The build-image action: reads its inputs, calls the image library, sets the outputs and writes
 * the job summary. The serving bundle is the one shipped beside this file (dist/serve.mjs and its
 * chunks, dist/serve-chunks/), so the inputs tag names it by its digest and no build tool runs on
 * the runner.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as core from '@actions/core';
import { ECRClient } from '@aws-sdk/client-ecr';
import { DEFAULT_BASE_IMAGE } from '../lib/image/base-pin.ts';
import { openBase } from '../lib/image/base.ts';
import { buildServingImage } from '../lib/image/build.ts';
import type { BuildResult } from '../lib/image/build.ts';
import { prebuiltBundle } from '../lib/image/prebuilt-bundle.ts';
import { registryAuth } from '../lib/image/registry-auth.ts';
import { registryTarget } from '../lib/image/target.ts';
import { parsePlatform } from '../lib/oci/platform.ts';
import { parseReference } from '../lib/oci/reference.ts';
import { RegistryClient } from '../lib/oci/registry.ts';
import { loadLock } from '../../registry/lock.ts';
import { openStore } from '../../registry/store/index.ts';
import { describeError } from '../../training/errors.ts';
import { summaryMarkdown } from './summary.ts';

export async function run(options: { bundleFile: string }): Promise<BuildResult> {
  const input = (name: string) => core.getInput(name).trim();
  const registry = core.getInput('registry', { required: true }).trim();
  const repository = core.getInput('repository', { required: true }).trim();
  const platform = input('platform') || 'linux/amd64';
  parsePlatform(platform);
  const username = input('username');
  const password = core.getInput('password');
  if (password) core.setSecret(password);
  const insecure = input('insecure') === 'true';

  const clients = new Map<string, RegistryClient>();
  const clientFor = (host: string) => {
    let client = clients.get(host);
    if (!client) {
      const auth = registryAuth(host, {
        credentials: username && password ? [{ registry, username, password }] : [],
        ecrClient: (region) => new ECRClient({ region }),
        onSecret: (secret) => core.setSecret(secret),
      });
      client = new RegistryClient({ registry: host, fetch, auth, scheme: insecure ? 'http' : 'https' });
      clients.set(host, client);
    }
    return client;
  };

  const cwd = process.cwd();
  const loaded = await loadLock(path.resolve(cwd, input('lock') || 'models.lock.json'));
  const store = openStore(core.getInput('store', { required: true }).trim(), { cwd, endpoint: process.env.MLSHIP_S3_ENDPOINT || undefined, region: process.env.AWS_REGION || undefined });
  const base = await openBase(parseReference(input('base-image') || DEFAULT_BASE_IMAGE), { platform, clientFor });
  const commit = input('commit');
  const result = await buildServingImage({
    base,
    platform,
    target: registryTarget(clientFor(registry), repository),
    bundle: await prebuiltBundle(options.bundleFile),
    lock: { lock: loaded.lock, bytes: Buffer.from(loaded.text ?? '') },
    store,
    tags: commit ? [commit] : [],
    ...(input('previous') ? { previous: input('previous') } : {}),
    ...(input('source') ? { source: input('source') } : {}),
  });

  core.setOutput('image', result.image);
  core.setOutput('digest', result.digest);
  core.setOutput('inputs-tag', result.inputsTag);
  core.setOutput('status', result.status);
  core.setOutput('bytes-uploaded', String(result.bytesUploaded));
  core.setOutput('layers-reused', String(result.layersReused));
  await core.summary.addRaw(summaryMarkdown(result)).write();
  return result;
}

// Run when executed (dist/index.js on the runner), not when a test imports it.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await run({ bundleFile: path.join(import.meta.dirname, 'serve.mjs') });
  } catch (err) {
    core.setFailed(describeError(err));
  }
}
