// SPDX-License-Identifier: Apache-2.0
/**
 * Pods that finish on their own, end to end on a real `skiff server` with its
 * node agent: as upstream's kubelet does in syncTerminatedPod, the volumes of
 * a Succeeded or Failed pod (restartPolicy Never or OnFailure) are torn down
 * (emptyDir contents removed, its tmpfs unmounted) while the pod object and
 * its logs remain; a running pod keeps its volumes. Also the node's
 * allocatable: capacity minus --kube-reserved, --system-reserved and the
 * hard eviction thresholds, as upstream's container manager computes it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentUnavailableReason, startAgentServer, type AgentServer } from './fixtures/agent-server.js';
import { waitFor as waitForShared } from '../harness/wait-for.js';

const skip = agentUnavailableReason();
const NS = 'finished';
const Mi = 1024 * 1024;
const waitFor = <T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 90_000): Promise<T> => waitForShared(what, fn, timeoutMs, 500);

interface PodJSON {
  metadata: { uid: string; name: string };
  status: { phase?: string };
}

/** pod writes into a disk emptyDir and a memory emptyDir, then runs command. */
function pod(name: string, restartPolicy: string, command: string): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS },
    spec: {
      restartPolicy, terminationGracePeriodSeconds: 1,
      volumes: [{ name: 'scratch', emptyDir: {} }, { name: 'ram', emptyDir: { medium: 'Memory' } }],
      containers: [{
        name: 'c', image: 'busybox:1.35', command: ['sh', '-c', `echo data > /scratch/f && echo data > /ram/f && echo wrote; ${command}`],
        volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }, { name: 'ram', mountPath: '/ram' }],
      }],
    },
  });
}

/** quantityBytes reads the Ki/Mi/plain byte quantities the node reports. */
function quantityBytes(q: string): number {
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(q);
  assert.ok(m, `unexpected quantity ${q}`);
  const unit: Record<string, number> = { Ki: 1024, Mi, Gi: 1024 * Mi };
  return Number(m[1]) * (m[2] ? unit[m[2]]! : 1);
}

describe('kubelet: finished pods and node allocatable', { skip: skip || undefined, timeout: 600_000 }, () => {
  let s: AgentServer | undefined;
  const podJSON = (name: string) => s!.json<PodJSON>(['pod', name, '-n', NS]);
  const mountsUnder = (dir: string) => readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(`${dir}/`));

  before(async () => {
    s = await startAgentServer(['--kube-reserved', 'cpu=100m,memory=50Mi', '--system-reserved', 'memory=30Mi']);
    s.kubectlOk(['create', 'namespace', NS]);
  });

  after(async () => {
    await s?.stop();
  });

  it('tears down the volumes of Succeeded and Failed pods and keeps the pod objects and logs', async () => {
    s!.kubectlOk(['apply', '-f', '-'], pod('runs', 'Never', 'sleep 3600'));
    s!.kubectlOk(['apply', '-f', '-'], pod('ok-never', 'Never', 'exit 0'));
    s!.kubectlOk(['apply', '-f', '-'], pod('fails-never', 'Never', 'exit 3'));
    s!.kubectlOk(['apply', '-f', '-'], pod('ok-onfailure', 'OnFailure', 'exit 0'));
    const finished: [string, string][] = [['ok-never', 'Succeeded'], ['fails-never', 'Failed'], ['ok-onfailure', 'Succeeded']];
    const runningUid = await waitFor('runs Running', () => {
      const p = podJSON('runs');
      return p.status.phase === 'Running' && p.metadata.uid;
    });
    for (const [name, phase] of finished) {
      const uid = await waitFor(`${name} ${phase}`, () => {
        const p = podJSON(name);
        return p.status.phase === phase && p.metadata.uid;
      });
      const volumes = join(s!.dataDir, 'pods', uid, 'volumes');
      await waitFor(`${name}'s volumes torn down`, () => !existsSync(volumes) && mountsUnder(volumes).length === 0 && !existsSync(join(s!.dataDir, 'memory-volumes', uid)));
      // The object stays, finished, and its container's log is still readable.
      assert.equal(podJSON(name).status.phase, phase);
      assert.match(s!.kubectlOk(['logs', name, '-n', NS]), /wrote/);
    }
    // The running pod keeps its data and its tmpfs.
    const runningVolumes = join(s!.dataDir, 'pods', runningUid, 'volumes');
    assert.equal(readFileSync(join(runningVolumes, 'kubernetes.io~empty-dir', 'scratch', 'f'), 'utf8'), 'data\n');
    // Its tmpfs mount: the Memory emptyDir (sized, its own); the automatic kube-api-access-<random> projected volume is a directory in the node's shared tmpfs.
    const apiAccess = s!.kubectlOk(['get', 'pod', 'runs', '-n', NS, '-o', 'jsonpath={.spec.volumes[*].name}']).split(' ').find((n) => n.startsWith('kube-api-access-'));
    assert.match(apiAccess ?? '', /^kube-api-access-\w{5}$/);
    assert.deepEqual(mountsUnder(runningVolumes).sort(), [join(runningVolumes, 'kubernetes.io~empty-dir', 'ram')]);
    assert.ok(existsSync(join(s!.dataDir, 'memory-volumes', runningUid, 'kubernetes.io~projected', apiAccess!, 'token')));
    assert.equal(s!.kubectlOk(['exec', 'runs', '-n', NS, '--', 'cat', '/ram/f']), 'data\n');
    s!.kubectlOk(['delete', 'pods', '--all', '-n', NS, '--timeout=90s']);
    await waitFor('every pod directory gone', () => !existsSync(join(s!.dataDir, 'pods', runningUid)) && mountsUnder(join(s!.dataDir, 'pods')).length === 0
      && !existsSync(join(s!.dataDir, 'memory-volumes', runningUid)));
  });

  it('reports allocatable as capacity minus kube and system reserved and the hard eviction thresholds', () => {
    const node = s!.json<{ items: { status: { capacity: Record<string, string>; allocatable: Record<string, string> } }[] }>(['nodes']).items[0]!;
    const { capacity, allocatable } = node.status;
    // Defaults: memory.available<100Mi and nodefs.available<10%.
    assert.equal(quantityBytes(allocatable.memory!), quantityBytes(capacity.memory!) - 50 * Mi - 30 * Mi - 100 * Mi);
    const storage = quantityBytes(capacity['ephemeral-storage']!);
    assert.equal(quantityBytes(allocatable['ephemeral-storage']!), storage - Math.floor(storage * 0.1));
    assert.equal(allocatable.cpu, `${Number(capacity.cpu) * 1000 - 100}m`);
  });
});
