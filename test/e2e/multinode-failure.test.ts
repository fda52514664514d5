// SPDX-License-Identifier: Apache-2.0
/**
 * Nodes that fail, end to end on three machines (test/e2e/machines), with
 * short timers set by flags (--node-monitor-grace-period 10s on the server,
 * --node-lease-duration-seconds 8 on the agents) and pods tolerating the
 * unreachable and not-ready taints for 5 s:
 * - an agent SIGKILLed: its Node goes Ready=Unknown, its pods' endpoints
 *   are withdrawn, the NoExecute taint appears, its pods are evicted and
 *   recreated on the other nodes while the Service keeps answering; started
 *   again, it stops and removes the pods deleted while it was away;
 * - an agent's link cut: the same, and it rejoins when plugged back;
 * - an agent cut off from the API only: its pods keep running, and a pod
 *   bound to it meanwhile starts once it reaches the API again;
 * - `kubectl drain` with a PodDisruptionBudget, then uncordon;
 * - and stop() leaves nothing behind on the host.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { agentUnavailableReason } from './fixtures/agent-server.js';
import { machinesUnavailableReason } from './machines/machine-lab.js';
import { MachineCluster, type SkiffProcess } from './machines/cluster.js';
import { waitFor } from '../harness/wait-for.js';
import { podOn, webDeployment } from './machines/workloads.js';
import { containerdLayout } from '../../src/kubelet/containerd/index.js';

const skip = agentUnavailableReason() || machinesUnavailableReason();
const NS = 'failures';

let c: MachineCluster;

interface PodView {
  name: string;
  node: string;
  ip: string;
  ready: boolean;
  terminating: boolean;
  containerIDs: string[];
}

function echoPods(): PodView[] {
  type P = { metadata: { name: string; deletionTimestamp?: string }; spec: { nodeName?: string }; status: { podIP?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { containerID?: string }[] } };
  return c.json<{ items: P[] }>(['pods', '-n', NS, '-l', 'app=echo']).items.map((p) => ({
    name: p.metadata.name, node: p.spec.nodeName ?? '', ip: p.status.podIP ?? '',
    ready: !!p.status.conditions?.some((k) => k.type === 'Ready' && k.status === 'True'),
    terminating: !!p.metadata.deletionTimestamp,
    containerIDs: (p.status.containerStatuses ?? []).map((s) => (s.containerID ?? '').replace(/^containerd:\/\//, '')).filter(Boolean),
  }));
}

function nodeReady(name: string): string {
  return c.kubectlOk(['get', 'node', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']).trim();
}

function taints(name: string): string {
  return c.kubectlOk(['get', 'node', name, '-o', 'jsonpath={range .spec.taints[*]}{.key}:{.effect} {end}']);
}

/** readyEndpoints are the echo Service's ready endpoint addresses in its EndpointSlices. */
function readyEndpoints(): string[] {
  type S = { endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[] };
  const slices = c.json<{ items: S[] }>(['endpointslices', '-n', NS, '-l', 'kubernetes.io/service-name=echo']).items;
  return slices.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready).flatMap((e) => e.addresses));
}

/** serviceAnswers asks the echo Service n times from the client on the server's node; every answer must come. */
function serviceAnswers(n: number): string[] {
  const r = c.kubectl(['exec', '-n', NS, 'client', '--', 'sh', '-c', `for i in $(seq ${n}); do timeout 3 wget -qO- http://echo/ || echo FAIL; done`]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
}

/** runcContainers lists the containers a node's runc still knows (its containerd namespace k8s.io). */
function runcContainers(node: SkiffProcess): string[] {
  const r = spawnSync('runc', ['--root', join(containerdLayout(node.dataDir).runcRoot, 'k8s.io'), 'list', '-q'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n').filter(Boolean) : [];
}

/** statefulSetOn is a one-replica StatefulSet preferring a node, tolerating its loss for 5 s like echo. */
function statefulSetOn(node: string): unknown {
  const toleration = (key: string) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 });
  const pod = podOn(NS, 'db', node, { app: 'db' }, true) as { metadata: unknown; spec: Record<string, unknown> };
  delete pod.spec.nodeName;
  // A grace period of 0 deletes a pod at once even on a silent node (upstream too): that is what makes duplicates possible.
  pod.spec.terminationGracePeriodSeconds = 30;
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: NS },
    spec: {
      replicas: 1, serviceName: 'db', selector: { matchLabels: { app: 'db' } },
      template: {
        metadata: { labels: { app: 'db' } },
        spec: {
          ...pod.spec,
          tolerations: [toleration('node.kubernetes.io/unreachable'), toleration('node.kubernetes.io/not-ready')],
          affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] } }] } },
        },
      },
    },
  };
}

function dbPod(): { uid: string; node: string; terminating: boolean; ready: boolean } | undefined {
  type P = { metadata: { uid: string; deletionTimestamp?: string }; spec: { nodeName?: string }; status: { conditions?: { type: string; status: string }[] } };
  const r = c.kubectl(['get', 'pod', 'db-0', '-n', NS, '-o', 'json']);
  if (r.code !== 0) return undefined;
  const p = JSON.parse(r.stdout) as P;
  return { uid: p.metadata.uid, node: p.spec.nodeName ?? '', terminating: !!p.metadata.deletionTimestamp, ready: !!p.status.conditions?.some((k) => k.type === 'Ready' && k.status === 'True') };
}

async function waitReplacedAwayFrom(node: string): Promise<void> {
  await waitFor(`three ready echo pods, none on ${node}`, () => {
    const live = echoPods().filter((p) => !p.terminating);
    return live.length === 3 && live.every((p) => p.ready && p.node !== node);
  }, 180_000, 1000);
}

describe('nodes that fail', { skip: skip || undefined, timeout: 1_200_000 }, () => {
  before(async () => {
    c = await MachineCluster.start({
      agents: 2,
      serverArgs: ['--node-monitor-grace-period', '10s', '--disable-ingress'],
      agentArgs: ['--node-lease-duration-seconds', '8'],
    });
    c.kubectlOk(['create', 'namespace', NS]);
    const toleration = (key: string) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 });
    c.kubectlOk(['apply', '-f', '-'], JSON.stringify(webDeployment(NS, 'echo', 3, {
      tolerations: [toleration('node.kubernetes.io/unreachable'), toleration('node.kubernetes.io/not-ready')],
    })));
    c.kubectlOk(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo', namespace: NS }, spec: { selector: { app: 'echo' }, ports: [{ port: 80, targetPort: 'http' }] } }));
    c.kubectlOk(['apply', '-f', '-'], JSON.stringify(podOn(NS, 'client', 'server', { app: 'client' })));
    const rollout = c.kubectl(['rollout', 'status', 'deployment/echo', '-n', NS, '--timeout=180s']);
    assert.equal(rollout.code, 0, `echo did not roll out:\n${rollout.stderr}\n${c.kubectl(['get', 'pods,events', '-n', NS, '-o', 'wide']).stdout}`);
    assert.equal(c.kubectl(['wait', '-n', NS, '--for=condition=Ready', 'pod/client', '--timeout=180s']).code, 0, 'client ready');
  });

  after(async () => {
    if (!c) return;
    await c.stop();
    assert.deepEqual(c.leftovers(), [], 'the cluster left nothing on the host');
  });

  it('a SIGKILLed agent: Unknown, endpoints withdrawn, pods evicted and recreated elsewhere; back, it removes them', async () => {
    const victimPod = echoPods().find((p) => p.node.startsWith('agent-'));
    assert.ok(victimPod, `an echo pod runs on an agent: ${JSON.stringify(echoPods())}`);
    const victim = c.agents.find((a) => a.nodeName === victimPod.node)!;
    c.kubectlOk(['apply', '-f', '-'], JSON.stringify(statefulSetOn(victim.nodeName)));
    assert.equal(c.kubectl(['rollout', 'status', 'statefulset/db', '-n', NS, '--timeout=180s']).code, 0, 'db rolled out');
    const db = dbPod()!;
    assert.equal(db.node, victim.nodeName);
    await waitFor('the echo Service answering from all three pods', () => new Set(serviceAnswers(9)).size === 3, 60_000, 500);
    await victim.kill();
    await waitFor(`${victim.nodeName} Ready=Unknown`, () => nodeReady(victim.nodeName) === 'Unknown', 90_000, 500);
    // Upstream marks the pods not ready in the same pass that sets Unknown; the endpoint controllers follow at once.
    await waitFor(`${victimPod.name} withdrawn from the echo endpoints`, () => !readyEndpoints().includes(victimPod.ip), 30_000, 250);
    assert.ok(!serviceAnswers(6).includes('FAIL'), 'no request goes to the dead node once its endpoint is withdrawn');
    await waitFor(`unreachable NoExecute taint on ${victim.nodeName}`, () => taints(victim.nodeName).includes('node.kubernetes.io/unreachable:NoExecute'), 30_000, 500);
    await waitReplacedAwayFrom(victim.nodeName);
    assert.ok(!serviceAnswers(6).includes('FAIL'), 'the Service answers from the replacements');
    // The StatefulSet pod was evicted too, but its old incarnation may still run on the silent node: no second db-0 (upstream).
    const stuck = await waitFor('db-0 evicted (Terminating on the silent node)', () => {
      const p = dbPod();
      return p?.terminating && p;
    }, 60_000, 500);
    assert.ok(stuck.uid === db.uid && stuck.node === victim.nodeName, `db-0 waits for its node: ${JSON.stringify(stuck)}`);
    await new Promise((r) => setTimeout(r, 5000));
    assert.equal(dbPod()?.uid, db.uid, 'no second db-0 while the old one may still run');

    await victim.start();
    await c.waitReady(victim.nodeName);
    await waitFor(`the evicted pod ${victimPod.name} gone once its node is back`, () => !echoPods().some((p) => p.name === victimPod.name), 120_000, 1000);
    await waitFor('db-0 recreated once its old incarnation is confirmed gone', () => {
      const now = dbPod();
      return now && now.uid !== db.uid && !now.terminating && now.ready;
    }, 180_000, 1000);
    await waitFor(`${victimPod.name}'s containers removed from ${victim.nodeName}'s runtime`, () => {
      const left = runcContainers(victim);
      return victimPod.containerIDs.every((id) => !left.includes(id));
    }, 60_000, 1000);
  });

  it('an agent whose link is cut goes Unknown, its endpoints withdrawn; plugged back, it is Ready again', async () => {
    await waitFor('echo spread again after the last test', () => echoPods().filter((p) => !p.terminating && p.ready).length === 3, 120_000, 1000);
    // Move one echo pod onto each agent is not guaranteed; cut whichever agent runs one, else the first.
    const onAgent = echoPods().find((p) => !p.terminating && p.node.startsWith('agent-'));
    const victim = c.agents.find((a) => a.nodeName === onAgent?.node) ?? c.agents[0];
    c.lab.cut(victim.machine);
    try {
      await waitFor(`${victim.nodeName} Ready=Unknown with its link cut`, () => nodeReady(victim.nodeName) === 'Unknown', 90_000, 500);
      if (onAgent) await waitFor(`${onAgent.name} withdrawn from the echo endpoints`, () => !readyEndpoints().includes(onAgent.ip), 30_000, 250);
      await waitReplacedAwayFrom(victim.nodeName);
      assert.ok(!serviceAnswers(6).includes('FAIL'), 'the Service answers while the node is cut off');
    } finally {
      c.lab.restore(victim.machine);
    }
    await c.waitReady(victim.nodeName);
    if (onAgent) await waitFor(`${onAgent.name} removed once ${victim.nodeName} is back`, () => !echoPods().some((p) => p.name === onAgent.name), 120_000, 1000);
  });

  it('an agent cut off from the API keeps its pods running and catches up when it can reach it again', async () => {
    const target = c.agents[1];
    c.kubectlOk(['apply', '-f', '-'], JSON.stringify(podOn(NS, 'keeper', target.nodeName, { app: 'keeper' })));
    assert.equal(c.kubectl(['wait', '-n', NS, '--for=condition=Ready', 'pod/keeper', '--timeout=180s']).code, 0, 'keeper ready');
    // Only the agent's way to the API is cut (a rule in the server machine), so the API can still reach its kubelet.
    const rule = ['INPUT', '-s', target.machine.ip, '-p', 'tcp', '--dport', '6443', '-j', 'DROP'];
    c.lab.exec(c.lab.machines[0], ['iptables', '-w', '-I', ...rule]);
    try {
      await waitFor(`${target.nodeName} Ready=Unknown without the API`, () => nodeReady(target.nodeName) === 'Unknown', 90_000, 500);
      assert.equal(c.kubectlOk(['exec', '-n', NS, 'keeper', '--', 'echo', 'alive']).trim(), 'alive', 'its pod still runs');
      c.kubectlOk(['apply', '-f', '-'], JSON.stringify(podOn(NS, 'late', target.nodeName, { app: 'late' })));
    } finally {
      c.lab.exec(c.lab.machines[0], ['iptables', '-w', '-D', ...rule]);
    }
    await c.waitReady(target.nodeName);
    assert.equal(c.kubectl(['wait', '-n', NS, '--for=condition=Ready', 'pod/late', '--timeout=180s']).code, 0, 'the pod bound while it was away runs');
    // Bare pods would make the drain below refuse this node without --force.
    c.kubectlOk(['delete', 'pod', 'keeper', 'late', '-n', NS, '--wait=true']);
  });

  it('kubectl drain honours a PodDisruptionBudget, then uncordon', async () => {
    // Two pods kept off the server (whose bare client pod a drain would refuse), budget: both must stay.
    const dr = webDeployment(NS, 'dr', 2, {
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'NotIn', values: ['server'] }] }] } } },
    });
    c.kubectlOk(['apply', '-f', '-'], JSON.stringify(dr));
    c.kubectlOk(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'dr', namespace: NS }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'dr' } } } }));
    assert.equal(c.kubectl(['rollout', 'status', 'deployment/dr', '-n', NS, '--timeout=180s']).code, 0, 'dr rolled out');
    await waitFor('the PDB observed with no disruptions allowed', () => c.kubectlOk(['get', 'pdb', 'dr', '-n', NS, '-o', 'jsonpath={.status.currentHealthy}/{.status.disruptionsAllowed}']) === '2/0', 60_000, 500);
    const drPods = () => c.json<{ items: { metadata: { name: string; deletionTimestamp?: string }; spec: { nodeName: string }; status: { conditions?: { type: string; status: string }[] } }[] }>(['pods', '-n', NS, '-l', 'app=dr']).items.filter((p) => !p.metadata.deletionTimestamp);
    const target = drPods()[0].spec.nodeName;
    const blocked = c.kubectl(['drain', target, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=15s']);
    assert.notEqual(blocked.code, 0, `drain should be refused by the budget:\n${blocked.stdout}`);
    assert.match(blocked.stderr + blocked.stdout, /disruption budget/);
    assert.equal(drPods().length, 2, 'nothing of dr was evicted');
    // A third replica makes one disruption affordable: the drain goes through (kubectl retries refused evictions).
    c.kubectlOk(['scale', 'deployment/dr', '-n', NS, '--replicas=3']);
    await waitFor('the PDB allowing one disruption', () => c.kubectlOk(['get', 'pdb', 'dr', '-n', NS, '-o', 'jsonpath={.status.disruptionsAllowed}']) === '1', 120_000, 1000);
    const drain = c.kubectl(['drain', target, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=240s']);
    assert.equal(drain.code, 0, `drain failed:\n${drain.stderr}${drain.stdout}`);
    assert.match(drain.stdout, new RegExp(`node/${target} drained`));
    assert.equal(c.kubectlOk(['get', 'node', target, '-o', 'jsonpath={.spec.unschedulable}']), 'true');
    await waitFor(`three ready dr pods, none on ${target}`, () => {
      const live = drPods();
      return live.length === 3 && live.every((p) => p.spec.nodeName !== target && p.status.conditions?.some((k) => k.type === 'Ready' && k.status === 'True'));
    }, 180_000, 1000);
    c.kubectlOk(['uncordon', target]);
    assert.equal(c.kubectlOk(['get', 'node', target, '-o', 'jsonpath={.spec.unschedulable}']), '');
  });

  it('kubectl delete node: after the quarantine its pods are collected and replaced elsewhere, its containers stop; restarted, the agent registers again', async () => {
    await waitFor('echo spread again after the last tests', () => echoPods().filter((p) => !p.terminating && p.ready).length === 3, 120_000, 1000);
    const onAgent = echoPods().filter((p) => !p.terminating && p.node.startsWith('agent-'));
    const victim = c.agents.find((a) => a.nodeName === onAgent[0]?.node) ?? c.agents[0];
    const gone = onAgent.filter((p) => p.node === victim.nodeName);
    c.kubectlOk(['delete', 'node', victim.nodeName]);
    assert.notEqual(c.kubectl(['get', 'node', victim.nodeName]).code, 0, 'the Node is gone at once');
    // The pod garbage collector waits 40 s (upstream's quarantine) before it decides the node is really gone.
    await waitFor(`pods bound to ${victim.nodeName} collected`, () => !c.json<{ items: { spec: { nodeName?: string } }[] }>(['pods', '-A']).items.some((p) => p.spec.nodeName === victim.nodeName), 150_000, 1000);
    await waitFor('three ready echo pods on the remaining nodes', () => {
      const live = echoPods().filter((p) => !p.terminating);
      return live.length === 3 && live.every((p) => p.ready && p.node !== victim.nodeName);
    }, 180_000, 1000);
    await waitFor(`the collected pods' containers stopped on ${victim.nodeName}`, () => {
      const left = runcContainers(victim);
      return gone.every((p) => p.containerIDs.every((id) => !left.includes(id)));
    }, 90_000, 1000);
    await victim.stop();
    await victim.start();
    await c.waitReady(victim.nodeName);
  });
});
