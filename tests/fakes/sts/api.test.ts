/**
 * The STS fake through the unmodified @aws-sdk/client-sts: AssumeRoleWithWebIdentity over the
 * query protocol, the token checks STS makes for a GitHub OIDC token, short-lived credentials,
 * and the ECS fake refusing them once expired.
 */
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it } from 'vitest';
import { CLUSTER, SERVICE, startWorld } from '../ecs/world.ts';
import type { World } from '../ecs/world.ts';
import { startStsFake } from './api.ts';
import type { FakeSts } from './api.ts';
import { tokenIssuer } from './oidc-token.ts';

const ROLE = 'arn:aws:iam::111122223333:role/Mlship-GitHubDeployRole';
const SUB = 'repo:acme/models:ref:refs/heads/main';
const issuer = tokenIssuer();

let sts: FakeSts | undefined;
let world: World | undefined;
afterEach(async () => {
  await sts?.close();
  await world?.fake.close();
});

const assume = (client: STSClient, token: string, extra: { RoleArn?: string; DurationSeconds?: number } = {}) =>
  client.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: ROLE, RoleSessionName: 'mlship-deploy', WebIdentityToken: token, DurationSeconds: 900, ...extra }));

describe('STS fake: AssumeRoleWithWebIdentity', () => {
  it('issues session credentials for a token with the trusted sub and the STS audience', async () => {
    let now = 1_800_000_000_000;
    sts = await startStsFake({ publicKey: issuer.publicKey, roleArn: ROLE, subjects: [SUB], credentialLifetimeMs: 2000, clock: () => now });
    const client = new STSClient({ endpoint: sts.url, region: 'eu-west-1', maxAttempts: 1 });
    const answer = await assume(client, issuer.mint({ sub: SUB, exp: now / 1000 + 300 }));
    const c = answer.Credentials!;
    expect(c.AccessKeyId).toMatch(/^ASIA[0-9A-F]{16}$/);
    expect(c.Expiration).toEqual(new Date(now + 2000));
    expect(answer.SubjectFromWebIdentityToken).toBe(SUB);
    expect(answer.AssumedRoleUser!.Arn).toBe('arn:aws:sts::111122223333:assumed-role/Mlship-GitHubDeployRole/mlship-deploy');
    expect(sts.keyCheck(c.AccessKeyId!, c.SessionToken)).toEqual({ status: 'valid', secretAccessKey: c.SecretAccessKey });
    expect(sts.keyCheck(c.AccessKeyId!, 'another token')).toEqual({ status: 'unknown' });
    now += 2000;
    expect(sts.keyCheck(c.AccessKeyId!, c.SessionToken)).toEqual({ status: 'expired' });
  });

  it('refuses another audience, an untrusted sub, an expired or forged token, another role and a duration STS would refuse', async () => {
    sts = await startStsFake({ publicKey: issuer.publicKey, roleArn: ROLE, subjects: [SUB] });
    const client = new STSClient({ endpoint: sts.url, region: 'eu-west-1', maxAttempts: 1 });
    const nameOf = (p: Promise<unknown>) => p.then(() => 'accepted', (e: Error) => e.name);
    const now = Math.floor(Date.now() / 1000);
    const forged = tokenIssuer().mint({ sub: SUB });
    expect(await nameOf(assume(client, issuer.mint({ sub: SUB, aud: 'https://github.com/acme' })))).toBe('InvalidIdentityTokenException');
    expect(await nameOf(assume(client, issuer.mint({ sub: 'repo:acme/models:pull_request' })))).toBe('AccessDenied');
    expect(await nameOf(assume(client, issuer.mint({ sub: SUB, iat: now - 600, exp: now - 1 })))).toBe('ExpiredTokenException');
    expect(await nameOf(assume(client, forged))).toBe('InvalidIdentityTokenException');
    expect(await nameOf(assume(client, issuer.mint({ sub: SUB, iss: 'https://evil.example' })))).toBe('InvalidIdentityTokenException');
    expect(await nameOf(assume(client, issuer.mint({ sub: SUB }), { RoleArn: 'arn:aws:iam::111122223333:role/Other' }))).toBe('AccessDenied');
    expect(await nameOf(assume(client, issuer.mint({ sub: SUB }), { DurationSeconds: 60 }))).toBe('ValidationError');
    expect(await nameOf(assume(client, issuer.mint({ sub: SUB }), { DurationSeconds: 7200 }))).toBe('ValidationError'); // over the role's one hour
    expect(sts.refused).toEqual(['InvalidIdentityToken', 'AccessDenied', 'ExpiredTokenException', 'InvalidIdentityToken', 'InvalidIdentityToken', 'AccessDenied', 'ValidationError', 'ValidationError']);
    expect(sts.issued).toEqual([]);
  });

  it('the ECS fake refuses a key STS did not issue, and one that expired, as AWS does', async () => {
    let now = 1_800_000_000_000;
    sts = await startStsFake({ publicKey: issuer.publicKey, roleArn: ROLE, subjects: [SUB], credentialLifetimeMs: 1000, clock: () => now });
    world = await startWorld({ keys: sts.keyCheck });
    const stsClient = new STSClient({ endpoint: sts.url, region: 'eu-west-1', maxAttempts: 1 });
    const c = (await assume(stsClient, issuer.mint({ sub: SUB, exp: now / 1000 + 300 }))).Credentials!;
    const ecs = new ECSClient({ endpoint: world.fake.url, region: 'eu-west-1', maxAttempts: 1, credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! } });
    const describeIt = () => ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] })).then(() => 'ok', (e: Error) => e.name);
    expect(await describeIt()).toBe('ok');
    now += 1000;
    expect(await describeIt()).toBe('ExpiredTokenException');
    expect(await world.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] })).then(() => 'ok', (e: Error) => e.name)).toBe('UnrecognizedClientException');
  });
});
