// The page's routes without a browser: the assets (content-addressed, long cached), a model page
// for an unknown, loading or refused model, and the people-rounding of numbers the form shows.
import { describe, expect, it } from 'vitest';
import { createApp } from '../../serving/app.ts';
import { createLogger } from '../../serving/log.ts';
import { createState, installModels } from '../../serving/state.ts';
import { ASSETS, PAGE_CSP } from '../../serving/web/assets.ts';
import { formatBytes, roundForPeople, stepFor, withoutNoise } from '../../serving/web/format.ts';
import { repositoryBase } from '../../serving/web/model-view.ts';
import { UsageError } from '../../cli/io.ts';
import { serveCommand } from '../../cli/commands/serve.ts';
import { exampleApp, servedExamples } from '../serving/helpers.ts';
import { writePageFixture } from './server.ts';

const quiet = createLogger(() => undefined);
/** What a browser sends when it follows a link. */
const HTML = { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } };

describe('page routes', () => {
  it('serves the script and the stylesheet under a path naming their content, cached for good', async () => {
    const { app } = await exampleApp();
    const html = await (await app.request('/models/iris')).text();
    for (const asset of ASSETS) {
      expect(asset.path).toMatch(/^\/assets\/(page|icon)\.[0-9a-f]{12}\.(js|css|svg)$/);
      expect(html).toContain(asset.path);
      const res = await app.request(asset.path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(asset.contentType);
      expect(res.headers.get('cache-control')).toContain('immutable');
      expect(await res.text()).toBe(asset.body);
    }
    // the script parses as a browser script
    expect(() => new Function(ASSETS.find((a) => a.path.endsWith('.js'))!.body)).not.toThrow();
    expect((await app.request('/assets/page.000000000000.js')).status).toBe(404);
  });

  it('answers a browser asking for an unknown model with a 404 page, a loading one with 503, a refused one with why', async () => {
    const { app } = await exampleApp();
    const unknown = await app.request('/models/nope', HTML);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-security-policy')).toBe(PAGE_CSP);
    expect(await unknown.text()).toContain('No model of that name is served here.');

    const state = createState();
    const loading = createApp({ state, logger: quiet });
    expect((await loading.request('/models/iris', HTML)).status).toBe(503);
    const [iris] = await servedExamples();
    installModels(state, [], [{ name: 'iris', entry: iris!.entry, reason: 'sha256 mismatch' }]);
    const refused = await loading.request('/models/iris', HTML);
    expect(refused.status).toBe(503);
    expect(await refused.text()).toContain('is not served: sha256 mismatch');
    expect(await (await loading.request('/')).text()).toContain('Not served: sha256 mismatch');
  });

  it('answers a program (no text/html in Accept) with the API\'s JSON error', async () => {
    const { app } = await exampleApp();
    const res = await app.request('/models/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: expect.stringMatching(/no model named "nope"/), model: 'nope' });
  });

  it('renders model text escaped', async () => {
    const { app } = await exampleApp();
    const html = await (await app.request('/models/%3Cscript%3E', HTML)).text();
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>');
  });
});

describe('mlship serve --repository-url', () => {
  it('refuses an address that is not http(s), naming the flag and its variable', async () => {
    const io = { cwd: process.cwd(), env: {}, stdout: { write: () => true }, stderr: { write: () => true } };
    const fixture = await writePageFixture();
    try {
      await expect(serveCommand(['--lock', fixture.lockFile, '--models-dir', fixture.modelsDir, '--repository-url', 'javascript:alert(1)'], io)).rejects.toThrow(
        /--repository-url \(MLSHIP_REPOSITORY_URL\) must be an http\(s\) address/,
      );
      await expect(serveCommand(['--lock', fixture.lockFile], { ...io, env: { MLSHIP_REPOSITORY_URL: 'github.com/o/r' } })).rejects.toBeInstanceOf(UsageError);
    } finally {
      await fixture.cleanup();
    }
  });
});

describe('numbers for people', () => {
  it('rounds examples to three significant digits and steps by their last digit', () => {
    expect(roundForPeople(112.30000000000001)).toBe(112);
    expect(roundForPeople(5.8)).toBe(5.8);
    expect(roundForPeople(1.8450000000000002)).toBe(1.85);
    expect(roundForPeople(4.60015)).toBe(4.6);
    expect(roundForPeople(0)).toBe(0);
    expect(stepFor(112)).toBe('1');
    expect(stepFor(5.8)).toBe('0.1');
    expect(stepFor(0.995)).toBe('0.001');
    expect(stepFor(1.5e-7)).toBe('0.000001');
    expect(withoutNoise(112.30000000000001)).toBe(112.3);
    expect(formatBytes(10 * 1024 * 1024)).toBe('10 MiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
  });

  it('takes an http(s) repository address only, without .git or a trailing slash', () => {
    expect(repositoryBase('https://github.com/o/r.git')).toBe('https://github.com/o/r');
    expect(repositoryBase('https://github.com/o/r/')).toBe('https://github.com/o/r');
    expect(repositoryBase('javascript:alert(1)')).toBeUndefined();
    expect(repositoryBase('not a url')).toBeUndefined();
    expect(repositoryBase(undefined)).toBeUndefined();
  });
});
