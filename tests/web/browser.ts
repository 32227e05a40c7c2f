// Debian's chromium through playwright-core, headless with the flags a root container needs, a
// fresh profile per launch (playwright makes one in a temp folder and removes it on close); axe-core run inside the page; screenshots under tests/web/__screenshots__.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { commandWorks } from '../helpers/tools.ts';
import { REPO } from '../helpers/temp.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const chromiumAvailable = () => existsSync(CHROMIUM) && commandWorks(CHROMIUM, ['--version']);

/** Where each state's screenshot goes (ignored by git): `<viewport>/<state>.png`. */
export const SCREENSHOTS = path.join(REPO, 'tests/web/__screenshots__');

export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}

const AXE = readFileSync(path.join(REPO, 'node_modules/axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * axe-core's serious and critical violations of WCAG 2 A/AA on the page as it is now. Evaluated
 * through the DevTools protocol, which the page's CSP does not govern (a script tag would be refused).
 */
export async function seriousViolations(page: Page): Promise<{ id: string; help: string; targets: string }[]> {
  await page.evaluate(AXE);
  // A string: it runs in the page, where `axe` and `document` are (this project's types are Node's).
  const violations = (await page.evaluate(
    "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }).then((r) => r.violations)",
  )) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, help: v.help, targets: v.nodes.map((n) => JSON.stringify(n.target)).join(' ') }));
}

export async function screenshot(page: Page, viewport: string, state: string): Promise<string> {
  const file = path.join(SCREENSHOTS, viewport, `${state}.png`);
  mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
