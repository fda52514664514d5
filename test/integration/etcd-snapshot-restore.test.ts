// SPDX-License-Identifier: Apache-2.0
/**
 * `skiff etcd-snapshot save` and `restore` on a server that runs its own
 * etcd (--cluster-init, on loopback ports): a snapshot taken with the server
 * up, restored while it is stopped, brings back exactly the objects of that
 * moment as a one-member cluster; restore refuses a running server and says
 * what the other servers must do.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort, SKIFF_BIN, startServer, type ServerHandle } from '../harness/server-harness.js';

const skip = existsSync('/usr/bin/etcd') && spawnSync('etcdctl', ['version']).status === 0 ? undefined : 'needs /usr/bin/etcd and etcdctl (Debian etcd-server, etcd-client)';

function skiff(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [SKIFF_BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

describe('etcd snapshot save and restore of a server with its own etcd', { skip }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-restore-'));
  let server: ServerHandle | undefined;
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('restores the cluster as of the snapshot', async () => {
    const args = ['--cluster-init', '--advertise-address', '127.0.0.1', '--etcd-client-port', String(await freePort()), '--etcd-peer-port', String(await freePort())];
    server = await startServer({ args, dataDir, keepDataDir: true });
    server.kubectlOk(['create', 'configmap', 'kept', '--from-literal=a=1']);
    const snap = join(dataDir, 'snap.db');
    const saved = skiff(['etcd-snapshot', 'save', '--data-dir', dataDir, '--file', snap]);
    assert.equal(saved.code, 0, saved.stderr);
    assert.match(saved.stdout, /Snapshot saved to .*snap\.db/);
    server.kubectlOk(['create', 'configmap', 'after-snapshot']);
    const refused = skiff(['etcd-snapshot', 'restore', snap, '--data-dir', dataDir]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /is running .*stop it first/);
    await server.stop();
    server = undefined;
    const restored = skiff(['etcd-snapshot', 'restore', snap, '--data-dir', dataDir]);
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /a new etcd cluster whose only member is this server's/);
    assert.match(restored.stdout, /Every other server .* must join the restored one afresh/s);
    assert.match(restored.stdout, /move <its data-dir>\/db\/etcd away/);
    server = await startServer({ args, dataDir, keepDataDir: true });
    assert.match(server.kubectlOk(['get', 'configmap', 'kept', '-o', 'jsonpath={.data.a}']), /^1$/);
    assert.equal(server.kubectl(['get', 'configmap', 'after-snapshot']).code, 1, 'written after the snapshot: gone');
    server.kubectlOk(['create', 'configmap', 'after-restore']);
  });
});
