// SPDX-License-Identifier: Apache-2.0
/**
 * End to end: NetworkPolicy enforcement on bridged "pods". Three network
 * namespaces hang off a test bridge (10.245.<n>.0/24, no address on the
 * host side), like pods on the CNI bridge; br_netfilter makes their traffic
 * cross FORWARD. Pod objects with those IPs are created through the API on
 * a node no kubelet runs, and the enforcer runs in this process with its
 * own chain prefix. When the kubelet runs real pods, the same checks apply
 * to them unchanged.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { startServer, type ServerHandle } from '../harness/server-harness.js';
import { HttpClient, loadKubeconfig } from '../../src/client/http-client.js';
import { R } from '../../src/client/client.js';
import { networkPolicyEnforcer, type NetworkPolicyEnforcer } from '../../src/networkpolicy/index.js';

const canRun = process.getuid?.() === 0 && ok('iptables', ['-S', 'FORWARD']) && ok('ip', ['-V']);
const ID = process.pid % 10000;
const NET = 200 + (process.pid % 50);
const NS = 'np-e2e';
const NODE = 'np-node';
const PREFIX = `SKNP${ID}`;
const BRIDGE = `sknp${ID}br`;

function ok(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface FakePod {
  name: string;
  ip: string;
  netns: string;
  labels: Record<string, string>;
}

const pods: FakePod[] = [
  { name: 'client', ip: `10.245.${NET}.2`, netns: `sknp${ID}a`, labels: { role: 'client' } },
  { name: 'server', ip: `10.245.${NET}.3`, netns: `sknp${ID}b`, labels: { role: 'server' } },
  { name: 'friend', ip: `10.245.${NET}.4`, netns: `sknp${ID}c`, labels: { role: 'friend' } },
];
let httpd: ChildProcess | undefined;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: 'pipe' });
}

function setupNetwork(): void {
  ip('link', 'add', BRIDGE, 'type', 'bridge');
  ip('link', 'set', BRIDGE, 'up');
  pods.forEach((p, i) => {
    const host = `sknp${ID}h${i}`;
    ip('netns', 'add', p.netns);
    ip('link', 'add', host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', p.netns);
    ip('link', 'set', host, 'master', BRIDGE);
    ip('link', 'set', host, 'up');
    ip('netns', 'exec', p.netns, 'ip', 'addr', 'add', `${p.ip}/24`, 'dev', 'eth0');
    ip('netns', 'exec', p.netns, 'ip', 'link', 'set', 'eth0', 'up');
    ip('netns', 'exec', p.netns, 'ip', 'link', 'set', 'lo', 'up');
  });
}

function teardownNetwork(): void {
  httpd?.kill('SIGKILL');
  for (const p of pods) {
    try {
      ip('netns', 'del', p.netns);
    } catch {
      // not created
    }
  }
  try {
    ip('link', 'del', BRIDGE);
  } catch {
    // not created
  }
}

/** connects tries one HTTP request from a pod's netns to the server pod (1 s connect timeout). */
function connects(from: FakePod): Promise<boolean> {
  const server = pods[1];
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', from.netns, 'curl', '-s', '-o', '/dev/null', '--connect-timeout', '1', '-m', '2', `http://${server.ip}:8080/`], (err) => resolve(!err));
  });
}

/** eventually waits until `from` can (or cannot) reach the server. */
async function eventually(from: FakePod, want: boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while ((await connects(from)) !== want) {
    if (Date.now() > deadline) assert.fail(`${from.name} → server: expected ${want ? 'allowed' : 'blocked'}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let server: ServerHandle;
let client: HttpClient;
let enforcer: NetworkPolicyEnforcer;
const abort = new AbortController();

before(async () => {
  if (!canRun) return;
  server = await startServer();
  setupNetwork();
  httpd = spawn('ip', ['netns', 'exec', pods[1].netns, process.execPath, '-e', "require('http').createServer((q, s) => s.end('ok')).listen(8080, () => console.log('ready'))"], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((r) => httpd!.stdout!.once('data', r));
  client = new HttpClient(loadKubeconfig(server.kubeconfig));
  server.kubectlOk(['create', 'namespace', NS]);
  for (const p of pods) {
    const ports = p.name === 'server' ? [{ name: 'http', containerPort: 8080 }] : [];
    await client.create(R.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: p.name, namespace: NS, labels: p.labels }, spec: { nodeName: NODE, containers: [{ name: 'c', image: 'busybox', ports }] } }, { namespace: NS });
    await client.patch(R.pods, p.name, 'merge', { status: { phase: 'Running', podIP: p.ip, podIPs: [{ ip: p.ip }] } }, { namespace: NS, subresource: 'status' });
  }
  enforcer = networkPolicyEnforcer(client, { nodeName: NODE, chainPrefix: PREFIX, log: () => undefined });
  await enforcer.start(abort.signal);
});

after(async () => {
  if (!canRun) return;
  abort.abort();
  await enforcer?.stop();
  teardownNetwork();
  await server?.stop();
});

test('default deny blocks, a pod-selector rule on a named port allows, egress deny blocks, deleting restores', { skip: !canRun && 'needs root, iptables and iproute2' }, async () => {
  const [cli, , friend] = pods;
  await eventually(cli, true);
  server.kubectlOk(['apply', '-n', NS, '-f', '-'], {
    input: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny}
spec:
  podSelector: {matchLabels: {role: server}}
  policyTypes: [Ingress]
`,
  });
  await eventually(cli, false);
  await eventually(friend, false);
  server.kubectlOk(['apply', '-n', NS, '-f', '-'], {
    input: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-friend}
spec:
  podSelector: {matchLabels: {role: server}}
  ingress:
  - from: [{podSelector: {matchLabels: {role: friend}}}]
    ports: [{port: http}]
`,
  });
  await eventually(friend, true);
  assert.equal(await connects(cli), false);
  server.kubectlOk(['apply', '-n', NS, '-f', '-'], {
    input: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: friend-egress}
spec:
  podSelector: {matchLabels: {role: friend}}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 10.245.${NET}.0/24, except: [10.245.${NET}.3/32]}}]}]
`,
  });
  await eventually(friend, false);
  server.kubectlOk(['delete', 'networkpolicy', '-n', NS, '--all']);
  await eventually(cli, true);
  await eventually(friend, true);
});

test('pod changes that change no rule run no iptables; a policy change does', { skip: !canRun && 'needs root, iptables and iproute2' }, async () => {
  const before = enforcer.syncs;
  // No policy selects anything now: a new label and a status change alter no rule (as most pod starts do).
  await client.patch(R.pods, 'client', 'merge', { metadata: { labels: { role: 'client', touched: 'yes' } } }, { namespace: NS });
  await client.patch(R.pods, 'client', 'merge', { status: { conditions: [{ type: 'Ready', status: 'True' }] } }, { namespace: NS, subresource: 'status' });
  // Well past the enforcer's 50 ms coalescing: an apply would have happened by now.
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(enforcer.syncs, before, 'rules re-applied for changes that alter none');
  server.kubectlOk(['apply', '-n', NS, '-f', '-'], { input: 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-client}\nspec:\n  podSelector: {matchLabels: {role: client}}\n  policyTypes: [Ingress]\n' });
  const deadline = Date.now() + 15_000;
  while (enforcer.syncs === before) {
    if (Date.now() > deadline) assert.fail('a new policy was not applied');
    await new Promise((r) => setTimeout(r, 50));
  }
  server.kubectlOk(['delete', 'networkpolicy', '-n', NS, 'deny-client']);
});

test('a malformed NetworkPolicy is rejected by validation', { skip: !canRun && 'needs root, iptables and iproute2' }, () => {
  const r = server.kubectl(['apply', '-n', NS, '-f', '-'], {
    input: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad}
spec:
  podSelector: {}
  ingress: [{from: [{ipBlock: {cidr: not-a-cidr}}]}]
`,
  });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /cidr/);
});

test('stop removes every chain and the FORWARD jump', { skip: !canRun && 'needs root, iptables and iproute2' }, async () => {
  assert.match(execFileSync('iptables-save', ['-t', 'filter'], { encoding: 'utf8' }), new RegExp(`:${PREFIX}-FORWARD`));
  abort.abort();
  await enforcer.stop();
  const saved = execFileSync('iptables-save', ['-t', 'filter'], { encoding: 'utf8' });
  assert.doesNotMatch(saved, new RegExp(PREFIX));
});
