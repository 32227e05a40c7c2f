// The web page in a real browser (Debian's chromium via playwright-core) against a real server,
// on a desktop and a phone-width (375 px) screen: the model list, a model's page, the form with
// its prediction and probability bars (and a regressor's spread), a bad value's error by its field,
// a CSV file scored into a paged table and downloaded, a bad file's row and column, axe-core with
// no serious violations, and no Content-Security-Policy refusal. Each state's screenshot is written
// to tests/web/__screenshots__/<viewport>/<state>.png.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../helpers/tools.ts';
import { REPO } from '../helpers/temp.ts';
import { TRAINER_VERSION } from '../../training/artifact.ts';
import { chromiumAvailable, launchChromium, screenshot, seriousViolations } from './browser.ts';
import type { PageServer } from './server.ts';
import { COMMIT, REPOSITORY_URL, startPageServer } from './server.ts';

const VIEWPORTS = [
  { name: 'desktop', viewport: { width: 1280, height: 900 } },
  { name: 'phone', viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true },
] as const;

/** 30 iris rows without the target, so the table has two pages of 25. */
async function irisCsv(rows = 30): Promise<string> {
  const lines = (await readFile(path.join(REPO, 'models/iris/iris.csv'), 'utf8')).trim().split('\n');
  const pick = [lines[0]!, ...lines.slice(1).filter((_, i) => i % 5 === 0).slice(0, rows)];
  return `${pick.map((l) => l.split(',').slice(0, 4).join(',')).join('\n')}\n`;
}

if (requireTool(chromiumAvailable(), 'chromium', 'apt-get install chromium (Debian)')) {
  let server: PageServer;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  beforeAll(async () => {
    server = await startPageServer({ maxRows: 1000 });
    ({ browser, close: closeBrowser } = await launchChromium());
  });
  afterAll(async () => {
    await closeBrowser?.();
    await server?.close();
  });

  describe.each(VIEWPORTS)('the web page on a $name screen', ({ name, ...options }) => {
    let context: BrowserContext;
    let page: Page;
    /** Content-Security-Policy refusals and uncaught errors: the page must cause none. */
    const problems: string[] = [];

    beforeAll(async () => {
      context = await browser.newContext({ ...options, acceptDownloads: true });
      page = await context.newPage();
      // any console error (a CSP refusal, a failed asset, even a favicon) but the API's answers (a 4xx the tests ask for, the jobs probe's 404), which the page handles
      page.on('console', (m) => {
        if (m.type() === 'error' && !new URL(m.location().url || 'about:blank').pathname.startsWith('/v1/')) problems.push(`${m.text()} (${m.location().url})`);
      });
      page.on('pageerror', (err) => problems.push(String(err)));
    });
    afterAll(async () => {
      await context?.close();
    });

    async function expectAccessible(state: string) {
      await screenshot(page, name, state);
      expect(await seriousViolations(page), state).toEqual([]);
      if (name === 'phone') expect(await page.evaluate('document.documentElement.scrollWidth'), `${state}: no sideways scrolling at 375 px`).toBeLessThanOrEqual(375);
      expect(problems).toEqual([]);
    }

    it('lists every served model and opens one', async () => {
      await page.goto(server.url);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Served models');
      for (const model of ['iris', 'wine', 'diabetes', 'mixed']) expect(await page.getByRole('link', { name: model, exact: true }).count()).toBe(1);
      await expectAccessible('models');
      // keyboard: the first Tab reaches the skip link, which jumps to the content
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content');
      await page.getByRole('link', { name: 'iris', exact: true }).click();
      await page.waitForURL(`${server.url}/models/iris`);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toMatch(/^iris/);
    });

    it("shows the model's version, metrics, lineage with commit links, data summary and features", async () => {
      const text = (await page.locator('main').textContent())!;
      expect(text).toMatch(/Version\s*[0-9a-f]{12}/);
      expect(text).toMatch(/Accuracy\s*\d+\.\d%/);
      expect(await page.getByRole('link', { name: COMMIT.slice(0, 12) }).getAttribute('href')).toBe(`${REPOSITORY_URL}/commit/${COMMIT}`);
      expect(await page.getByRole('link', { name: 'models/iris/model.yaml' }).getAttribute('href')).toBe(`${REPOSITORY_URL}/blob/${COMMIT}/models/iris/model.yaml`);
      expect(await page.getByRole('link', { name: 'models/iris/iris.csv' }).getAttribute('href')).toBe(`${REPOSITORY_URL}/blob/${COMMIT}/models/iris/iris.csv`);
      expect(text).toContain(TRAINER_VERSION);
      expect(text).toMatch(/120 training rows, 30 holdout rows/);
      // class balance: one meter per class, shares adding up to 1
      const shares = await Promise.all(['setosa', 'versicolor', 'virginica'].map(async (c) => Number(await page.getByLabel(c, { exact: true }).first().getAttribute('value'))));
      expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      const features = page.getByRole('region', { name: 'Features' });
      expect(await features.getByRole('row').count()).toBe(5);
      expect(await features.getByRole('row', { name: /sepal_length/ }).textContent()).toMatch(/number.*any number.*the training median, 5\.8/);
      await expectAccessible('model');
    });

    it('predicts from the form and shows the class probabilities as bars', async () => {
      expect(await page.getByLabel('sepal_length').inputValue()).toBe('5.8');
      expect(await page.getByLabel('sepal_length').getAttribute('step')).toBe('0.1');
      await page.getByLabel('sepal_length').fill('6.3');
      await page.getByLabel('sepal_width').fill('3.3');
      await page.getByLabel('petal_length').fill('6');
      await page.getByLabel('petal_width').fill('2.5');
      // Enter in a field submits the form (keyboard use)
      await page.getByLabel('petal_width').press('Enter');
      const prediction = page.locator('#try-prediction');
      await expect.poll(() => prediction.textContent()).toBe('virginica');
      const bars = page.locator('#try-bars li');
      expect(await bars.count()).toBe(3);
      const values = await Promise.all([0, 1, 2].map(async (i) => Number(await bars.nth(i).locator('meter').getAttribute('value'))));
      expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      expect(Math.max(...values)).toBe(values[2]);
      expect(await bars.nth(2).textContent()).toMatch(/^virginica.*%$/);
      await expectAccessible('prediction');
    });

    it("shows a bad value's error next to its field: the browser's, and the API's", async () => {
      await page.getByLabel('petal_width').fill('1e999');
      await page.getByRole('button', { name: 'Predict' }).click();
      const error = page.locator('#f-3-error');
      await error.waitFor({ state: 'visible' });
      expect(await error.textContent()).toMatch(/not a number/);
      expect(await page.getByLabel('petal_width').getAttribute('aria-invalid')).toBe('true');
      // A browser without number inputs sends the text as typed: the API's message comes back to the field.
      await page.evaluate('document.getElementById("f-3").type = "text"');
      await page.getByLabel('petal_width').fill('2.5 cm');
      await page.getByRole('button', { name: 'Predict' }).click();
      await expect.poll(() => error.textContent()).toMatch(/petal_width.*expected a finite number, got "2\.5 cm"/);
      await expectAccessible('bad-value');
    });

    it('scores a CSV file into a paged table and downloads it with the prediction columns', async () => {
      const csv = await irisCsv();
      const expected = await (await fetch(`${server.url}/v1/models/iris:predict?probabilities=true`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv })).text();
      await page.getByLabel('CSV file', { exact: true }).setInputFiles({ name: 'flowers.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      // Whether the progress line was shown while the request ran, seen by the page itself.
      await page.evaluate(`(() => {
        const status = document.getElementById('batch-status');
        window.progressShown = false;
        new MutationObserver(() => { if (!status.hidden) window.progressShown = true; }).observe(status, { attributes: true });
      })()`);
      await page.getByRole('button', { name: 'Score the file' }).click();
      const table = page.locator('#batch-table');
      await table.locator('tbody tr').first().waitFor();
      const header = await table.locator('thead th').allTextContents();
      expect(header).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'prediction', 'probability_setosa', 'probability_versicolor', 'probability_virginica']);
      expect(await table.locator('tbody tr').count()).toBe(25);
      const outLines = expected.trim().split('\n');
      const inLines = csv.trim().split('\n');
      expect(await table.locator('tbody tr').first().locator('td').allTextContents()).toEqual([...inLines[1]!.split(','), ...outLines[1]!.split(',')]);
      expect(await page.locator('#batch-page').textContent()).toBe('Rows 1–25 of 30 (page 1 of 2)');
      expect(await page.evaluate('window.progressShown')).toBe(true);
      expect(await page.locator('#batch-status').isHidden()).toBe(true);
      await expectAccessible('csv-result');
      await page.getByRole('button', { name: 'Next' }).click();
      expect(await table.locator('tbody tr').count()).toBe(5);
      expect(await table.locator('tbody tr').last().locator('td').allTextContents()).toEqual([...inLines[30]!.split(','), ...outLines[30]!.split(',')]);
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
      expect(download.suggestedFilename()).toBe('iris-predictions.csv');
      const file = await readFile((await download.path())!, 'utf8');
      expect(file).toBe(`${inLines.map((l, i) => `${l},${outLines[i]}`).join('\n')}\n`);
    });

    it("shows a bad file's row and column", async () => {
      const bad = 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n6.3,3.3,6,2.5\n5,3,abc,1\n';
      await page.getByLabel('CSV file', { exact: true }).setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
      await page.getByRole('button', { name: 'Score the file' }).click();
      const error = page.locator('#batch-error');
      await error.waitFor({ state: 'visible' });
      const text = (await error.textContent())!;
      expect(text).toMatch(/Line\s*4 \(the header is line 1\)/);
      expect(text).toMatch(/Row\s*2 \(data rows from 0/);
      expect(text).toMatch(/Column\s*petal_length/);
      expect(text).toContain('"abc"');
      expect(await page.locator('#batch-result').isHidden()).toBe(true);
      // no batch-jobs API on this server: its part of the page stays hidden
      expect(await page.locator('#jobs').isHidden()).toBe(true);
      await expectAccessible('csv-error');
    });

    it("shows the server's refusal of a file over the row limit", async () => {
      const lines = ['sepal_length,sepal_width,petal_length,petal_width', ...Array.from({ length: 1001 }, () => '5.1,3.5,1.4,0.2')];
      await page.getByLabel('CSV file', { exact: true }).setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
      await page.getByRole('button', { name: 'Score the file' }).click();
      await expect.poll(() => page.locator('#batch-error').textContent()).toMatch(/too many rows: 1001 \(the limit is 1000/);
    });

    it('fills categories from a select and booleans from checkboxes, with missing values', async () => {
      await page.goto(`${server.url}/models/mixed`);
      const color = page.getByLabel('color');
      expect(await color.locator('option').allTextContents()).toEqual(['(missing)', 'blue', 'green', 'red']);
      await color.selectOption('red');
      await page.getByLabel('size').fill('9');
      await page.getByRole('button', { name: 'Predict' }).click();
      const prediction = page.locator('#try-prediction');
      await expect.poll(() => prediction.textContent()).toBe('a');
      await color.selectOption('');
      await page.getByRole('group', { name: 'member' }).getByLabel('true').check();
      await page.getByLabel('size').fill('');
      await page.getByRole('button', { name: 'Predict' }).click();
      await expect.poll(() => prediction.textContent()).toBe('b');
      await page.getByRole('group', { name: 'member' }).getByLabel('missing').check();
      expect(await page.getByRole('group', { name: 'member' }).getByLabel('true').isDisabled()).toBe(true);
      await expectAccessible('mixed');
    });

    it("shows a regressor's prediction beside the training target's spread", async () => {
      await page.goto(`${server.url}/models/diabetes`);
      expect(await page.getByLabel('s2').inputValue()).toBe('112');
      await page.getByRole('button', { name: 'Predict' }).click();
      const prediction = page.locator('#try-prediction');
      await expect.poll(async () => Number(await prediction.textContent())).toBeGreaterThan(0);
      const marker = page.locator('#try-spread .marker');
      expect(await marker.getAttribute('visibility')).toBe('visible');
      expect(await page.locator('#try-spread').getAttribute('aria-label')).toMatch(/^Prediction \d/);
      expect(await page.locator('#try-where').textContent()).toMatch(/^That is (within one standard deviation of|above|below|outside)/);
      await expectAccessible('regression');
    });
  });
}
