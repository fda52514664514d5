// SPDX-License-Identifier: Apache-2.0
/**
 * The core controllers against a real `skiff server --disable-agent` with
 * the real kubectl: Deployments and ReplicaSets, garbage collection,
 * namespace deletion, default ServiceAccounts, Endpoints and EndpointSlices.
 * There are no nodes, so pods stay Pending; where a test needs ready pods it
 * writes pod status itself, as a kubelet would.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type ServerHandle } from '../harness/server-harness.js';
import { waitFor } from '../harness/wait-for.js';

let s: ServerHandle;

interface Obj {
  metadata: { name: string; uid: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[] };
  spec?: { replicas?: number; template?: { spec?: { containers: { image: string }[] } } };
  status?: Record<string, unknown>;
  [k: string]: unknown;
}

function getJSON<T = Obj>(args: string[]): T {
  return JSON.parse(s.kubectlOk([...args, '-o', 'json'])) as T;
}

function items(args: string[]): Obj[] {
  return getJSON<{ items: Obj[] }>(args).items;
}

const eventually = <T>(what: string, fn: () => T | undefined | false, timeoutMs = 15000): Promise<T> => waitFor(what, fn, timeoutMs, 200);

function ns(name: string): string {
  s.kubectlOk(['create', 'namespace', name]);
  return name;
}

const deployment = (name: string, image = 'nginx:1.25', replicas = 2) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
      - name: web
        image: ${image}
        ports:
        - name: http
          containerPort: 8080
`;

let ipSeq = 10;

/** markReady writes a Running, Ready status on every pod of the namespace that lacks one (what a kubelet would do). */
function markReady(namespace: string, selector: string): void {
  for (const p of items(['get', 'pods', '-n', namespace, '-l', selector])) {
    if ((p.status?.conditions as { type: string; status: string }[] | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True')) continue;
    const now = new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const status = { phase: 'Running', podIP: `10.42.0.${ipSeq++}`, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] };
    s.kubectlOk(['patch', 'pod', p.metadata.name, '-n', namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
  }
}

describe('core controllers', () => {
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s?.stop();
  });

  it('gives every new namespace a default ServiceAccount', async () => {
    const n = ns('ctl-sa');
    await eventually('default SA', () => s.kubectl(['get', 'sa', 'default', '-n', n]).code === 0);
    s.kubectlOk(['delete', 'sa', 'default', '-n', n]);
    await eventually('default SA back', () => s.kubectl(['get', 'sa', 'default', '-n', n]).code === 0);
  });

  it('runs a Deployment through a ReplicaSet to pods with owner references, and scales it', async () => {
    const n = ns('ctl-deploy');
    s.kubectlOk(['apply', '-n', n, '-f', '-'], { input: deployment('web', 'nginx:1.25', 2) });
    const rs = await eventually('one ReplicaSet', () => items(['get', 'rs', '-n', n]).find((r) => r.metadata.name.startsWith('web-')));
    const d = getJSON(['get', 'deploy', 'web', '-n', n]);
    const hash = rs.metadata.labels?.['pod-template-hash'];
    assert.ok(hash);
    assert.equal(rs.metadata.name, `web-${hash}`);
    assert.deepEqual(rs.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller, r.blockOwnerDeletion]), [['Deployment', 'web', d.metadata.uid, true, true]]);
    assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    const pods = await eventually('two pods', () => {
      const p = items(['get', 'pods', '-n', n, '-l', 'app=web']);
      return p.length === 2 && p;
    });
    for (const p of pods) {
      assert.match(p.metadata.name, new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      assert.equal(p.metadata.ownerReferences?.[0].uid, rs.metadata.uid);
      assert.equal(p.metadata.ownerReferences?.[0].kind, 'ReplicaSet');
    }
    s.kubectlOk(['scale', 'deploy', 'web', '-n', n, '--replicas=4']);
    await eventually('four pods', () => items(['get', 'pods', '-n', n, '-l', 'app=web']).length === 4);
    s.kubectlOk(['scale', 'deploy', 'web', '-n', n, '--replicas=1']);
    await eventually('one pod', () => items(['get', 'pods', '-n', n, '-l', 'app=web']).length === 1);
    const [only] = items(['get', 'pods', '-n', n, '-l', 'app=web']);
    s.kubectlOk(['delete', 'pod', only.metadata.name, '-n', n, '--wait=false']);
    await eventually('a replacement pod', () => {
      const p = items(['get', 'pods', '-n', n, '-l', 'app=web']);
      return p.length === 1 && p[0].metadata.name !== only.metadata.name;
    });
    const events = s.kubectlOk(['get', 'events', '-n', n]);
    assert.match(events, /ScalingReplicaSet\s+.*Scaled up replica set web-\w+ to 2/);
    assert.match(events, /SuccessfulCreate\s+.*Created pod: web-/);
  });

  it('rolls out a template change as pods become ready, then undoes and restarts it', async () => {
    const n = ns('ctl-rollout');
    s.kubectlOk(['apply', '-n', n, '-f', '-'], { input: deployment('app', 'nginx:1.25', 3) });
    await eventually('three pods', () => items(['get', 'pods', '-n', n]).length === 3);
    markReady(n, 'app=app');
    await eventually('deployment available', () => (getJSON(['get', 'deploy', 'app', '-n', n]).status?.availableReplicas as number) === 3);
    s.kubectlOk(['set', 'image', 'deploy/app', '-n', n, 'web=nginx:1.26']);
    await eventually('two ReplicaSets', () => items(['get', 'rs', '-n', n]).length === 2);
    // Keep marking new pods ready until the rollout completes.
    await eventually('rollout complete', () => {
      markReady(n, 'app=app');
      const d = getJSON(['get', 'deploy', 'app', '-n', n]);
      const st = d.status as { updatedReplicas?: number; replicas?: number; availableReplicas?: number };
      return st.updatedReplicas === 3 && st.replicas === 3 && st.availableReplicas === 3;
    }, 30000);
    const sets = items(['get', 'rs', '-n', n]);
    const byImage = Object.fromEntries(sets.map((r) => [r.spec?.template?.spec?.containers[0].image, r]));
    assert.equal(byImage['nginx:1.26'].spec?.replicas, 3);
    assert.equal(byImage['nginx:1.25'].spec?.replicas, 0);
    assert.equal(byImage['nginx:1.26'].metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
    const d = getJSON(['get', 'deploy', 'app', '-n', n]);
    const conds = (d.status?.conditions as { type: string; status: string; reason: string }[]).map((c) => `${c.type}/${c.status}/${c.reason}`).sort();
    assert.deepEqual(conds, ['Available/True/MinimumReplicasAvailable', 'Progressing/True/NewReplicaSetAvailable']);
    assert.match(s.kubectlOk(['rollout', 'status', 'deploy/app', '-n', n, '--timeout=10s']), /successfully rolled out/);

    s.kubectlOk(['rollout', 'undo', 'deploy/app', '-n', n]);
    await eventually('undo back to 1.25, as revision 3', () => {
      markReady(n, 'app=app');
      const r = items(['get', 'rs', '-n', n]).find((x) => x.spec?.template?.spec?.containers[0].image === 'nginx:1.25');
      return r?.metadata.annotations?.['deployment.kubernetes.io/revision'] === '3' && r.spec?.replicas === 3 && r;
    }, 30000);
    s.kubectlOk(['rollout', 'restart', 'deploy/app', '-n', n]);
    await eventually('a third ReplicaSet for the restart', () => items(['get', 'rs', '-n', n]).length === 3);
  });

  it('deletes ReplicaSets and pods with their Deployment, and orphans them on --cascade=orphan', async () => {
    const n = ns('ctl-gc');
    s.kubectlOk(['apply', '-n', n, '-f', '-'], { input: deployment('gone', 'nginx:1.25', 2) });
    s.kubectlOk(['apply', '-n', n, '-f', '-'], { input: deployment('kept', 'nginx:1.25', 2) });
    await eventually('four pods', () => items(['get', 'pods', '-n', n]).length === 4);
    s.kubectlOk(['delete', 'deploy', 'gone', '-n', n]);
    await eventually('gone RS and pods', () => items(['get', 'rs', '-n', n, '-l', 'app=gone']).length === 0 && items(['get', 'pods', '-n', n, '-l', 'app=gone']).length === 0);
    s.kubectlOk(['delete', 'deploy', 'kept', '-n', n, '--cascade=orphan']);
    await eventually('deployment gone', () => s.kubectl(['get', 'deploy', 'kept', '-n', n]).code !== 0);
    await new Promise((r) => setTimeout(r, 1000));
    const [rs] = items(['get', 'rs', '-n', n, '-l', 'app=kept']);
    assert.ok(rs, 'orphaned ReplicaSet stays');
    assert.deepEqual(rs.metadata.ownerReferences ?? [], []);
    assert.equal(items(['get', 'pods', '-n', n, '-l', 'app=kept']).length, 2);
    s.kubectlOk(['delete', 'rs', rs.metadata.name, '-n', n, '--cascade=foreground']);
    await eventually('foreground delete removed pods and RS', () => items(['get', 'pods', '-n', n, '-l', 'app=kept']).length === 0 && items(['get', 'rs', '-n', n]).length === 0);
  });

  it('empties and removes a deleted namespace', async () => {
    const n = ns('ctl-ns');
    s.kubectlOk(['apply', '-n', n, '-f', '-'], { input: deployment('x', 'nginx:1.25', 2) });
    s.kubectlOk(['create', 'configmap', 'cm', '-n', n, '--from-literal=a=b']);
    await eventually('pods', () => items(['get', 'pods', '-n', n]).length === 2);
    s.kubectlOk(['delete', 'namespace', n, '--timeout=30s']);
    assert.notEqual(s.kubectl(['get', 'namespace', n]).code, 0);
  });

  it('publishes Endpoints and an EndpointSlice for a Service from its ready pods', async () => {
    const n = ns('ctl-ep');
    s.kubectlOk(['apply', '-n', n, '-f', '-'], { input: deployment('api', 'nginx:1.25', 2) });
    s.kubectlOk(['create', 'service', 'clusterip', 'api', '-n', n, '--tcp=80:8080']);
    s.kubectlOk(['patch', 'svc', 'api', '-n', n, '--type=merge', '-p', JSON.stringify({ spec: { selector: { app: 'api' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] } })]);
    await eventually('two pods', () => items(['get', 'pods', '-n', n]).length === 2);
    markReady(n, 'app=api');
    const ep = await eventually('ready addresses', () => {
      const e = getJSON<{ subsets?: { addresses?: { ip: string; targetRef: { kind: string } }[]; ports: { name: string; port: number; protocol: string }[] }[] }>(['get', 'endpoints', 'api', '-n', n]);
      return e.subsets?.[0]?.addresses?.length === 2 && e;
    });
    assert.deepEqual(ep.subsets![0].ports, [{ name: 'web', port: 8080, protocol: 'TCP' }]);
    assert.equal(ep.subsets![0].addresses![0].targetRef.kind, 'Pod');
    const slice = await eventually('slice with two ready endpoints', () => {
      const sl = items(['get', 'endpointslices', '-n', n, '-l', 'kubernetes.io/service-name=api']);
      const eps = (sl[0]?.endpoints ?? []) as { conditions: { ready: boolean } }[];
      return sl.length === 1 && eps.length === 2 && eps.every((e) => e.conditions.ready) && sl[0];
    });
    assert.match(slice.metadata.name, /^api-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.equal(slice.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.ports, [{ name: 'web', port: 8080, protocol: 'TCP' }]);
    assert.match(s.kubectlOk(['get', 'endpoints', 'api', '-n', n]), /10\.42\.0\.\d+:8080,10\.42\.0\.\d+:8080/);
  });
});
