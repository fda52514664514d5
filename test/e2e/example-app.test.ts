// SPDX-License-Identifier: Apache-2.0
/**
 * The fibonacci example end to end, as a user runs it: build (or reuse) the
 * images offline, start `skiff server` with its node agent and the ingress
 * on a free port of 127.0.0.1, `skiff image import` them, create the
 * pgpassword Secret, `kubectl apply -f examples/fibonacci/k8s`, wait for the
 * rollouts, then drive the page in headless Chromium through the Ingress:
 * submit index 7 and see 13, delete the Postgres pod, reload, and still see 7
 * in "Indexes I have seen" (the PVC kept the data, under subPath postgres).
 *
 * Chromium is Debian's (/usr/bin/chromium), driven by playwright-core when
 * it is installed and otherwise over the DevTools protocol with `ws`.
 * It skips only on a machine that cannot run pods (not root, no containerd)
 * or lacks chromium/debootstrap; CI installs all of them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import { buildExampleImages, FIBONACCI_DIR } from '../../scripts/build-example-images.js';
import { agentUnavailableReason, startAgentServer, type AgentServer } from './fixtures/agent-server.js';
import { waitFor as waitForShared } from '../harness/wait-for.js';

const REPO = resolve(new URL('../../..', import.meta.url).pathname);
const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'fib-e2e-pw';
const DEPLOYMENTS = ['postgres-deployment', 'redis-deployment', 'server-deployment', 'worker-deployment', 'client-deployment'];

/** staticUnavailableReason says which prerequisite known before starting a server is missing, or ''. */
function staticUnavailableReason(): string {
  const agent = agentUnavailableReason();
  if (agent) return agent;
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} not installed (apt-get install chromium)`;
  if (!existsSync('/usr/sbin/debootstrap')) return 'debootstrap not installed (apt-get install debootstrap)';
  return '';
}

/** ingressFlags puts the Ingress on free ports of 127.0.0.1. */
function ingressFlags(httpPort: number, httpsPort: number): string[] {
  return ['--ingress-bind-address', '127.0.0.1', '--ingress-http-port', String(httpPort), '--ingress-https-port', String(httpsPort)];
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

const waitFor = <T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> => waitForShared(what, fn, timeoutMs, 250);

/** Page is what the test does in the browser, whichever driver does it. */
interface Page {
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  /** type focuses the element and types text as keyboard input. */
  type(selector: string, text: string): Promise<void>;
  /** click clicks the middle of the element with the mouse. */
  click(selector: string): Promise<void>;
  text(selector: string): Promise<string>;
  close(): Promise<void>;
}

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** openPage launches Chromium with a fresh profile: playwright-core when installed, else the DevTools protocol. */
export async function openPage(profile: string): Promise<Page> {
  const specifier = 'playwright-core';
  let playwright: { chromium: { launch(o: object): Promise<PlaywrightBrowser> } } | undefined;
  try {
    playwright = (await import(specifier)) as typeof playwright;
  } catch {
    playwright = undefined;
  }
  // Playwright keeps its own fresh profile (it refuses --user-data-dir on launch); `profile` serves the DevTools path.
  return playwright ? playwrightPage(playwright.chromium) : devtoolsPage(profile);
}

// The few playwright-core calls used here, typed locally: the package is optional.
interface PlaywrightBrowser {
  newPage(): Promise<{
    goto(url: string): Promise<unknown>; reload(): Promise<unknown>; fill(sel: string, v: string): Promise<void>;
    click(sel: string): Promise<void>; textContent(sel: string): Promise<string | null>;
  }>;
  close(): Promise<void>;
}

async function playwrightPage(chromium: { launch(o: object): Promise<PlaywrightBrowser> }): Promise<Page> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const page = await browser.newPage();
  return {
    goto: async (url) => void (await page.goto(url)),
    reload: async () => void (await page.reload()),
    type: (sel, text) => page.fill(sel, text),
    click: (sel) => page.click(sel),
    text: async (sel) => (await page.textContent(sel)) ?? '',
    close: () => browser.close(),
  };
}

/** devtoolsPage drives one tab over the Chrome DevTools Protocol (flattened target sessions). */
async function devtoolsPage(profile: string): Promise<Page> {
  const chrome: ChildProcess = spawn(CHROMIUM, [...CHROMIUM_ARGS, `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  chrome.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const wsURL = await waitFor('chromium DevTools endpoint', () => /DevTools listening on (ws:\/\/\S+)/.exec(stderr)?.[1] ?? (chrome.exitCode !== null ? Promise.reject(new Error(`chromium exited:\n${stderr}`)) : undefined), 30_000);
  const ws = new WebSocket(wsURL, { perMessageDeflate: false });
  await new Promise((res, rej) => ws.once('open', res).once('error', rej));
  let nextId = 1;
  const calls = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  const events: { method: string; sessionId?: string }[] = [];
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { id?: number; result?: Record<string, unknown>; error?: { message: string }; method?: string; sessionId?: string };
    if (msg.id !== undefined) {
      const c = calls.get(msg.id);
      calls.delete(msg.id);
      if (msg.error) c?.reject(new Error(msg.error.message));
      else c?.resolve(msg.result ?? {});
    } else if (msg.method) events.push({ method: msg.method, sessionId: msg.sessionId });
  });
  const send = (method: string, params: object = {}, sessionId?: string) => new Promise<Record<string, unknown>>((res, rej) => {
    const id = nextId++;
    calls.set(id, { resolve: res, reject: rej });
    ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
  });
  const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = (await send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
  const page = (method: string, params: object = {}) => send(method, params, sessionId);
  await page('Page.enable');
  const evaluate = async <T>(expression: string): Promise<T> => {
    const r = (await page('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true })) as { result: { value: T }; exceptionDetails?: { text: string } };
    if (r.exceptionDetails) throw new Error(`${expression}: ${r.exceptionDetails.text}`);
    return r.result.value;
  };
  const loaded = async (navigate: () => Promise<unknown>) => {
    const from = events.length;
    await navigate();
    await waitFor('page load', () => events.slice(from).some((e) => e.method === 'Page.loadEventFired' && e.sessionId === sessionId), 30_000);
  };
  return {
    goto: (url) => loaded(() => page('Page.navigate', { url })),
    reload: () => loaded(() => page('Page.reload', { ignoreCache: true })),
    async type(sel, text) {
      await evaluate(`document.querySelector(${JSON.stringify(sel)}).focus()`);
      await page('Input.insertText', { text });
    },
    async click(sel) {
      const { x, y } = await evaluate<{ x: number; y: number }>(`(() => { const r = document.querySelector(${JSON.stringify(sel)}).getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; })()`);
      for (const type of ['mousePressed', 'mouseReleased']) await page('Input.dispatchMouseEvent', { type, x, y, button: 'left', clickCount: 1 });
    },
    text: (sel) => evaluate<string>(`document.querySelector(${JSON.stringify(sel)})?.textContent ?? ''`),
    async close() {
      await send('Browser.close').catch(() => undefined);
      ws.close();
      await new Promise((r) => (chrome.exitCode !== null ? r(null) : chrome.once('exit', r)));
    },
  };
}

interface PodList { items: { metadata: { name: string; uid: string; deletionTimestamp?: string }; status: { conditions?: { type: string; status: string }[] } }[] }

const skip = staticUnavailableReason();

describe('the fibonacci example through the Ingress in Chromium', { skip: skip || undefined, timeout: 900_000 }, () => {
  let s: AgentServer;
  let ingressPort: number;
  let profile: string;
  let browser: Page | undefined;

  before(async () => {
    const images = await buildExampleImages();
    ingressPort = await freePort();
    s = await startAgentServer(ingressFlags(ingressPort, await freePort()));
    // What a server that runs everything creates on its own: its absence is a failure, not a reason to skip.
    const probes: [string, string[], (out: string) => boolean][] = [
      ['cluster DNS (kube-system/kube-dns Service)', ['get', 'service', 'kube-dns', '-n', 'kube-system', '-o', 'name'], (o) => o.includes('kube-dns')],
      ['a default StorageClass (local-path provisioner)', ['get', 'storageclass', '-o', 'jsonpath={.items[*].metadata.annotations.storageclass\\.kubernetes\\.io/is-default-class}'], (o) => o.includes('true')],
      ['an IngressClass of the built-in ingress controller', ['get', 'ingressclass', '-o', 'jsonpath={.items[*].spec.controller}'], (o) => o.includes('skiff.dev/ingress')],
    ];
    for (const [what, args, ok] of probes) await waitFor(what, () => ok(s.kubectl(args).stdout), 20_000);
    const imported = spawnSync(process.execPath, [join(REPO, 'bin', 'skiff'), 'image', 'import', ...images.map((i) => i.archivePath), '--data-dir', s.dataDir], { encoding: 'utf8', timeout: 300_000 });
    assert.equal(imported.status, 0, `skiff image import failed:\n${imported.stderr}${imported.stdout}`);
    for (const i of images) assert.ok(imported.stdout.includes(i.name), `${i.name} imported:\n${imported.stdout}`);
    profile = mkdtempSync(join(tmpdir(), 'skiff-fib-chromium-'));
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    if (profile) rmSync(profile, { recursive: true, force: true });
    await s?.stop();
  });

  const appURL = () => `http://127.0.0.1:${ingressPort}/`;
  const seen = async () => (await browser!.text('#seen-indexes')).split(',').map((x) => x.trim());

  it('deploys with the documented commands and rolls out every tier', async () => {
    s.kubectlOk(['create', 'secret', 'generic', 'pgpassword', '--from-literal', `PGPASSWORD=${PASSWORD}`]);
    s.kubectlOk(['apply', '-f', join(FIBONACCI_DIR, 'k8s')]);
    for (const d of DEPLOYMENTS) {
      const r = s.kubectl(['rollout', 'status', `deployment/${d}`, '--timeout=180s']);
      assert.equal(r.code, 0, `${d} did not roll out:\n${r.stderr}${r.stdout}\n${s.kubectl(['get', 'pods', '-o', 'wide']).stdout}\n${s.kubectl(['get', 'events']).stdout}`);
    }
    assert.equal(s.kubectlOk(['get', 'pvc', 'database-persistent-volume-claim', '-o', 'jsonpath={.status.phase}']), 'Bound');
    // The page and the API answer through the Ingress, /api stripped by rewrite-target /$1.
    await waitFor('the page through the ingress', async () => (await (await fetch(appURL())).text()).includes('Indexes I have seen'));
    await waitFor('the api through the ingress', async () => (await fetch(`${appURL()}api/values/all`)).ok);
  });

  it('submitting index 7 in the browser shows 13 once the worker wrote it', async () => {
    browser = await openPage(profile);
    await browser.goto(appURL());
    await browser.type('#index', '7');
    await browser.click('#submit');
    await waitFor('"For index 7 I calculated 13"', async () => (await browser!.text('#calculated-values')).includes('For index 7 I calculated 13'), 30_000);
    await waitFor('7 among the indexes seen', async () => (await seen()).includes('7'), 10_000);
  });

  it('deleting the postgres pod keeps the history (the PVC under subPath postgres)', async () => {
    const pods = () => s.json<PodList>(['pods', '-l', 'component=postgres']).items;
    const before = pods().map((p) => p.metadata.uid);
    assert.equal(before.length, 1);
    s.kubectlOk(['delete', 'pod', '-l', 'component=postgres', '--wait=true', '--timeout=90s']);
    const fresh = await waitFor('a new ready postgres pod', () => pods().find((p) => !before.includes(p.metadata.uid) && !p.metadata.deletionTimestamp
      && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')), 120_000);
    const pvPath = s.kubectlOk(['get', 'pv', '-o', 'jsonpath={.items[0].spec.local.path}{.items[0].spec.hostPath.path}']);
    assert.ok(existsSync(join(pvPath, 'postgres', 'PG_VERSION')), `the data lives under ${pvPath}/postgres`);
    const logs = s.kubectlOk(['logs', fresh.metadata.name]);
    assert.doesNotMatch(logs, /init process complete/, 'the new pod reused the data instead of initialising');
    await browser!.reload();
    await waitFor('7 among the indexes seen after the restart', async () => (await seen()).includes('7'), 60_000);
    assert.ok((await browser!.text('#calculated-values')).includes('For index 7 I calculated 13'));
  });
});
