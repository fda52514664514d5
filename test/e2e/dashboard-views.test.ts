// SPDX-License-Identifier: Apache-2.0
/**
 * The dashboard's network, create/apply, usage and accessibility in real
 * Chromium against a real server with real pods: Services and Ingresses with
 * their endpoints and the URLs that reach them; a multi-document manifest
 * checked by the server (dryRun=All) with its errors shown at their lines
 * and nothing stored, then applied; CPU and memory charts sampled from
 * metrics.k8s.io; and axe-core finding no serious violation, the keyboard
 * moving through the nav, and the confirm dialog keeping and returning focus.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { agentUnavailableReason, startAgentServer, type AgentServer } from './fixtures/agent-server.js';
import { CHROMIUM, launchIsolatedChromium, type IsolatedBrowser } from './harness/isolated-chromium.js';
import { DASHBOARD_ARTIFACTS, loginLink, openDashboard, screenshot, seriousViolations } from './harness/dashboard-browser.js';

const skip = agentUnavailableReason() || (existsSync(CHROMIUM) ? '' : `${CHROMIUM} not installed`);

describe('dashboard views in a real browser', { skip: skip || undefined, concurrency: false }, () => {
  let s: AgentServer;
  let isolated: IsolatedBrowser;
  let link: string;
  const open = (route: string) => openDashboard(isolated, link, route, 'default');

  before(async () => {
    mkdirSync(DASHBOARD_ARTIFACTS, { recursive: true });
    s = await startAgentServer();
    isolated = await launchIsolatedChromium();
    s.kubectlOk(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'List', items: [
        {
          apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
          spec: {
            replicas: 1, selector: { matchLabels: { app: 'web' } },
            template: {
              metadata: { labels: { app: 'web' } },
              spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'busybox:1.35', command: ['httpd', '-f', '-p', '8080'], ports: [{ containerPort: 8080 }], resources: { limits: { cpu: '200m', memory: '64Mi' } } }] },
            },
          },
        },
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } },
        {
          apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web' },
          spec: {
            tls: [{ hosts: ['secure.web.test'], secretName: 'web-tls' }],
            rules: [
              { host: 'secure.web.test', http: { paths: [{ path: '/app', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } },
              { host: 'plain.web.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } }] } },
            ],
          },
        },
      ],
    }));
    s.kubectlOk(['rollout', 'status', 'deploy/web', '--timeout=120s']);
    link = loginLink(s.dataDir, isolated);
  });

  after(async () => {
    await isolated?.close();
    await s?.stop();
  });

  test('Services and Ingresses show their endpoints and the URLs that reach them', async () => {
    const nodePort = s.kubectlOk(['get', 'svc', 'web', '-o', 'jsonpath={.spec.ports[0].nodePort}']);
    const node = s.json<{ items: { status: { addresses: { type: string; address: string }[] } }[] }>(['nodes']).items[0];
    const nodeIP = (node.status.addresses.find((a) => a.type === 'ExternalIP') ?? node.status.addresses.find((a) => a.type === 'InternalIP'))!.address;
    const podIP = s.kubectlOk(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].status.podIP}']);
    const page = await open('#/network');
    const services = page.getByRole('table', { name: 'Services' });
    const web = services.getByRole('row', { name: /^web\b/ });
    await web.getByText('1/1 ready').waitFor({ timeout: 60_000 });
    await web.getByText(podIP).waitFor();
    // Links are checked, not followed: the node's address is this machine's LAN address.
    const nodePortLink = web.getByRole('link', { name: `http://${nodeIP}:${nodePort}/` });
    assert.equal(await nodePortLink.getAttribute('href'), `http://${nodeIP}:${nodePort}/`);
    assert.equal(await nodePortLink.getAttribute('target'), '_blank');
    await web.getByText('web.default.svc.cluster.local:80').waitFor();
    const ingress = page.getByRole('table', { name: 'Ingresses' }).getByRole('row', { name: /^web\b/ });
    assert.equal(await ingress.getByRole('link', { name: 'https://secure.web.test/app' }).getAttribute('href'), 'https://secure.web.test/app');
    assert.equal(await ingress.getByRole('link', { name: 'http://plain.web.test/' }).getAttribute('href'), 'http://plain.web.test/');
    await ingress.getByText('web:http').waitFor();
    await screenshot(page, 'network');
    // The Service's own page: its endpoints with the pod behind each.
    await web.getByRole('link', { name: 'web', exact: true }).click();
    await page.getByRole('table', { name: 'Endpoints of web' }).getByText(podIP).waitFor({ timeout: 30_000 });
    await page.getByLabel('Addresses of web').getByRole('link', { name: `http://${nodeIP}:${nodePort}/` }).waitFor();
    await page.goto(page.url().replace(/#.*/, '#/object/networking.k8s.io.ingresses/default/web'));
    await page.getByText('secure.web.test with secret web-tls').waitFor({ timeout: 30_000 });
    await page.close();
  });

  test('a manifest is checked by the server first: errors at their lines, nothing stored; then applied', async () => {
    const manifest = [
      'apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: applied-config', 'data:', '  greeting: hello',
      '---',
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: applied', 'spec:', '  replicas: -1',
      '  selector:', '    matchLabels: { app: applied }', '  template:', '    metadata:', '      labels: { app: applied }',
      '    spec:', '      containers:', '      - name: main', '        image: busybox:1.35', '        command: [sleep, "3600"]', '',
    ].join('\n');
    const page = await open('#/create');
    await page.getByLabel('Manifest YAML').fill(manifest);
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await page.getByRole('alert').getByText('1 of 2 objects failed; nothing was stored.').waitFor({ timeout: 30_000 });
    // `  replicas: -1` is line 13 of the whole manifest (the second document starts at line 8).
    const mark = page.getByLabel('Errors by line').locator('li[data-line="13"]');
    await mark.getByText(/spec\.replicas: Invalid value/).waitFor();
    assert.equal(await page.locator('.gutter li.bad').count(), 1);
    await screenshot(page, 'apply-invalid');
    assert.notEqual(s.kubectl(['get', 'configmap', 'applied-config']).code, 0, 'the dry run stored nothing, the valid ConfigMap included');
    assert.notEqual(s.kubectl(['get', 'deployment', 'applied']).code, 0);
    // A YAML syntax error is shown at its line too, before anything is sent.
    await page.getByLabel('Manifest YAML').fill(manifest.replace('  greeting: hello', '  greeting: [unclosed'));
    await page.getByRole('button', { name: 'Check' }).click();
    await page.getByLabel('Errors by line').getByText(/not valid YAML/).waitFor();
    await page.getByLabel('Manifest YAML').fill(manifest.replace('replicas: -1', 'replicas: 1'));
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await page.getByRole('status').getByText('Done.').waitFor({ timeout: 30_000 });
    await page.getByLabel('Results').getByText('created').first().waitFor();
    assert.equal(s.kubectlOk(['get', 'configmap', 'applied-config', '-o', 'jsonpath={.data.greeting}']), 'hello');
    assert.equal(s.kubectlOk(['get', 'deployment', 'applied', '-o', 'jsonpath={.spec.replicas}']), '1');
    // Applying again updates: server-side apply with the dashboard as field manager.
    await page.getByLabel('Manifest YAML').fill(manifest.replace('replicas: -1', 'replicas: 1').replace('greeting: hello', 'greeting: again'));
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await page.getByLabel('Results').getByRole('link', { name: 'ConfigMap/applied-config' }).waitFor({ timeout: 30_000 });
    await page.getByLabel('Results').getByText(/configured/).first().waitFor();
    assert.equal(s.kubectlOk(['get', 'configmap', 'applied-config', '-o', 'jsonpath={.data.greeting}']), 'again');
    assert.match(s.kubectlOk(['get', 'configmap', 'applied-config', '-o', 'jsonpath={.metadata.managedFields[*].manager}']), /skiff-dashboard/);
    await page.close();
  });

  test('a pod and its node chart CPU and memory from metrics.k8s.io over the last minutes', async () => {
    const name = s.kubectlOk(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}']);
    const page = await open(`#/object/pods/default/${name}`);
    const charts = page.getByRole('group', { name: 'Usage charts' });
    // Two samples make a line: the first at once, the next about 15 s later.
    await page.waitForFunction(() => Number(document.querySelector('[aria-label="Usage charts"] svg[data-samples]')?.getAttribute('data-samples')) >= 2, undefined, { timeout: 120_000 });
    assert.match(await charts.getByRole('img', { name: /^CPU: now / }).getAttribute('aria-label') ?? '', /peak .* over the last 10 minutes \((\d+) samples\)/);
    await charts.getByRole('img', { name: /^Memory: now \d/ }).waitFor();
    assert.equal(await charts.locator('polyline.series').count(), 2);
    // The pod's limits are part of what the charts say (drawn as a line once usage comes near them).
    await charts.getByRole('img', { name: /limit 200m over/ }).waitFor();
    await charts.getByRole('img', { name: /limit 64Mi over/ }).waitFor();
    await screenshot(page, 'pod-usage');
    const nodeName = s.kubectlOk(['get', 'pods', name, '-o', 'jsonpath={.spec.nodeName}']);
    await page.goto(page.url().replace(/#.*/, `#/object/nodes/${nodeName}`));
    await page.getByRole('group', { name: 'Usage charts' }).getByRole('img', { name: /^CPU: now / }).waitFor({ timeout: 60_000 });
    await page.close();
  });

  test('accessible: no serious axe violations, keyboard through the nav, focus kept and returned by the confirm dialog', async () => {
    s.kubectlOk(['create', 'configmap', 'keep-me', '--from-literal=a=b']);
    for (const route of ['#/overview', '#/network', '#/create', '#/list/pods', '#/object/apps.deployments/default/web', '#/object/configmaps/default/keep-me']) {
      const page = await open(route);
      await page.getByRole('status').getByText('live').first().or(page.getByLabel('Manifest YAML')).first().waitFor({ timeout: 30_000 });
      assert.deepEqual(await seriousViolations(page), [], `axe on ${route}`);
      await page.close();
    }
    const page = await open('#/object/configmaps/default/keep-me');
    // The page shows the ConfigMap's data itself, not only inside the YAML editor.
    const data = page.getByRole('table', { name: 'ConfigMap data' });
    await data.getByRole('rowheader', { name: 'a' }).waitFor({ timeout: 30_000 });
    assert.equal(await data.getByRole('cell').first().textContent(), 'b');
    // The nav moves with the arrow keys.
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Overview' }).focus();
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Services and Ingresses');
    await page.keyboard.press('End');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Events');
    // Delete asks in a modal dialog; the safe choice has focus; Tab stays inside; Escape cancels and returns focus.
    const del = page.getByRole('button', { name: 'Delete' });
    await del.click();
    const dialog = page.getByRole('dialog', { name: 'Delete ConfigMap keep-me?' });
    await dialog.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Cancel');
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => !!document.activeElement?.closest('dialog') || document.activeElement === document.body), true, 'focus stays in the dialog');
    }
    assert.deepEqual(await seriousViolations(page), [], 'axe with the dialog open');
    await screenshot(page, 'confirm-dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Delete');
    assert.equal(s.kubectl(['get', 'configmap', 'keep-me']).code, 0, 'cancel deleted nothing');
    await del.click();
    await dialog.getByRole('button', { name: 'Yes, delete' }).click();
    await page.waitForFunction(() => location.hash.startsWith('#/list/configmaps'), undefined, { timeout: 30_000 });
    assert.notEqual(s.kubectl(['get', 'configmap', 'keep-me']).code, 0);
    await page.close();
  });
});
