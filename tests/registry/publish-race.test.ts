/**
 * Issue 16 item 17: the multipart publish race on Ceph RGW (which ignores If-None-Match on
 * CompleteMultipartUpload). Publishing refuses bytes that are not the artifact's canonical form, so
 * one version is one byte string; and after a multipart completion the store checks that the
 * object at the key is the one it completed, reporting a conflict when it is not.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { publishArtifacts } from '../../registry/publish.ts';
import { ConflictError, S3Store } from '../../registry/store/index.ts';
import type { SerializedArtifact } from '../../training/artifact.ts';
import { sha256 } from '../../training/artifact.ts';
import { paddedArtifact, trainedExamples } from '../fixtures/artifacts.ts';
import { requireCeph, useRgw } from '../fixtures/s3.ts';

const MB = 1024 * 1024;

describe('multipart publish races on Ceph RGW', () => {
  if (!requireCeph()) return;
  const rgw = useRgw();
  let big: SerializedArtifact;

  beforeAll(async () => {
    const iris = (await trainedExamples()).find((e) => e.artifact.name === 'iris')!;
    big = paddedArtifact(iris.artifact, 9 * MB, 'big');
  });

  it('two publishes of one version with different bytes (≥ 8 MiB): only the canonical one is published, over 4 trials', async () => {
    const client = rgw.client();
    for (let trial = 0; trial < 4; trial++) {
      const store = new S3Store(`s3://${await rgw.bucket(client)}`, { client });
      const other = new S3Store(store.uri, { client: rgw.client() });
      const twin = Buffer.concat([big.bytes, Buffer.from(' ')]); // parses to the same artifact and version
      const [a, b] = await Promise.all([
        publishArtifacts([{ bytes: big.bytes, source: 'canonical.json' }], { store }),
        publishArtifacts([{ bytes: twin, source: 'twin.json' }], { store: other }),
      ]);
      expect(a.outcomes[0]).toMatchObject({ status: 'published', multipart: true, sha256: big.sha256 });
      expect(b.outcomes[0]).toMatchObject({ kind: 'invalid', error: expect.stringMatching(/^twin\.json: is not in canonical form/) });
      expect(b.lockChanged).toBe(false);
      expect((await store.get('big', big.artifact.version, big.sha256)).equals(big.bytes)).toBe(true);
    }
  });

  it('an object written over ours right after the multipart completion is a conflict, even when its metadata claims our digest', async () => {
    const client = rgw.client();
    const interloper = rgw.client();
    const store = new S3Store(`s3://${await rgw.bucket(client)}`, { client });
    const theirs = Buffer.concat([big.bytes, Buffer.from('\n')]);
    // Another writer commits between our completion and our check (RGW does not refuse it):
    // a real PutObject to the gateway, sent when our CompleteMultipartUpload has returned.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'CompleteMultipartUploadCommand') {
          const { Bucket, Key } = args.input as { Bucket: string; Key: string };
          await interloper.send(new PutObjectCommand({ Bucket, Key, Body: theirs, Metadata: { sha256: big.sha256 } }));
        }
        return result;
      },
      { step: 'initialize', name: 'interloper' },
    );
    const err = await store.put('big', big.artifact.version, big.bytes).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).attempted).toBe(big.sha256);
    expect((err as ConflictError).existing).toBe(sha256(theirs));

    // Through publishArtifacts it is a "conflict" outcome (exit 1 on the command line), and nothing is pinned.
    const again = new S3Store(`s3://${await rgw.bucket(client)}`, { client });
    const report = await publishArtifacts([{ bytes: big.bytes, source: 'big.json' }], { store: again });
    expect(report.outcomes[0]).toMatchObject({ kind: 'conflict', name: 'big', version: big.artifact.version });
    expect(report.lock.models.big).toBeUndefined();
  });
});
