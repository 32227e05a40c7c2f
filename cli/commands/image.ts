/**
 * `mlship image build --to <ref> [--base <ref>] [--platform linux/amd64|linux/arm64] [--lock FILE]
 *  [--store URI] [--commit SHA] [--previous TAG] [--source URL] [--bundle FILE] [--insecure] [--json]`
 *
 * Builds the serving image for the lock (the serving bundle and every pinned artifact, verified,
 * on a Node 24 base) and pushes it to `--to`: a registry repository, or `oci:DIR` for an OCI
 * layout on disk. The image is first looked up by its inputs tag; when the target has it, only
 * the commit tag is added ("found"). Exit 0 built or found, 1 the registry or store failed, 2 bad
 * input (a lock, a reference, a flag). An artifact missing or not what the lock pins is 1, as for
 * `mlship verify`.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_BASE_IMAGE } from '../../actions/lib/image/base-pin.ts';
import { openBase } from '../../actions/lib/image/base.ts';
import { buildServingImage } from '../../actions/lib/image/build.ts';
import type { ServingBundleSource } from '../../actions/lib/image/build.ts';
import { prebuiltBundle } from '../../actions/lib/image/prebuilt-bundle.ts';
import { sourceBundle } from '../../actions/lib/image/source-bundle.ts';
import { layoutTarget, registryTarget } from '../../actions/lib/image/target.ts';
import type { ImageTarget } from '../../actions/lib/image/target.ts';
import { RegistryError } from '../../actions/lib/oci/errors.ts';
import { DEFAULT_PLATFORM, parsePlatform } from '../../actions/lib/oci/platform.ts';
import { TAG_PATTERN, parseReference } from '../../actions/lib/oci/reference.ts';
import type { ImageReference } from '../../actions/lib/oci/reference.ts';
import type { RegistryClient } from '../../actions/lib/oci/registry.ts';
import { DEFAULT_LOCK, loadLock } from '../../registry/lock.ts';
import { PinMismatchError } from '../../registry/pin.ts';
import { StoreError } from '../../registry/store/errors.ts';
import { describeError } from '../../training/errors.ts';
import { checkCommitId } from '../git.ts';
import type { CommandIO } from '../io.ts';
import { EXIT, UsageError } from '../io.ts';
import { registryClients } from '../registry.ts';
import { buildResultText } from '../render/image.ts';
import { storeFor } from '../store.ts';
import { IMAGE_USAGE } from './usage.ts';

function targetFor(to: string, ref: ImageReference, clientFor: (registry: string) => RegistryClient, cwd: string): { target: ImageTarget; tags: string[] } {
  if (ref.kind === 'layout') return { target: layoutTarget(path.resolve(cwd, ref.dir)), tags: ref.tag ? [ref.tag] : [] };
  if (ref.digest) throw new UsageError(`--to names a repository to push to, not an image by digest: drop @${ref.digest}`);
  // parseReference fills in "latest" when no tag is written: only a written tag is added.
  const written = /:[^/]+$/.test(to) ? [ref.tag!] : [];
  return { target: registryTarget(clientFor(ref.registry), ref.repository), tags: written };
}

export async function imageCommand(args: string[], io: CommandIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'build') throw new UsageError(`usage: mlship ${IMAGE_USAGE}`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      to: { type: 'string' },
      base: { type: 'string', default: DEFAULT_BASE_IMAGE },
      platform: { type: 'string', default: DEFAULT_PLATFORM },
      lock: { type: 'string', default: DEFAULT_LOCK },
      store: { type: 'string' },
      commit: { type: 'string' },
      previous: { type: 'string' },
      source: { type: 'string' },
      bundle: { type: 'string' },
      insecure: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length > 0 || !values.to) throw new UsageError(`usage: mlship ${IMAGE_USAGE}`);
  parsePlatform(values.platform);
  const given = values.commit ?? io.env.MLSHIP_COMMIT;
  const commit = given === undefined ? undefined : checkCommitId(given, '--commit');
  if (values.previous !== undefined && !TAG_PATTERN.test(values.previous)) throw new UsageError(`--previous must be a tag, got "${values.previous.slice(0, 80)}"`);

  const toRef = parseReference(values.to);
  const baseRef = parseReference(values.base);
  const clientFor = registryClients(io, {
    insecure: values.insecure,
    ...(toRef.kind === 'registry' ? { target: toRef.registry } : {}),
    ...(baseRef.kind === 'registry' ? { base: baseRef.registry } : {}),
  });
  const { target, tags } = targetFor(values.to, toRef, clientFor, io.cwd);
  const loaded = await loadLock(path.resolve(io.cwd, values.lock));
  const store = storeFor(values.store, io);
  const bundle: ServingBundleSource = values.bundle ? await prebuiltBundle(path.resolve(io.cwd, values.bundle)) : await sourceBundle();

  try {
    const base = await openBase(baseRef, { platform: values.platform, clientFor });
    const result = await buildServingImage({
      base,
      platform: values.platform,
      target,
      bundle,
      lock: { lock: loaded.lock, bytes: Buffer.from(loaded.text ?? '') },
      store,
      tags: [...(commit ? [commit] : []), ...tags],
      ...(values.previous ? { previous: values.previous } : {}),
      ...(values.source ? { source: values.source } : {}),
    });
    io.stdout.write(values.json ? `${JSON.stringify(result)}\n` : buildResultText(result));
    return EXIT.ok;
  } catch (err) {
    // The registry or the store failed, or an artifact is not what the lock pins (as `verify` says): exit 1.
    if (!(err instanceof RegistryError || err instanceof StoreError || err instanceof PinMismatchError)) throw err;
    io.stderr.write(`mlship image build: ${describeError(err)}\n`);
    return EXIT.failed;
  }
}
