// SPDX-License-Identifier: Apache-2.0
/**
 * The built-in dashboard in a real browser (Debian's Chromium driven by
 * playwright-core) against a real server with real pods: log in with the
 * link `skiff dashboard` prints, watch a Deployment roll out and scale it,
 * read a pod's logs and run a command in its terminal, edit a ConfigMap into
 * an invalid state, ask why a pod is Pending, and see a view-only user
 * refused; an expired token, a deleted object and a server restart are shown
 * plainly and recover. Screenshots of the main views are written to
 * test-artifacts/dashboard/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { agentUnavailableReason, startAgentServer, type AgentServer } from './fixtures/agent-server.js';
import { freePort } from '../harness/server-harness.js';
import { CHROMIUM, launchIsolatedChromium, type IsolatedBrowser } from './harness/isolated-chromium.js';

const REPO = resolve(new URL('../../..', import.meta.url).pathname);
const ARTIFACTS = join(REPO, 'test-artifacts', 'dashboard');
const skip = agentUnavailableReason() || (existsSync(CHROMIUM) ? '' : `${CHROMIUM} not installed`);

describe('dashboard in a real browser', { skip: skip || undefined, concurrency: false }, () => {
  let s: AgentServer;
  let isolated: IsolatedBrowser;
  let browser: Browser;
  let port: number;
  // The browser lives in its own network namespace and reaches the server through the host's veth address.
  const reachable = (link: string) => link.replace('https://127.0.0.1:', `https://${isolated.hostAddress}:`);

  const skiff = (args: string[]) => {
    const r = spawnSync(process.execPath, [join(REPO, 'bin', 'skiff'), ...args], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `skiff ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const loginLink = (extra: string[] = []) => reachable(skiff(['dashboard', '--data-dir', s.dataDir, '--no-open', ...extra]));
  const open = async (link: string, route = '#/overview'): Promise<Page> => {
    const page = await browser.newPage({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    await page.goto(link);
    // The first page of a run pays for a cold browser and server; on 2 loaded cores that passed 30 s once.
    await page.waitForSelector('nav[aria-label="Views"]', { timeout: 90_000 });
    if (route !== '#/overview') await page.goto(link.replace(/#.*/, route));
    return page;
  };
  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    port = await freePort();
    s = await startAgentServer(['--https-port', String(port)]);
    isolated = await launchIsolatedChromium();
    browser = isolated.browser;
    s.kubectlOk(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: {
        replicas: 1, selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'busybox:1.35', command: ['sh', '-c', 'echo hello-from-web; exec sleep 3600'] }] },
        },
      },
    }));
    s.kubectlOk(['rollout', 'status', 'deploy/web', '--timeout=120s']);
  });

  after(async () => {
    await isolated?.close();
    await s?.stop();
  });

  test('the login link opens the overview with the node and its pods', async () => {
    const page = await open(loginLink());
    await page.getByRole('heading', { name: 'Nodes' }).waitFor();
    await page.locator('.node-card .badge.ok', { hasText: 'Ready' }).first().waitFor({ timeout: 30_000 });
    await page.getByLabel('Pods by phase').getByText('Running').waitFor();
    await shot(page, 'overview');
    await page.close();
  });

  test('a Deployment scales from the page and its rollout is drawn step by step', async () => {
    const page = await open(loginLink(), '#/object/apps.deployments/default/web');
    await page.getByLabel('Desired replicas').fill('3');
    await page.getByRole('button', { name: 'Scale' }).click();
    await page.getByText(/3 ready, 3 up to date/).waitFor({ timeout: 90_000 });
    const pods = s.json<{ items: unknown[] }>(['pods', '-l', 'app=web']);
    assert.equal(pods.items.length, 3);
    // A rollout: the new ReplicaSet grows while the old one shrinks, visible live.
    s.kubectlOk(['set', 'env', 'deploy/web', 'ROLL=1']);
    await page.getByLabel('Rollout timeline').getByText('Step', { exact: true }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[aria-label="Rollout timeline"] thead th').length >= 4, undefined, { timeout: 90_000 });
    s.kubectlOk(['rollout', 'status', 'deploy/web', '--timeout=120s']);
    await shot(page, 'deployment');
    await page.close();
  });

  test("a pod's logs stream and its terminal runs commands", async () => {
    const name = s.kubectlOk(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}']);
    const page = await open(loginLink(), `#/object/pods/default/${name}`);
    await page.getByLabel('Log output').getByText('hello-from-web').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Open terminal' }).click();
    const status = page.getByRole('region', { name: 'Terminal' }).getByRole('status');
    await status.filter({ hasText: /^(connected|could not connect|disconnected|exited.*)$/ }).waitFor({ timeout: 30_000 });
    assert.equal(await status.innerText(), 'connected');
    await page.locator('.terminal-host').click();
    await page.keyboard.type('echo $((6*7))-answer\n');
    await page.locator('.terminal-host .xterm-rows', { hasText: '42-answer' }).waitFor({ timeout: 30_000 });
    await shot(page, 'pod');
    await page.close();
  });

  test('a ConfigMap edited into an invalid state shows the error at its field, and nothing changes', async () => {
    s.kubectlOk(['create', 'configmap', 'settings', '--from-literal=mode=fast']);
    const page = await open(loginLink(), '#/object/configmaps/default/settings');
    await page.getByRole('button', { name: 'Edit YAML' }).click();
    const editor = page.getByLabel('YAML text');
    const text = await editor.inputValue();
    await editor.fill(text.replace('mode: fast', '"bad key!": fast'));
    await page.getByRole('button', { name: 'Save' }).click();
    const alert = page.getByRole('alert');
    await alert.getByText('Invalid (422)').waitFor();
    await page.getByLabel('Errors by line').getByText(/data\[bad key!\]: Invalid value/).waitFor();
    await shot(page, 'configmap-invalid');
    assert.equal(s.kubectlOk(['get', 'configmap', 'settings', '-o', 'jsonpath={.data.mode}']), 'fast');
    await page.close();
  });

  test('a Pending pod says why, with what it needs against what nodes have free', async () => {
    s.kubectlOk(['run', 'too-big', '--image=busybox:1.35', '--overrides', JSON.stringify({ spec: { containers: [{ name: 'too-big', image: 'busybox:1.35', command: ['sleep', '3600'], resources: { requests: { cpu: '100' } } }] } })]);
    const page = await open(loginLink(), '#/object/pods/default/too-big');
    const why = page.getByRole('note', { name: 'Why' });
    await why.getByText(/Insufficient cpu/).waitFor({ timeout: 30_000 });
    await why.getByText(/It needs 100 CPU; the most any node has free is/).waitFor();
    await shot(page, 'pending-why');
    await page.close();
    s.kubectlOk(['delete', 'pod', 'too-big', '--wait=false']);
  });

  test('a view-only user sees no Secret values and cannot delete', async () => {
    s.kubectlOk(['create', 'secret', 'generic', 'db', '--from-literal=password=hunter2']);
    s.kubectlOk(['create', 'serviceaccount', 'viewer']);
    s.kubectlOk(['create', 'clusterrolebinding', 'viewer-view', '--clusterrole=view', '--serviceaccount=default:viewer']);
    const page = await open(loginLink(['--service-account', 'default/viewer']), '#/list/secrets');
    await page.getByRole('alert').getByText(/Forbidden \(403\)/).waitFor({ timeout: 30_000 });
    assert.equal(await page.getByText('hunter2').count(), 0);
    await page.goto(page.url().replace(/#.*/, '#/object/apps.deployments/default/web'));
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByRole('alert').getByText(/Forbidden \(403\)/).waitFor();
    assert.equal(s.kubectl(['get', 'deploy', 'web']).code, 0, 'the deployment is still there');
    await shot(page, 'forbidden');
    await page.close();
  });

  test('a wrong or expired token is refused plainly', async () => {
    const page = await browser.newPage({ ignoreHTTPSErrors: true });
    await page.goto(`https://${isolated.hostAddress}:${port}/ui/#token=not-a-valid-token`);
    await page.getByRole('alert').getByText(/the token was refused/).waitFor({ timeout: 30_000 });
    await page.getByLabel('Bearer token').waitFor();
    await page.close();
  });

  test('a deleted object says so, and a server restart reconnects every view', async () => {
    s.kubectlOk(['create', 'configmap', 'doomed', '--from-literal=a=b']);
    const page = await open(loginLink(), '#/object/configmaps/default/doomed');
    await page.getByText('a: b').or(page.getByRole('heading', { name: /ConfigMap default\/doomed/ })).first().waitFor();
    s.kubectlOk(['delete', 'configmap', 'doomed']);
    await page.getByRole('alert').getByText(/does not exist \(any more\)/).waitFor({ timeout: 30_000 });
    await page.goto(page.url().replace(/#.*/, '#/list/configmaps'));
    await page.getByRole('status').getByText('live').first().waitFor();
    await s.crash();
    await page.getByRole('status').getByText('reconnecting…').first().waitFor({ timeout: 30_000 });
    await s.restart();
    s.kubectlOk(['create', 'configmap', 'after-restart', '--from-literal=x=y']);
    await page.getByRole('link', { name: 'after-restart' }).waitFor({ timeout: 60_000 });
    await page.close();
  });
});
