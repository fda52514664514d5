// SPDX-License-Identifier: Apache-2.0
/**
 * The kubelet's watch-based ConfigMap and Secret caches end to end (upstream's
 * configMapAndSecretChangeDetectionStrategy Watch), on a real server with its
 * node agent, containerd and kubectl. The agent's periodic pod sync is set
 * to 10 minutes (--sync-frequency), so an edit of a ConfigMap or Secret that
 * reaches a running pod's mounted files within the test came through the
 * object's watch. Then a node's own credentials (a client certificate the
 * cluster CA signed for system:node:<name>, as a joined kubelet holds) list
 * and watch a Secret its pod references by name (fieldSelector
 * metadata.name, the form the kubelet's watches take), and get upstream's
 * 403 for one no pod of the node references. Needs root, containerd, runc,
 * CNI plugins, busybox and kubectl.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentUnavailableReason, startAgentServer, type AgentServer } from './fixtures/agent-server.js';
import { waitFor } from '../harness/wait-for.js';
import { issueCertificate } from '../../src/pki/index.js';
import { HttpClient, R } from '../../src/client/index.js';
import type { KubeObject } from '../../src/api/index.js';

const skip = agentUnavailableReason();
const NS = 'objwatch';
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('kubelet watches the ConfigMaps and Secrets its pods reference', { skip: skip || undefined, timeout: 600_000 }, () => {
  let srv: AgentServer;
  let node = '';
  let serverURL = '';
  let certDir = '';
  let nodeClient: HttpClient | undefined;

  /** asNode runs the real kubectl with the node's own client certificate. */
  const asNode = (args: string[]) => {
    const r = spawnSync('kubectl', ['--server', serverURL, '--certificate-authority', join(certDir, 'ca.crt'), '--client-certificate', join(certDir, 'node.pem'), '--client-key', join(certDir, 'node.pem'), '--kubeconfig', '/dev/null', ...args], { encoding: 'utf8', timeout: 60_000 });
    return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
  const exec = (path: string) => srv.kubectl(['-n', NS, 'exec', 'app', '--', 'cat', path]).stdout;

  before(async () => {
    srv = await startAgentServer(['--sync-frequency', '10m']);
    serverURL = /skiff server ready at (https:\/\/\S+?);/.exec(srv.logs())![1];
    node = srv.json<{ items: { metadata: { name: string } }[] }>(['nodes']).items[0].metadata.name;
    // A node credential as the cluster CA issues one to a kubelet: CN system:node:<name>, O system:nodes.
    const tls = join(srv.dataDir, 'tls');
    const ca = { cert: readFileSync(join(tls, 'ca.crt'), 'utf8'), key: readFileSync(join(tls, 'ca.key'), 'utf8') };
    const cred = await issueCertificate(ca, { subject: `CN=system:node:${node}, O=system:nodes`, client: true });
    certDir = mkdtempSync(join(tmpdir(), 'skiff-objwatch-'));
    writeFileSync(join(certDir, 'ca.crt'), ca.cert);
    writeFileSync(join(certDir, 'node.pem'), cred.cert + cred.key, { mode: 0o600 });
    nodeClient = new HttpClient({ server: serverURL, ca: ca.cert, cert: cred.cert, key: cred.key });

    srv.kubectlOk(['create', 'namespace', NS]);
    srv.kubectlOk(['-n', NS, 'create', 'configmap', 'conf', '--from-literal=k=v1']);
    srv.kubectlOk(['-n', NS, 'create', 'secret', 'generic', 'cred', '--from-literal=k=s1']);
    srv.kubectlOk(['-n', NS, 'create', 'secret', 'generic', 'unreferenced', '--from-literal=k=no']);
    const pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'app', namespace: NS },
      spec: {
        nodeName: node, terminationGracePeriodSeconds: 1,
        containers: [{
          name: 'c', image: 'busybox:1.35', command: ['sleep', '3600'], envFrom: [{ configMapRef: { name: 'conf' } }],
          volumeMounts: [{ name: 'cm', mountPath: '/cm' }, { name: 'sec', mountPath: '/sec' }, { name: 'proj', mountPath: '/proj' }],
        }],
        volumes: [
          { name: 'cm', configMap: { name: 'conf' } },
          { name: 'sec', secret: { secretName: 'cred' } },
          { name: 'proj', projected: { sources: [{ configMap: { name: 'conf', items: [{ key: 'k', path: 'from-cm' }] } }, { secret: { name: 'cred', items: [{ key: 'k', path: 'from-secret' }] } }] } },
        ],
      },
    };
    srv.kubectlOk(['apply', '-f', '-'], JSON.stringify(pod));
    await waitFor('pod app Running', () => srv.json<{ status?: { phase?: string } }>(['-n', NS, 'pod', 'app']).status?.phase === 'Running', 180_000, 1000);
  });

  after(async () => {
    nodeClient?.close();
    if (certDir) rmSync(certDir, { recursive: true, force: true });
    await srv?.stop();
  });

  it("an edited ConfigMap or Secret reaches the running pod's files through the watch, with the pod's periodic sync 10 minutes away", async () => {
    assert.equal(exec('/cm/k'), 'v1');
    assert.equal(exec('/sec/k'), 's1');
    assert.equal(exec('/proj/from-cm'), 'v1');
    assert.equal(srv.kubectlOk(['-n', NS, 'exec', 'app', '--', 'sh', '-c', 'echo -n $k']), 'v1', 'env from the ConfigMap');
    srv.kubectlOk(['-n', NS, 'patch', 'configmap', 'conf', '-p', JSON.stringify({ data: { k: 'v2' } })]);
    srv.kubectlOk(['-n', NS, 'patch', 'secret', 'cred', '-p', JSON.stringify({ data: { k: b64('s2') } })]);
    // Generous limits: the edit arrives by watch within a moment; the periodic sync would take 10 minutes.
    await waitFor('the ConfigMap volume updated', () => exec('/cm/k') === 'v2', 120_000, 500);
    await waitFor('the Secret volume updated', () => exec('/sec/k') === 's2', 120_000, 500);
    await waitFor('the projected volume updated', () => exec('/proj/from-cm') === 'v2' && exec('/proj/from-secret') === 's2', 120_000, 500);
    // The running container's environment is fixed at its start, as upstream.
    assert.equal(srv.kubectlOk(['-n', NS, 'exec', 'app', '--', 'sh', '-c', 'echo -n $k']), 'v1');
  });

  it("a node's credentials list and watch a Secret its pod references by name, and get upstream's 403 for one no pod references", async () => {
    const listed = await nodeClient!.list(R.secrets, { namespace: NS, fieldSelector: 'metadata.name=cred' });
    assert.deepEqual(listed.items.map((s) => s.metadata.name), ['cred']);
    const ac = new AbortController();
    const events: { type: string; data?: Record<string, string> }[] = [];
    const watching = (async () => {
      const stream = nodeClient!.watch<KubeObject & { data?: Record<string, string> }>(R.secrets, {
        namespace: NS, fieldSelector: 'metadata.name=cred', resourceVersion: listed.metadata.resourceVersion, signal: ac.signal,
      });
      for await (const ev of stream) events.push({ type: ev.type, data: ev.object.data });
    })().catch((err: Error) => (ac.signal.aborted ? undefined : events.push({ type: `failed: ${err.message}` })));
    try {
      // Edit until the watch reports it: the watch may open after the first edit, which it then does not replay.
      let round = 0;
      await waitFor('the node watch to see the edit', () => {
        srv.kubectlOk(['-n', NS, 'patch', 'secret', 'cred', '-p', JSON.stringify({ data: { k: b64(`s3-${++round}`) } })]);
        return events.some((e) => e.type === 'MODIFIED' && e.data?.k?.length) || events.some((e) => e.type.startsWith('failed'));
      }, 60_000, 1000);
      assert.ok(!events.some((e) => e.type.startsWith('failed')), JSON.stringify(events));
    } finally {
      ac.abort();
      await watching;
    }

    // A kubelet holds a watch per referenced object; over HTTP/1.1 each takes a connection, and more watches than the
    // client's request pool (16 connections) must not starve its requests.
    const many = new AbortController();
    const streams = Array.from({ length: 20 }, () => (async () => {
      for await (const _ev of nodeClient!.watch(R.secrets, { namespace: NS, fieldSelector: 'metadata.name=cred', signal: many.signal })) { /* drained */ }
    })().catch(() => undefined));
    try {
      const read = nodeClient!.get(R.secrets, 'cred', { namespace: NS }).then((s) => s.metadata.name);
      assert.equal(await Promise.race([read, new Promise((r) => setTimeout(() => r('starved'), 60_000))]), 'cred');
    } finally {
      many.abort();
      await Promise.all(streams);
    }

    const forbidden = (verb: string) => `secrets "unreferenced" is forbidden: User "system:node:${node}" cannot ${verb} resource "secrets" in API group "" in the namespace "${NS}": no relationship found between node '${node}' and this object`;
    const list = asNode(['-n', NS, 'get', 'secrets', '--field-selector', 'metadata.name=unreferenced']);
    assert.equal(list.code, 1);
    assert.equal(list.stderr.trim(), `Error from server (Forbidden): ${forbidden('list')}`);
    const watch = await (async () => {
      const ac2 = new AbortController();
      try {
        for await (const ev of nodeClient!.watch(R.secrets, { namespace: NS, fieldSelector: 'metadata.name=unreferenced', signal: ac2.signal })) return `event ${ev.type}`;
        return 'ended';
      } catch (err) {
        return (err as Error).message;
      } finally {
        ac2.abort();
      }
    })();
    assert.equal(watch, forbidden('watch'));
    // A node lists no Secret collection, only named ones (upstream: "No Object name found").
    assert.match(asNode(['-n', NS, 'get', 'secrets']).stderr, /secrets is forbidden: .* cannot list resource "secrets" .*: No Object name found/);
    // The referenced one reads as before through kubectl too.
    assert.equal(asNode(['-n', NS, 'get', 'secrets', '--field-selector', 'metadata.name=cred', '-o', 'name']).stdout.trim(), 'secret/cred');
  });
});
