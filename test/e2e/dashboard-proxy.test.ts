// SPDX-License-Identifier: Apache-2.0
/**
 * Seed 003's way in: a real `kubectl proxy`, and the dashboard at
 * /api/v1/namespaces/kube-system/services/https:kubernetes-dashboard:/proxy/
 * in real Chromium. The page loads through the API server's service proxy
 * from the dashboard's own listener, and its API calls go through kubectl
 * proxy, which adds the kubeconfig's client certificate: no token, and the
 * page is signed in as the certificate's user. The server advertises an
 * address the browser harness made on this machine (TEST-NET), so the
 * Service's endpoints, and every byte of the test, stay local.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { startServer, type ServerHandle } from '../harness/server-harness.js';
import { CHROMIUM, launchIsolatedChromium, type IsolatedBrowser } from './harness/isolated-chromium.js';
import { DASHBOARD_ARTIFACTS, screenshot, seriousViolations } from './harness/dashboard-browser.js';

const skip = process.getuid?.() !== 0 ? 'needs root (network namespaces)' : existsSync(CHROMIUM) ? '' : `${CHROMIUM} not installed`;
const PROXY_PATH = '/api/v1/namespaces/kube-system/services/https:kubernetes-dashboard:/proxy/';

describe('dashboard through kubectl proxy', { skip: skip || undefined }, () => {
  let s: ServerHandle;
  let isolated: IsolatedBrowser;
  let proxy: ChildProcess | undefined;
  let proxyURL = '';

  before(async () => {
    mkdirSync(DASHBOARD_ARTIFACTS, { recursive: true });
    isolated = await launchIsolatedChromium({ advertiseAddress: true });
    s = await startServer({ args: ['--advertise-address', isolated.advertiseAddress!] });
    // kubectl proxy listens where the isolated browser reaches the host, and accepts that Host header only.
    proxy = spawn('kubectl', ['proxy', '--kubeconfig', s.kubeconfig, '--address', isolated.hostAddress, '--port', '0', `--accept-hosts=^${isolated.hostAddress.replace(/\./g, '\\.')}$`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proxyURL = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`kubectl proxy did not start: ${out}`)), 30_000);
      const read = (d: Buffer) => {
        out += d.toString();
        const m = /Starting to serve on ([\d.]+:\d+)/.exec(out);
        if (m) { clearTimeout(t); resolve(`http://${m[1]}`); }
      };
      proxy!.stdout!.on('data', read);
      proxy!.stderr!.on('data', read);
      proxy!.on('exit', (code) => { clearTimeout(t); reject(new Error(`kubectl proxy exited ${code}: ${out}`)); });
    });
  });

  after(async () => {
    if (proxy && proxy.exitCode === null) {
      proxy.kill();
      await new Promise((r) => proxy!.once('exit', r));
    }
    await isolated?.close();
    await s?.stop();
  });

  test('the Service names the advertised, local address', () => {
    const ep = JSON.parse(s.kubectlOk(['get', 'endpoints', 'kubernetes-dashboard', '-n', 'kube-system', '-o', 'json'])) as { subsets: { addresses: { ip: string }[] }[] };
    assert.equal(ep.subsets[0].addresses[0].ip, isolated.advertiseAddress);
  });

  test("the overview opens at seed 003's proxy path, signed in as the proxy's certificate user", async () => {
    const whoami = JSON.parse(s.kubectlOk(['auth', 'whoami', '-o', 'json'])) as { status: { userInfo: { username: string } } };
    const page = await isolated.browser.newPage({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    try {
      await page.goto(`${proxyURL}${PROXY_PATH}`);
      // No login form: the proxy's client certificate is the identity.
      await page.getByRole('heading', { name: 'Nodes' }).waitFor({ timeout: 30_000 });
      assert.equal(await page.getByLabel('Bearer token').count(), 0);
      await page.getByLabel('Signed in as').getByText(whoami.status.userInfo.username, { exact: true }).waitFor({ timeout: 30_000 });
      assert.equal(await page.getByRole('button', { name: 'Log out' }).count(), 0, 'no token session to end');
      // Live through the proxy: a namespace made now appears in the picker over the watch.
      s.kubectlOk(['create', 'namespace', 'via-proxy']);
      await page.locator('.ns-picker option', { hasText: 'via-proxy' }).waitFor({ state: 'attached', timeout: 30_000 });
      await page.getByRole('status').getByText('live').first().waitFor();
      assert.deepEqual(await seriousViolations(page), []);
      await screenshot(page, 'proxy-overview');
      // Readable in the dark scheme too (colour contrast is among axe's serious rules).
      await page.emulateMedia({ colorScheme: 'dark' });
      assert.deepEqual(await seriousViolations(page), [], 'axe in the dark colour scheme');
      await page.goto(`${proxyURL}${PROXY_PATH}#/network`);
      await page.getByRole('table', { name: 'Services' }).getByRole('link', { name: 'kubernetes' }).waitFor({ timeout: 30_000 });
      assert.deepEqual(await seriousViolations(page), [], 'axe on Services and Ingresses, dark');
      await screenshot(page, 'proxy-network-dark');
    } finally {
      await page.close();
    }
  });
});
