// SPDX-License-Identifier: Apache-2.0
/**
 * The dashboard with 1,000 pods, in real Chromium: the overview counts them
 * all, the pod list renders about a screenful of rows (virtualised) yet the
 * keyboard reaches every row, changes arrive live without re-reading the
 * list (a changed pod's row is read alone; a deleted one drops at once), and
 * every list is read and watched once however many views show it; the
 * overview paints first from the pods' Table without objects, then exactly
 * from the full list, which arrives gzipped; app.js's shared chunk is preloaded. How fast
 * is the benchmark's business (`npm run bench -- dashboard`); this test
 * asserts no timing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { startServer, type ServerHandle } from '../harness/server-harness.js';
import { CHROMIUM, launchIsolatedChromium, type IsolatedBrowser } from './harness/isolated-chromium.js';
import { DASHBOARD_ARTIFACTS, loginLink, openDashboard, screenshot, seriousViolations } from './harness/dashboard-browser.js';
import { seedCluster } from './harness/dashboard-scale.js';

const skip = process.getuid?.() !== 0 ? 'needs root (network namespaces)' : existsSync(CHROMIUM) ? '' : `${CHROMIUM} not installed`;
const PODS = 1000;

describe('dashboard with 1,000 pods', { skip: skip || undefined, concurrency: false }, () => {
  let s: ServerHandle;
  let isolated: IsolatedBrowser;
  let link: string;

  before(async () => {
    mkdirSync(DASHBOARD_ARTIFACTS, { recursive: true });
    isolated = await launchIsolatedChromium();
    s = await startServer();
    await seedCluster(s, { nodes: 10, pods: PODS, namespaces: 10 });
    link = loginLink(s.dataDir, isolated);
  });

  after(async () => {
    await isolated?.close();
    await s?.stop();
  });

  /** watchURLs records the watches the page opens (their paths, without the resourceVersion). */
  const watchURLs = (page: Page) => {
    const urls: string[] = [];
    page.on('websocket', (ws) => urls.push(new URL(ws.url()).pathname + new URL(ws.url()).search.replace(/&?resourceVersion=[^&]*/, '')));
    return urls;
  };

  test('the overview counts every pod and draws every node; each list is watched once', async () => {
    const page = await isolated.browser.newPage({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
    const watches = watchURLs(page);
    const scripts: string[] = [];
    page.on('request', (r) => { if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname.replace(/^.*\//, '')); });
    const podListEncodings: (string | undefined)[] = [];
    const podReads: string[] = [];
    const isPodRead = (r: { url(): string; method(): string }) => new URL(r.url()).pathname === '/api/v1/pods' && r.method() === 'GET';
    const isTable = (r: { headers(): Record<string, string> }) => /as=Table/.test(r.headers().accept ?? '');
    page.on('request', (r) => { if (isPodRead(r)) podReads.push(isTable(r) ? `Table includeObject=${new URL(r.url()).searchParams.get('includeObject')}` : 'objects'); });
    page.on('response', (r) => { if (isPodRead(r.request()) && !isTable(r.request())) podListEncodings.push(r.headers()['content-encoding']); });
    await page.addInitScript(() => localStorage.setItem('skiff.dashboard.namespace', ''));
    await page.goto(link);
    await page.waitForFunction((n) => [...document.querySelectorAll('[aria-label="Pods by phase"] strong')].reduce((a, e) => a + Number(e.textContent), 0) === n, PODS, { timeout: 60_000 });
    // The nodes are a list of their own: they may be drawn just after the pods' figures.
    await page.waitForFunction(() => document.querySelectorAll('.node-card').length === 10, undefined, { timeout: 60_000 });
    // The exact phases and the requests follow from the full list: the seeded pods are all Pending, 10m CPU each, 100 a node.
    await page.locator('[aria-label="Pods by phase"]:not([aria-busy])').waitFor({ timeout: 60_000 });
    assert.equal(await page.locator('.phase-pending strong').textContent(), String(PODS));
    await page.locator('.node-card', { hasText: 'scale-node-3' }).getByText('1 requested / 8').first().waitFor({ timeout: 30_000 });
    // The first paint came from the pods' Table without objects, asked for first; the full list was read once, just after.
    assert.deepEqual(podReads, ['Table includeObject=None', 'objects']);
    // The list of 1,000 pods is over the API server's 128 KiB threshold: it arrives gzipped.
    assert.deepEqual(podListEncodings, ['gzip']);
    // Every module the first view loads besides app.js is named in the page (modulepreload), so none waits on app.js to arrive first.
    const preloads = await page.locator('link[rel="modulepreload"]').evaluateAll((links) => links.map((l) => (l.getAttribute('href') ?? '').replace(/^\.\//, '')));
    assert.deepEqual(scripts.filter((f) => f !== 'app.js' && !preloads.includes(f)), [], `scripts ${JSON.stringify(scripts)}, preloaded ${JSON.stringify(preloads)}`);
    // The pod page reads the pods and nodes too: it shares the overview's lists instead of reading its own.
    await page.goto(link.replace(/#.*/, '#/object/pods/scale-3/pod-0003'));
    await page.getByRole('heading', { name: 'Pod scale-3/pod-0003' }).waitFor({ timeout: 30_000 });
    await page.getByRole('heading', { name: /^Status: Pending/ }).waitFor();
    // A list's watch opens once its first page is in; on a loaded machine that can come after the page has drawn.
    for (let i = 0; i < 300 && !(watches.some((u) => u.startsWith('/api/v1/pods?')) && watches.some((u) => u.startsWith('/api/v1/nodes?'))); i++) await page.waitForTimeout(100);
    const podWatches = watches.filter((u) => u.startsWith('/api/v1/pods?'));
    assert.deepEqual(podWatches, ['/api/v1/pods?watch=true&allowWatchBookmarks=true'], `one watch of all pods, got ${JSON.stringify(watches)}`);
    assert.equal(watches.filter((u) => u.startsWith('/api/v1/nodes?')).length, 1);
    await page.close();
  });

  test('the pod list renders a screenful of 1,000 rows, and the keyboard reaches all of them', async () => {
    const page = await openDashboard(isolated, link, '#/list/pods', '');
    await page.getByText(`${PODS} shown`).waitFor({ timeout: 60_000 });
    const rendered = await page.locator('.vtable tbody tr[data-index]').count();
    assert.ok(rendered > 10 && rendered < 100, `a virtualised list renders about a screenful, not ${rendered} rows`);
    assert.equal(await page.getByRole('table', { name: 'Pod list' }).getAttribute('aria-rowcount'), String(PODS + 1));
    // Tab reaches the list's current row; End goes to the last of the 1,000, Enter opens it.
    await page.getByRole('searchbox').focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-index')), '0');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    // Focus moves once the list has re-rendered; on a loaded machine that can be after the key press returns.
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-index') === '2', undefined, { timeout: 10_000 }).catch(() => undefined);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-index')), '2');
    await page.keyboard.press('End');
    await page.waitForFunction((last) => document.activeElement?.getAttribute('data-index') === String(last), PODS - 1);
    assert.match(await page.evaluate(() => document.activeElement?.textContent ?? ''), /pod-0999/);
    assert.deepEqual(await seriousViolations(page), []);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Pod scale-9/pod-0999' }).waitFor({ timeout: 30_000 });
    await page.close();
  });

  test('changes arrive live: a changed row is read alone, a deleted one drops', async () => {
    const page = await openDashboard(isolated, link, '#/list/pods', 'scale-1');
    await page.getByText(`${PODS / 10} shown`).waitFor({ timeout: 60_000 });
    const tableReads: string[] = [];
    page.on('request', (r) => { if (/as=Table/.test(r.headers().accept ?? '')) tableReads.push(new URL(r.url()).pathname); });
    const r = await s.request('PATCH', '/api/v1/namespaces/scale-1/pods/pod-0001/status', { status: { phase: 'Failed', reason: 'Evicted', message: 'seeded by the test' } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(r.status, 200, r.body);
    await page.getByRole('row', { name: /pod-0001/ }).getByText('Evicted').waitFor({ timeout: 30_000 });
    assert.deepEqual(tableReads, ['/api/v1/namespaces/scale-1/pods/pod-0001'], 'only the changed row was read');
    for (const n of ['0011', '0021', '0031']) s.kubectlOk(['delete', 'pod', '-n', 'scale-1', `pod-${n}`, '--wait=false', '--grace-period=0', '--force']);
    await page.getByText(`${PODS / 10 - 3} shown`).waitFor({ timeout: 30_000 });
    await screenshot(page, 'pod-list-1000');
    await page.close();
  });
});
