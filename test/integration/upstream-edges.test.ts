// SPDX-License-Identifier: Apache-2.0
/**
 * What real clients see at the edges (issue 14), against a real
 * `skiff server --simulated-nodes 1` with the real kubectl, curl-like raw
 * requests and the CLI: protected namespaces, Jobs on simulated nodes, the
 * canonical StatefulSet, pod replace without priority, pods/ephemeralcontainers,
 * PodTemplates, HPA defaulting, never-firing CronJobs, /metrics, decode
 * errors, pretty JSON, NodeStatusNeverUpdated and idle keep-alive.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { startServer, type ServerHandle } from '../harness/server-harness.js';
import { waitFor } from '../harness/wait-for.js';

let s: ServerHandle;

const json = <T = Record<string, unknown>>(args: string[]): T => JSON.parse(s.kubectlOk([...args, '-o', 'json'])) as T;
const eventually = <T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> => waitFor(what, fn, timeoutMs, 250);

describe('upstream edges with kubectl', () => {
  before(async () => {
    s = await startServer({ args: ['--simulated-nodes', '1', '--node-monitor-grace-period', '4s'] });
  });
  after(async () => {
    await s?.stop();
  });

  it('refuses to delete default, kube-system and kube-public; `delete ns --all` deletes the rest', async () => {
    for (const ns of ['default', 'kube-system', 'kube-public']) {
      const r = s.kubectl(['delete', 'namespace', ns]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, new RegExp(`Error from server \\(Forbidden\\): namespaces "${ns}" is forbidden: this namespace may not be deleted`));
    }
    const raw = await s.request('DELETE', '/api/v1/namespaces/default');
    assert.equal(raw.status, 403);
    assert.equal(raw.body, '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"namespaces \\"default\\" is forbidden: this namespace may not be deleted","reason":"Forbidden","details":{"name":"default","kind":"namespaces"},"code":403}');
    s.kubectlOk(['create', 'namespace', 'scratch-a']);
    s.kubectlOk(['create', 'namespace', 'scratch-b']);
    const all = s.kubectl(['delete', 'ns', '--all', '--wait=false']);
    assert.notEqual(all.code, 0, 'kubectl reports the refused ones');
    assert.match(all.stdout, /namespace "scratch-a" deleted/);
    const left = json<{ items: { metadata: { name: string; deletionTimestamp?: string } }[] }>(['get', 'ns']).items;
    for (const ns of ['default', 'kube-system', 'kube-public']) assert.ok(left.some((n) => n.metadata.name === ns && !n.metadata.deletionTimestamp), ns);
    await eventually('scratch namespaces gone', () => !s.kubectlOk(['get', 'ns', '-o', 'name']).includes('scratch-'));
  });

  it('a Job created by kubectl completes on a simulated node without annotations', async () => {
    s.kubectlOk(['create', 'job', 'once', '--image=busybox', '--', 'true']);
    s.kubectlOk(['wait', '--for=condition=complete', 'job/once', '--timeout=60s']);
    assert.equal(json<{ status: { succeeded: number } }>(['get', 'job', 'once']).status.succeeded, 1);
  });

  it('accepts the StatefulSet of upstream\'s tutorial (volumeMounts naming only a volumeClaimTemplate)', () => {
    s.kubectlOk(['apply', '-f', '-'], {
      input: `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: nginx}
  serviceName: nginx
  replicas: 1
  template:
    metadata:
      labels: {app: nginx}
    spec:
      containers:
      - name: nginx
        image: registry.k8s.io/nginx-slim:0.24
        volumeMounts:
        - name: www
          mountPath: /usr/share/nginx/html
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: ["ReadWriteOnce"]
      resources:
        requests:
          storage: 1Gi
`,
    });
    const bad = s.kubectl(['create', '-f', '-'], { input: 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: bad}\nspec:\n  selector: {matchLabels: {a: b}}\n  serviceName: x\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers: [{name: c, image: x, volumeMounts: [{name: nope, mountPath: /d}]}]\n' });
    assert.match(bad.stderr, /spec\.template\.spec\.containers\[0\]\.volumeMounts\[0\]\.name: Not found: "nope"/);
  });

  it('kubectl replace of a pod without priority keeps the admitted priority', () => {
    s.kubectlOk(['run', 'prio', '--image=busybox']);
    const pod = json<{ spec: Record<string, unknown>; metadata: Record<string, unknown> }>(['get', 'pod', 'prio']);
    delete pod.spec.priority;
    delete pod.spec.preemptionPolicy;
    pod.metadata.labels = { replaced: 'yes' };
    s.kubectlOk(['replace', '-f', '-'], { input: JSON.stringify(pod) });
    const after = json<{ spec: { priority: number; preemptionPolicy: string }; metadata: { labels: Record<string, string> } }>(['get', 'pod', 'prio']);
    assert.equal(after.metadata.labels.replaced, 'yes');
    assert.equal(after.spec.priority, 0);
    assert.equal(after.spec.preemptionPolicy, 'PreemptLowerPriority');
  });

  it('pods/ephemeralcontainers takes kubectl debug\'s patch through its own strategy', async () => {
    s.kubectlOk(['run', 'dbg', '--image=busybox']);
    // kubectl debug patches the subresource, then waits to attach; the simulated node has no runtime to attach to.
    s.kubectl(['debug', 'dbg', '--image=busybox', '--container=debugger', '--', 'sleep', '1'], { timeoutMs: 30_000 });
    const pod = json<{ spec: { ephemeralContainers?: { name: string; image: string }[]; containers: unknown[] } }>(['get', 'pod', 'dbg']);
    assert.deepEqual(pod.spec.ephemeralContainers?.map((c) => [c.name, c.image]), [['debugger', 'busybox']]);
    const remove = await s.request('PATCH', '/api/v1/namespaces/default/pods/dbg/ephemeralcontainers', { spec: { ephemeralContainers: [] } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(remove.status, 422);
    assert.match(remove.body, /existing ephemeral containers \\"debugger\\" may not be removed/);
    const spec = await s.request('PATCH', '/api/v1/namespaces/default/pods/dbg/ephemeralcontainers', { spec: { containers: [{ name: 'x', image: 'y' }] } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
    assert.equal(spec.status, 200, 'other fields are dropped, not refused');
    assert.equal((JSON.parse(spec.body) as { spec: { containers: { name: string }[] } }).spec.containers[0].name, 'dbg');
  });

  it('serves podtemplates', () => {
    s.kubectlOk(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: PodTemplate\nmetadata: {name: tpl}\ntemplate:\n  metadata: {labels: {app: t}}\n  spec:\n    containers: [{name: c, image: busybox}]\n' });
    assert.match(s.kubectlOk(['get', 'podtemplates']), /tpl\s+c\s+busybox\s+app=t/);
    assert.match(s.kubectlOk(['api-resources']), /podtemplates\s+v1\s+true\s+PodTemplate/);
    const t = json<{ template: { spec: { restartPolicy: string } } }>(['get', 'podtemplate', 'tpl']);
    assert.equal(t.template.spec.restartPolicy, 'Always', 'the template is defaulted');
  });

  it('kubectl autoscale without --cpu-percent gets the 80% CPU metric', () => {
    s.kubectlOk(['create', 'deployment', 'scaled', '--image=busybox']);
    s.kubectlOk(['autoscale', 'deploy', 'scaled', '--min=2', '--max=3']);
    const hpa = json<{ spec: { metrics: unknown[] } }>(['get', 'hpa.v2.autoscaling', 'scaled']);
    assert.deepEqual(hpa.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  });

  it('a CronJob that can never fire gets an InvalidSchedule Warning', async () => {
    s.kubectlOk(['create', 'cronjob', 'never', '--image=busybox', '--schedule=59 23 31 2 *']);
    await eventually('InvalidSchedule event', () => /Warning\s+InvalidSchedule\s+cronjob\/never\s+invalid schedule: 59 23 31 2 \* : time difference between two schedules is less than 1 second/.test(s.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.name=never'])));
  });

  it('serves /metrics in Prometheus text with real request counters', async () => {
    const before = s.kubectlOk(['get', '--raw', '/metrics']);
    const count = (text: string) => Number(/apiserver_request_total\{code="200",component="apiserver",dry_run="",group="",resource="configmaps",scope="namespace",subresource="",verb="LIST",version="v1"\} (\d+)/.exec(text)?.[1] ?? 0);
    s.kubectlOk(['get', 'configmaps']);
    s.kubectlOk(['get', 'configmaps']);
    const later = s.kubectlOk(['get', '--raw', '/metrics']);
    assert.equal(count(later) - count(before), 2);
    assert.match(later, /# TYPE apiserver_request_total counter/);
    assert.match(later, /apiserver_request_duration_seconds_bucket\{.*le="\+Inf"\} \d+/);
    const r = await s.request('GET', '/metrics');
    assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  });

  it('decode errors read as upstream\'s: unrecognized body, wrongly typed fields in create, update and every patch type', async () => {
    const raw = s.kubectl(['create', '--raw', '/api/v1/namespaces', '-f', '-'], { input: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n' });
    assert.match(raw.stderr, /the object provided is unrecognized \(must be of type Namespace\): couldn't get version\/kind; json parse error: invalid character 'a' looking for beginning of value \(61706956657273696f6e3a2076310a6b696e643a20506f640a6d65746164 \.\.\.\)/);
    s.kubectlOk(['run', 'typed', '--image=busybox']);
    const smp = s.kubectl(['patch', 'pod', 'typed', '-p', '{"metadata":{"labels":"invalid"}}']);
    assert.match(smp.stderr, /The request is invalid: patch: Invalid value: "map\[metadata:map\[labels:invalid\]\]": cannot restore map from string/);
    const merge = s.kubectl(['patch', 'pod', 'typed', '--type=merge', '-p', '{"metadata":{"labels":"invalid"}}']);
    assert.match(merge.stderr, /json: cannot unmarshal string into Go struct field ObjectMeta\.metadata\.labels of type map\[string\]string/);
    const jsonPatch = s.kubectl(['patch', 'pod', 'typed', '--type=json', '-p', '[{"op":"replace","path":"/spec/containers/0/name","value":1}]']);
    assert.match(jsonPatch.stderr, /json: cannot unmarshal number into Go struct field Container\.spec\.containers\.name of type string/);
    const create = await s.request('POST', '/apis/apps/v1/namespaces/default/deployments', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 'two' } });
    assert.equal(create.status, 400);
    assert.equal(JSON.parse(create.body).message, 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
    assert.equal(json<{ metadata: { labels: Record<string, string> } }>(['get', 'pod', 'typed']).metadata.labels.run, 'typed', 'nothing stored');
  });

  it('pretty-prints JSON for curl and ?pretty=true, compact for other clients', async () => {
    const curl = await s.request('GET', '/api/v1/namespaces/default', undefined, { 'User-Agent': 'curl/8.5.0' });
    assert.match(curl.body, /^\{\n {2}"kind": "Namespace",\n {2}"apiVersion": "v1",/);
    const pretty = await s.request('GET', '/api/v1/namespaces/default?pretty=true');
    assert.match(pretty.body, /^\{\n {2}"kind"/);
    const compact = await s.request('GET', '/api/v1/namespaces/default', undefined, { 'User-Agent': 'kubectl/v1.32.0' });
    assert.match(compact.body, /^\{"kind":"Namespace"/);
    const off = await s.request('GET', '/api/v1/namespaces/default?pretty=0', undefined, { 'User-Agent': 'curl/8.5.0' });
    assert.match(off.body, /^\{"kind"/);
  });

  it('a node that never reported gets NodeStatusNeverUpdated', async () => {
    s.kubectlOk(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: Node\nmetadata:\n  name: silent\n' });
    const ready = await eventually('Ready Unknown on the silent node', () =>
      json<{ status: { conditions?: { type: string; status: string; reason: string; message: string }[] } }>(['get', 'node', 'silent']).status.conditions?.find((c) => c.type === 'Ready' && c.status === 'Unknown'),
    );
    assert.equal(ready.reason, 'NodeStatusNeverUpdated');
    assert.equal(ready.message, 'Kubelet never posted node status.');
  });

  it('keeps an idle connection open past Node\'s 5 s default and the 32 s header timeout, like a Go server', async () => {
    const doc = parse(readFileSync(s.kubeconfig, 'utf8')) as { users: { user: Record<string, string> }[]; clusters: { cluster: Record<string, string> }[] };
    const u = new URL(s.url);
    const sock = connect({
      host: u.hostname,
      port: Number(u.port),
      ca: Buffer.from(doc.clusters[0].cluster['certificate-authority-data'], 'base64'),
      cert: Buffer.from(doc.users[0].user['client-certificate-data'], 'base64'),
      key: Buffer.from(doc.users[0].user['client-key-data'], 'base64'),
      servername: 'localhost',
    });
    try {
      let got = '';
      let closed = false;
      sock.on('data', (d: Buffer) => (got += d.toString()));
      sock.on('close', () => (closed = true));
      await new Promise<void>((r, j) => (sock.once('secureConnect', () => r()), sock.once('error', j)));
      const ask = () => sock.write(`GET /version HTTP/1.1\r\nHost: ${u.host}\r\nConnection: keep-alive\r\n\r\n`);
      ask();
      await eventually('first answer', () => got.includes('gitVersion'), 10_000);
      got = '';
      await new Promise((r) => setTimeout(r, 36_000));
      assert.equal(closed, false, 'the server closed an idle connection a client would still reuse');
      ask();
      await eventually('second answer on the same connection', () => got.includes('gitVersion'), 10_000);
    } finally {
      sock.destroy();
    }
  });
});
