// SPDX-License-Identifier: Apache-2.0
/**
 * StatefulSets, DaemonSets, Jobs and CronJobs against a real
 * `skiff server --simulated-nodes 2` with the real kubectl. Simulated nodes
 * run pods (Pending → Running → Ready); `skiff.dev/simulated-exit-after`
 * and `skiff.dev/simulated-exit-code` make Job pods finish.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type ServerHandle } from '../harness/server-harness.js';
import { waitFor } from '../harness/wait-for.js';

let s: ServerHandle;

interface Obj {
  metadata: { name: string; uid: string; creationTimestamp: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { kind: string; name: string }[] };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown> & { conditions?: { type: string; status: string; reason?: string }[] };
}

function items(args: string[]): Obj[] {
  return (JSON.parse(s.kubectlOk([...args, '-o', 'json'])) as { items: Obj[] }).items;
}

function get(args: string[]): Obj {
  return JSON.parse(s.kubectlOk([...args, '-o', 'json'])) as Obj;
}

const eventually = <T>(what: string, fn: () => T | undefined | false, timeoutMs = 20000): Promise<T> => waitFor(what, fn, timeoutMs, 250);

function apply(ns: string, yaml: string): void {
  s.kubectlOk(['apply', '-n', ns, '-f', '-'], { input: yaml });
}

const statefulSet = (name: string, image: string, extra = '') => `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: ${name}
spec:
  replicas: 3
  serviceName: ${name}
  selector:
    matchLabels:
      app: ${name}
${extra}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
      - name: c
        image: ${image}
`;

const jobYaml = (name: string, completions: number, parallelism: number, exitCode: number, backoffLimit = 6) => `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
  completions: ${completions}
  parallelism: ${parallelism}
  backoffLimit: ${backoffLimit}
  template:
    metadata:
      annotations:
        skiff.dev/simulated-exit-after: "1s"
        skiff.dev/simulated-exit-code: "${exitCode}"
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: busybox
`;

describe('workload controllers', () => {
  before(async () => {
    s = await startServer({ args: ['--simulated-nodes', '2'] });
    s.kubectlOk(['create', 'namespace', 'wl']);
  });
  after(async () => {
    await s?.stop();
  });

  it('StatefulSet OrderedReady creates web-0, web-1, web-2 in order, each after its predecessor is ready', async () => {
    apply('wl', statefulSet('web', 'nginx:1'));
    s.kubectlOk(['rollout', 'status', 'statefulset/web', '-n', 'wl', '--timeout=30s']);
    const pods = items(['get', 'pods', '-n', 'wl', '-l', 'app=web']).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    assert.deepEqual(pods.map((p) => p.metadata.name), ['web-0', 'web-1', 'web-2']);
    const created = pods.map((p) => Date.parse(p.metadata.creationTimestamp));
    assert.ok(created[0] <= created[1] && created[1] <= created[2], 'created in ordinal order');
    assert.equal(pods[1].metadata.labels!['statefulset.kubernetes.io/pod-name'], 'web-1');
    assert.equal(pods[1].metadata.labels!['apps.kubernetes.io/pod-index'], '1');
    assert.equal(pods[1].spec!.hostname, 'web-1');
    assert.equal(pods[1].spec!.subdomain, 'web');
    const sts = get(['get', 'statefulset', 'web', '-n', 'wl']);
    assert.equal(sts.status!.readyReplicas, 3);
    assert.equal(sts.status!.currentRevision, sts.status!.updateRevision);
  });

  it('a rolling update with a partition replaces only ordinals at or above it; history and undo work', async () => {
    s.kubectlOk(['patch', 'statefulset', 'web', '-n', 'wl', '-p', JSON.stringify({ spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } } })]);
    s.kubectlOk(['set', 'image', 'statefulset/web', 'c=nginx:2', '-n', 'wl']);
    const out = s.kubectlOk(['rollout', 'status', 'statefulset/web', '-n', 'wl', '--timeout=40s']);
    assert.match(out, /partitioned roll out complete: 2 new pods have been updated/);
    const image = (n: string) => (get(['get', 'pod', n, '-n', 'wl']).spec!.containers as { image: string }[])[0].image;
    assert.deepEqual(['web-0', 'web-1', 'web-2'].map(image), ['nginx:1', 'nginx:2', 'nginx:2']);
    const history = s.kubectlOk(['rollout', 'history', 'statefulset/web', '-n', 'wl']);
    assert.match(history, /REVISION/);
    assert.match(history, /\n1 /);
    assert.match(history, /\n2 /);
    s.kubectlOk(['rollout', 'undo', 'statefulset/web', '-n', 'wl']);
    await eventually('web-2 back on nginx:1', () => image('web-2') === 'nginx:1' && image('web-1') === 'nginx:1', 40000);
  });

  it('volumeClaimTemplates create claims named <template>-<set>-<ordinal>', async () => {
    apply('wl', statefulSet('db', 'postgres', `  podManagementPolicy: Parallel
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests:
          storage: 1Gi`));
    const claims = await eventually('three claims', () => {
      const c = items(['get', 'pvc', '-n', 'wl']).map((x) => x.metadata.name).sort();
      return c.length === 3 && c;
    });
    assert.deepEqual(claims, ['data-db-0', 'data-db-1', 'data-db-2']);
    const pod = await eventually('db-0', () => items(['get', 'pods', '-n', 'wl', '-l', 'app=db']).find((p) => p.metadata.name === 'db-0'));
    // The claim's volume, then the ServiceAccount admission's automatic kube-api-access-<random> volume.
    const [data, apiAccess, ...rest] = pod.spec!.volumes as { name: string }[];
    assert.deepEqual(data, { name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } });
    assert.match(apiAccess.name, /^kube-api-access-\w{5}$/);
    assert.deepEqual(rest, []);
  });

  it('DaemonSet runs one pod per node, and a node added later gets one', async () => {
    apply('wl', `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      containers:
      - name: c
        image: agent:1
`);
    s.kubectlOk(['rollout', 'status', 'daemonset/agent', '-n', 'wl', '--timeout=30s']);
    const nodesOf = () => items(['get', 'pods', '-n', 'wl', '-l', 'app=agent']).map((p) => p.spec!.nodeName as string).sort();
    assert.equal(nodesOf().length, 2);
    s.kubectlOk(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: Node\nmetadata:\n  name: late-node\n  annotations:\n    skiff.dev/simulated: "true"\n' });
    await eventually('a pod on late-node', () => nodesOf().includes('late-node'));
    s.kubectlOk(['rollout', 'status', 'daemonset/agent', '-n', 'wl', '--timeout=30s']);
    const ds = get(['get', 'daemonset', 'agent', '-n', 'wl']);
    assert.equal(ds.status!.desiredNumberScheduled, 3);
    assert.equal(ds.status!.numberReady, 3);
  });

  it('a Job with completions 3 and parallelism 2 completes', async () => {
    apply('wl', jobYaml('ok', 3, 2, 0));
    s.kubectlOk(['wait', '--for=condition=complete', 'job/ok', '-n', 'wl', '--timeout=30s']);
    const job = get(['get', 'job', 'ok', '-n', 'wl']);
    assert.equal(job.status!.succeeded, 3);
    assert.ok(job.status!.completionTime);
    const pods = items(['get', 'pods', '-n', 'wl', '-l', 'batch.kubernetes.io/job-name=ok']);
    assert.equal(pods.length, 3);
    assert.ok(pods.every((p) => !(p.metadata as { finalizers?: string[] }).finalizers?.length), 'tracking finalizers removed');
    const events = s.kubectlOk(['get', 'events', '-n', 'wl', '--field-selector', 'involvedObject.name=ok']);
    assert.match(events, /Completed/);
  });

  it('a failing Job hits its backoffLimit and fails', async () => {
    apply('wl', jobYaml('bad', 1, 1, 1, 0));
    s.kubectlOk(['wait', '--for=condition=failed', 'job/bad', '-n', 'wl', '--timeout=30s']);
    const job = get(['get', 'job', 'bad', '-n', 'wl']);
    assert.equal(job.status!.failed, 1);
    assert.equal(job.status!.conditions!.find((c) => c.type === 'Failed')!.reason, 'BackoffLimitExceeded');
  });

  it('a CronJob spawns Jobs: on its schedule (@every) and through kubectl create job --from', async () => {
    apply('wl', `apiVersion: batch/v1
kind: CronJob
metadata:
  name: tick
spec:
  schedule: "@every 2s"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      template:
        metadata:
          annotations:
            skiff.dev/simulated-exit-after: "1s"
        spec:
          restartPolicy: Never
          containers:
          - name: c
            image: busybox
`);
    const scheduled = await eventually('a scheduled Job', () => items(['get', 'jobs', '-n', 'wl']).find((j) => j.metadata.ownerReferences?.[0]?.name === 'tick'), 15000);
    assert.match(scheduled.metadata.name, /^tick-\d+$/);
    assert.ok(scheduled.metadata.annotations!['batch.kubernetes.io/cronjob-scheduled-timestamp']);
    await eventually('lastScheduleTime', () => get(['get', 'cronjob', 'tick', '-n', 'wl']).status?.lastScheduleTime);
    s.kubectlOk(['patch', 'cronjob', 'tick', '-n', 'wl', '-p', '{"spec":{"suspend":true}}']);
    s.kubectlOk(['create', 'job', 'manual', '--from=cronjob/tick', '-n', 'wl']);
    s.kubectlOk(['wait', '--for=condition=complete', 'job/manual', '-n', 'wl', '--timeout=20s']);
  });
});
