// SPDX-License-Identifier: Apache-2.0
/**
 * @kubernetes/client-node (the JavaScript client users have) against a real
 * `skiff server`: CRUD, the three patch types, list and watch from a
 * resourceVersion with bookmarks, error bodies compared with upstream's
 * text, and exec, logs and port-forward on a real pod.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { startServer, SKIFF_BIN, type ServerHandle } from '../../harness/server-harness.js';
import { waitFor } from '../../harness/wait-for.js';
import { agentUnavailableReason } from '../fixtures/agent-server.js';
import { busyboxImage } from '../../../src/images/index.js';

function clients(kubeconfig: string): { kc: k8s.KubeConfig; core: k8s.CoreV1Api } {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  return { kc, core: kc.makeApiClient(k8s.CoreV1Api) };
}

/** errorOf runs a call that must fail and returns its HTTP code and raw body. */
async function errorOf(call: () => Promise<unknown>): Promise<{ code: number; body: string }> {
  try {
    await call();
  } catch (err) {
    if (err instanceof k8s.ApiException) return { code: err.code, body: typeof err.body === 'string' ? err.body : JSON.stringify(err.body) };
    throw err;
  }
  throw new Error('the call succeeded');
}

const status = (code: number, reason: string, message: string, details?: object) =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });

describe('@kubernetes/client-node against skiff', () => {
  let s: ServerHandle;
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s?.stop();
  });

  it('CRUD and every patch type', async () => {
    const { core } = clients(s.kubeconfig);
    await core.createNamespace({ body: { metadata: { name: 'js' } } });
    const created = await core.createNamespacedConfigMap({ namespace: 'js', body: { metadata: { name: 'cm', labels: { app: 'js' } }, data: { a: '1' } } });
    assert.equal(created.kind, 'ConfigMap');
    created.data = { ...created.data, b: '2' };
    assert.deepEqual((await core.replaceNamespacedConfigMap({ namespace: 'js', name: 'cm', body: created })).data, { a: '1', b: '2' });
    const patch = (body: object, type: string) => core.patchNamespacedConfigMap({ namespace: 'js', name: 'cm', body }, k8s.setHeaderOptions('Content-Type', type));
    assert.deepEqual((await patch([{ op: 'add', path: '/data/c', value: '3' }], k8s.PatchStrategy.JsonPatch)).data, { a: '1', b: '2', c: '3' });
    assert.deepEqual((await patch({ data: { a: null, d: '4' } }, k8s.PatchStrategy.MergePatch)).data, { b: '2', c: '3', d: '4' });
    assert.deepEqual((await patch({ metadata: { labels: { tier: 't' } } }, k8s.PatchStrategy.StrategicMergePatch)).metadata?.labels, { app: 'js', tier: 't' });
    const notAList = await errorOf(() => patch({ data: {} }, k8s.PatchStrategy.JsonPatch));
    assert.deepEqual(notAList, { code: 400, body: status(400, 'BadRequest', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch') });
    await core.deleteNamespacedConfigMap({ namespace: 'js', name: 'cm' });
    // What is left is the root CA publisher's kube-root-ca.crt, which every namespace holds.
    assert.deepEqual((await core.listNamespacedConfigMap({ namespace: 'js' })).items.map((i) => i.metadata?.name).filter((n) => n !== 'kube-root-ca.crt'), []);
  });

  it('lists, then watches from the list\'s resourceVersion with bookmarks', async () => {
    const { kc, core } = clients(s.kubeconfig);
    await core.createNamespace({ body: { metadata: { name: 'js-watch' } } });
    await core.createNamespacedConfigMap({ namespace: 'js-watch', body: { metadata: { name: 'before' } } });
    const list = await core.listNamespacedConfigMap({ namespace: 'js-watch' });
    await core.createNamespacedConfigMap({ namespace: 'js-watch', body: { metadata: { name: 'after' } } });
    await core.deleteNamespacedConfigMap({ namespace: 'js-watch', name: 'before' });
    const seen: string[] = [];
    const watch = new k8s.Watch(kc);
    let req: AbortController | undefined;
    req = await watch.watch('/api/v1/namespaces/js-watch/configmaps', { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true }, (type: string, obj: { metadata?: { name?: string } }) => seen.push(`${type}:${obj.metadata?.name}`), () => undefined);
    try {
      await waitFor('both changes after the list', () => seen.filter((e) => !e.startsWith('BOOKMARK')).length >= 2, 15_000, 50);
    } finally {
      req?.abort();
    }
    assert.deepEqual(seen.filter((e) => !e.startsWith('BOOKMARK')), ['ADDED:after', 'DELETED:before']);
  });

  it('error bodies are upstream\'s, field for field and in upstream\'s order', async () => {
    const { core } = clients(s.kubeconfig);
    await core.createNamespace({ body: { metadata: { name: 'js-err' } } });
    await core.createNamespacedService({ namespace: 'js-err', body: { metadata: { name: 'x' }, spec: { ports: [{ port: 80 }] } } });
    assert.deepEqual(
      await errorOf(() => core.createNamespacedService({ namespace: 'js-err', body: { metadata: { name: 'x' }, spec: { ports: [{ port: 80 }] } } })),
      { code: 409, body: status(409, 'AlreadyExists', 'services "x" already exists', { name: 'x', kind: 'services' }) },
    );
    assert.deepEqual(await errorOf(() => core.readNamespacedPod({ namespace: 'js-err', name: 'nope' })), { code: 404, body: status(404, 'NotFound', 'pods "nope" not found', { name: 'nope', kind: 'pods' }) });
    assert.deepEqual(
      await errorOf(() => core.deleteNamespace({ name: 'default' })),
      { code: 403, body: status(403, 'Forbidden', 'namespaces "default" is forbidden: this namespace may not be deleted', { name: 'default', kind: 'namespaces' }) },
    );
    const apps = clients(s.kubeconfig).kc.makeApiClient(k8s.AppsV1Api);
    assert.deepEqual(
      await errorOf(() => apps.readNamespacedDeployment({ namespace: 'js-err', name: 'd' })),
      { code: 404, body: status(404, 'NotFound', 'deployments.apps "d" not found', { name: 'd', group: 'apps', kind: 'deployments' }) },
    );
  });
});

describe('@kubernetes/client-node streams against a real pod', { skip: agentUnavailableReason() || undefined, timeout: 240_000 }, () => {
  let s: ServerHandle;
  let local: string;
  before(async () => {
    s = await startServer({ agent: true });
    local = mkdtempSync(join(tmpdir(), 'skiff-js-streams-'));
    const archive = join(local, 'busybox.oci.tar');
    writeFileSync(archive, busyboxImage());
    const imp = spawnSync(process.execPath, [SKIFF_BIN, 'image', 'import', archive, '--data-dir', s.dataDir], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(imp.status, 0, `image import failed: ${imp.stderr}`);
    s.kubectlOk(['create', 'namespace', 'js-streams']);
    s.kubectlOk(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'js-streams' },
        spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'busybox:1.35', command: ['sh', '-c', 'echo started; mkdir -p /www && echo hello-pf > /www/index.html && exec httpd -f -p 8080 -h /www'] }] },
      }),
    });
    s.kubectlOk(['wait', '-n', 'js-streams', '--for=condition=Ready', 'pod/web', '--timeout=90s']);
  });
  after(async () => {
    if (local) rmSync(local, { recursive: true, force: true });
    await s?.stop();
  });

  const collect = () => {
    let text = '';
    const w = new Writable({ write: (chunk: Buffer, _e, cb) => ((text += chunk.toString()), cb()) });
    return { w, text: () => text };
  };

  it('exec with stdin, exit status on the status channel', async () => {
    const { kc } = clients(s.kubeconfig);
    const out = collect();
    const err = collect();
    const stdin = new PassThrough();
    const exitStatus = new Promise<k8s.V1Status>((resolve) => {
      void new k8s.Exec(kc).exec('js-streams', 'web', 'main', ['sh', '-c', 'read l; echo got:$l; echo e >&2; exit 5'], out.w, err.w, stdin, false, resolve);
    });
    stdin.write('from js\n');
    const st = await exitStatus;
    assert.equal(st.status, 'Failure');
    assert.equal(st.reason, 'NonZeroExitCode');
    assert.deepEqual(st.details?.causes, [{ reason: 'ExitCode', message: '5' }]);
    await waitFor('output', () => out.text() === 'got:from js\n' && err.text() === 'e\n', 30_000, 50);
  });

  it('logs with timestamps', { timeout: 60_000 }, async () => {
    const { kc } = clients(s.kubeconfig);
    const logs = collect();
    await new k8s.Log(kc).log('js-streams', 'web', 'main', logs.w, { timestamps: true });
    await waitFor('the log line', () => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z started\n/.test(logs.text()), 15_000, 50);
  });

  it('port-forward', { timeout: 60_000 }, async () => {
    const { kc } = clients(s.kubeconfig);
    const fwd = collect();
    const input = new PassThrough();
    const ws = (await new k8s.PortForward(kc).portForward('js-streams', 'web', [8080], fwd.w, null, input)) as { close(): void };
    try {
      input.write('GET / HTTP/1.0\r\nHost: x\r\n\r\n');
      await waitFor('the pod\'s answer', () => fwd.text().includes('hello-pf'), 15_000, 50);
    } finally {
      ws.close();
    }
  });
});
