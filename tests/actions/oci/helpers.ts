/** Shared pieces of the OCI tests: a client for the test registry and a small serving image build. */
import { basicAuth } from '../../../actions/lib/oci/auth.ts';
import { appendLayers } from '../../../actions/lib/oci/image.ts';
import type { ConfigChanges, KnownLayer } from '../../../actions/lib/oci/image.ts';
import { buildLayer } from '../../../actions/lib/oci/layer.ts';
import type { LayerFile } from '../../../actions/lib/oci/layer.ts';
import { imageToPush } from '../../../actions/lib/oci/push.ts';
import type { ImageToPush } from '../../../actions/lib/oci/push.ts';
import { RegistryClient } from '../../../actions/lib/oci/registry.ts';
import type { RegistryClientOptions } from '../../../actions/lib/oci/registry.ts';
import type { SourceImage } from '../../../actions/lib/oci/resolve.ts';
import { REGISTRY_PASSWORD, REGISTRY_USER } from '../../fixtures/registry.ts';
import type { TestRegistry } from '../../fixtures/registry.ts';

export function clientFor(registry: Pick<TestRegistry, 'host'>, options: Partial<RegistryClientOptions> = {}): RegistryClient {
  return new RegistryClient({ registry: registry.host, fetch, auth: basicAuth(REGISTRY_USER, REGISTRY_PASSWORD), scheme: 'http', retry: { baseDelayMs: 10 }, ...options });
}

export const APP_FILES: LayerFile[] = [
  { path: '/app/server.js', bytes: Buffer.from('import http from "node:http";\n') },
  { path: '/app/bin/start', bytes: Buffer.from('#!/bin/sh\nexec node /app/server.js\n'), mode: 0o755 },
];

export const modelFiles = (version: string): LayerFile[] => [{ path: `/models/iris/${version}/model.json`, bytes: Buffer.from(JSON.stringify({ name: 'iris', version })) }];

export const CHANGES: ConfigChanges = {
  env: { NODE_ENV: 'production', MLSHIP_LOCK: '/app/models.lock.json' },
  cmd: ['/app/bin/start'],
  workingDir: '/app',
  exposedPorts: ['8080'],
  user: '65532:65532',
  source: 'https://github.com/example/models',
  labels: { 'org.opencontainers.image.title': 'mlship serving' },
};

/** The serving image on a base: an app layer and a model layer. */
export async function servingImage(base: SourceImage, target: Pick<TestRegistry, 'host'>, version = '1', knownLayers?: Map<string, KnownLayer>): Promise<ImageToPush & { built: ReturnType<typeof appendLayers> }> {
  const app = await buildLayer(APP_FILES);
  const models = await buildLayer(modelFiles(version));
  const built = appendLayers(base, [{ layer: app, createdBy: 'mlship: serving bundle' }, { layer: models, createdBy: 'mlship: models' }], CHANGES, knownLayers ? { knownLayers } : {});
  return { ...imageToPush(built, base, { registry: target.host }), built };
}
