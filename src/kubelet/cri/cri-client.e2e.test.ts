// SPDX-License-Identifier: Apache-2.0
// End to end: CriClient against a real private containerd (runc, CNI bridge),
// through the whole pod lifecycle, streaming over WebSocket, a node app image,
// a containerd crash, and a cleanup that must leave nothing on the host.
// Needs root, containerd 1.6, runc, containernetworking-plugins and busybox-static.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BlockList } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { containerdUnavailableReason, startContainerdHarness, type ContainerdHarness } from '../../../test/e2e/harness/containerd-harness.js';
import { execOverWebSocket, portForwardRequest } from '../../../test/e2e/harness/stream-client.js';
import { nodeAppImage } from '../../images/node-app-image.js';
import type { ContainerConfig, PodSandboxConfig } from './cri-types.js';
import type { CriClient } from './cri-client.js';

const skip = containerdUnavailableReason() || false; // node:test skips on any string, even ""
let h: ContainerdHarness;

before(async () => {
  if (!skip) h = await startContainerdHarness();
}, { timeout: 60_000 });

after(async () => {
  await h?.cleanup();
});

async function httpGet(url: string, timeoutMs = 10_000): Promise<{ status: number; body: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      return { status: res.status, body: await res.text() };
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(50);
    }
  }
}

async function startPod(client: CriClient, sandbox: PodSandboxConfig, container: ContainerConfig) {
  const { pod_sandbox_id } = await client.runPodSandbox({ config: sandbox });
  if (container.log_path) mkdirSync(join(sandbox.log_directory!, container.log_path, '..'), { recursive: true });
  const { container_id } = await client.createContainer({ pod_sandbox_id, config: container, sandbox_config: sandbox });
  await client.startContainer({ container_id });
  const ip = (await client.podSandboxStatus({ pod_sandbox_id })).status?.network?.ip ?? '';
  return { pod_sandbox_id, container_id, ip };
}

async function removePod(client: CriClient, pod: { pod_sandbox_id: string; container_id: string }) {
  await client.stopContainer({ container_id: pod.container_id, timeout: 2 });
  await client.removeContainer({ container_id: pod.container_id });
  await client.stopPodSandbox({ pod_sandbox_id: pod.pod_sandbox_id });
  await client.removePodSandbox({ pod_sandbox_id: pod.pod_sandbox_id });
}

const HTTPD_SCRIPT = [
  'trap "exit 0" TERM',
  'mkdir -p /www && echo "hello from skiff" > /www/index.html',
  'httpd -f -p 8080 -h /www &',
  'i=0; while true; do echo "tick $i"; echo "err $i" >&2; i=$((i+1)); sleep 1; done',
].join('\n');

test('a busybox pod runs end to end through CRI', { skip, timeout: 60_000 }, async () => {
  const { client } = h;
  const version = await client.version();
  assert.equal(version.runtime_name, 'containerd');
  assert.equal(version.runtime_api_version, 'v1');
  assert.equal((await client.imageStatus({ image: { image: h.images.busybox } })).image?.repo_tags[0], h.images.busybox);

  const sandbox = h.sandboxConfig('web');
  const pod = await startPod(client, sandbox, {
    metadata: { name: 'httpd' },
    image: { image: h.images.busybox },
    command: ['sh', '-c', HTTPD_SCRIPT],
    envs: [{ key: 'GREETING', value: 'aGVsbG8=' }], // valid base64: must arrive verbatim (string, not bytes)
    log_path: 'httpd/0.log',
    linux: { resources: { cpu_period: 100000, cpu_quota: 50000, cpu_shares: 512, memory_limit_in_bytes: 64 * 1024 * 1024 } },
  });
  const subnet = new BlockList();
  subnet.addSubnet(h.podCIDR.split('/')[0], Number(h.podCIDR.split('/')[1]));
  assert.ok(subnet.check(pod.ip), `pod IP ${pod.ip} is in ${h.podCIDR}`);
  assert.equal((await client.containerStatus({ container_id: pod.container_id })).status?.state, 'CONTAINER_RUNNING');

  const res = await httpGet(`http://${pod.ip}:8080/index.html`);
  assert.deepEqual(res, { status: 200, body: 'hello from skiff\n' });

  const exec = await client.execSync({
    container_id: pod.container_id, timeout: 10,
    cmd: ['sh', '-c', 'echo $GREETING; cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us; echo oops >&2; exit 3'],
  });
  assert.equal(exec.stdout.toString(), 'aGVsbG8=\n67108864\n50000\n');
  assert.equal(exec.stderr.toString(), 'oops\n');
  assert.equal(exec.exit_code, 3);

  await client.updateContainerResources({ container_id: pod.container_id, linux: { memory_limit_in_bytes: 128 * 1024 * 1024, cpu_period: 100000, cpu_quota: 25000 } });
  const limit = await client.execSync({ container_id: pod.container_id, cmd: ['cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes'] });
  assert.equal(limit.stdout.toString(), '134217728\n');

  // CRI log format: "<RFC3339Nano> <stream> <F|P> <line>".
  const log = readFileSync(join(sandbox.log_directory!, 'httpd/0.log'), 'utf8');
  assert.match(log, /^\d{4}-\d\d-\d\dT\S+Z stdout F tick 0$/m);
  assert.match(log, /^\S+ stderr F err 0$/m);

  const stats = (await client.containerStats({ container_id: pod.container_id })).stats;
  assert.ok(Number(stats?.memory?.working_set_bytes?.value) > 0, 'memory working set reported');

  const { url: execUrl } = await client.exec({ container_id: pod.container_id, cmd: ['sh', '-c', 'read x; echo "got:$x"; echo bad >&2; exit 7'], stdin: true, stdout: true, stderr: true });
  const session = await execOverWebSocket(execUrl, 'over-websocket\n');
  assert.equal(session.stdout, 'got:over-websocket\n');
  assert.equal(session.stderr, 'bad\n');
  assert.equal(session.status?.reason, 'NonZeroExitCode');
  assert.equal(session.status?.details?.causes?.[0]?.message, '7');

  const { url: pfUrl } = await client.portForward({ pod_sandbox_id: pod.pod_sandbox_id, port: [8080] });
  const forwarded = await portForwardRequest(pfUrl, 8080, 'GET /index.html HTTP/1.0\r\n\r\n');
  assert.match(forwarded, /^HTTP\/1\.[01] 200 OK/);
  assert.match(forwarded, /hello from skiff/);

  await removePod(client, pod);
  assert.deepEqual((await client.listContainers()).containers, []);
  assert.deepEqual((await client.listPodSandbox()).items, []);
  await assert.rejects(client.containerStatus({ container_id: pod.container_id }), { code: 'NotFound' });
});

const NODE_APP = `
const http = require('node:http');
http.createServer((req, res) => res.end('node says ' + req.url)).listen(8080);
process.on('SIGTERM', () => process.exit(0));
`;

test('a nodeAppImage serves HTTP from a pod', { skip, timeout: 60_000 }, async () => {
  const names = await h.importArchive(nodeAppImage({ name: 'localhost/skiff-test/node-echo:1', script: NODE_APP }), 'node-echo.tar');
  assert.deepEqual(names, ['localhost/skiff-test/node-echo:1']);
  const sandbox = h.sandboxConfig('echo');
  const pod = await startPod(h.client, sandbox, {
    metadata: { name: 'echo' }, image: { image: names[0] }, log_path: 'echo/0.log',
  });
  assert.deepEqual(await httpGet(`http://${pod.ip}:8080/hi`), { status: 200, body: 'node says /hi' });
  await removePod(h.client, pod);
});

test('the supervisor restarts containerd after a crash and pods survive it', { skip, timeout: 60_000 }, async () => {
  // A hostPort makes the CNI portmap plugin add iptables chains, which cleanup must remove.
  const hostPort = 20000 + Math.floor(Math.random() * 10000);
  const sandbox = h.sandboxConfig('survivor', { port_mappings: [{ protocol: 'TCP', container_port: 8080, host_port: hostPort, host_ip: '127.0.0.1' }] });
  const pod = await startPod(h.client, sandbox, {
    metadata: { name: 'httpd' }, image: { image: h.images.busybox }, command: ['sh', '-c', HTTPD_SCRIPT], log_path: 'httpd/0.log',
  });
  const oldPid = h.supervisor.pid!;
  process.kill(oldPid, 'SIGKILL');
  await sleep(100);
  await h.supervisor.waitReady(20_000);
  assert.notEqual(h.supervisor.pid, oldPid);
  assert.equal(h.supervisor.restarts, 1);
  assert.equal((await h.client.containerStatus({ container_id: pod.container_id })).status?.state, 'CONTAINER_RUNNING');
  assert.equal((await httpGet(`http://${pod.ip}:8080/index.html`)).status, 200);
  // This pod is left for cleanup() to remove, which the next test checks.
});

test('cleanup leaves no containerd, pod, mount, bridge, iptables rule or cgroup behind', { skip, timeout: 60_000 }, async () => {
  const { dataDir, supervisor } = h;
  const bridge = supervisor.bridgeName;
  assert.ok(readdirSync('/sys/class/net').includes(bridge), 'the bridge existed while pods ran');
  assert.match(execFileSync('iptables-save', ['-t', 'nat'], { encoding: 'utf8' }), /CNI-HOSTPORT-DNAT/, 'portmap chains existed');
  await h.cleanup();
  assert.deepEqual(h.leftovers(), []);
  const containerds = execFileSync('sh', ['-c', 'pgrep -a containerd || true'], { encoding: 'utf8' });
  assert.ok(!containerds.includes(dataDir), `no containerd of ours runs:\n${containerds}`);
  assert.ok(!execFileSync('ip', ['link'], { encoding: 'utf8' }).includes(bridge), 'bridge deleted');
  assert.ok(!readFileSync('/proc/mounts', 'utf8').includes(dataDir), 'no mounts under the data dir');
});
