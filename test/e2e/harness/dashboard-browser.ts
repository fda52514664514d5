// SPDX-License-Identifier: Apache-2.0
/**
 * The dashboard's browser tests share this: log in through the link
 * `skiff dashboard` prints (rewritten to the address the isolated browser
 * reaches the host at), open a route, save a screenshot, and run axe-core
 * (from node_modules) in the page for accessibility violations.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import type { IsolatedBrowser } from './isolated-chromium.js';

const REPO = resolve(new URL('../../../..', import.meta.url).pathname);
export const DASHBOARD_ARTIFACTS = join(REPO, 'test-artifacts', 'dashboard');
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** loginLink runs `skiff dashboard --no-open` against the server in dataDir and returns a link the browser can open. */
export function loginLink(dataDir: string, isolated: IsolatedBrowser, extra: string[] = []): string {
  const r = spawnSync(process.execPath, [join(REPO, 'bin', 'skiff'), 'dashboard', '--data-dir', dataDir, '--no-open', ...extra], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`skiff dashboard: ${r.stderr}`);
  return r.stdout.trim().replace('https://127.0.0.1:', `https://${isolated.hostAddress}:`);
}

/** openDashboard logs in with link and goes to route; page errors are printed. */
export async function openDashboard(isolated: IsolatedBrowser, link: string, route = '#/overview', namespace?: string): Promise<Page> {
  // bypassCSP lets the test add axe-core's script; the dashboard itself runs under its CSP otherwise unchanged.
  const page = await isolated.browser.newPage({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 }, bypassCSP: true });
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  if (namespace !== undefined) await page.addInitScript((ns) => localStorage.setItem('skiff.dashboard.namespace', ns), namespace);
  await page.goto(link);
  await page.waitForSelector('nav[aria-label="Views"]', { timeout: 30_000 });
  if (route !== '#/overview') await page.goto(link.replace(/#.*/, route));
  return page;
}

export function screenshot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: join(DASHBOARD_ARTIFACTS, `${name}.png`), fullPage: true });
}

interface AxeResult {
  violations: { id: string; impact?: string; help: string; nodes: { target: string[]; failureSummary?: string }[] }[];
}

/** seriousViolations runs axe-core over the page and lists its serious and critical violations, one line each. */
export async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE_SOURCE });
  const result = await page.evaluate(() => (window as unknown as { axe: { run(ctx: Document, o: object): Promise<unknown> } }).axe.run(document, { resultTypes: ['violations'] })) as AxeResult;
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}${v.nodes.length > 3 ? ` and ${v.nodes.length - 3} more` : ''}`);
}
