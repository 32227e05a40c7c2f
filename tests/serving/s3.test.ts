/** Serving what a lock pins in S3 (Ceph RGW): read through the model store and verified. */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { publishArtifacts } from '../../registry/publish.ts';
import { openStore } from '../../registry/store/index.ts';
import { storeSource } from '../../serving/loader.ts';
import { startServer } from '../../serving/server.ts';
import { requireCeph, useRgw } from '../fixtures/s3.ts';
import { trainedExamples } from './helpers.ts';

describe('serving models published to S3 (Ceph RGW)', () => {
  if (!requireCeph()) return;
  const rgw = useRgw();

  it('serves the s3:// entries of a lock, and never a tampered object', async () => {
    const client = rgw.client();
    const bucket = await rgw.bucket(client);
    const store = openStore(`s3://${bucket}/team`, { s3Client: client });
    const results = await trainedExamples();
    const { lock } = await publishArtifacts([...results.values()].map((r) => ({ bytes: r.bytes, source: r.artifact.name })), { store });

    const serve = (fetchArtifact = storeSource(`s3://${bucket}/team`, { s3Client: client })) =>
      startServer({ lock, fetchArtifact, port: 0, host: '127.0.0.1', workers: 1, write: () => undefined });
    const server = await serve();
    try {
      expect(await server.loaded).toBe(true);
      const base = `http://127.0.0.1:${server.port}`;
      expect((await fetch(`${base}/v2/health/ready`)).status).toBe(200);
      const answer = await fetch(`${base}/v1/models/iris:predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ instances: [{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }] }),
      });
      expect(await answer.json()).toEqual({ predictions: ['setosa'] });
    } finally {
      await server.close();
    }

    // Someone overwrites the object (keeping its recorded digest): it must never be served.
    const iris = results.get('iris')!;
    const altered = Buffer.from(iris.bytes.toString().replace(/"accuracy":[0-9.]+/, '"accuracy":1'));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: `team/models/iris/${iris.artifact.version}/model.json`, Body: altered, Metadata: { sha256: iris.sha256 } }));
    for (const source of [storeSource(`s3://${bucket}/team`, { s3Client: client })]) {
      const tampered = await serve(source);
      try {
        expect(await tampered.loaded).toBe(false);
        const ready = await fetch(`http://127.0.0.1:${tampered.port}/v2/health/ready`);
        expect(ready.status).toBe(503);
        expect(((await ready.json()) as { error: string }).error).toMatch(/model "iris" version [0-9a-f]{12}: sha256 mismatch/);
        expect((await fetch(`http://127.0.0.1:${tampered.port}/v2/models/wine/ready`)).status).toBe(200);
      } finally {
        await tampered.close();
      }
    }
  });
});
