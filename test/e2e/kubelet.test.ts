// SPDX-License-Identifier: Apache-2.0
/**
 * Kubelet end to end: a real `skiff server` with its node agent (private
 * containerd, runc, CNI bridge) runs busybox pods driven through the real
 * kubectl. Covers node registration, a Ready pod with env from ConfigMap,
 * Secret and the downward API, volumes, CrashLoopBackOff, liveness restarts,
 * readiness gating, OOMKilled, image pull errors, config errors, FailedMount,
 * a dead sandbox replaced with the restart count kept, surviving an agent crash, and a clean removal of everything a pod made.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { agentUnavailableReason, startAgentServer, type AgentServer } from './fixtures/agent-server.js';
import { waitFor as waitForShared } from '../harness/wait-for.js';

interface PodJSON {
  metadata: { uid: string; name: string };
  status: {
    phase?: string;
    podIP?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: {
      name: string; ready: boolean; restartCount: number; containerID?: string;
      state: { running?: object; waiting?: { reason: string; message?: string }; terminated?: { reason: string; exitCode: number } };
      lastState: { terminated?: { reason: string; exitCode: number } };
    }[];
  };
}

const skip = agentUnavailableReason();
const NS = 'kt';

const waitFor = <T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> => waitForShared(what, fn, timeoutMs, 250);

function podYAML(name: string, container: Record<string, unknown>, spec: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox:1.35', ...container }], ...spec },
  });
}

describe('kubelet end to end', { skip: skip || undefined, timeout: 240_000 }, () => {
  let s: AgentServer;
  let hostDir: string;
  const pod = (name: string) => s.json<PodJSON>(['pod', name, '-n', NS]);
  const cstatus = (name: string) => pod(name).status.containerStatuses?.[0];

  before(async () => {
    s = await startAgentServer();
    hostDir = mkdtempSync(join(tmpdir(), 'skiff-kt-host-'));
    s.kubectlOk(['create', 'namespace', NS]);
    s.kubectlOk(['create', 'configmap', 'cfg', '-n', NS, '--from-literal=greeting=hello-cm', '--from-literal=file.txt=from-volume']);
    s.kubectlOk(['create', 'secret', 'generic', 'sec', '-n', NS, '--from-literal=password=s3cret']);
  });

  after(async () => {
    await s?.stop();
    if (hostDir) rmSync(hostDir, { recursive: true, force: true });
  });

  it('registers a Ready node with capacity, nodeInfo and a lease', async () => {
    const nodes = s.json<{ items: { metadata: { name: string }; spec: { podCIDR?: string }; status: Record<string, any> }[] }>(['nodes']); // eslint-disable-line @typescript-eslint/no-explicit-any -- ad-hoc JSON read in a test
    const node = nodes.items.find((n) => n.status.nodeInfo?.kubeletVersion === 'v1.32.0-skiff');
    assert.ok(node, 'a kubelet node');
    assert.equal(node.status.conditions.find((c: { type: string }) => c.type === 'Ready').status, 'True');
    assert.match(node.status.nodeInfo.containerRuntimeVersion, /^containerd:\/\//);
    assert.equal(node.status.capacity.pods, '110');
    assert.ok(node.spec.podCIDR?.startsWith(s.clusterCIDR.split('.').slice(0, 2).join('.')));
    s.kubectlOk(['get', 'lease', node.metadata.name, '-n', 'kube-node-lease']);
  });

  it('runs a pod to Ready with env from ConfigMap, Secret and the downward API, and volumes', async () => {
    s.kubectlOk(['apply', '-f', '-'], podYAML('env', {
      command: ['sh', '-c', 'echo "$GREETING $PASSWORD $MY_NAME $(cat /cfg/file.txt)" > /out/env; exec httpd -f -p 8080 -h /var/www'],
      env: [
        { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'greeting' } } },
        { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } },
        { name: 'MY_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      ],
      volumeMounts: [{ name: 'out', mountPath: '/out' }, { name: 'cfg', mountPath: '/cfg' }, { name: 'mem', mountPath: '/mem' }],
      readinessProbe: { httpGet: { path: '/index.html', port: 8080 }, periodSeconds: 1 },
    }, { volumes: [{ name: 'out', hostPath: { path: hostDir, type: 'DirectoryOrCreate' } }, { name: 'cfg', configMap: { name: 'cfg' } },
      { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } }] }));
    const p = await waitFor('env pod Ready', () => {
      const p = pod('env');
      return p.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True' && p;
    });
    assert.equal(p.status.phase, 'Running');
    assert.match(p.status.podIP ?? '', /^10\./);
    assert.match(p.status.containerStatuses![0].containerID!, /^containerd:\/\//);
    assert.equal(readFileSync(join(hostDir, 'env'), 'utf8').trim(), 'hello-cm s3cret env from-volume');
    const logDir = join(s.dataDir, 'logs', 'pods', `${NS}_env_${p.metadata.uid}`, 'c');
    assert.ok(existsSync(join(logDir, '0.log')), 'container log at <ns>_<pod>_<uid>/<container>/0.log');
    const memDir = join(s.dataDir, 'pods', p.metadata.uid, 'volumes', 'kubernetes.io~empty-dir', 'mem');
    assert.match(readFileSync('/proc/mounts', 'utf8'), new RegExp(`^tmpfs ${memDir} tmpfs \\S*size=8192k`, 'm'), 'medium Memory is a sized tmpfs');
  });

  it('updates a ConfigMap volume in place through the ..data symlink', async () => {
    const uid = pod('env').metadata.uid;
    const vol = join(s.dataDir, 'pods', uid, 'volumes', 'kubernetes.io~configmap', 'cfg');
    const before = readlinkSync(join(vol, '..data'));
    s.kubectlOk(['patch', 'configmap', 'cfg', '-n', NS, '--type=merge', '-p', '{"data":{"file.txt":"updated"}}']);
    await waitFor('volume update', () => readFileSync(join(vol, 'file.txt'), 'utf8') === 'updated', 30_000);
    assert.notEqual(readlinkSync(join(vol, '..data')), before);
    assert.equal(readlinkSync(join(vol, 'file.txt')), '..data/file.txt');
  });

  it('runs postStart and preStop hooks', async () => {
    s.kubectlOk(['apply', '-f', '-'], podYAML('hooks', {
      command: ['sleep', '3600'],
      volumeMounts: [{ name: 'out', mountPath: '/out' }],
      lifecycle: {
        postStart: { exec: { command: ['sh', '-c', 'echo started > /out/poststart'] } },
        preStop: { exec: { command: ['sh', '-c', 'echo bye > /out/prestop'] } },
      },
    }, { terminationGracePeriodSeconds: 5, volumes: [{ name: 'out', hostPath: { path: hostDir } }] }));
    await waitFor('postStart ran', () => existsSync(join(hostDir, 'poststart')), 20_000);
    s.kubectlOk(['delete', 'pod', 'hooks', '-n', NS, '--timeout=30s']);
    assert.equal(readFileSync(join(hostDir, 'prestop'), 'utf8').trim(), 'bye');
  });

  it('a failing command goes into CrashLoopBackOff with growing restarts', async () => {
    s.kubectlOk(['apply', '-f', '-'], podYAML('crash', { command: ['sh', '-c', 'echo boom; exit 3'] }));
    const st = await waitFor('CrashLoopBackOff', () => {
      const c = cstatus('crash');
      return c?.state.waiting?.reason === 'CrashLoopBackOff' && c.restartCount >= 2 && c;
    }, 40_000);
    assert.equal(st.lastState.terminated?.exitCode, 3);
    assert.equal(st.lastState.terminated?.reason, 'Error');
    assert.match(st.state.waiting!.message!, /^back-off \d+s restarting failed container=c pod=crash_kt\(/);
    s.kubectlOk(['delete', 'pod', 'crash', '-n', NS, '--wait=false']);
  });

  it('a failing liveness probe restarts the container', async () => {
    s.kubectlOk(['apply', '-f', '-'], podYAML('live', {
      command: ['sh', '-c', 'touch /tmp/alive; sleep 2; rm /tmp/alive; exec sleep 3600'],
      livenessProbe: { exec: { command: ['test', '-f', '/tmp/alive'] }, periodSeconds: 1, failureThreshold: 1 },
    }));
    await waitFor('liveness restart', () => (cstatus('live')?.restartCount ?? 0) >= 1, 40_000);
    const events = s.kubectlOk(['get', 'events', '-n', NS, '--field-selector', 'involvedObject.name=live']);
    assert.match(events, /Container c failed liveness probe, will be restarted/);
    assert.match(events, /Liveness probe failed/);
    s.kubectlOk(['delete', 'pod', 'live', '-n', NS, '--wait=false']);
  });

  it('a readiness probe gates Ready', async () => {
    s.kubectlOk(['apply', '-f', '-'], podYAML('ready', {
      command: ['sh', '-c', 'sleep 4; touch /tmp/ready; exec sleep 3600'],
      readinessProbe: { exec: { command: ['test', '-f', '/tmp/ready'] }, periodSeconds: 1 },
    }));
    await waitFor('running but not ready', () => cstatus('ready')?.state.running && !cstatus('ready')?.ready);
    assert.equal(pod('ready').status.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
    await waitFor('ready', () => cstatus('ready')?.ready);
    assert.equal(pod('ready').status.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    s.kubectlOk(['delete', 'pod', 'ready', '-n', NS, '--wait=false']);
  });

  it('a container over its memory limit is OOMKilled', async () => {
    s.kubectlOk(['apply', '-f', '-'], podYAML('oom', {
      command: ['sh', '-c', 'head -c 200m /dev/zero | tail'],
      resources: { limits: { memory: '16Mi', cpu: '500m' } },
    }, { restartPolicy: 'Never' }));
    const t = await waitFor('OOMKilled', () => cstatus('oom')?.state.terminated, 40_000);
    assert.equal(t.reason, 'OOMKilled');
    assert.equal(pod('oom').status.phase, 'Failed');
  });

  it('an image that does not exist gives ErrImagePull then ImagePullBackOff', async () => {
    s.kubectlOk(['apply', '-f', '-'], podYAML('noimage', { image: 'localhost:1/skiff/nope:1', imagePullPolicy: 'IfNotPresent' }));
    const seen = new Set<string>();
    await waitFor('pull back-off', () => {
      const r = cstatus('noimage')?.state.waiting?.reason;
      if (r) seen.add(r);
      return seen.has('ImagePullBackOff') || (seen.has('ErrImagePull') && seen.size > 0 && r === 'ErrImagePull' && seen.size > 5);
    }, 40_000);
    const events = s.kubectlOk(['get', 'events', '-n', NS, '--field-selector', 'involvedObject.name=noimage']);
    assert.match(events, /Failed to pull image "localhost:1\/skiff\/nope:1"/);
    s.kubectlOk(['apply', '-f', '-'], podYAML('never', { image: 'busybox:9.99', imagePullPolicy: 'Never' }));
    await waitFor('ErrImageNeverPull', () => cstatus('never')?.state.waiting?.reason === 'ErrImageNeverPull');
  });

  it('a missing ConfigMap key is CreateContainerConfigError; a missing ConfigMap volume is FailedMount', async () => {
    s.kubectlOk(['apply', '-f', '-'], podYAML('badkey', {
      command: ['sleep', '3600'], env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nope' } } }],
    }));
    const w = await waitFor('CreateContainerConfigError', () => {
      const wt = cstatus('badkey')?.state.waiting;
      return wt?.reason === 'CreateContainerConfigError' && wt;
    });
    assert.equal(w.message, `couldn't find key nope in ConfigMap ${NS}/cfg`);
    s.kubectlOk(['apply', '-f', '-'], podYAML('nomount', { command: ['sleep', '3600'], volumeMounts: [{ name: 'v', mountPath: '/v' }] },
      { volumes: [{ name: 'v', configMap: { name: 'absent' } }] }));
    await waitFor('FailedMount', () => /MountVolume.SetUp failed for volume "v" : configmap "absent" not found/.test(
      s.kubectlOk(['get', 'events', '-n', NS, '--field-selector', 'involvedObject.name=nomount'])));
    assert.equal(cstatus('nomount')?.state.waiting?.reason, 'ContainerCreating');
    // Creating the ConfigMap lets the retry mount it and start the pod.
    s.kubectlOk(['create', 'configmap', 'absent', '-n', NS, '--from-literal=k=v']);
    await waitFor('nomount running', () => cstatus('nomount')?.state.running, 20_000);
  });

  it('a pod whose sandbox dies gets a new one, and its restart count goes on from the earlier logs', async () => {
    s.kubectlOk(['apply', '-f', '-'], podYAML('sbox', { command: ['sh', '-c', 'echo started; sleep 3600'] }));
    const first = await waitFor('sbox running', () => cstatus('sbox')?.state.running && cstatus('sbox'), 60_000);
    assert.equal(first.restartCount, 0);
    const uid = pod('sbox').metadata.uid;
    // Kill the sandbox's own process (the pause container), as a crashed or OOM-killed pause would die.
    const ctr = (...args: string[]) => spawnSync('ctr', ['-a', join(s.dataDir, 'containerd', 'containerd.sock'), '-n', 'k8s.io', ...args], { encoding: 'utf8', timeout: 30_000 });
    const sandboxID = ctr('containers', 'ls', '-q').stdout.split('\n').filter(Boolean).find((id) => {
      const labels = (JSON.parse(ctr('containers', 'info', id).stdout) as { Labels?: Record<string, string> }).Labels ?? {};
      return labels['io.cri-containerd.kind'] === 'sandbox' && labels['io.kubernetes.pod.uid'] === uid;
    });
    assert.ok(sandboxID, 'the pod has a sandbox in containerd');
    const task = ctr('tasks', 'ls').stdout.split('\n').map((l) => l.trim().split(/\s+/)).find((f) => f[0] === sandboxID);
    assert.ok(task, `the sandbox ${sandboxID} has a task`);
    process.kill(Number(task[1]), 'SIGKILL');
    // Upstream counts restarts from <container>/<N>.log when the old instance went with its sandbox (calcRestartCountByLogDir).
    const again = await waitFor('sbox running again in a new sandbox', () => {
      const c = cstatus('sbox');
      return c?.state.running && c.containerID !== first.containerID && c;
    }, 90_000);
    assert.equal(again.restartCount, 1);
    assert.deepEqual(readdirSync(join(s.dataDir, 'logs', 'pods', `${NS}_sbox_${uid}`, 'c')).sort(), ['0.log', '1.log']);
    s.kubectlOk(['delete', 'pod', 'sbox', '-n', NS, '--wait=false']);
  });

  it('keeps pods running across an agent crash and restart', async () => {
    const before = cstatus('env')!;
    await s.crash();
    await s.restart();
    await new Promise((r) => setTimeout(r, 3000));
    const after = await waitFor('env Ready after restart', () => {
      const c = cstatus('env');
      return c?.ready && c;
    });
    assert.equal(after.containerID, before.containerID);
    assert.equal(after.restartCount, before.restartCount);
  });

  it('deleting a pod removes sandbox, netns, cgroups, volumes and logs', async () => {
    const p = pod('env');
    const uid = p.metadata.uid;
    s.kubectlOk(['delete', 'pod', 'env', '-n', NS, '--timeout=60s']);
    assert.equal(existsSync(join(s.dataDir, 'pods', uid)), false, 'pod dir removed');
    assert.equal(existsSync(join(s.dataDir, 'logs', 'pods', `${NS}_env_${uid}`)), false, 'log dir removed');
    const cg = readdirSync('/sys/fs/cgroup/memory').filter((d) => d.startsWith('skiff-'))
      .flatMap((d) => [join('/sys/fs/cgroup/memory', d, 'kubepods', 'besteffort', `pod${uid}`), join('/sys/fs/cgroup/memory', d, 'kubepods', `pod${uid}`)]);
    assert.deepEqual(cg.filter(existsSync), [], 'pod cgroups removed');
    const netnsDir = join(s.dataDir, 'containerd', 'state', 'io.containerd.grpc.v1.cri', 'netns');
    const netnsBefore = existsSync(netnsDir) ? readdirSync(netnsDir).length : 0;
    s.kubectlOk(['delete', 'pods', '--all', '-n', NS, '--timeout=90s']);
    await waitFor('all netns gone', () => !existsSync(netnsDir) || readdirSync(netnsDir).length === 0, 30_000);
    assert.ok(netnsBefore >= 0);
    assert.equal(readdirSync(join(s.dataDir, 'pods')).length, 0, 'no pod dirs left');
  });
});
