// The web page's batch jobs in a real browser (Debian's chromium) against the job routes on the
// run's PostgreSQL, with a job worker: on a desktop (1280 px) and a phone-width (375 px) screen, a
// CSV file submitted from a model's page as a job succeeds, is listed, and its results download
// equal to POST :predict (with the probabilities the page asks for); a failing job shows its row and column; with API keys a wrong key is
// refused and the right one lists, runs and downloads jobs. axe-core finds no serious violation;
// screenshots go to tests/web/__screenshots__/<viewport>/jobs-*.png.
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../serving/jobs/api-keys.ts';
import { requirePostgres, usePostgres } from '../fixtures/postgres.ts';
import { requireTool } from '../helpers/tools.ts';
import type { JobsHarness } from '../serving/jobs/helpers.ts';
import { jobsHarness } from '../serving/jobs/helpers.ts';
import { chromiumAvailable, launchChromium, screenshot, seriousViolations } from './browser.ts';
import { listenApp } from './server.ts';

const VIEWPORTS = [
  { name: 'desktop', viewport: { width: 1280, height: 900 } },
  { name: 'phone', viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true },
] as const;

const HEADER = 'sepal_length,sepal_width,petal_length,petal_width';
const MANY = `${HEADER}\n${Array.from({ length: 500 }, (_, i) => `${4 + (i % 40) / 10},3,${1 + (i % 60) / 10},${(i % 25) / 10}`).join('\n')}\n`;
const BAD = `${HEADER}\n1,2,3,4\n1,x,3,4\n`;
const KEY = 'secret-key-for-the-page-1';

/** A page on `url` at one viewport, collecting uncaught errors and console errors but the API's answers (4xx the tests ask for). */
async function openPage(browser: Browser, options: Omit<(typeof VIEWPORTS)[number], 'name'>) {
  const context = await browser.newContext({ ...options, acceptDownloads: true });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !new URL(m.location().url || 'about:blank').pathname.startsWith('/v1/')) problems.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (err) => problems.push(String(err)));
  return { context, page, problems };
}

async function expectAccessible(page: Page, viewport: string, state: string, problems: string[]) {
  await screenshot(page, viewport, state);
  expect(await seriousViolations(page), state).toEqual([]);
  if (viewport === 'phone') expect(await page.evaluate('document.documentElement.scrollWidth'), `${state}: no sideways scrolling at 375 px`).toBeLessThanOrEqual(375);
  expect(problems).toEqual([]);
}

async function submitFile(page: Page, name: string, csv: string) {
  await page.getByLabel('Run as a batch job', { exact: false }).check();
  await page.getByLabel('CSV file', { exact: true }).setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Score the file' }).click();
}

const jobRows = (page: Page, status: string) => page.locator('#jobs-table tbody tr', { hasText: status });

if (requireTool(chromiumAvailable(), 'chromium', 'apt-get install chromium (Debian)') && requirePostgres()) {
  const pg = usePostgres();
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  beforeAll(async () => {
    ({ browser, close: closeBrowser } = await launchChromium());
  });
  afterAll(async () => {
    await closeBrowser?.();
  });

  /** A fresh browser context and page per viewport, closed after its tests. */
  function usePage(options: Omit<(typeof VIEWPORTS)[number], 'name'>) {
    const p = {} as { context: BrowserContext; page: Page; problems: string[] };
    beforeAll(async () => {
      Object.assign(p, await openPage(browser, options));
    });
    afterAll(async () => {
      await p.context?.close();
    });
    return p;
  }

  /** The job routes and a worker of this process, behind an HTTP server. */
  function useJobsServer(overrides: Parameters<typeof jobsHarness>[1] = {}) {
    const s = {} as { h: JobsHarness; url: string; close(): Promise<void> };
    beforeAll(async () => {
      s.h = await jobsHarness(await pg.database(), overrides);
      await s.h.startWorker();
      const server = await listenApp(s.h.app.fetch);
      s.url = server.url;
      s.close = server.close;
    });
    afterAll(async () => {
      await s.close?.();
      await s.h?.close();
    });
    return s;
  }

  describe('batch jobs from the page, open server', () => {
    const s = useJobsServer();
    describe.each(VIEWPORTS)('on a $name screen', ({ name, ...options }) => {
      const p = usePage(options);

      it('runs a file as a job, lists it, and its results download equal to POST :predict', { timeout: 90_000 }, async () => {
        const { page, problems } = p;
        await page.goto(`${s.url}/models/iris`);
        await page.locator('#jobs').waitFor({ state: 'visible' });
        const before = await jobRows(page, 'succeeded').count();
        await submitFile(page, 'many.csv', MANY);
        await expect.poll(() => jobRows(page, 'succeeded').count(), { timeout: 60_000 }).toBe(before + 1);
        const row = jobRows(page, 'succeeded').first();
        expect(await row.textContent()).toContain('500');
        const href = await row.getByRole('link', { name: 'Download' }).getAttribute('href');
        expect(href).toMatch(/^\/v1\/jobs\/[0-9a-f]{32}\/results$/);
        const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: 'Download' }).click()]);
        const results = await readFile((await download.path())!, 'utf8');
        const sync = await (await fetch(`${s.url}/v1/models/iris:predict?probabilities=true`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: MANY })).text();
        expect(results).toBe(sync);
        expect(await page.locator('#batch-error').isVisible()).toBe(false);
        if (name === 'phone') {
          // one card per job: nothing scrolls sideways in the table's box, Job and Status are on screen
          const wrap = page.locator('.table-wrap', { has: page.locator('#jobs-table') });
          expect(await wrap.evaluate((e) => e.scrollWidth - e.clientWidth)).toBeLessThanOrEqual(0);
          for (const cell of [row.locator('td').nth(0), row.locator('td').nth(1)]) {
            const box = (await cell.boundingBox())!;
            expect(box.x).toBeGreaterThanOrEqual(0);
            expect(box.x + box.width).toBeLessThanOrEqual(375);
          }
          expect(await row.locator('td').nth(1).textContent()).toBe('succeeded');
        }
        await expectAccessible(page, name, 'jobs-succeeded', problems);
      });

      it("shows a failing job's row and column, and lists it failed", { timeout: 90_000 }, async () => {
        const { page, problems } = p;
        const before = await jobRows(page, 'failed').count();
        await submitFile(page, 'bad.csv', BAD);
        const error = page.locator('#batch-error');
        await error.waitFor({ state: 'visible', timeout: 60_000 });
        const text = (await error.textContent())!;
        expect(text).toMatch(/The job failed/);
        expect(text).toMatch(/Line\s*3 \(the header is line 1\)/);
        expect(text).toMatch(/Row\s*1 \(data rows from 0/);
        expect(text).toMatch(/Column\s*sepal_width/);
        await expect.poll(() => jobRows(page, 'failed').count()).toBe(before + 1);
        expect(await jobRows(page, 'failed').first().textContent()).toMatch(/sepal_width.*expected a number|expected .*"x"/);
        await expectAccessible(page, name, 'jobs-failed', problems);
      });
    });
  });

  describe('batch jobs from the page, server with API keys', () => {
    const s = useJobsServer({ apiKeys: [{ id: 'alice', sha256: hashKey(KEY) }] });
    describe.each(VIEWPORTS)('on a $name screen, predicting', ({ name, ...options }) => {
      const p = usePage(options);

      it('asks for the key when Try it answers 401, then predicts and scores a CSV file with it', { timeout: 90_000 }, async () => {
        const { page, problems } = p;
        const sent: (string | null)[] = [];
        page.on('request', (r) => {
          if (r.method() === 'POST' && r.url().includes(':predict')) sent.push(r.headers().authorization ?? null);
        });
        await page.goto(`${s.url}/models/iris`);
        await page.getByRole('button', { name: 'Predict' }).click();
        await page.locator('#jobs-key-form').waitFor({ state: 'visible' });
        expect(await page.locator('#try-error').textContent()).toMatch(/needs an API key/);
        expect(await page.evaluate<string>('document.activeElement && document.activeElement.id')).toBe('jobs-key');
        await expectAccessible(page, name, 'predict-key-asked', problems);

        await page.getByLabel('API key').fill(KEY);
        await page.getByRole('button', { name: 'Use the key' }).click();
        // the prediction that answered 401 runs again with the key
        await page.locator('#try-result').waitFor({ state: 'visible' });
        expect(await page.locator('#try-prediction').textContent()).toMatch(/^(setosa|versicolor|virginica)$/);
        expect(await page.locator('#try-error').isVisible()).toBe(false);

        const csv = `${HEADER}\n5.1,3.5,1.4,0.2\n6.3,3.3,6,2.5\n`;
        await page.getByLabel('CSV file', { exact: true }).setInputFiles({ name: 'two.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
        await page.getByRole('button', { name: 'Score the file' }).click();
        await page.locator('#batch-result').waitFor({ state: 'visible' });
        expect(await page.locator('#batch-summary').textContent()).toBe('2 rows scored.');
        expect(sent).toEqual([null, `Bearer ${KEY}`, `Bearer ${KEY}`]);
        // kept in the page only
        expect(await page.evaluate<string>('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie')).not.toContain(KEY);
        await expectAccessible(page, name, 'predict-key-used', problems);
      });
    });

    describe.each(VIEWPORTS)('on a $name screen', ({ name, ...options }) => {
      const p = usePage(options);

      it('refuses a wrong key, then with the right one runs a job and downloads its results', { timeout: 90_000 }, async () => {
        const { page, problems } = p;
        await page.goto(`${s.url}/models/iris`);
        await page.locator('#jobs-key-form').waitFor({ state: 'visible' });
        expect(await page.locator('#jobs-table').isVisible()).toBe(false);
        await page.getByLabel('API key').fill('not-the-key');
        await page.getByRole('button', { name: 'Use the key' }).click();
        const refused = page.locator('#jobs-key-error');
        await refused.waitFor({ state: 'visible' });
        expect(await refused.textContent()).toMatch(/^The key was not accepted: .*API key/);
        expect(await page.getByLabel('API key').getAttribute('aria-invalid')).toBe('true');
        await expectAccessible(page, name, 'jobs-key-refused', problems);

        await page.getByLabel('API key').fill(KEY);
        await page.getByRole('button', { name: 'Use the key' }).click();
        await page.locator('#jobs-key-form').waitFor({ state: 'hidden' });
        const before = await jobRows(page, 'succeeded').count();
        const csv = `${HEADER}\n5.1,3.5,1.4,0.2\n6.3,3.3,6,2.5\n`;
        await submitFile(page, 'two.csv', csv);
        await expect.poll(() => jobRows(page, 'succeeded').count(), { timeout: 60_000 }).toBe(before + 1);
        // a link cannot carry the key: a button fetches with it and saves the file
        const [download] = await Promise.all([page.waitForEvent('download'), jobRows(page, 'succeeded').first().getByRole('button', { name: 'Download' }).click()]);
        expect(download.suggestedFilename()).toMatch(/^iris-job-[0-9a-f]{8}\.csv$/);
        expect(await readFile((await download.path())!, 'utf8')).toMatch(/^prediction,probability_setosa,probability_versicolor,probability_virginica\nsetosa,[^\n]+\nvirginica,[^\n]+\n$/);
        await expectAccessible(page, name, 'jobs-key-succeeded', problems);
      });
    });
  });
}
