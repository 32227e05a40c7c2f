/**
 * The serving image through an ECR-like front (tests/fakes/ecr): credentials from the real
 * @aws-sdk/client-ecr against a fake GetAuthorizationToken, the base's blobs read through the 307
 * to a storage origin that refuses Authorization, and an immutable repository: a tag that already
 * names the same digest is success, another digest a clear error.
 */
import { ECRClient } from '@aws-sdk/client-ecr';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ecrAuth } from '../../../actions/lib/oci/auth.ts';
import { sha256Digest } from '../../../actions/lib/oci/digest.ts';
import { RegistryError } from '../../../actions/lib/oci/errors.ts';
import { registryAuth } from '../../../actions/lib/image/registry-auth.ts';
import { startEcrApi } from '../../fakes/ecr/api.ts';
import type { FakeEcrApi } from '../../fakes/ecr/api.ts';
import { startEcrProxy } from '../../fakes/ecr/proxy.ts';
import type { EcrProxy } from '../../fakes/ecr/proxy.ts';
import { pushBaseImage, requireRegistryTools, run, useRegistry } from '../../fixtures/registry.ts';
import { tempDir } from '../../helpers/temp.ts';
import { clientFor } from '../oci/helpers.ts';
import { buildToRegistry, commitId, fakeBundle, storeFixture } from './helpers.ts';
import type { RegistryBuild, StoreFixture } from './helpers.ts';

const ECR_PASSWORD = 'ecr-token-password-image';

describe('serving image through an ECR-like registry', () => {
  if (!requireRegistryTools()) return;
  const reg = useRegistry({ users: { AWS: ECR_PASSWORD } });
  const dir = tempDir('mlship-image-ecr-');
  let proxy: EcrProxy;
  let api: FakeEcrApi;
  let fx: StoreFixture;

  beforeAll(async () => {
    proxy = await startEcrProxy({ upstream: reg.get().url, immutableRepositories: ['serving/immutable'] });
    api = await startEcrApi({ password: ECR_PASSWORD, proxyEndpoint: `https://${proxy.host}` });
    fx = await storeFixture(path.join(dir, 'fx'));
    await pushBaseImage(reg.get(), 'base/node', '24');
  });
  afterAll(async () => {
    await proxy?.close();
    await api?.close();
  });

  const build = (over: Partial<RegistryBuild> = {}) => {
    const ecr = new ECRClient({ endpoint: api.url, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
    const client = clientFor({ host: proxy.host }, { auth: ecrAuth(ecr) });
    return buildToRegistry({ client, baseRef: `${proxy.host}/base/node:24`, repository: 'serving/immutable', bundle: fakeBundle(), lock: fx.first, store: fx.store, ...over });
  };

  it('builds through the redirect, finds by inputs tag, and an immutable commit tag on the same digest is success', async () => {
    const first = await build({ tags: [commitId(1)] });
    expect(first.status).toBe('built');
    expect(proxy.refusedWithAuthorization).toBe(0);
    expect(api.calls.length).toBeGreaterThan(0);

    // The same commit again (a rerun of the workflow): found, and the existing tag is fine.
    const rerun = await build({ tags: [commitId(1)] });
    expect(rerun).toMatchObject({ status: 'found', digest: first.digest, blobsUploaded: 0, tags: [{ tag: commitId(1), status: 'unchanged' }] });

    // A rebuild of the same content under another inputs tag: the inputs tag is new, the commit tag stays.
    const renamed = { ...fakeBundle(), inputs: { kind: 'sources' as const, trees: { serving: 'e'.repeat(40) } } };
    const rebuilt = await build({ tags: [commitId(1)], bundle: renamed });
    expect(rebuilt).toMatchObject({ status: 'built', digest: first.digest, blobsUploaded: 0 });
    expect(rebuilt.tags).toEqual([{ tag: rebuilt.inputsTag, status: 'pushed' }, { tag: commitId(1), status: 'unchanged' }]);

    // skopeo reads the manifest through the front as ECR serves it.
    const raw = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', '--creds', `AWS:${ECR_PASSWORD}`, `docker://${proxy.host}/serving/immutable:${commitId(1)}`]);
    expect(sha256Digest(raw)).toBe(first.digest);
  });

  it('an ECR host name gets the token from GetAuthorizationToken for its region, masked before use', async () => {
    const regions: string[] = [];
    const secrets: string[] = [];
    const auth = registryAuth('123456789012.dkr.ecr.eu-west-1.amazonaws.com', {
      credentials: [{ registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', username: 'not', password: 'used' }],
      ecrClient: (region) => {
        regions.push(region);
        return new ECRClient({ endpoint: api.url, region, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
      },
      onSecret: (secret) => secrets.push(secret),
    });
    expect(await auth('123456789012.dkr.ecr.eu-west-1.amazonaws.com')).toEqual({ username: 'AWS', password: ECR_PASSWORD });
    expect(regions).toEqual(['eu-west-1']);
    expect(secrets).toEqual([ECR_PASSWORD]);
  });

  it('another image under a commit tag that already names one fails, naming the tag and both digests', async () => {
    const first = await build({ tags: [commitId(2)] });
    const err = await build({ tags: [commitId(2)], lock: fx.modelChange }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).details).toMatchObject({ repository: 'serving/immutable', digest: commitId(2), code: 'TAG_INVALID' });
    expect((err as Error).message).toContain(`tag ${commitId(2)} is immutable and already names ${first.digest}`);
  });
});
