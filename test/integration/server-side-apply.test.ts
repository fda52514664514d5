// SPDX-License-Identifier: Apache-2.0
/**
 * Server-side apply and managedFields with the real kubectl against a real
 * `skiff server --disable-agent`: `kubectl apply --server-side`, conflicts
 * between two managers and `--force-conflicts`, removal of fields dropped
 * from a configuration, migration from client-side apply, `kubectl get
 * --show-managed-fields`, `kubectl diff --server-side`, and bad apply bodies
 * answered as upstream with nothing written.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type ServerHandle } from '../harness/server-harness.js';

let s: ServerHandle;

function ns(name: string): string {
  s.kubectlOk(['create', 'namespace', name]);
  return name;
}

const deployment = (name: string, replicas: number, extraLabel?: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app: ${name}${extraLabel ? `\n    ${extraLabel}: "yes"` : ''}
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
        image: nginx:1.25
        ports:
        - containerPort: 80
`;

interface ManagedFieldsEntry {
  manager: string;
  operation: string;
  apiVersion: string;
  time?: string;
  fieldsType: string;
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

function getJson(args: string[]): { metadata: { managedFields?: ManagedFieldsEntry[]; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion: string }; spec: Record<string, unknown> } {
  return JSON.parse(s.kubectlOk(['get', ...args, '-o', 'json', '--show-managed-fields']));
}

describe('server-side apply', () => {
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s?.stop();
  });

  it('kubectl apply --server-side creates, records an Apply manager, and kubectl get --show-managed-fields shows it', () => {
    const n = ns('ssa-create');
    const out = s.kubectlOk(['apply', '--server-side', '-n', n, '-f', '-'], { input: deployment('web', 2) });
    assert.match(out, /deployment.apps\/web serverside-applied/);
    const d = getJson(['deployment', 'web', '-n', n]);
    const apply = d.metadata.managedFields!.find((e) => e.manager === 'kubectl')!;
    assert.equal(apply.operation, 'Apply');
    assert.equal(apply.apiVersion, 'apps/v1');
    assert.equal(apply.fieldsType, 'FieldsV1');
    assert.match(apply.time!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(apply.fieldsV1['f:metadata'], { 'f:labels': { 'f:app': {} } });
    const spec = apply.fieldsV1['f:spec'] as Record<string, Record<string, unknown>>;
    assert.deepEqual(spec['f:replicas'], {});
    assert.deepEqual(spec['f:selector'], {}); // LabelSelector is an atomic struct
    const containers = (spec['f:template']['f:spec'] as Record<string, Record<string, unknown>>)['f:containers'];
    assert.deepEqual(containers, {
      'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } } },
    });
    // Without --show-managed-fields kubectl hides them, as upstream.
    assert.doesNotMatch(s.kubectlOk(['get', 'deployment', 'web', '-n', n, '-o', 'yaml']), /managedFields/);
    // Applying the same configuration again changes nothing.
    const rv = d.metadata.resourceVersion;
    s.kubectlOk(['apply', '--server-side', '-n', n, '-f', '-'], { input: deployment('web', 2) });
    assert.equal(getJson(['deployment', 'web', '-n', n]).metadata.resourceVersion, rv);
  });

  it('client-side writes are recorded as Update managers named by kubectl', () => {
    const n = ns('ssa-update');
    s.kubectlOk(['create', '-n', n, '-f', '-'], { input: deployment('made', 1) });
    s.kubectlOk(['label', '-n', n, 'deployment', 'made', 'tier=web']);
    s.kubectlOk(['scale', '-n', n, 'deployment', 'made', '--replicas=3']);
    const managers = getJson(['deployment', 'made', '-n', n]).metadata.managedFields!.map((e) => `${e.manager}/${e.operation}/${e.subresource ?? ''}`);
    assert.ok(managers.includes('kubectl-create/Update/'), managers.join(','));
    assert.ok(managers.includes('kubectl-label/Update/'), managers.join(','));
    // kubectl scale sends no field manager: upstream names it from the User-Agent, on the scale subresource.
    assert.ok(managers.includes('kubectl/Update/scale'), managers.join(','));
  });

  it('a second manager conflicts on a field the first set, and --force-conflicts takes it over', () => {
    const n = ns('ssa-conflict');
    s.kubectlOk(['apply', '--server-side', '--field-manager', 'alice', '-n', n, '-f', '-'], { input: deployment('web', 2) });
    const r = s.kubectl(['apply', '--server-side', '--field-manager', 'bob', '-n', n, '-f', '-'], { input: deployment('web', 5) });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Apply failed with 1 conflict: conflict with "alice": \.spec\.replicas/);
    assert.equal(getJson(['deployment', 'web', '-n', n]).spec.replicas, 2);
    // Same values as alice's are shared ownership, not conflicts.
    s.kubectlOk(['apply', '--server-side', '--field-manager', 'carol', '-n', n, '-f', '-'], { input: deployment('web', 2) });
    s.kubectlOk(['apply', '--server-side', '--force-conflicts', '--field-manager', 'bob', '-n', n, '-f', '-'], { input: deployment('web', 5) });
    const d = getJson(['deployment', 'web', '-n', n]);
    assert.equal(d.spec.replicas, 5);
    const owners = (m: string) => (d.metadata.managedFields!.find((e) => e.manager === m)?.fieldsV1['f:spec'] as Record<string, unknown> | undefined) ?? {};
    assert.ok('f:replicas' in owners('bob'));
    assert.ok(!('f:replicas' in owners('alice')));
    assert.ok(!('f:replicas' in owners('carol')));
  });

  it('an Update manager conflicts too, named with its version', async () => {
    const n = ns('ssa-update-conflict');
    s.kubectlOk(['create', '-n', n, '-f', '-'], { input: deployment('web', 1) });
    s.kubectlOk(['scale', '-n', n, 'deployment', 'web', '--replicas=4']);
    const res = await s.request('PATCH', `/apis/apps/v1/namespaces/${n}/deployments/web?fieldManager=ci`, deployment('web', 2), { 'Content-Type': 'application/apply-patch+yaml' });
    assert.equal(res.status, 409);
    const status = JSON.parse(res.body);
    assert.equal(status.reason, 'Conflict');
    assert.match(status.message, /^Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps\/v1: \.spec\.replicas$/);
    assert.deepEqual(status.details.causes.map((c: { reason: string; field: string }) => [c.reason, c.field]), [['FieldManagerConflict', '.spec.replicas']]);
  });

  it('a field dropped from the configuration is removed unless another manager owns it', () => {
    const n = ns('ssa-prune');
    s.kubectlOk(['apply', '--server-side', '-n', n, '-f', '-'], { input: deployment('web', 1, 'extra') });
    assert.equal(getJson(['deployment', 'web', '-n', n]).metadata.labels?.extra, 'yes');
    s.kubectlOk(['apply', '--server-side', '-n', n, '-f', '-'], { input: deployment('web', 1) });
    assert.equal(getJson(['deployment', 'web', '-n', n]).metadata.labels?.extra, undefined);
    // Shared with another manager: dropping it leaves it in place.
    s.kubectlOk(['apply', '--server-side', '-n', n, '-f', '-'], { input: deployment('web', 1, 'extra') });
    s.kubectlOk(['apply', '--server-side', '--field-manager', 'other', '-n', n, '-f', '-'], { input: deployment('web', 1, 'extra') });
    s.kubectlOk(['apply', '--server-side', '-n', n, '-f', '-'], { input: deployment('web', 1) });
    assert.equal(getJson(['deployment', 'web', '-n', n]).metadata.labels?.extra, 'yes');
  });

  it('migrates from client-side apply: kubectl takes over the fields and the last-applied annotation follows', () => {
    const n = ns('ssa-migrate');
    s.kubectlOk(['apply', '-n', n, '-f', '-'], { input: deployment('web', 2, 'old') });
    const before = getJson(['deployment', 'web', '-n', n]);
    assert.ok(before.metadata.managedFields!.some((e) => e.manager === 'kubectl-client-side-apply' && e.operation === 'Update'));
    s.kubectlOk(['apply', '--server-side', '-n', n, '-f', '-'], { input: deployment('web', 3) });
    const d = getJson(['deployment', 'web', '-n', n]);
    assert.equal(d.spec.replicas, 3);
    assert.equal(d.metadata.labels?.old, undefined, 'a label only client-side apply set is gone once the server-side configuration drops it');
    assert.ok(!d.metadata.managedFields!.some((e) => e.manager === 'kubectl-client-side-apply'), JSON.stringify(d.metadata.managedFields));
    const lastApplied = JSON.parse(d.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration']);
    assert.equal(lastApplied.spec.replicas, 3);
  });

  it('kubectl diff --server-side shows the change and writes nothing', () => {
    const n = ns('ssa-diff');
    s.kubectlOk(['apply', '--server-side', '-n', n, '-f', '-'], { input: deployment('web', 1) });
    const rv = getJson(['deployment', 'web', '-n', n]).metadata.resourceVersion;
    const r = s.kubectl(['diff', '--server-side', '-n', n, '-f', '-'], { input: deployment('web', 6) });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /-  replicas: 1\n\+  replicas: 6/);
    assert.equal(getJson(['deployment', 'web', '-n', n]).metadata.resourceVersion, rv);
  });

  it('bad apply bodies and options get upstream status and message, and nothing is written', async () => {
    const n = ns('ssa-bad');
    const url = `/api/v1/namespaces/${n}/configmaps/cm?fieldManager=t`;
    // Node's global agent keeps connections alive; one the server is closing as idle is reset on reuse, so retry once then.
    const apply = (path: string, body: string) =>
      s.request('PATCH', path, body, { 'Content-Type': 'application/apply-patch+yaml' }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ECONNRESET') throw err;
        return s.request('PATCH', path, body, { 'Content-Type': 'application/apply-patch+yaml' });
      });
    const cases: [string, string, number, string][] = [
      [url, '[1, 2]', 400, 'error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}'],
      [url, '"text"', 400, 'error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type map[string]interface {}'],
      [url, 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: cm\n', 400, 'invalid object type: /v1, Kind=Secret'],
      [url, 'apiVersion: apps/v1\nkind: ConfigMap\nmetadata:\n  name: cm\n', 400, 'invalid object type: apps/v1, Kind=ConfigMap'],
      [url, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  managedFields: []\n', 400, 'metadata.managedFields must be nil'],
      [`/api/v1/namespaces/${n}/configmaps/cm`, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n', 422, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'],
    ];
    for (const [path, body, code, message] of cases) {
      const res = await apply(path, body);
      assert.equal(res.status, code, `${body}: ${res.body}`);
      assert.equal(JSON.parse(res.body).message, message);
    }
    const force = await s.request('PATCH', `${url}&force=true`, { data: { a: 'b' } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(force.status, 422);
    assert.equal(JSON.parse(force.body).message, 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
    assert.equal(s.kubectl(['get', 'configmap', 'cm', '-n', n]).code, 1, 'nothing was created');
    // An apply that creates answers 201, one that changes an existing object 200 (upstream's wasCreated).
    const good = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: b\n';
    assert.equal((await apply(url, good)).status, 201);
    assert.equal((await apply(url, good.replace('a: b', 'a: c'))).status, 200);
  });

  it('apply owns list items of set lists and map lists of every kind (Service ports, finalizers)', async () => {
    const n = ns('ssa-lists');
    const svc = (ports: string) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n  finalizers: [example.com/a]\nspec:\n  selector: {app: x}\n  ports:\n${ports}`;
    s.kubectlOk(['apply', '--server-side', '-n', n, '-f', '-'], { input: svc('  - {name: http, port: 80}\n  - {name: https, port: 443}\n') });
    s.kubectlOk(['apply', '--server-side', '--field-manager', 'other', '-n', n, '-f', '-'], { input: `apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\nspec:\n  ports:\n  - {name: metrics, port: 9090}\n` });
    const got = JSON.parse(s.kubectlOk(['get', 'service', 'svc', '-n', n, '-o', 'json', '--show-managed-fields']));
    assert.deepEqual(got.spec.ports.map((p: { port: number }) => p.port), [80, 443, 9090]);
    const mine = got.metadata.managedFields.find((e: ManagedFieldsEntry) => e.manager === 'kubectl');
    assert.deepEqual(mine.fieldsV1['f:metadata'], { 'f:finalizers': { 'v:"example.com/a"': {} } });
    assert.ok('k:{"port":443,"protocol":"TCP"}' in mine.fieldsV1['f:spec']['f:ports']);
    // Dropping 443 from kubectl's configuration removes only that port.
    s.kubectlOk(['apply', '--server-side', '-n', n, '-f', '-'], { input: svc('  - {name: http, port: 80}\n') });
    const after = JSON.parse(s.kubectlOk(['get', 'service', 'svc', '-n', n, '-o', 'json']));
    assert.deepEqual(after.spec.ports.map((p: { port: number }) => p.port), [80, 9090]);
    s.kubectlOk(['patch', 'service', 'svc', '-n', n, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
  });
});
