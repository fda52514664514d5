// SPDX-License-Identifier: Apache-2.0
/**
 * Joining a second node end to end, on one machine: a `skiff server` with its
 * own node, and a `skiff agent` with its own data dir and containerd, node
 * name and node address (127.0.0.2), joining with a token from
 * `skiff token create`. Covers: refusal of a wrong CA hash (nothing sent),
 * a wrong and an expired token (401, logged with the reason, nothing
 * registered); the join itself (CSRs approved and issued, visible in
 * `kubectl get csr`, node Ready); `kubectl certificate approve|deny`; the
 * node's own credentials (system:node:<name>) refused another Secret with
 * upstream's 403 while reading the Secret of its own pod, and NodeRestriction
 * refusing writes to another node and its pods; logs, exec and `kubectl top`
 * through both kubelets (the API server verifies each kubelet's serving
 * certificate against the cluster CA); a restart reusing the stored
 * certificate. Needs root, containerd, runc, CNI plugins, busybox and kubectl.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { agentUnavailableReason, startAgentServer, type AgentServer } from './fixtures/agent-server.js';
import { waitFor } from '../harness/wait-for.js';
import { mountsUnder, unmountAll } from './harness/host-cleanup.js';
import { busyboxImage } from '../../src/images/index.js';
import { createCertificateRequest } from '../../src/pki/index.js';
import { HttpClient, R } from '../../src/client/index.js';

const CLI_MAIN = new URL('../../src/cli/main.js', import.meta.url).href;
const SKIFF = ['--input-type=module', '-e', `import(${JSON.stringify(CLI_MAIN)}).then((m) => m.main(process.argv.slice(1)))`];
const skip = agentUnavailableReason();
const NODE = `join-${randomBytes(3).toString('hex')}`;
const NODE_IP = '127.0.0.2';

function skiff(args: string[], timeout = 120_000) {
  const r = spawnSync(process.execPath, [...SKIFF, ...args], { encoding: 'utf8', timeout });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

interface Csr {
  metadata: { name: string };
  spec: { username: string; signerName: string };
  status?: { certificate?: string; conditions?: { type: string; status: string; reason?: string }[] };
}

describe('skiff agent joins a cluster with a token', { skip: skip || false, timeout: 900_000 }, () => {
  let srv: AgentServer;
  let serverURL = '';
  let agentDir = '';
  let agent: ChildProcess | undefined;
  let agentLogs = '';
  const scratch: string[] = [];
  const agentFlags = () => ['--data-dir', agentDir, '--node-name', NODE, '--node-ip', NODE_IP, '--cluster-cidr', srv.clusterCIDR, '--service-cidr', srv.serviceCIDR, '--cleanup-on-exit'];
  const csrs = () => srv.json<{ items: Csr[] }>(['csr']).items;

  const startAgent = (token: string) => {
    agentLogs = '';
    agent = spawn(process.execPath, [...SKIFF, 'agent', '--server', serverURL, '--token', token, ...agentFlags()], { stdio: ['ignore', 'pipe', 'pipe'] });
    agent.stdout!.on('data', (d: Buffer) => (agentLogs += d.toString()));
    agent.stderr!.on('data', (d: Buffer) => (agentLogs += d.toString()));
  };
  const stopAgent = async () => {
    const a = agent;
    agent = undefined;
    if (!a || a.exitCode !== null || a.signalCode !== null) return;
    const exited = new Promise((r) => a.once('exit', r));
    a.kill('SIGTERM');
    await Promise.race([exited, sleep(60_000)]);
    if (a.exitCode === null && a.signalCode === null) a.kill('SIGKILL');
  };
  const nodeReady = (name: string) => {
    const n = srv.json<{ status?: { conditions?: { type: string; status: string }[] } }>(['node', name]);
    return n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  };
  /** asNode runs kubectl with the joined node's own certificate (or, given `identity`, another stored one). */
  const asNode = (args: string[], input?: string, identity = 'kubelet-client-current.pem') => {
    const pem = join(agentDir, 'pki', identity);
    const ca = join(agentDir, 'server-ca.crt');
    const r = spawnSync('kubectl', ['--server', serverURL, '--certificate-authority', ca, '--client-certificate', pem, '--client-key', pem, '--kubeconfig', '/dev/null', ...args], { encoding: 'utf8', timeout: 60_000, input });
    return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };

  before(async () => {
    srv = await startAgentServer();
    serverURL = /skiff server ready at (https:\/\/\S+?);/.exec(srv.logs())![1];
    agentDir = mkdtempSync(join(tmpdir(), 'skiff-join-'));
  });

  after(async () => {
    await stopAgent();
    for (const dir of [agentDir, ...scratch]) {
      if (!dir) continue;
      unmountAll(dir);
      if (!mountsUnder(dir).length) rmSync(dir, { recursive: true, force: true });
    }
    await srv?.stop();
  });

  it('refuses a server whose CA does not match the token, sending nothing', async () => {
    const token = skiff(['token', 'create', '--data-dir', srv.dataDir]).stdout.trim();
    assert.match(token, /^K10[0-9a-f]{64}::[a-z0-9]{6}\.[a-z0-9]{16}$/);
    const wrongHash = token.replace(/^K10(.)/, (_m, c: string) => `K10${c === '0' ? '1' : '0'}`);
    const dir = mkdtempSync(join(tmpdir(), 'skiff-join-x-'));
    scratch.push(dir);
    const r = skiff(['agent', '--server', serverURL, '--token', wrongHash, '--data-dir', dir, '--node-name', `${NODE}-x`]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /skiff agent: refusing to join https:\/\/.*: its CA's public key hash is sha256:[0-9a-f]{64} but the token pins sha256:[0-9a-f]{64}/);
    // kubeadm's form: a bare token and --discovery-token-ca-cert-hash; without any pin, nothing is trusted.
    const bare = token.split('::')[1];
    const kubeadmStyle = skiff(['agent', '--server', serverURL, '--token', bare, '--discovery-token-ca-cert-hash', `sha256:${'0'.repeat(64)}`, '--data-dir', dir, '--node-name', `${NODE}-x`]);
    assert.equal(kubeadmStyle.code, 1, kubeadmStyle.stderr);
    assert.match(kubeadmStyle.stderr, /refusing to join .* but the token pins sha256:0{64}/);
    const unpinned = skiff(['agent', '--server', serverURL, '--token', bare, '--data-dir', dir, '--node-name', `${NODE}-x`]);
    assert.equal(unpinned.code, 1, unpinned.stderr);
    assert.match(unpinned.stderr, /the token carries no CA hash/);
    const id = token.split('::')[1].split('.')[0];
    // spawnSync held the event loop: let the server's output in before looking for what it did not log.
    await sleep(1000);
    assert.ok(!srv.logs().includes(`bootstrap-token-${id}`), 'the token was never sent');
    assert.deepEqual(csrs(), []);
  });

  it('refuses a wrong or expired token with 401, logging why, and registers nothing', async () => {
    const token = skiff(['token', 'create', '--data-dir', srv.dataDir]).stdout.trim();
    const id = token.split('::')[1].split('.')[0];
    const wrongSecret = token.replace(/\.[a-z0-9]{16}$/, '.0000000000000000');
    const dir = mkdtempSync(join(tmpdir(), 'skiff-join-y-'));
    scratch.push(dir);
    let r = skiff(['agent', '--server', serverURL, '--token', wrongSecret, '--data-dir', dir, '--node-name', `${NODE}-y`]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /the server https:\/\/\S+ refused the join token \(401 Unauthorized\)/);
    // The server's output is read by this process's event loop, which spawnSync held.
    await waitFor('the reason in the server log', () => new RegExp(`Bootstrap secret kube-system/bootstrap-token-${id} matching bearer token has invalid value for key token-secret`).test(srv.logs()), 10_000);

    const expiring = skiff(['token', 'create', '--ttl', '1s', '--data-dir', srv.dataDir]).stdout.trim();
    const expiringId = expiring.split('::')[1].split('.')[0];
    await sleep(2500);
    r = skiff(['agent', '--server', serverURL, '--token', expiring, '--data-dir', dir, '--node-name', `${NODE}-y`]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /refused the join token \(401 Unauthorized\)/);
    await waitFor('the expiry in the server log', () => new RegExp(`Expired bootstrap token in kube-system/bootstrap-token-${expiringId} Secret: `).test(srv.logs()), 10_000);
    assert.deepEqual(csrs(), []);
    assert.equal(srv.kubectl(['get', 'node', `${NODE}-y`]).code, 1);
  });

  it('joins: client and serving CSRs approved and issued, the node Ready', async () => {
    const token = skiff(['token', 'create', '--data-dir', srv.dataDir]).stdout.trim();
    const id = token.split('::')[1].split('.')[0];
    const secret = srv.json<{ type: string; data: Record<string, string> }>(['secret', `bootstrap-token-${id}`, '-n', 'kube-system']);
    assert.equal(secret.type, 'bootstrap.kubernetes.io/token');
    assert.equal(Buffer.from(secret.data['auth-extra-groups'], 'base64').toString(), 'system:bootstrappers:skiff:default-node-token');
    startAgent(token);
    await waitFor(`node ${NODE} Ready`, () => nodeReady(NODE), 180_000, 1000).catch((err) => {
      throw new Error(`${(err as Error).message}\nagent logs:\n${agentLogs}`);
    });
    const mine = csrs();
    const client = mine.find((c) => c.spec.signerName === 'kubernetes.io/kube-apiserver-client-kubelet')!;
    assert.equal(client.spec.username, `system:bootstrap:${id}`);
    assert.deepEqual(client.status?.conditions?.map((c) => [c.type, c.status, c.reason]), [['Approved', 'True', 'AutoApproved']]);
    assert.ok(client.status?.certificate);
    const serving = mine.find((c) => c.spec.signerName === 'kubernetes.io/kubelet-serving')!;
    assert.equal(serving.spec.username, `system:node:${NODE}`);
    const table = srv.kubectlOk(['get', 'csr']);
    assert.match(table.split('\n')[0], /^NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION$/);
    assert.match(table, new RegExp(`${client.metadata.name}\\s+\\S+\\s+kubernetes.io/kube-apiserver-client-kubelet\\s+system:bootstrap:${id}\\s+<none>\\s+Approved,Issued`));
    assert.match(table, new RegExp(`kubernetes.io/kubelet-serving\\s+system:node:${NODE}\\s+<none>\\s+Approved,Issued`));
    assert.match(asNode(['auth', 'whoami']).stdout, new RegExp(`Username\\s+system:node:${NODE}[\\s\\S]*Groups\\s+\\[system:nodes system:authenticated\\]`));
    // The node's network identity (for its service proxy and policy enforcer), asked with its node credentials.
    const network = mine.find((c) => c.spec.signerName === 'kubernetes.io/kube-apiserver-client')!;
    assert.equal(network.spec.username, `system:node:${NODE}`);
    assert.deepEqual(network.status?.conditions?.map((c) => [c.type, c.status, c.reason]), [['Approved', 'True', 'AutoApproved']]);
    const whoami = asNode(['auth', 'whoami'], undefined, 'node-network-client-current.pem').stdout;
    assert.match(whoami, new RegExp(`Username\\s+system:skiff-node-network:${NODE}[\\s\\S]*Groups\\s+\\[system:skiff-node-network system:authenticated\\]`));
  });

  it('kubectl certificate approve and deny', async () => {
    const csr = async (name: string) => ({
      apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name },
      spec: { request: Buffer.from((await createCertificateRequest({ commonName: 'someone' })).request).toString('base64'), signerName: 'example.com/test', usages: ['digital signature', 'client auth'], expirationSeconds: 3600 },
    });
    srv.kubectlOk(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [await csr('to-approve'), await csr('to-deny')] }));
    assert.match(srv.kubectlOk(['get', 'csr', 'to-approve']), /to-approve\s+\S+\s+example.com\/test\s+system:admin\s+60m\s+Pending/);
    assert.match(srv.kubectlOk(['certificate', 'approve', 'to-approve']), /certificatesigningrequest.certificates.k8s.io\/to-approve approved/);
    assert.match(srv.kubectlOk(['certificate', 'deny', 'to-deny']), /certificatesigningrequest.certificates.k8s.io\/to-deny denied/);
    assert.match(srv.kubectlOk(['get', 'csr', 'to-approve']), /Approved\s*$/m);
    assert.match(srv.kubectlOk(['get', 'csr', 'to-deny']), /Denied\s*$/m);
    const approved = srv.json<Csr>(['csr', 'to-approve']);
    assert.deepEqual(approved.status?.conditions?.map((c) => [c.type, c.reason]), [['Approved', 'KubectlApprove']]);
    // kubectl refuses to approve a denied request; sent anyway, the server refuses it as upstream's validation does.
    assert.match(srv.kubectl(['certificate', 'approve', 'to-deny']).stderr, /certificate signing request "to-deny" is already Denied/);
    const denied = srv.json<Csr>(['csr', 'to-deny']);
    denied.status!.conditions!.push({ type: 'Approved', status: 'True', reason: 'Both' });
    const file = join(srv.dataDir, 'both.json');
    writeFileSync(file, JSON.stringify(denied));
    const both = srv.kubectl(['replace', '--raw', '/apis/certificates.k8s.io/v1/certificatesigningrequests/to-deny/approval', '-f', file]);
    assert.notEqual(both.code, 0);
    assert.match(both.stderr, /Approved and Denied conditions are mutually exclusive/);
    assert.match(srv.kubectlOk(['get', 'csr', 'to-deny']), /Denied\s*$/m);
  });

  it("a node reads its pods' secrets, not others', and the API server reaches both kubelets with verified certificates", async () => {
    srv.kubectlOk(['create', 'secret', 'generic', 'mine', '--from-literal=k=from-my-secret']);
    srv.kubectlOk(['create', 'secret', 'generic', 'theirs', '--from-literal=k=no']);
    const archive = join(agentDir, 'busybox.oci.tar');
    writeFileSync(archive, busyboxImage());
    const imp = skiff(['image', 'import', archive, '--data-dir', agentDir]);
    rmSync(archive, { force: true });
    assert.equal(imp.code, 0, imp.stderr);
    const serverNode = srv.json<{ items: { metadata: { name: string } }[] }>(['nodes']).items.map((n) => n.metadata.name).find((n) => n !== NODE)!;
    const pod = (name: string, nodeName: string) => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name },
      spec: {
        nodeName, terminationGracePeriodSeconds: 1,
        containers: [{ name: 'c', image: 'busybox:1.35', command: ['sh', '-c', 'cat /s/k; echo; sleep 3600'], volumeMounts: [{ name: 's', mountPath: '/s' }] }],
        volumes: [{ name: 's', secret: { secretName: 'mine' } }],
      },
    });
    srv.kubectlOk(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [pod('on-agent', NODE), pod('on-server', serverNode)] }));
    for (const p of ['on-agent', 'on-server']) {
      await waitFor(`${p} Running`, () => srv.json<{ status?: { phase?: string } }>(['pod', p]).status?.phase === 'Running', 120_000, 1000);
      // logs and exec go API server → kubelet over TLS verified against the cluster CA.
      await waitFor(`logs of ${p}`, () => srv.kubectl(['logs', p]).stdout.includes('from-my-secret'), 30_000, 500);
      assert.equal(srv.kubectlOk(['exec', p, '--', 'cat', '/s/k']), 'from-my-secret');
      // The automatic kube-api-access volume: the joined node's kubelet, as system:node:<name>, read
      // kube-root-ca.crt and asked for the pod's token (node authorizer: related through the pod).
      assert.equal(srv.kubectlOk(['exec', p, '--', 'cat', '/var/run/secrets/kubernetes.io/serviceaccount/namespace']), 'default');
      assert.match(srv.kubectlOk(['exec', p, '--', 'cat', '/var/run/secrets/kubernetes.io/serviceaccount/token']), /^eyJ/);
    }
    // metrics.k8s.io reads the joined kubelet's stats over the same verified connection.
    await waitFor(`kubectl top node ${NODE}`, () => new RegExp(`^${NODE}\\s+\\d+m`, 'm').test(srv.kubectl(['top', 'node', NODE]).stdout), 90_000, 2000);
    assert.equal(asNode(['get', 'secret', 'mine', '-o', 'jsonpath={.data.k}']).stdout, Buffer.from('from-my-secret').toString('base64'));
    const denied = asNode(['get', 'secret', 'theirs']);
    assert.equal(denied.code, 1);
    assert.equal(
      denied.stderr.trim(),
      `Error from server (Forbidden): secrets "theirs" is forbidden: User "system:node:${NODE}" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node '${NODE}' and this object`,
    );
    // Pods: a node lists and watches only its own (upstream's node authorizer with AuthorizeNodeWithSelectors).
    const allPods = asNode(['get', 'pods', '-A']);
    assert.equal(allPods.code, 1);
    assert.equal(
      allPods.stderr.trim(),
      `Error from server (Forbidden): pods is forbidden: User "system:node:${NODE}" cannot list resource "pods" in API group "" at the cluster scope: can only list/watch pods with spec.nodeName field selector`,
    );
    assert.match(asNode(['get', 'pods', '-A', '--field-selector', `spec.nodeName=${serverNode}`]).stderr, /can only list\/watch pods with spec.nodeName field selector/);
    const own = asNode(['get', 'pods', '-A', '--field-selector', `spec.nodeName=${NODE}`, '-o', 'jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName}{"\\n"}{end}']);
    assert.equal(own.code, 0, own.stderr);
    assert.ok(own.stdout.split('\n').includes(`on-agent ${NODE}`), own.stdout);
    assert.ok(own.stdout.trim().split('\n').every((l) => l.endsWith(` ${NODE}`)), own.stdout);
    // The network identity reads every pod (to build policy rules) but no Secret.
    const network = (args: string[]) => asNode(args, undefined, 'node-network-client-current.pem');
    const everyPod = network(['get', 'pods', '-o', 'name']).stdout.trim().split('\n');
    assert.ok(everyPod.includes('pod/on-agent') && everyPod.includes('pod/on-server'), everyPod.join(' '));
    assert.match(network(['get', 'secret', 'mine']).stderr, new RegExp(`secrets "mine" is forbidden: User "system:skiff-node-network:${NODE}" cannot get resource "secrets"`));
    // Nodes: it reads only its own (AuthorizeNodeWithSelectors), so `kubectl label` of another fails at its GET.
    assert.match(asNode(['get', 'nodes']).stderr, new RegExp(`nodes is forbidden: User "system:node:${NODE}" cannot list resource "nodes" in API group "" at the cluster scope: node '${NODE}' cannot read all nodes, only its own Node object`));
    assert.equal(asNode(['get', 'nodes', '--field-selector', `metadata.name=${NODE}`, '-o', 'name']).stdout.trim(), `node/${NODE}`);
    assert.match(asNode(['label', 'node', serverNode, 'x=y']).stderr, new RegExp(`nodes "${serverNode}" is forbidden: User "system:node:${NODE}" cannot get resource "nodes" in API group "" at the cluster scope: node '${NODE}' cannot read '${serverNode}', only its own Node object`));
    // NodeRestriction: only its own Node, only mirror pods.
    // (kubectl label and patch read the Node first: the patch is sent as the agent sends its own, with the node's certificate.)
    const pem = readFileSync(join(agentDir, 'pki', 'kubelet-client-current.pem'), 'utf8');
    const nodeClient = new HttpClient({ server: serverURL, ca: readFileSync(join(agentDir, 'server-ca.crt'), 'utf8'), cert: pem, key: pem });
    const patched = await nodeClient.patch(R.nodes, serverNode, 'merge', { metadata: { labels: { x: 'y' } } }).then(() => 'patched', (err: Error) => err.message);
    nodeClient.close();
    assert.match(patched, new RegExp(`nodes "${serverNode}" is forbidden: node "${NODE}" is not allowed to modify node "${serverNode}"`));
    assert.match(asNode(['run', 'sneaky', '--image=busybox:1.35']).stderr, new RegExp(`pods "sneaky" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "${NODE}" can only create mirror pods`));
    assert.match(asNode(['delete', 'pod', 'on-server']).stderr, new RegExp(`pods "on-server" is forbidden: node "${NODE}" can only delete pods with spec.nodeName set to itself`));
    // Nor evict them: refused before any disruption budget is charged (upstream's admitPodEviction).
    const eviction = JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'on-server', namespace: 'default' } });
    assert.match(asNode(['create', '--raw', '/api/v1/namespaces/default/pods/on-server/eviction', '-f', '-'], eviction).stderr, new RegExp(`pods "on-server" is forbidden: node ${NODE} can only evict pods with spec.nodeName set to itself`));
    assert.equal(srv.json<{ metadata: { deletionTimestamp?: string } }>(['pod', 'on-server']).metadata.deletionTimestamp, undefined);
    srv.kubectlOk(['delete', 'pod', 'on-agent', 'on-server', '--wait=true', '--timeout=120s']);
  });

  it('a restarted agent reuses its certificate (no token needed, no new CSR)', async () => {
    const before = csrs().length;
    await stopAgent();
    const stored = readFileSync(join(agentDir, 'pki', 'kubelet-client-current.pem'), 'utf8');
    startAgent('not-a-token');
    await waitFor('the agent restarted', () => /node agent: node \S+ up/.test(agentLogs), 120_000, 500).catch((err) => {
      throw new Error(`${(err as Error).message}\nagent logs:\n${agentLogs}`);
    });
    assert.match(agentLogs, /join: reusing the node certificate/);
    await waitFor(`node ${NODE} Ready`, () => nodeReady(NODE), 120_000, 1000);
    assert.equal(csrs().length, before);
    assert.equal(readFileSync(join(agentDir, 'pki', 'kubelet-client-current.pem'), 'utf8'), stored);
  });
});
