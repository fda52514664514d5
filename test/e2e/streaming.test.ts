// SPDX-License-Identifier: Apache-2.0
// End to end: the real kubectl against an in-process API server with pod
// streaming installed, a KubeletServer on loopback, and pods run with raw
// CRI calls (carrying the kubelet's labels) in a private containerd:
// logs (tail, timestamps, follow, previous), exec (exit codes, stdin),
// attach, port-forward, cp and top. Needs root, containerd, runc, CNI, busybox.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { containerdUnavailableReason, startContainerdHarness, type ContainerdHarness } from './harness/containerd-harness.js';
import { SkiffServer, DEFAULT_SERVER_OPTIONS } from '../../src/server/index.js';
import { ensurePKI } from '../../src/apiserver/certs.js';
import { installPodStreaming } from '../../src/apiserver/streaming/index.js';
import { KubeletServer } from '../../src/kubelet/streaming/index.js';
import { R } from '../../src/client/client.js';
import { issueCertificate } from '../../src/pki/index.js';
import type { KubeObject } from '../../src/api/object.js';
import type { ContainerConfig } from '../../src/kubelet/cri/cri-types.js';

const skip = containerdUnavailableReason() || false;
const NODE = 'stream-node';
const NS = `streaming-${process.pid}`;
let h: ContainerdHarness;
let server: SkiffServer;
let kubelet: KubeletServer;
let dataDir: string;
let cacheDir: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** kubectl runs asynchronously: the API server lives in this process and must keep serving. */
function kubectl(args: string[], opts: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn('kubectl', ['--kubeconfig', server.kubeconfigPath, '--cache-dir', cacheDir, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

async function kubectlOk(args: string[], opts: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<string> {
  const r = await kubectl(args, opts);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

interface StartedPod {
  pod: Pod;
  sandboxId: string;
  containerId: string;
}

async function waitExited(id: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await h.client.containerStatus({ container_id: id })).status?.state === 'CONTAINER_EXITED') return;
    await sleep(100);
  }
  throw new Error(`container ${id} did not exit`);
}

/** startPod creates the API object (bound to our node, status Running) and runs it through raw CRI as the kubelet would. */
async function startPod(name: string, script: string, extra: Partial<ContainerConfig> = {}): Promise<StartedPod> {
  const created = (await server.client.create(R.pods, ({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: NS },
    spec: { nodeName: NODE, containers: [{ name: 'main', image: h.images.busybox, stdin: !!extra.stdin }] },
  } as KubeObject), { namespace: NS })) as Pod;
  const uid = created.metadata!.uid!;
  const identity = { 'io.kubernetes.pod.name': name, 'io.kubernetes.pod.namespace': NS, 'io.kubernetes.pod.uid': uid };
  const base = h.sandboxConfig(name);
  const sandbox = { ...base, metadata: { name, namespace: NS, uid, attempt: 0 }, labels: identity };
  const { pod_sandbox_id } = await h.client.runPodSandbox({ config: sandbox });
  const containerId = await startContainer(pod_sandbox_id, sandbox, script, 0, extra);
  const ip = (await h.client.podSandboxStatus({ pod_sandbox_id })).status?.network?.ip;
  const pod = (await server.client.update(R.pods, { ...created, status: { phase: 'Running', podIP: ip, hostIP: '127.0.0.1' } } as KubeObject, { namespace: NS, subresource: 'status' })) as Pod;
  return { pod, sandboxId: pod_sandbox_id, containerId };
}

async function startContainer(sandboxId: string, sandbox: ReturnType<ContainerdHarness['sandboxConfig']>, script: string, attempt: number, extra: Partial<ContainerConfig> = {}): Promise<string> {
  mkdirSync(join(sandbox.log_directory!, 'main'), { recursive: true });
  const { container_id } = await h.client.createContainer({
    pod_sandbox_id: sandboxId, sandbox_config: sandbox,
    config: {
      metadata: { name: 'main', attempt }, image: { image: h.images.busybox }, command: ['sh', '-c', script],
      labels: { ...sandbox.labels, 'io.kubernetes.container.name': 'main' }, log_path: `main/${attempt}.log`, ...extra,
    },
  });
  await h.client.startContainer({ container_id });
  return container_id;
}

before(async () => {
  if (skip) return;
  h = await startContainerdHarness();
  dataDir = mkdtempSync(join(tmpdir(), 'skiff-streaming-'));
  cacheDir = mkdtempSync(join(tmpdir(), 'skiff-kubectl-cache-'));
  server = new SkiffServer({ ...DEFAULT_SERVER_OPTIONS, dataDir, httpsPort: 0, disableAgent: true, advertiseAddress: '127.0.0.1', log: () => undefined });
  await server.start();
  const pki = await ensurePKI(join(dataDir, 'tls'), { sans: [] });
  await installPodStreaming(server.api, { client: server.client, ca: pki.ca });
  // The API server verifies kubelets' serving certificates against the cluster CA, as a joined node's would be.
  const servingCert = await issueCertificate(pki.ca, { subject: `CN=system:node:${NODE}, O=system:nodes`, server: true, sans: [NODE, '127.0.0.1'] });
  kubelet = new KubeletServer({ runtime: h.client, nodeName: NODE, clientCA: pki.ca.cert, host: '127.0.0.1', port: 0, servingCert });
  await kubelet.listen();
  await server.client.create(R.nodes, {
    apiVersion: 'v1', kind: 'Node', metadata: { name: NODE },
    status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: kubelet.port } }, capacity: { cpu: '2', memory: '4Gi', pods: '110' }, allocatable: { cpu: '2', memory: '4Gi', pods: '110' } },
  });
  await server.client.create(R.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
}, { timeout: 90_000 });

after(async () => {
  await kubelet?.close();
  await server?.stop();
  await h?.cleanup();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
});

test('kubectl logs: whole, --tail, --timestamps, -f, --previous, errors', { skip, timeout: 90_000 }, async () => {
  const p = await startPod('logger', 'for i in 1 2 3; do echo line-$i; done; sleep 0.2; echo err-line >&2; while [ ! -f /tmp/go ]; do sleep 0.1; done; echo appended; sleep 3600');
  await sleep(500);
  assert.equal(await kubectlOk(['logs', '-n', NS, 'logger']), 'line-1\nline-2\nline-3\nerr-line\n');
  assert.equal(await kubectlOk(['logs', '-n', NS, 'logger', '--tail', '2']), 'line-3\nerr-line\n');
  assert.match(await kubectlOk(['logs', '-n', NS, 'logger', '-c', 'main', '--timestamps', '--tail=1']), /^\d{4}-\d\d-\d\dT[\d:.]+Z err-line\n$/);
  assert.match((await kubectl(['logs', '-n', NS, 'logger', '-c', 'nope'])).stderr, /container nope is not valid for pod logger/);
  assert.match((await kubectl(['logs', '-n', NS, 'logger', '--previous'])).stderr, /previous terminated container "main" in pod "logger" not found/);

  // -f streams lines as they are written; kubectl is stopped by us.
  const follower = spawn('kubectl', ['--kubeconfig', server.kubeconfigPath, '--cache-dir', cacheDir, 'logs', '-f', '-n', NS, 'logger', '--tail=1']);
  let followed = '';
  follower.stdout.on('data', (d) => (followed += d));
  for (let i = 0; i < 50 && !followed.includes('err-line'); i++) await sleep(100);
  await h.client.execSync({ container_id: p.containerId, cmd: ['touch', '/tmp/go'] });
  for (let i = 0; i < 50 && !followed.includes('appended'); i++) await sleep(100);
  follower.kill('SIGINT');
  assert.equal(followed, 'err-line\nappended\n');

  // A restart: attempt 0 exits, attempt 1 runs; --previous reads attempt 0.
  const r = await startPod('restarter', 'echo first-run');
  await waitExited(r.containerId);
  const sandbox = { ...h.sandboxConfig('restarter'), metadata: { name: 'restarter', namespace: NS, uid: r.pod.metadata!.uid!, attempt: 0 } };
  sandbox.log_directory = (await h.client.containerStatus({ container_id: r.containerId })).status!.log_path.replace(/\/main\/0\.log$/, '');
  sandbox.labels = { 'io.kubernetes.pod.name': 'restarter', 'io.kubernetes.pod.namespace': NS, 'io.kubernetes.pod.uid': r.pod.metadata!.uid! };
  await startContainer(r.sandboxId, sandbox, 'echo second-run; sleep 3600', 1);
  await sleep(300);
  assert.equal(await kubectlOk(['logs', '-n', NS, 'restarter']), 'second-run\n');
  assert.equal(await kubectlOk(['logs', '-n', NS, 'restarter', '--previous']), 'first-run\n');
});

test('kubectl exec: output, exit codes, stdin; kubectl cp both ways', { skip, timeout: 90_000 }, async () => {
  await startPod('shell', 'sleep 3600');
  assert.equal(await kubectlOk(['exec', '-n', NS, 'shell', '--', 'sh', '-c', 'echo hi; echo to-err >&2']), 'hi\n');
  const failed = await kubectl(['exec', '-n', NS, 'shell', '--', 'sh', '-c', 'echo hi; exit 3']);
  assert.equal(failed.code, 3, failed.stderr);
  assert.equal(failed.stdout, 'hi\n');
  assert.equal(await kubectlOk(['exec', '-i', '-n', NS, 'shell', '--', 'sh', '-c', 'read x; echo "got:$x"'], { input: 'from-stdin\n' }), 'got:from-stdin\n');
  const missing = await kubectl(['exec', '-n', NS, 'shell', '--', 'no-such-binary']);
  assert.notEqual(missing.code, 0);

  // stdin EOF reaches the process: cat ends by itself.
  assert.equal(await kubectlOk(['exec', '-i', '-n', NS, 'shell', '--', 'cat'], { input: 'all of it\nand more\n', timeoutMs: 15_000 }), 'all of it\nand more\n');
  const wc = await kubectl(['exec', '-i', '-n', NS, 'shell', '--', 'sh', '-c', 'wc -c; exit 4'], { input: Buffer.alloc(300_000, 7), timeoutMs: 15_000 });
  assert.equal(wc.code, 4, wc.stderr);
  assert.equal(wc.stdout.trim(), '300000');

  const local = mkdtempSync(join(tmpdir(), 'skiff-cp-'));
  writeFileSync(join(local, 'up.txt'), 'made-on-host\n');
  await kubectlOk(['cp', join(local, 'up.txt'), `${NS}/shell:/tmp/up.txt`], { timeoutMs: 15_000 });
  assert.equal(await kubectlOk(['exec', '-n', NS, 'shell', '--', 'cat', '/tmp/up.txt']), 'made-on-host\n');
  await kubectlOk(['exec', '-n', NS, 'shell', '--', 'sh', '-c', 'echo made-in-pod > /tmp/down.txt']);
  await kubectlOk(['cp', `${NS}/shell:/tmp/down.txt`, join(local, 'down.txt')]);
  assert.equal(readFileSync(join(local, 'down.txt'), 'utf8'), 'made-in-pod\n');
  rmSync(local, { recursive: true });
});

test('kubectl attach streams a running container', { skip, timeout: 60_000 }, async () => {
  await startPod('ticker', 'i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.2; done');
  const child = spawn('kubectl', ['--kubeconfig', server.kubeconfigPath, '--cache-dir', cacheDir, 'attach', '-n', NS, 'ticker', '-c', 'main']);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  for (let i = 0; i < 60 && !/tick-\d+\n.*tick-\d+/s.test(out); i++) await sleep(100);
  child.kill('SIGINT');
  assert.match(out, /tick-\d+\ntick-\d+/);
});

test('kubectl port-forward pod/NAME LOCAL:80 serves HTTP from the pod', { skip, timeout: 60_000 }, async () => {
  await startPod('web', 'mkdir -p /www && echo hello-port-forward > /www/index.html && exec httpd -f -p 80 -h /www');
  const localPort = 18080 + Math.floor(Math.random() * 1000);
  const child = spawn('kubectl', ['--kubeconfig', server.kubeconfigPath, '--cache-dir', cacheDir, 'port-forward', '-n', NS, 'pod/web', `${localPort}:80`]);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  try {
    for (let i = 0; i < 100 && !out.includes('Forwarding from'); i++) await sleep(100);

    assert.match(out, /Forwarding from 127\.0\.0\.1:\d+ -> 80/);
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`http://127.0.0.1:${localPort}/index.html`, { signal: AbortSignal.timeout(10_000) });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'hello-port-forward\n');
    }
  } finally {
    child.kill('SIGINT');
  }
  assert.doesNotMatch(out, /error/i);
});

test('kubectl top pod and top node read metrics.k8s.io', { skip, timeout: 60_000 }, async () => {
  await startPod('burner', 'while true; do :; done');
  // The metrics API answers "metrics not available yet" until the kubelet has two CPU samples of the pod;
  // on a loaded machine that takes more than the first second.
  let pods = '';
  for (let i = 0; i < 30; i++) {
    await sleep(1000);
    const r = await kubectl(['top', 'pod', '-n', NS]);
    pods = r.stdout;
    if (r.code === 0 && /^burner\s+\d+m/m.test(pods)) break;
    assert.match(r.stderr, /metrics not available yet|^$/, `kubectl top pod failed: ${r.stderr}`);
  }
  assert.match(pods, /NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
  const burner = pods.split('\n').find((l) => l.startsWith('burner'));
  assert.ok(burner, pods);
  assert.ok(Number(/(\d+)m/.exec(burner)![1]) > 100, `a busy loop uses a good part of a core: ${burner}`);
  const nodes = await kubectlOk(['top', 'node']);
  assert.match(nodes, new RegExp(`${NODE}\\s+\\d+m\\s+\\d+%\\s+\\d+Mi\\s+\\d+%`));
});
