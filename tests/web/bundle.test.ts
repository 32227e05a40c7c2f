// The page from the serving bundle (one esbuild file, no node_modules, as the image runs it) with 2
// cluster workers and `--repository-url`: the script is client.js's source as esbuild printed it,
// so the page must still work from it, and the flag must reach the workers through the primary.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bundleServing } from '../../actions/lib/serving-bundle.ts';
import { requireTool } from '../helpers/tools.ts';
import { ROOT, spawnServe } from '../serving/helpers.ts';
import type { ServeProcess } from '../serving/helpers.ts';
import { chromiumAvailable, launchChromium, screenshot, seriousViolations } from './browser.ts';
import type { PageFixture } from './server.ts';
import { COMMIT, REPOSITORY_URL, writePageFixture } from './server.ts';

const NODE = process.versions.node.startsWith('24.') ? process.execPath : path.join(ROOT, 'node_modules/node/bin/node');

if (requireTool(chromiumAvailable(), 'chromium', 'apt-get install chromium (Debian)')) {
  let dir: string;
  let fixture: PageFixture;
  let server: ServeProcess;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mlship-web-bundle-'));
    fixture = await writePageFixture();
    const { outfile } = await bundleServing({ outfile: path.join(dir, 'serve.mjs') });
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MLSHIP_')));
    server = await spawnServe(
      NODE,
      [outfile, '--lock', fixture.lockFile, '--models-dir', fixture.modelsDir, '--port', '0', '--host', '127.0.0.1', '--workers', '2', '--repository-url', `${REPOSITORY_URL}.git`],
      { cwd: dir, env },
    );
  });
  afterAll(async () => {
    if (server) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await fixture?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves a working page from the bundle, with commit links from --repository-url', async () => {
    const url = `http://127.0.0.1:${server.port}`;
    for (let i = 0; i < 200 && (await fetch(`${url}/v2/health/ready`).catch(() => undefined))?.status !== 200; i++) await new Promise((r) => setTimeout(r, 50));
    const { browser, close } = await launchChromium();
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(String(err)));
      page.on('console', (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
      });
      await page.goto(`${url}/models/wine`);
      expect(await page.getByRole('link', { name: COMMIT.slice(0, 12) }).getAttribute('href')).toBe(`${REPOSITORY_URL}/commit/${COMMIT}`);
      await page.getByRole('button', { name: 'Predict' }).click();
      await expect.poll(() => page.locator('#try-prediction').textContent()).toMatch(/^class_[012]$/);
      expect(await page.locator('#try-bars meter').count()).toBe(3);
      await screenshot(page, 'bundle', 'prediction');
      expect(await seriousViolations(page)).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
}
