// SPDX-License-Identifier: Apache-2.0
/**
 * A cluster of many pods for the dashboard's first-view measurements (the
 * benchmark) and its scale test: node objects with capacity and pods bound
 * to them, written straight to the API (no kubelet runs them, so they stay
 * Pending, which is all the first view reads). Also measures, in the page,
 * the dashboard's first view against the time the same page needs to fetch
 * the lists that view shows as raw JSON (compact, `pretty=false`, as the
 * dashboard asks): the floor any client pays.
 */
import type { Browser, Page } from 'playwright-core';
import type { ServerHandle } from '../../harness/server-harness.js';

/** seedCluster creates `nodes` nodes and `pods` pods spread over them and over `namespaces` namespaces. */
export async function seedCluster(s: ServerHandle, opts: { nodes: number; pods: number; namespaces: number }): Promise<void> {
  const must = async (method: string, path: string, body: unknown) => {
    const r = await s.request(method, path, body, method === 'PATCH' ? { 'Content-Type': 'application/merge-patch+json' } : {});
    if (r.status >= 300 && r.status !== 409) throw new Error(`${method} ${path}: ${r.status} ${r.body}`);
    return r;
  };
  for (let i = 0; i < opts.nodes; i++) {
    const name = `scale-node-${i}`;
    await must('POST', '/api/v1/nodes', { metadata: { name, labels: { 'kubernetes.io/hostname': name } } });
    await must('PATCH', `/api/v1/nodes/${name}/status`, {
      status: {
        capacity: { cpu: '8', memory: '32Gi', pods: '250' },
        allocatable: { cpu: '8', memory: '32Gi', pods: '250' },
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'seeded', lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }],
      },
    });
  }
  for (let i = 0; i < opts.namespaces; i++) await must('POST', '/api/v1/namespaces', { metadata: { name: `scale-${i}` } });
  const create = (i: number) => must('POST', `/api/v1/namespaces/scale-${i % opts.namespaces}/pods`, {
    metadata: { name: `pod-${String(i).padStart(4, '0')}`, labels: { app: `app-${i % 20}` } },
    spec: {
      nodeName: `scale-node-${i % opts.nodes}`,
      containers: [{ name: 'main', image: 'registry.example/app:1', resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
    },
  });
  // A few writers at once: the server is on a shared, loaded machine.
  const next = { i: 0 };
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next.i < opts.pods) await create(next.i++);
  }));
}

/** FirstView is one measurement, in milliseconds from the start of navigation. */
export interface FirstView {
  /** overviewMs: the overview shows every pod counted by phase and every node (first paint: phases may be estimated). */
  overviewMs: number;
  /** overviewExactMs: the overview shows the exact phases and every node's requests (the full pod list is in). */
  overviewExactMs: number;
  /** podListMs: the all-namespaces pod list shows its rows. */
  podListMs: number;
  /** rawFetchMs: the same page fetching and parsing the first view's lists (nodes, pods, warning events, namespaces) itself. */
  rawFetchMs: number;
  /** podRowsInDom: table rows the pod list rendered (a virtualised list renders about a screenful). */
  podRowsInDom: number;
}

/** measureFirstView opens the dashboard at link (which logs in) in a fresh page and times its first views. */
export async function measureFirstView(browser: Browser, link: string, expect: { pods: number; nodes: number }): Promise<FirstView> {
  const page: Page = await browser.newPage({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
  try {
    localStorageAllNamespaces(page);
    await page.goto(link);
    await page.waitForFunction(({ pods, nodes }) => {
      const counts = [...document.querySelectorAll('[aria-label="Pods by phase"] strong')].map((e) => Number(e.textContent));
      return counts.reduce((a, b) => a + b, 0) === pods && document.querySelectorAll('.node-card').length >= nodes;
    }, expect, { timeout: 120_000, polling: 'raf' });
    const overviewMs = await page.evaluate(() => performance.now());
    await page.waitForFunction(({ pods }) => {
      const counts = [...document.querySelectorAll('[aria-label="Pods by phase"] strong')].map((e) => Number(e.textContent));
      return counts.reduce((a, b) => a + b, 0) === pods && !document.querySelector('[aria-label="Pods by phase"][aria-busy], .node-card [aria-busy]');
    }, expect, { timeout: 120_000, polling: 'raf' });
    const overviewExactMs = await page.evaluate(() => performance.now());
    // The raw floor: the lists the overview shows, fetched and parsed by the page itself with the same token.
    const rawFetchMs = await page.evaluate(async () => {
      const token = sessionStorage.getItem('skiff.dashboard.token');
      const headers: Record<string, string> = { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) };
      const t0 = performance.now();
      await Promise.all(['/api/v1/nodes', '/api/v1/pods', '/api/v1/events?fieldSelector=type%3DWarning', '/api/v1/namespaces'].map((p) => `${p}${p.includes('?') ? '&' : '?'}pretty=false`)
        .map(async (p) => (await fetch(p, { headers })).json()));
      return performance.now() - t0;
    });
    // The pod list, all namespaces, as a second first view (a fresh document, so nothing is cached in the page).
    const base = page.url().replace(/#.*/, '');
    await page.goto('about:blank');
    await page.goto(`${base}#/list/pods`);
    await page.waitForFunction((pods) => document.querySelector('.count')?.textContent === `${pods} shown` && document.querySelectorAll('.vtable tbody tr td a').length > 0, expect.pods, { timeout: 120_000, polling: 'raf' });
    const podListMs = await page.evaluate(() => performance.now());
    const podRowsInDom = await page.locator('.vtable tbody tr:not([aria-hidden])').count();
    return { overviewMs, overviewExactMs, podListMs, rawFetchMs, podRowsInDom };
  } finally {
    await page.close();
  }
}

/** localStorageAllNamespaces makes the page start on "all namespaces" (the seeded pods live in many). */
function localStorageAllNamespaces(page: Page): void {
  void page.addInitScript(() => localStorage.setItem('skiff.dashboard.namespace', ''));
}
