// Job objects in S3 (Ceph RGW): streamed in, written once (a second write keeps the first), read
// back streamed, deleted with the job.
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../registry/store/index.ts';
import { jobKey, jobObjectsFor } from '../../../serving/jobs/objects.ts';
import { requireCeph, useRgw } from '../../fixtures/s3.ts';

describe('job objects on S3 (Ceph RGW)', () => {
  if (!requireCeph()) return;
  const rgw = useRgw();

  it('writes an object once from a stream, keeps the first on a second write, reads it back, deletes the job', async () => {
    const client = rgw.client();
    const bucket = await rgw.bucket(client);
    const objects = jobObjectsFor(openStore(`s3://${bucket}/team`, { s3Client: client }));
    const key = jobKey('0123456789abcdef0123456789abcdef', 'results.csv');
    const big = 'prediction\n' + 'setosa\n'.repeat(1_000_000); // 7 MB: a multipart upload
    expect(await objects.putOnce(key, Readable.from([big]))).toEqual({ created: true });
    let consumed = false;
    async function* second() {
      yield 'other\n';
      consumed = true;
    }
    expect(await objects.putOnce(key, Readable.from(second()))).toEqual({ created: false });
    expect(consumed).toBe(true); // the caller's stream still runs to its end (it counts rows)
    expect(await objects.size(key)).toBe(Buffer.byteLength(big));
    expect(await text((await objects.read(key))!)).toBe(big);
    await objects.deleteJob('0123456789abcdef0123456789abcdef');
    expect(await objects.read(key)).toBeUndefined();
    expect(await objects.size(key)).toBeUndefined();
  });
});
