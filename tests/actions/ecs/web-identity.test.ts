/**
 * Credentials that expire during a long wait: a deploy whose rollout outlasts several sets of
 * STS credentials succeeds with webIdentityCredentials (a new OIDC token, a new
 * AssumeRoleWithWebIdentity before each set expires), and fails with ExpiredTokenException on a
 * single set. One clock drives the deploy's polling, the STS fake and the ECS fake's expiry
 * check, so minutes of rollout pass without waiting.
 */
import { ECSClient } from '@aws-sdk/client-ecs';
import { STSClient } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it } from 'vitest';
import { deployImage } from '../../../actions/lib/ecs/deploy.ts';
import { EcsCallError } from '../../../actions/lib/ecs/errors.ts';
import { CredentialsError, webIdentityCredentials } from '../../../actions/lib/ecs/web-identity.ts';
import { startStsFake } from '../../fakes/sts/api.ts';
import type { FakeSts } from '../../fakes/sts/api.ts';
import { tokenIssuer } from '../../fakes/sts/oidc-token.ts';
import { CLUSTER, CONTAINER, SERVICE, imageOf, startWorld } from '../../fakes/ecs/world.ts';
import type { World } from '../../fakes/ecs/world.ts';
import { instantClock } from './helpers.ts';

const ROLE = 'arn:aws:iam::111122223333:role/Mlship-GitHubDeployRole';
const SUB = 'repo:acme/models:ref:refs/heads/main';
const LIFETIME_MS = 60_000;

let sts: FakeSts;
let world: World;
afterEach(async () => {
  await sts?.close();
  await world?.fake.close();
});

async function setUp() {
  const clock = instantClock();
  const issuer = tokenIssuer();
  sts = await startStsFake({ publicKey: issuer.publicKey, roleArn: ROLE, subjects: [SUB], credentialLifetimeMs: LIFETIME_MS, clock: clock.now });
  world = await startWorld({ keys: sts.keyCheck });
  const minted: string[] = [];
  const token = async () => {
    const t = issuer.mint({ sub: SUB, iat: Math.floor(clock.now() / 1000), exp: Math.floor(clock.now() / 1000) + 300 });
    minted.push(t);
    return t;
  };
  const stsClient = new STSClient({ endpoint: sts.url, region: 'eu-west-1', maxAttempts: 1 });
  const provider = webIdentityCredentials(stsClient, { roleArn: ROLE, roleSessionName: 'mlship-deploy', token, durationSeconds: 900, refreshBeforeMs: 10_000, now: clock.now });
  return { clock, minted, provider };
}

const request = { cluster: CLUSTER, service: SERVICE, container: CONTAINER, image: imageOf('a'), pollIntervalMs: 15_000 };

describe('webIdentityCredentials', () => {
  it('keeps a rollout of ten minutes going on one-minute credentials: a new token and session before each expires', async () => {
    const { clock, minted, provider } = await setUp();
    world.fake.planRollouts(CLUSTER, SERVICE, { outcome: 'success', polls: 40 });
    const ecs = new ECSClient({ endpoint: world.fake.url, region: 'eu-west-1', credentials: provider, maxAttempts: 1 });
    const result = await deployImage(ecs, request, { clock });
    expect(result.status).toBe('succeeded');
    // The wait lasted ten lifetimes of one set of credentials (and longer than the SDK's own
    // five-minute refresh window, which the provider replaces: it is `memoized`).
    expect(clock.now() - (sts.issued[0]!.expiresAt - LIFETIME_MS)).toBeGreaterThanOrEqual(10 * LIFETIME_MS);
    // A new session whenever less than 10 s of the current one is left at a poll, each from a fresh token.
    expect(sts.issued.length).toBeGreaterThanOrEqual(10);
    expect(minted).toHaveLength(sts.issued.length);
    expect(new Set(sts.issued.map((c) => c.accessKeyId)).size).toBe(sts.issued.length);
    expect(world.fake.calls.filter((c) => c.error)).toEqual([]);
  });

  it('without renewal, the same rollout fails once the credentials expire (ExpiredTokenException)', async () => {
    const { clock, provider } = await setUp();
    world.fake.planRollouts(CLUSTER, SERVICE, { outcome: 'success', polls: 20 });
    const once = await provider();
    const ecs = new ECSClient({ endpoint: world.fake.url, region: 'eu-west-1', credentials: once, maxAttempts: 1 });
    const err = await deployImage(ecs, request, { clock }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EcsCallError);
    expect(err).toMatchObject({ operation: 'DescribeServices', code: 'ExpiredTokenException' });
  });

  it('answers from its cache while the credentials are fresh, and concurrent callers share one refresh', async () => {
    const { clock, provider } = await setUp();
    const [a, b, c] = await Promise.all([provider(), provider(), provider()]);
    expect(sts.issued).toHaveLength(1);
    expect(a).toBe(b);
    expect(b).toBe(c);
    await clock.sleep(LIFETIME_MS - 10_001);
    expect(await provider()).toBe(a);
    await clock.sleep(1);
    expect((await provider()).accessKeyId).not.toBe(a.accessKeyId);
    expect(sts.issued).toHaveLength(2);
  });

  it('a refused token is an error of the provider, and the next call tries again', async () => {
    const clock = instantClock();
    const issuer = tokenIssuer();
    sts = await startStsFake({ publicKey: issuer.publicKey, roleArn: ROLE, subjects: [SUB], clock: clock.now });
    const stsClient = new STSClient({ endpoint: sts.url, region: 'eu-west-1', maxAttempts: 1 });
    let sub = 'repo:acme/models:pull_request';
    const provider = webIdentityCredentials(stsClient, { roleArn: ROLE, roleSessionName: 'mlship-deploy', token: async () => issuer.mint({ sub }), now: clock.now });
    await expect(provider()).rejects.toThrow(CredentialsError);
    await expect(provider()).rejects.toThrow(`STS AssumeRoleWithWebIdentity for ${ROLE} failed: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity`);
    sub = SUB;
    expect((await provider()).accessKeyId).toMatch(/^ASIA/);
  });

  it('keeps using the current set while a renewal fails and it has not expired yet', async () => {
    const { clock, provider } = await setUp();
    const first = await provider();
    const stsUp = sts;
    await clock.sleep(LIFETIME_MS - 5_000); // inside the renewal margin
    await stsUp.close(); // STS unreachable
    expect(await provider()).toBe(first);
    await clock.sleep(5_000); // expired now
    await expect(provider()).rejects.toThrow(CredentialsError);
  });
});
