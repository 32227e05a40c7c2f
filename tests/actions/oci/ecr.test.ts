/**
 * ECR's quirks, through the real @aws-sdk/client-ecr (against a fake of its JSON API) and an
 * ECR-like proxy in front of the real registry: blob reads redirected to another origin that
 * refuses Authorization, and immutable tags.
 */
import { ECRClient } from '@aws-sdk/client-ecr';
import { GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ecrAuth } from '../../../actions/lib/oci/auth.ts';
import { RegistryError } from '../../../actions/lib/oci/errors.ts';
import { pullImage } from '../../../actions/lib/oci/pull.ts';
import { pushImage } from '../../../actions/lib/oci/push.ts';
import { parseReference } from '../../../actions/lib/oci/reference.ts';
import type { RegistryReference } from '../../../actions/lib/oci/reference.ts';
import { startEcrApi } from '../../fakes/ecr/api.ts';
import type { FakeEcrApi } from '../../fakes/ecr/api.ts';
import { startEcrProxy } from '../../fakes/ecr/proxy.ts';
import type { EcrProxy } from '../../fakes/ecr/proxy.ts';
import { pushBaseImage, requireRegistryTools, useRegistry } from '../../fixtures/registry.ts';
import { clientFor, servingImage } from './helpers.ts';

const ECR_PASSWORD = 'ecr-token-password-0123456789';

describe('ECR: token auth, redirected blob reads, immutable tags', () => {
  if (!requireRegistryTools()) return;
  const reg = useRegistry({ users: { AWS: ECR_PASSWORD } });
  let proxy: EcrProxy;
  let api: FakeEcrApi;
  let ecr: ECRClient;

  beforeAll(async () => {
    proxy = await startEcrProxy({ upstream: reg.get().url, immutableRepositories: ['serving/immutable'] });
    api = await startEcrApi({ password: ECR_PASSWORD, proxyEndpoint: `https://${proxy.host}` });
    ecr = new ECRClient({ endpoint: api.url, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
    await pushBaseImage(reg.get(), 'base/node', '1');
  });
  afterAll(async () => {
    await proxy?.close();
    await api?.close();
  });

  const ecrClient = () => clientFor({ host: proxy.host }, { auth: ecrAuth(ecr) });
  const ref = (name: string) => parseReference(`${proxy.host}/${name}`) as RegistryReference;

  it('the fake API answers the real SDK, and refuses what ECR refuses', async () => {
    const answer = await ecr.send(new GetAuthorizationTokenCommand({}));
    expect(Buffer.from(answer.authorizationData![0]!.authorizationToken!, 'base64').toString()).toBe(`AWS:${ECR_PASSWORD}`);
    expect(answer.authorizationData![0]!.expiresAt).toBeInstanceOf(Date);
    const bad = await ecr.send(new GetAuthorizationTokenCommand({ registryIds: ['12345'] })).catch((e: unknown) => e);
    expect((bad as Error).name).toBe('InvalidParameterException');
    expect(api.calls.every((c) => c === 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken')).toBe(true);
    const unknown = await fetch(api.url, {
      method: 'POST',
      headers: { 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.DescribeNothing', 'content-type': 'application/x-amz-json-1.1', authorization: 'AWS4-HMAC-SHA256 Credential=AKIDTEST/20250101/eu-west-1/ecr/aws4_request, SignedHeaders=host, Signature=0' },
      body: '{}',
    });
    expect([unknown.status, ((await unknown.json()) as { __type: string }).__type]).toEqual([400, 'UnknownOperationException']);
  });

  it('pulls a base through the redirect: Authorization is dropped for the storage host', async () => {
    const calls = api.calls.length;
    const client = ecrClient();
    const base = await pullImage(client, ref('base/node:1'));
    expect(base.config.os).toBe('linux');
    const layer = await base.readBlob(base.manifest.layers[0]!.digest);
    expect(layer.byteLength).toBe(base.manifest.layers[0]!.size);
    expect(proxy.refusedWithAuthorization).toBe(0);
    expect(api.calls.length - calls).toBe(1); // one token for all requests
    // The storage origin does refuse a client that keeps the header.
    const redirect = await fetch(`${proxy.url}/v2/base/node/blobs/${base.manifest.layers[0]!.digest}`, { redirect: 'manual', headers: { authorization: `Basic ${Buffer.from(`AWS:${ECR_PASSWORD}`).toString('base64')}` } });
    expect(redirect.status).toBe(307);
    const keeping = await fetch(redirect.headers.get('location')!, { headers: { authorization: 'Basic x' } });
    expect(keeping.status).toBe(400);
    expect(await keeping.text()).toContain('Only one auth mechanism allowed');
  });

  it('re-tagging the same digest in an immutable repository is success; another digest fails clearly', async () => {
    const client = ecrClient();
    const base = await pullImage(client, ref('base/node:1'));
    const image = await servingImage(base, { host: proxy.host });
    const first = await pushImage(client, 'serving/immutable', image, { tags: ['v1', 'inputs-1'] });
    expect(first.tags).toEqual([{ tag: 'v1', status: 'pushed' }, { tag: 'inputs-1', status: 'pushed' }]);
    const again = await pushImage(client, 'serving/immutable', image, { tags: ['v1', 'inputs-1'] });
    expect(again).toMatchObject({ blobsUploaded: 0, tags: [{ tag: 'v1', status: 'unchanged' }, { tag: 'inputs-1', status: 'unchanged' }] });

    const other = await servingImage(base, { host: proxy.host }, '2');
    const err = await pushImage(client, 'serving/immutable', other, { tags: ['v2', 'v1'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).details).toMatchObject({ registry: proxy.host, repository: 'serving/immutable', digest: 'v1', status: 400, code: 'TAG_INVALID' });
    expect((err as Error).message).toContain(`tag v1 is immutable and already names ${image.manifest.digest}, not ${other.manifest.digest}`);
    // A mutable repository moves the tag.
    await pushImage(client, 'serving/mutable', image, { tags: ['v1'] });
    expect((await pushImage(client, 'serving/mutable', other, { tags: ['v1'] })).tags).toEqual([{ tag: 'v1', status: 'pushed' }]);
  });
});
