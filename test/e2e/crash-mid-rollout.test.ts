// SPDX-License-Identifier: Apache-2.0
/**
 * Crashes in the middle of a rollout and of pod starts, on a real `skiff
 * server` with its node agent and containerd: containerd SIGKILLed (the
 * agent's supervisor restarts it), the whole server SIGKILLed and restarted
 * mid-rollout, and the server SIGKILLed while a scale-up starts pods. After
 * each, the rollout completes and the node holds nothing that belongs to no
 * pod the API lists: containers, sandboxes, tasks, netns, mounts under the
 * data dir, pod cgroups, pod volume dirs, host-local IPAM leases and
 * iptables rules naming pod IPs (upstream's kubelet housekeeping,
 * HandlePodCleanups, removes the same set). The test lists them before and after.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { dataDirTag } from '../../src/kubelet/index.js';
import { agentUnavailableReason, startAgentServer, type AgentServer } from './fixtures/agent-server.js';
import { waitFor as waitForShared } from '../harness/wait-for.js';
import { processesMentioning } from './harness/host-cleanup.js';

const skip = agentUnavailableReason();
const NS = 'crash-rollout';
const waitFor = <T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 120_000): Promise<T> => waitForShared(what, fn, timeoutMs, 1000);

interface PodJSON { metadata: { uid: string; name: string; namespace: string }; status: { podIP?: string } }
interface CtrInfo { ID: string; Labels?: Record<string, string> }

const deployment = JSON.stringify({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: NS },
  spec: {
    replicas: 3, selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        terminationGracePeriodSeconds: 1,
        volumes: [{ name: 'scratch', emptyDir: {} }],
        containers: [{ name: 'c', image: 'busybox:1.35', command: ['sleep', '3600'], volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] }],
      },
    },
  },
});
// A Service over the pods, so the service proxy writes iptables rules naming pod IPs (a stale endpoint is an orphan rule).
const service = JSON.stringify({
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: NS },
  spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
});

describe('crash mid-rollout and mid-pod-start', { skip: skip || undefined, timeout: 1_200_000 }, () => {
  let s: AgentServer;
  const sock = () => join(s.dataDir, 'containerd', 'containerd.sock');
  const ctr = (...args: string[]) => spawnSync('ctr', ['-a', sock(), '-n', 'k8s.io', ...args], { encoding: 'utf8', timeout: 30_000 });
  const lines = (t: string) => t.split('\n').map((l) => l.trim()).filter(Boolean);

  /** inventory lists what the node holds for pods, and what of it belongs to no pod the API lists. */
  function inventory(): { held: Record<string, string[]>; orphans: string[] } {
    const pods = s.json<{ items: PodJSON[] }>(['pods', '-A']).items;
    const uids = new Set(pods.map((p) => p.metadata.uid));
    const ips = new Set(pods.map((p) => p.status.podIP).filter((x): x is string => !!x));
    const ls = ctr('containers', 'ls', '-q');
    if (ls.status !== 0) throw new Error(`ctr containers ls: ${ls.stderr}`);
    const infos = lines(ls.stdout).map((id) => JSON.parse(ctr('containers', 'info', id).stdout) as CtrInfo);
    const liveIDs = new Set(infos.filter((c) => uids.has(c.Labels?.['io.kubernetes.pod.uid'] ?? '')).map((c) => c.ID));
    const sandboxes = infos.filter((c) => c.Labels?.['io.cri-containerd.kind'] === 'sandbox');
    const tasks = lines(ctr('tasks', 'ls', '-q').stdout);
    const netnsDir = join(s.dataDir, 'containerd', 'state', 'io.containerd.grpc.v1.cri', 'netns');
    const netns = existsSync(netnsDir) ? readdirSync(netnsDir) : [];
    const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(`${s.dataDir}/`));
    const podDirs = existsSync(join(s.dataDir, 'pods')) ? readdirSync(join(s.dataDir, 'pods')) : [];
    // This server's cgroup root (the agent's cgroupRoot), apart from other tests' servers on the machine.
    const cgroups = ['memory', 'cpu'].flatMap((h) => ['', 'besteffort', 'burstable'].map((q) => join('/sys/fs/cgroup', h, `skiff-${dataDirTag(s.dataDir)}`, 'kubepods', q)))
      .filter(existsSync).flatMap((dir) => readdirSync(dir).filter((e) => /^pod[0-9a-f-]{36}$/.test(e)).map((e) => e.slice(3)));
    const ipamDir = join(s.dataDir, 'cni', 'ipam');
    const leases = existsSync(ipamDir) ? readdirSync(ipamDir).flatMap((n) => readdirSync(join(ipamDir, n)).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f))) : [];
    const prefix = s.clusterCIDR.split('.').slice(0, 2).join('.') + '.';
    const ruleIPs = lines(spawnSync('iptables-save', { encoding: 'utf8' }).stdout)
      .flatMap((l) => [...l.matchAll(/(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?/g)].filter((m) => m[1].startsWith(prefix) && (m[2] === undefined || m[2] === '32')).map((m) => m[1]))
      // The bridge's gateway (the node pod CIDR's .1) is the node's own address, not a pod's.
      .filter((ip) => !ip.endsWith('.1'));
    const orphans = [
      ...infos.filter((c) => !liveIDs.has(c.ID)).map((c) => `container ${c.ID} (pod ${c.Labels?.['io.kubernetes.pod.name']} ${c.Labels?.['io.kubernetes.pod.uid']})`),
      ...tasks.filter((t) => !liveIDs.has(t)).map((t) => `task ${t}`),
      ...(netns.length > sandboxes.filter((c) => liveIDs.has(c.ID)).length ? [`netns ${netns.length} for ${sandboxes.filter((c) => liveIDs.has(c.ID)).length} live sandboxes: ${netns}`] : []),
      ...mounts.filter((m) => {
        const id = /[0-9a-f]{64}/.exec(m)?.[0];
        // Pod volume mounts name the pod's uid (netns names look like uids too; the netns count above covers them).
        const uid = /\/pods\/([0-9a-f-]{36})\//.exec(m)?.[1];
        return (id !== undefined && !liveIDs.has(id)) || (uid !== undefined && !uids.has(uid));
      }).map((m) => `mount ${m}`),
      ...podDirs.filter((u) => !uids.has(u)).map((u) => `pod dir ${u}`),
      ...cgroups.filter((u) => !uids.has(u)).map((u) => `cgroup pod${u}`),
      ...leases.filter((ip) => !ips.has(ip)).map((ip) => `IPAM lease ${ip}`),
      ...[...new Set(ruleIPs)].filter((ip) => !ips.has(ip)).map((ip) => `iptables rule naming ${ip}`),
    ];
    return { held: { containers: infos.map((c) => c.ID.slice(0, 12)), tasks: tasks.map((t) => t.slice(0, 12)), netns, mounts, podDirs, cgroups, leases, ruleIPs: [...new Set(ruleIPs)] }, orphans };
  }

  /** noOrphans waits (housekeeping is periodic) until everything the node holds belongs to a listed pod. */
  async function noOrphans(label: string): Promise<Record<string, string[]>> {
    const first = inventory();
    console.log(`${label}: before housekeeping ${JSON.stringify({ ...first.held, orphans: first.orphans })}`);
    const held = await waitFor(`${label}: no orphans`, () => {
      const inv = inventory();
      if (inv.orphans.length) throw new Error(`orphans: ${inv.orphans.join('; ')}`);
      return inv.held;
    });
    console.log(`${label}: after ${JSON.stringify(held)}`);
    return held;
  }

  /** settled waits until the API lists only the Deployment's n current pods (old ones finish terminating), then for no orphans. */
  async function settled(label: string, n: number): Promise<void> {
    await waitFor(`${n} pods in ${NS}`, () => s.json<{ items: PodJSON[] }>(['pods', '-n', NS]).items.length === n, 180_000);
    const held = await noOrphans(label);
    const all = s.json<{ items: PodJSON[] }>(['pods', '-A']).items.length;
    // One running sandbox and one running app container, one netns and one volume dir per pod the API lists, and nothing else.
    assert.deepEqual([held.tasks.length, held.netns.length, held.podDirs.length, held.cgroups.length], [2 * all, all, all, 2 * all], JSON.stringify(held));
    // A container created when the crash came and never started is a dead instance: container GC keeps one
    // dead instance per container for `logs --previous` (upstream's MaxPerPodContainer 1), so at most one more per pod.
    assert.ok(held.containers.length >= 2 * all && held.containers.length <= 3 * all, JSON.stringify(held));
  }

  const rolloutStatus = () => s.kubectl(['rollout', 'status', 'deployment/web', '-n', NS, '--timeout=240s']);
  const readyReplicas = () => s.json<{ status: { readyReplicas?: number; updatedReplicas?: number; replicas?: number } }>(['deployment', 'web', '-n', NS]).status;
  function containerdPid(): number | undefined {
    return processesMentioning(`--config ${join(s.dataDir, 'containerd', 'config.toml')}`)[0];
  }

  before(async () => {
    s = await startAgentServer(['--kubelet-housekeeping-period', '2s']);
    s.kubectlOk(['create', 'namespace', NS]);
    s.kubectlOk(['apply', '-f', '-'], deployment);
    s.kubectlOk(['apply', '-f', '-'], service);
    const r = rolloutStatus();
    assert.equal(r.code, 0, `${r.stderr}${r.stdout}`);
    await settled('initial', 3);
  });

  after(async () => {
    if (!s) return;
    const dataDir = s.dataDir;
    await s.stop();
    // A shim of a task being created when containerd was killed is known to no containerd; stop must still end it.
    const left = processesMentioning(`${dataDir}/`);
    assert.deepEqual(left, [], 'no process of this data dir left after stop');
  });

  it('SIGKILL of containerd mid-rollout: the supervisor restarts it and the rollout completes', async () => {
    const pid = containerdPid();
    assert.ok(pid, 'the agent\'s containerd runs');
    s.kubectlOk(['set', 'env', 'deployment/web', '-n', NS, 'ROUND=1']);
    process.kill(pid, 'SIGKILL');
    const restarted = await waitFor('containerd restarted by the agent', () => {
      const p = containerdPid();
      return p !== undefined && p !== pid && p;
    }, 60_000);
    assert.notEqual(restarted, pid);
    assert.match(s.logs(), /containerd exited \(code null, signal SIGKILL\)/);
    const r = rolloutStatus();
    assert.equal(r.code, 0, `${r.stderr}${r.stdout}`);
    await settled('after containerd kill', 3);
  });

  it('SIGKILL of the server mid-rollout: after restart the rollout completes', async () => {
    s.kubectlOk(['set', 'env', 'deployment/web', '-n', NS, 'ROUND=2']);
    await s.crash();
    await s.restart();
    const r = rolloutStatus();
    assert.equal(r.code, 0, `${r.stderr}${r.stdout}`);
    await settled('after server kill mid-rollout', 3);
  });

  it('SIGKILL of the server while a scale-up starts pods: after restart all replicas are Ready', async () => {
    s.kubectlOk(['scale', 'deployment/web', '-n', NS, '--replicas=6']);
    // Crash once the new pods exist in the API, while their sandboxes start.
    await waitFor('new pods created', () => s.json<{ items: PodJSON[] }>(['pods', '-n', NS]).items.length >= 6, 30_000);
    await s.crash();
    await s.restart();
    await waitFor('6 replicas Ready', () => readyReplicas().readyReplicas === 6, 240_000);
    await settled('after server kill mid-scale-up', 6);
  });

  it('deleting the Deployment leaves nothing behind', async () => {
    s.kubectlOk(['delete', 'deployment', 'web', '-n', NS]);
    s.kubectlOk(['delete', 'service', 'web', '-n', NS]);
    await waitFor('pods gone', () => s.json<{ items: PodJSON[] }>(['pods', '-n', NS]).items.length === 0);
    const held = await noOrphans('after delete');
    // Other namespaces may run add-on pods (e.g. DNS): only theirs may remain.
    const others = s.json<{ items: PodJSON[] }>(['pods', '-A']).items.length;
    assert.equal(held.podDirs.length, others);
    assert.ok(held.mounts.every((m) => !m.includes('/pods/') || s.json<{ items: PodJSON[] }>(['pods', '-A']).items.some((p) => m.includes(p.metadata.uid))), held.mounts.join('\n'));
  });
});
