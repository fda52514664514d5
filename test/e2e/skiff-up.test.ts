// SPDX-License-Identifier: Apache-2.0
/**
 * `skiff up`, `skiff status`, `skiff down` as a new user runs them: a
 * background server with the node agent, its context merged into the user's
 * kubeconfig next to their other contexts, a second `up` that does nothing,
 * and `down --purge` that stops everything and removes the data.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SKIFF_BIN } from '../harness/server-harness.js';
import { processesMentioning } from './harness/host-cleanup.js';

const canRun = process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v containerd && command -v runc'], { stdio: 'ignore' }).status === 0;

function freePort(port = 0): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(-1));
    s.listen(port, '0.0.0.0', () => {
      const bound = (s.address() as { port: number }).port;
      s.close(() => resolve(bound));
    });
  });
}

describe('skiff up / status / down', { skip: canRun ? false : 'needs root and containerd' }, () => {
  it('starts a cluster, merges the kubeconfig keeping other contexts, and stops cleanly', async () => {
    const home = mkdtempSync(join(tmpdir(), 'skiff-up-home-'));
    const dataDir = join(home, 'data');
    const port = await freePort();
    mkdirSync(join(home, '.kube'));
    const existing = [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: other',
      '  cluster: {server: "https://127.0.0.1:1"}',
      'users:',
      '- name: other',
      '  user: {token: abc}',
      'contexts:',
      '- name: other',
      '  context: {cluster: other, user: other}',
      'current-context: other',
      '',
    ].join('\n');
    writeFileSync(join(home, '.kube', 'config'), existing);
    const env = { ...process.env, HOME: home, KUBECONFIG: '' };
    const skiff = (...args: string[]) => spawnSync(process.execPath, [SKIFF_BIN, ...args, '--data-dir', dataDir], { env, encoding: 'utf8', timeout: 180_000 });
    // The node's Ingress takes ports 80 and 443 when they are free (another run on this machine may hold them).
    const ingressPortsFree = (await freePort(80)) === 80 && (await freePort(443)) === 443;
    try {
      const up = skiff('up', '--https-port', String(port));
      assert.equal(up.status, 0, up.stderr + up.stdout);
      assert.match(up.stdout, /Skiff is up at https:\/\/127\.0\.0\.1:\d+/);
      assert.match(up.stdout, /kubectl get nodes/);

      const cfg = parse(readFileSync(join(home, '.kube', 'config'), 'utf8'));
      assert.equal(cfg['current-context'], 'skiff');
      assert.deepEqual(cfg.contexts.map((c: { name: string }) => c.name).sort(), ['other', 'skiff']);
      assert.equal(cfg.users.find((u: { name: string }) => u.name === 'other').user.token, 'abc');

      const nodes = spawnSync('kubectl', ['get', 'nodes', '-o', 'name'], { env: { ...env, KUBECONFIG: join(home, '.kube', 'config') }, encoding: 'utf8' });
      assert.equal(nodes.status, 0, nodes.stderr);

      const again = skiff('up', '--https-port', String(port));
      assert.equal(again.status, 0, again.stderr);
      assert.match(again.stdout, /already up/);

      const status = skiff('status');
      assert.equal(status.status, 0, status.stderr);
      assert.match(status.stdout, /server: running \(pid \d+\).*ready/);
      assert.match(status.stdout, /logs: .*server\.log/);
      if (ingressPortsFree) assert.match(status.stdout, /ingress: nginx running \(pid \d+, http 80, https 443, .*\n\s+ConfigurationApplied=True/);
      const nginxPid = Number(/ingress: nginx running \(pid (\d+)/.exec(status.stdout)?.[1] ?? 0);

      const down = skiff('down', '--purge');
      assert.equal(down.status, 0, down.stderr);
      assert.match(down.stdout, /Skiff stopped/);
      assert.equal(existsSync(dataDir), false);
      // The node agent's nginx went with the server: nothing mentions the data dir any more.
      assert.deepEqual(processesMentioning(dataDir), []);
      if (nginxPid) assert.throws(() => process.kill(nginxPid, 0));
      const after = skiff('status');
      assert.equal(after.status, 3);
      assert.match(after.stdout, /not running/);
    } finally {
      skiff('down', '--purge');
      rmSync(home, { recursive: true, force: true });
    }
  });
});
