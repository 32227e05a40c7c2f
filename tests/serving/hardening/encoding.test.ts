// Content-Encoding: gzip is decoded within the body limit (a bomb is a 413), identity is as is,
// anything else a 415.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { exampleApp } from '../helpers.ts';

const ROWS = '{"instances":[[5.1,3.5,1.4,0.2],[6.7,3.1,5.6,2.4]]}';

function post(body: string | Uint8Array, headers: Record<string, string>): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body };
}

describe('request body encodings', () => {
  it('decodes gzip (v1 JSON, v1 CSV, v2), and answers as for the plain body', async () => {
    const { app } = await exampleApp();
    const plain = await (await app.request('/v1/models/iris:predict', post(ROWS, {}))).json();
    const res = await app.request('/v1/models/iris:predict', post(gzipSync(ROWS), { 'content-encoding': 'gzip' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(plain);
    const csv = await app.request('/v1/models/iris:predict', { method: 'POST', headers: { 'content-type': 'text/csv', 'content-encoding': 'x-gzip' }, body: gzipSync('sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n') });
    expect(csv.status).toBe(200);
    const v2 = await app.request('/v2/models/iris/infer', post(gzipSync(JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP64', shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2] }] })), { 'content-encoding': 'GZIP' }));
    expect(v2.status).toBe(200);
    expect((await app.request('/v1/models/iris:predict', post(ROWS, { 'content-encoding': 'identity' }))).status).toBe(200);
  });

  it('a gzip bomb is a 413 at the body limit, measured after decoding', async () => {
    const { app } = await exampleApp({ maxBodyBytes: 64 * 1024 });
    // 8 MB of spaces inside a JSON array: about 8 KB compressed, far under the limit as sent
    const bomb = gzipSync(Buffer.concat([Buffer.from('{"instances":['), Buffer.alloc(8 * 1024 * 1024, ' '), Buffer.from(']}')]));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const res = await app.request('/v1/models/iris:predict', post(bomb, { 'content-encoding': 'gzip' }));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toMatch(/request body too large: more than the limit of 65536 bytes/);
  });

  it('a body that is not gzip is a 400; another coding is a 415', async () => {
    const { app } = await exampleApp();
    const broken = await app.request('/v1/models/iris:predict', post(ROWS, { 'content-encoding': 'gzip' }));
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: string }).error).toMatch(/gzip body cannot be decoded/);
    for (const coding of ['br', 'deflate', 'gzip, gzip', 'compress']) {
      const res = await app.request('/v1/models/iris:predict', post(ROWS, { 'content-encoding': coding }));
      expect(res.status, coding).toBe(415);
      expect(await res.json()).toMatchObject({ error: expect.stringMatching(/unsupported Content-Encoding .*: send gzip or identity/), contentEncoding: coding });
    }
  });
});
