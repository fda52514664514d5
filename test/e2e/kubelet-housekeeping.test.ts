// SPDX-License-Identifier: Apache-2.0
/**
 * The kubelet's housekeeping end to end, on a real `skiff server` with its
 * node agent whose data dir is a small tmpfs (so disk pressure is made
 * without filling the machine's disk): orphans left by a lost datastore are
 * swept from CRI labels, a pod filling its emptyDir is evicted under
 * DiskPressure (condition, taint, reason Evicted and upstream's message)
 * and the pressure clears, container logs rotate while `kubectl logs` reads
 * the current file, and image GC removes unused images but never the pause
 * image or one in use. Each test lists containers, sandboxes and mounts
 * before and after.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage, rootFilesystemBasics } from '../../src/images/index.js';
import { agentUnavailableReason, startAgentServer, type AgentServer } from './fixtures/agent-server.js';
import { waitFor as waitForShared } from '../harness/wait-for.js';

const skip = agentUnavailableReason();
const NS = 'hk';
const Mi = 1024 * 1024;
const waitFor = <T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> => waitForShared(what, fn, timeoutMs, 500);

/** flags are the server's kubelet flags: short periods, small logs, and the given eviction threshold and transition period. */
function flags(evictionHard = 'nodefs.available<1Mi', transition = '5s', extra: string[] = []): string[] {
  return ['--kubelet-housekeeping-period', '2s', '--eviction-pressure-transition-period', transition, '--eviction-hard', evictionHard,
    '--container-log-max-size', '64Ki', '--container-log-max-files', '3', ...extra];
}

interface PodJSON {
  metadata: { uid: string; name: string };
  status: { phase?: string; reason?: string; message?: string; conditions?: { type: string; status: string; reason?: string }[] };
}
interface NodeJSON {
  spec: { taints?: { key: string; effect: string }[] };
  status: { conditions: { type: string; status: string; reason: string; message: string }[] };
}

function pod(name: string, command: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox:1.35', command: ['sh', '-c', command], ...extra }] },
  });
}

describe('kubelet housekeeping end to end', { skip: skip || undefined, timeout: 600_000 }, () => {
  let s: AgentServer | undefined;
  let dataDir = '';
  const ctr = (...args: string[]) => spawnSync('ctr', ['-a', join(dataDir, 'containerd', 'containerd.sock'), '-n', 'k8s.io', ...args], { encoding: 'utf8' });
  const containers = () => ctr('containers', 'ls', '-q').stdout.split('\n').filter(Boolean);
  const mountsUnder = () => readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => l.split(' ')[1]?.startsWith(`${dataDir}/`));
  const nodeName = () => s!.kubectlOk(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}']).trim();
  const node = () => s!.json<NodeJSON>(['node', nodeName()]);
  const podJSON = (name: string) => s!.json<PodJSON>(['pod', name, '-n', NS]);

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'skiff-hk-'));
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1536m', 'skiff-hk-tmpfs', dataDir], { encoding: 'utf8' });
    assert.equal(m.status, 0, m.stderr);
    s = await startAgentServer(flags(), { dataDir });
    s.kubectlOk(['create', 'namespace', NS]);
  });

  after(async () => {
    await s?.stop();
    // Whatever containerd left mounted below the tmpfs goes first, then the tmpfs itself.
    for (const line of mountsUnder().reverse()) spawnSync('umount', ['-l', line.split(' ')[1]]);
    spawnSync('umount', [dataDir]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('sweeps the containers and sandboxes of a lost datastore from CRI labels', async () => {
    s!.kubectlOk(['apply', '-f', '-'], pod('old-cluster', 'sleep 3600'));
    await waitFor('old-cluster Running', () => podJSON('old-cluster').status.phase === 'Running');
    const before = containers();
    assert.ok(before.length >= 2, `pause and app containers exist: ${before}`);
    const netnsDir = join(dataDir, 'containerd', 'state', 'io.containerd.grpc.v1.cri', 'netns');
    assert.ok(readdirSync(netnsDir).length >= 1);
    await s!.crash();
    // The datastore is lost: the new cluster knows no pods, but containerd still runs the old ones.
    rmSync(join(dataDir, 'db'), { recursive: true, force: true });
    await s!.restart();
    await waitFor('old containers removed', () => containers().length === 0);
    await waitFor('old netns removed', () => readdirSync(netnsDir).length === 0);
    assert.deepEqual(readdirSync(join(dataDir, 'pods')), [], 'no pod volume dirs left');
    assert.deepEqual(readdirSync(join(dataDir, 'memory-volumes')), [], 'nor memory-backed volume dirs (the kube-api-access volume)');
    assert.match(s!.logs(), /removing orphaned pod [0-9a-f-]+: no pod with this uid is bound to the node/);
    s!.kubectlOk(['create', 'namespace', NS]);
  });

  it('evicts the pod filling its emptyDir under DiskPressure, taints the node, and recovers', async () => {
    s!.kubectlOk(['apply', '-f', '-'], pod('bystander', 'sleep 3600'));
    await waitFor('bystander Running', () => podJSON('bystander').status.phase === 'Running');
    // Pressure once 200Mi more are used: the threshold sits 200Mi below what is free now.
    const st = statfsSync(dataDir);
    const free = Number(st.bavail) * Number(st.bsize);
    const thresholdMi = Math.floor((free - 200 * Mi) / Mi);
    await s!.crash();
    // The condition is held 30 s after the pressure ends, long enough to watch it and its taint.
    await s!.restart(flags(`nodefs.available<${thresholdMi}Mi`, '30s'));
    await waitFor('no pressure yet', () => node().status.conditions.find((c) => c.type === 'DiskPressure')?.status === 'False');
    s!.kubectlOk(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'writer', namespace: NS },
      spec: {
        terminationGracePeriodSeconds: 1, volumes: [{ name: 'scratch', emptyDir: {} }],
        containers: [{ name: 'c', image: 'busybox:1.35', command: ['sh', '-c', 'dd if=/dev/zero of=/scratch/fill bs=1M count=300; sleep 3600'], volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] }],
      },
    }));
    const evicted = await waitFor('writer Evicted', () => {
      const p = podJSON('writer');
      return p.status.reason === 'Evicted' && p;
    }, 120_000);
    assert.equal(evicted.status.phase, 'Failed');
    assert.match(evicted.status.message ?? '', new RegExp(`^The node was low on resource: ephemeral-storage\\. Threshold quantity: ${thresholdMi}Mi, available: \\d+(Ki|Mi)?\\. `));
    assert.deepEqual(evicted.status.conditions?.find((c) => c.type === 'DisruptionTarget'), { type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message: evicted.status.message, lastTransitionTime: (evicted.status.conditions?.find((c) => c.type === 'DisruptionTarget') as { lastTransitionTime?: string }).lastTransitionTime });
    const events = s!.kubectlOk(['get', 'events', '-n', NS, '--field-selector', 'involvedObject.name=writer,reason=Evicted', '-o', 'jsonpath={.items[*].message}']);
    assert.match(events, /The node was low on resource: ephemeral-storage/);
    assert.match(s!.logs(), /eviction manager: node conditions now \[DiskPressure\]/);
    await waitFor('DiskPressure True', () => node().status.conditions.find((c) => c.type === 'DiskPressure')?.status === 'True', 30_000);
    await waitFor('disk-pressure taint', () => (node().spec.taints ?? []).some((t) => t.key === 'node.kubernetes.io/disk-pressure' && t.effect === 'NoSchedule'), 30_000);
    assert.equal(podJSON('bystander').status.phase, 'Running', 'the pod using little disk stays');
    // The writer's emptyDir went with it, so the pressure clears after the transition period, and the taint with it.
    await waitFor('DiskPressure False again', () => node().status.conditions.find((c) => c.type === 'DiskPressure')?.status === 'False', 90_000);
    await waitFor('disk-pressure taint removed', () => !(node().spec.taints ?? []).some((t) => t.key === 'node.kubernetes.io/disk-pressure'), 60_000);
    assert.ok(!existsSync(join(dataDir, 'pods', evicted.metadata.uid, 'volumes')), 'the evicted pod\'s emptyDir is gone');
  });

  it('sets the disk-pressure taint while DiskPressure is True', async () => {
    // A threshold above everything free: the node is under pressure at once and stays there.
    await s!.crash();
    await s!.restart(flags('nodefs.inodesFree<100%'));
    await waitFor('DiskPressure True', () => {
      const c = node().status.conditions.find((x) => x.type === 'DiskPressure');
      return c?.status === 'True' && c;
    }).then((c) => assert.deepEqual([c.reason, c.message], ['KubeletHasDiskPressure', 'kubelet has disk pressure']));
    await waitFor('disk-pressure taint', () => (node().spec.taints ?? []).some((t) => t.key === 'node.kubernetes.io/disk-pressure' && t.effect === 'NoSchedule'));
    // Admission refuses new pods on a node under disk pressure (here bound directly, past the scheduler's taint check).
    s!.kubectlOk(['apply', '-f', '-'], JSON.stringify({ ...JSON.parse(pod('refused', 'sleep 3600')), spec: { ...JSON.parse(pod('refused', 'sleep 3600')).spec, nodeName: nodeName() } }));
    const refused = await waitFor('refused Failed', () => {
      const p = podJSON('refused');
      return p.status.phase === 'Failed' && p;
    });
    assert.deepEqual([refused.status.reason, refused.status.message], ['Evicted', 'The node had condition: [DiskPressure]. ']);
    await s!.crash();
    await s!.restart(flags());
    await waitFor('DiskPressure False', () => node().status.conditions.find((c) => c.type === 'DiskPressure')?.status === 'False', 90_000);
    await waitFor('taint removed', () => !(node().spec.taints ?? []).some((t) => t.key === 'node.kubernetes.io/disk-pressure'), 60_000);
  });

  it('rotates a busy container\'s log and kubectl logs still reads the current file', async () => {
    s!.kubectlOk(['apply', '-f', '-'], pod('chatty', 'i=0; while true; do i=$((i+1)); j=0; while [ $j -lt 500 ]; do echo "line-$i-$j xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; j=$((j+1)); done; sleep 1; done'));
    const uid = await waitFor('chatty Running', () => {
      const p = podJSON('chatty');
      return p.status.phase === 'Running' && p.metadata.uid;
    });
    const dir = join(dataDir, 'logs', 'pods', `${NS}_chatty_${uid}`, 'c');
    // Between renaming 0.log away and the runtime reopening it there is no 0.log, and a compression leaves a .tmp
    // for a moment (upstream's rotation does both too): wait for a listing between those.
    const files = await waitFor('rotated and compressed files', () => {
      const f = readdirSync(dir).sort();
      return f.some((x) => x.endsWith('.gz')) && f.includes('0.log') && !f.some((x) => x.endsWith('.tmp')) && f;
    }, 120_000);
    assert.ok(files.every((f) => /^0\.log(\.\d{8}-\d{6}(\.gz)?)?$/.test(f)), files.join(','));
    await waitFor('at most 3 files', () => readdirSync(dir).filter((f) => !f.endsWith('.tmp')).length <= 3, 30_000);
    // Right after a rotation the current file may still be empty (the loop sleeps between bursts): poll until it has a line.
    const tail = await waitFor('kubectl logs reads the current file', () => {
      const t = s!.kubectlOk(['logs', 'chatty', '-n', NS, '--tail=1']).trim();
      return /^line-\d+-\d+ x+$/.test(t) && t;
    }, 30_000);
    const round = Number(/^line-(\d+)-/.exec(tail)![1]);
    assert.ok(round > 2, `kubectl logs reads the current file (round ${round})`);
  });

  it('image GC removes unused images, never the pause image or one in use', async () => {
    s!.importImage(buildImage({ name: 'example.com/skiff-hk/unused:1', files: rootFilesystemBasics(), config: { Cmd: ['/bin/sh'] } }));
    const images = () => ctr('images', 'ls', '-q').stdout;
    assert.match(images(), /example.com\/skiff-hk\/unused:1/);
    await s!.crash();
    // 0 % high and low thresholds and no minimum age: every GC pass frees all it may.
    await s!.restart(flags(undefined, undefined, ['--image-gc-high-threshold', '0', '--image-gc-low-threshold', '0', '--image-minimum-gc-age', '0s']));
    await waitFor('unused image removed', () => !/example.com\/skiff-hk\/unused:1/.test(images()), 90_000);
    assert.match(images(), /busybox:1.35/, 'the image running pods use stays');
    assert.match(images(), /pause/, 'the pause image stays');
    assert.equal(podJSON('chatty').status.phase, 'Running');
  });

  it('secret, projected token and downward API volumes are on tmpfs (the node\'s one shared tmpfs, no mount per pod) and the pod cgroup has its limits; all go with the pod', async () => {
    s!.kubectlOk(['create', 'secret', 'generic', 'sec', '-n', NS, '--from-literal=password=s3cret']);
    s!.kubectlOk(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'vols', namespace: NS, labels: { app: 'vols' } },
      spec: {
        terminationGracePeriodSeconds: 1,
        volumes: [
          { name: 'sec', secret: { secretName: 'sec' } },
          { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
          { name: 'token', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }] } },
          { name: 'cfg', configMap: { name: 'absent', optional: true } },
        ],
        containers: [{
          name: 'c', image: 'busybox:1.35', command: ['sleep', '3600'], resources: { limits: { cpu: '250m', memory: '48Mi' } },
          volumeMounts: [{ name: 'sec', mountPath: '/sec' }, { name: 'info', mountPath: '/info' }, { name: 'token', mountPath: '/token' }, { name: 'cfg', mountPath: '/cfg' }],
        }],
      },
    }));
    const uid = await waitFor('vols Running', () => {
      const p = podJSON('vols');
      return p.status.phase === 'Running' && p.metadata.uid;
    });
    const memory = join(dataDir, 'memory-volumes');
    // The kubelet's tmpfs mounts (containerd's sandbox shm mounts under containerd/ are not the kubelet's).
    const hostMounts = () => readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' '))
      .filter((f) => f[2] === 'tmpfs' && (f[1] === memory || f[1]?.startsWith(`${memory}/`) || f[1]?.startsWith(`${dataDir}/pods/`))).map((f) => f[1]);
    // The ServiceAccount admission's automatic kube-api-access-<random> volume is a projected volume too.
    const apiAccess = s!.kubectlOk(['get', 'pod', 'vols', '-n', NS, '-o', 'jsonpath={.spec.volumes[*].name}']).split(' ').find((n) => n.startsWith('kube-api-access-'));
    assert.match(apiAccess ?? '', /^kube-api-access-\w{5}$/);
    // On the host: one tmpfs for every memory-backed volume of the node, each volume a directory in it, nothing mounted per pod.
    assert.deepEqual(hostMounts(), [memory], 'no per-volume tmpfs on the host');
    for (const v of ['kubernetes.io~downward-api/info', `kubernetes.io~projected/${apiAccess}`, 'kubernetes.io~projected/token', 'kubernetes.io~secret/sec']) {
      assert.ok(existsSync(join(memory, uid, v, '..data')), `${v} is published in the shared tmpfs`);
    }
    // In the container each of them is a tmpfs (read-only where upstream's is), as with a tmpfs per volume.
    const inside = s!.kubectlOk(['exec', 'vols', '-n', NS, '--', 'cat', '/proc/mounts']).split('\n').map((l) => l.split(' '));
    const fsAt = (path: string) => inside.find((f) => f[1] === path);
    for (const path of ['/sec', '/info', '/token', '/var/run/secrets/kubernetes.io/serviceaccount']) assert.equal(fsAt(path)?.[2], 'tmpfs', `${path} is a tmpfs in the container`);
    assert.match(fsAt('/var/run/secrets/kubernetes.io/serviceaccount')?.[3] ?? '', /^ro,/, 'the service account mount is read-only');
    assert.equal(s!.kubectlOk(['exec', 'vols', '-n', NS, '--', 'stat', '-f', '-c', '%T', '/token']).trim(), 'tmpfs');
    assert.equal(s!.kubectlOk(['exec', 'vols', '-n', NS, '--', 'cat', '/sec/password']), 's3cret');
    assert.match(s!.kubectlOk(['exec', 'vols', '-n', NS, '--', 'cat', '/info/labels']), /app="vols"/);
    assert.match(s!.kubectlOk(['exec', 'vols', '-n', NS, '--', 'cat', '/token/token']), /^eyJ/);
    // The pod cgroup carries the pod's total limits (Guaranteed: directly under kubepods).
    const podCgroup = (h: string) => readdirSync(`/sys/fs/cgroup/${h}`).filter((d) => d.startsWith('skiff-')).map((d) => `/sys/fs/cgroup/${h}/${d}/kubepods/pod${uid}`).find(existsSync);
    assert.equal(readFileSync(`${podCgroup('memory')}/memory.limit_in_bytes`, 'utf8').trim(), String(48 * Mi));
    assert.equal(readFileSync(`${podCgroup('cpu')}/cpu.cfs_quota_us`, 'utf8').trim(), '25000');
    assert.equal(readFileSync(`${podCgroup('cpu')}/cpu.shares`, 'utf8').trim(), '256');
    s!.kubectlOk(['delete', 'pod', 'vols', '-n', NS, '--timeout=60s']);
    await waitFor('pod cgroup removed', () => !podCgroup('memory') && !podCgroup('cpu'), 30_000);
    await waitFor('volume directories gone', () => !existsSync(join(memory, uid)) && !existsSync(join(dataDir, 'pods', uid)), 30_000);
    assert.deepEqual(hostMounts(), [memory], 'nothing else was mounted for the pod');
  });

  it('kubectl debug --target starts an ephemeral container in the target\'s process namespace, reports it, and attach works', async () => {
    s!.kubectlOk(['apply', '-f', '-'], pod('target', 'sleep 3600'));
    await waitFor('target Running', () => podJSON('target').status.phase === 'Running');
    s!.kubectlOk(['debug', 'target', '-n', NS, '--image=busybox:1.35', '--target=c', '-c', 'debugger', '--',
      'sh', '-c', 'while true; do echo "dbg-$(ps | grep -c "[s]leep 3600")"; sleep 1; done']);
    await waitFor('debugger running', () => {
      const st = (podJSON('target').status as { ephemeralContainerStatuses?: { name: string; ready: boolean; state: { running?: object } }[] }).ephemeralContainerStatuses;
      return st?.[0]?.name === 'debugger' && !!st[0].state.running && st[0].ready === false;
    });
    // The target's `sleep 3600` is visible: the debugger shares its PID namespace.
    await waitFor('debugger sees the target', () => /dbg-1/.test(s!.kubectl(['logs', 'target', '-c', 'debugger', '-n', NS]).stdout));
    const attach = spawnSync('kubectl', ['attach', 'target', '-c', 'debugger', '-n', NS], { env: { ...process.env, KUBECONFIG: join(dataDir, 'kubeconfig.yaml') }, encoding: 'utf8', timeout: 8000 });
    assert.match(attach.stdout ?? '', /dbg-1/, `attach streams the debugger's output: ${attach.stderr}`);
    assert.equal(podJSON('target').status.phase, 'Running');
  });

  it('deleting everything leaves no containers, sandboxes or mounts behind', async () => {
    s!.kubectlOk(['delete', 'pods', '--all', '-n', NS, '--timeout=120s']);
    await waitFor('no containers', () => containers().length === 0, 60_000);
    const sandboxes = spawnSync('ctr', ['-a', join(dataDir, 'containerd', 'containerd.sock'), '-n', 'k8s.io', 'tasks', 'ls', '-q'], { encoding: 'utf8' }).stdout.trim();
    assert.equal(sandboxes, '');
    await waitFor('no shm or rootfs mounts', () => mountsUnder().filter((l) => /io.containerd|shm/.test(l)).length === 0, 30_000);
  });
});
