// SPDX-License-Identifier: Apache-2.0
/**
 * The real kubectl against a real `skiff server`: cluster-info, version,
 * discovery, explain, create/get in every output form, apply, edit, label,
 * annotate, patch, replace, delete, scale, config, diff, wait, events.
 * One server for the file; each test works in its own namespace.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type ServerHandle } from '../harness/server-harness.js';

let s: ServerHandle;
const work = mkdtempSync(join(tmpdir(), 'skiff-kubectl-'));

function ns(name: string): string {
  s.kubectlOk(['create', 'namespace', name]);
  return name;
}

const deployment = (name: string, image = 'nginx:1.25', replicas = 2) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app: ${name}
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
        - containerPort: 80
`;

describe('kubectl against skiff server', () => {
  // Every namespace also holds kube-root-ca.crt (the root CA publisher's, recreated when deleted, as upstream).
  const userConfigMaps = (n: string) => s.kubectlOk(['get', 'cm', '-n', n, '-o', 'name']).split('\n').filter((l) => l && l !== 'configmap/kube-root-ca.crt').sort();
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('answers cluster-info, version, api-resources and api-versions', () => {
    assert.match(s.kubectlOk(['cluster-info']), /Kubernetes control plane is running at https:\/\/127\.0\.0\.1:\d+/);
    const v = JSON.parse(s.kubectlOk(['version', '-o', 'json'])) as { serverVersion: { major: string; minor: string } };
    assert.equal(v.serverVersion.minor, '32');
    const res = s.kubectlOk(['api-resources']);
    for (const line of [/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m, /^pods\s+po\s+v1\s+true\s+Pod$/m, /^horizontalpodautoscalers\s+hpa\s+autoscaling\/v2\s+true\s+HorizontalPodAutoscaler$/m]) {
      assert.match(res, line);
    }
    const versions = s.kubectlOk(['api-versions']);
    for (const gv of ['v1', 'apps/v1', 'batch/v1', 'networking.k8s.io/v1', 'autoscaling/v1', 'autoscaling/v2', 'rbac.authorization.k8s.io/v1']) {
      assert.ok(versions.split('\n').includes(gv), `api-versions lacks ${gv}`);
    }
  });

  it('has the bootstrap namespaces and the kubernetes Service', () => {
    const out = s.kubectlOk(['get', 'namespaces', '-o', 'name']);
    for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.match(out, new RegExp(`^namespace/${n}$`, 'm'));
    const svc = s.kubectlOk(['get', 'svc', 'kubernetes', '-n', 'default']);
    assert.match(svc, /^kubernetes\s+ClusterIP\s+10\.43\.0\.1\s+<none>\s+443\/TCP\s+\d+s$/m);
    assert.match(s.kubectlOk(['get', 'configmap', 'cluster-info', '-n', 'kube-public', '-o', 'jsonpath={.data.kubeconfig}']), /certificate-authority-data/);
  });

  it('explains fields from the OpenAPI schema', () => {
    const out = s.kubectlOk(['explain', 'deployment.spec.strategy']);
    assert.match(out, /KIND:\s+Deployment/);
    assert.match(out, /rollingUpdate/);
  });

  it('applies a file, re-applies a change as a patch, and rejects unknown fields strictly', () => {
    const n = ns('apply-file');
    const f = join(work, 'web.yaml');
    writeFileSync(f, deployment('web'));
    assert.match(s.kubectlOk(['apply', '-n', n, '-f', f]), /deployment.apps\/web created/);
    assert.match(s.kubectlOk(['apply', '-n', n, '-f', f]), /deployment.apps\/web unchanged/);
    writeFileSync(f, deployment('web', 'nginx:1.26', 3));
    assert.match(s.kubectlOk(['apply', '-n', n, '-f', f]), /deployment.apps\/web configured/);
    const d = JSON.parse(s.kubectlOk(['get', 'deploy', 'web', '-n', n, '-o', 'json']));
    assert.equal(d.spec.replicas, 3);
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.26');
    assert.equal(d.metadata.generation, 2);
    writeFileSync(f, deployment('web').replace('replicas: 2', 'replicas: 2\n  replicasx: 2'));
    const bad = s.kubectl(['apply', '-n', n, '-f', f]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /unknown field "spec.replicasx"/);
  });

  it('applies a directory and a kustomization', () => {
    const n = ns('apply-dir');
    const dir = join(work, 'k8s');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n');
    writeFileSync(join(dir, 'svc.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n    targetPort: 8080\n');
    const out = s.kubectlOk(['apply', '-n', n, '-f', dir]);
    assert.match(out, /configmap\/settings created/);
    assert.match(out, /service\/web created/);
    const kdir = join(work, 'kust');
    mkdirSync(kdir, { recursive: true });
    writeFileSync(join(kdir, 'kustomization.yaml'), `namespace: ${n}\nresources:\n- cm.yaml\ncommonLabels:\n  team: blue\n`);
    writeFileSync(join(kdir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kust\ndata:\n  a: b\n');
    assert.match(s.kubectlOk(['apply', '-k', kdir]), /configmap\/kust created/);
    assert.equal(s.kubectlOk(['get', 'cm', 'kust', '-n', n, '-o', 'jsonpath={.metadata.labels.team}']), 'blue');
  });

  it('creates with imperative commands and prints every output form', () => {
    const n = ns('imperative');
    s.kubectlOk(['create', 'configmap', 'app-config', '-n', n, '--from-literal=color=blue']);
    s.kubectlOk(['create', 'secret', 'generic', 'pgpassword', '-n', n, '--from-literal', 'PGPASSWORD=hunter2']);
    s.kubectlOk(['create', 'deployment', 'api', '-n', n, '--image=busybox:1.36', '--replicas=2']);
    s.kubectlOk(['create', 'service', 'clusterip', 'api', '-n', n, '--tcp=80:8080']);
    const secret = JSON.parse(s.kubectlOk(['get', 'secret', 'pgpassword', '-n', n, '-o', 'json']));
    assert.equal(Buffer.from(secret.data.PGPASSWORD, 'base64').toString(), 'hunter2');
    const table = s.kubectlOk(['get', 'deployments', '-n', n]);
    assert.match(table, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/m);
    // No nodes run pods here: nothing is ready or available whatever the controllers have created.
    assert.match(table, /^api\s+0\/2\s+\d+\s+0\s+\d+s$/m);
    const wide = s.kubectlOk(['get', 'deployments', '-n', n, '-o', 'wide']);
    assert.match(wide, /CONTAINERS\s+IMAGES\s+SELECTOR/);
    assert.match(wide, /busybox:1\.36\s+app=api/);
    assert.match(s.kubectlOk(['get', 'svc', 'api', '-n', n]), /^api\s+ClusterIP\s+10\.43\.\d+\.\d+\s+<none>\s+80\/TCP\s+\d+s$/m);
    assert.match(s.kubectlOk(['get', 'deploy', 'api', '-n', n, '-o', 'yaml']), /^kind: Deployment$/m);
    assert.equal(s.kubectlOk(['get', 'deploy', 'api', '-n', n, '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'busybox:1.36');
    assert.match(s.kubectlOk(['get', 'deploy', '-n', n, '-o', 'custom-columns=NAME:.metadata.name,REPLICAS:.spec.replicas']), /^api\s+2$/m);
    assert.equal(userConfigMaps(n).join(','), 'configmap/app-config');
    assert.match(s.kubectlOk(['get', 'deploy', '-A']), new RegExp(`^${n}\\s+api\\s+0/2`, 'm'));
    assert.match(s.kubectlOk(['get', 'deploy', '-n', n, '-l', 'app=api', '-o', 'name']), /deployment.apps\/api/);
    assert.equal(s.kubectlOk(['get', 'deploy', '-n', n, '-l', 'app=other', '-o', 'name']).trim(), '');
    assert.match(s.kubectlOk(['get', 'cm', '-n', n, '--field-selector', 'metadata.name=app-config', '-o', 'name']), /configmap\/app-config/);
    const badSel = s.kubectl(['get', 'cm', '-n', n, '--field-selector', 'spec.foo=bar']);
    assert.notEqual(badSel.code, 0);
  });

  it('watches with get -w, printing a row per change', async () => {
    const n = ns('watch-w');
    s.kubectlOk(['create', 'cm', 'first', '-n', n]);
    const { spawn } = await import('node:child_process');
    const child = spawn('kubectl', ['get', 'cm', '-n', n, '-w', '--request-timeout=20s'], { env: { ...process.env, KUBECONFIG: s.kubeconfig } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const waitFor = async (re: RegExp) => {
      const deadline = Date.now() + 10_000;
      while (!re.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      return re.test(out);
    };
    try {
      assert.ok(await waitFor(/^first\s+0\s+\d+s$/m), out);
      s.kubectlOk(['create', 'cm', 'second', '-n', n, '--from-literal=a=b']);
      assert.ok(await waitFor(/^second\s+1\s+\d+s$/m), out);
      assert.equal((out.match(/^NAME\s+DATA\s+AGE$/gm) ?? []).length, 1, 'one header for the whole watch');
    } finally {
      child.kill();
    }
  });

  it('labels, annotates, patches (three types), replaces and scales', () => {
    const n = ns('mutate');
    s.kubectlOk(['create', 'deployment', 'web', '-n', n, '--image=nginx:1.25']);
    s.kubectlOk(['label', 'deploy', 'web', '-n', n, 'tier=frontend']);
    s.kubectlOk(['annotate', 'deploy', 'web', '-n', n, 'owner=team-a']);
    s.kubectlOk(['patch', 'deploy', 'web', '-n', n, '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.26"}]}}}}']);
    s.kubectlOk(['patch', 'deploy', 'web', '-n', n, '--type=merge', '-p', '{"spec":{"minReadySeconds":5}}']);
    s.kubectlOk(['patch', 'deploy', 'web', '-n', n, '--type=json', '-p', '[{"op":"replace","path":"/spec/revisionHistoryLimit","value":3}]']);
    let d = JSON.parse(s.kubectlOk(['get', 'deploy', 'web', '-n', n, '-o', 'json']));
    assert.equal(d.metadata.labels.tier, 'frontend');
    assert.equal(d.metadata.annotations.owner, 'team-a');
    assert.equal(d.spec.template.spec.containers.length, 1);
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.26');
    assert.equal(d.spec.minReadySeconds, 5);
    assert.equal(d.spec.revisionHistoryLimit, 3);
    s.kubectlOk(['scale', 'deploy', 'web', '-n', n, '--replicas=4']);
    assert.equal(s.kubectlOk(['get', 'deploy', 'web', '-n', n, '-o', 'jsonpath={.spec.replicas}']), '4');
    d.spec.replicas = 1;
    delete d.metadata.resourceVersion;
    s.kubectlOk(['replace', '-f', '-'], { input: JSON.stringify(d) });
    assert.equal(s.kubectlOk(['get', 'deploy', 'web', '-n', n, '-o', 'jsonpath={.spec.replicas}']), '1');
    // A stale resourceVersion is a conflict.
    d = JSON.parse(s.kubectlOk(['get', 'deploy', 'web', '-n', n, '-o', 'json']));
    s.kubectlOk(['label', 'deploy', 'web', '-n', n, 'bump=1']);
    const stale = s.kubectl(['replace', '-f', '-'], { input: JSON.stringify(d) });
    assert.notEqual(stale.code, 0);
    assert.match(stale.stderr, /the object has been modified; please apply your changes to the latest version and try again/);
  });

  it('edits with KUBE_EDITOR', () => {
    const n = ns('edit');
    s.kubectlOk(['create', 'configmap', 'c', '-n', n, '--from-literal=k=v1']);
    const editor = join(work, 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\nsed -i "s/k: v1/k: v2/" "$1"\n');
    chmodSync(editor, 0o755);
    s.kubectlOk(['edit', 'cm', 'c', '-n', n], { env: { KUBE_EDITOR: editor, EDITOR: editor } });
    assert.equal(s.kubectlOk(['get', 'cm', 'c', '-n', n, '-o', 'jsonpath={.data.k}']), 'v2');
  });

  it('rejects invalid objects with upstream messages', () => {
    const n = ns('invalid');
    const bad = s.kubectl(['apply', '-n', n, '-f', '-'], { input: deployment('web').replace('matchLabels:\n      app: web', 'matchLabels:\n      app: other') });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /spec.template.metadata.labels: Invalid value: .*`selector` does not match template `labels`/);
    const badName = s.kubectl(['create', 'configmap', 'Bad_Name', '-n', n]);
    assert.notEqual(badName.code, 0);
    assert.match(badName.stderr, /metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    const np = s.kubectl(['apply', '-n', n, '-f', '-'], {
      input: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: np\nspec:\n  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 80\n',
    });
    assert.notEqual(np.code, 0);
    assert.match(np.stderr, /spec.ports\[0\].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767/);
    s.kubectlOk(['apply', '-n', n, '-f', '-'], { input: deployment('imm') });
    const imm = s.kubectl(['patch', 'deploy', 'imm', '-n', n, '--type=merge', '-p', '{"spec":{"selector":{"matchLabels":{"app":"x"}},"template":{"metadata":{"labels":{"app":"x"}}}}}']);
    assert.notEqual(imm.code, 0);
    assert.match(imm.stderr, /spec.selector: Invalid value: .*field is immutable/);
    // Nothing was half-written: the stored object is unchanged.
    assert.equal(s.kubectlOk(['get', 'deploy', 'imm', '-n', n, '-o', 'jsonpath={.spec.selector.matchLabels.app}']), 'imm');
  });

  it('deletes by file, label, --all, and force', () => {
    const n = ns('deletes');
    const f = join(work, 'del.yaml');
    writeFileSync(f, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: byfile\n');
    s.kubectlOk(['apply', '-n', n, '-f', f]);
    assert.match(s.kubectlOk(['delete', '-n', n, '-f', f]), /configmap "byfile" deleted/);
    s.kubectlOk(['create', 'cm', 'a', '-n', n]);
    s.kubectlOk(['label', 'cm', 'a', '-n', n, 'x=1']);
    s.kubectlOk(['create', 'cm', 'b', '-n', n]);
    s.kubectlOk(['delete', 'cm', '-n', n, '-l', 'x=1']);
    assert.equal(userConfigMaps(n).join(','), 'configmap/b');
    s.kubectlOk(['delete', 'cm', '-n', n, '--all']);
    assert.equal(userConfigMaps(n).join(','), '');
    s.kubectlOk(['run', 'p', '-n', n, '--image=busybox:1.36', '--restart=Never']);
    s.kubectlOk(['delete', 'pod', 'p', '-n', n, '--grace-period=0', '--force']);
    assert.equal(s.kubectl(['get', 'pod', 'p', '-n', n]).code, 1);
  });

  it('sets the namespace of the current context', () => {
    const n = ns('ctx');
    s.kubectlOk(['create', 'cm', 'here', '-n', n]);
    const cfg = join(work, 'ctx-kubeconfig');
    writeFileSync(cfg, s.kubectlOk(['config', 'view', '--raw']));
    s.kubectlOk(['config', 'set-context', '--current', `--namespace=${n}`], { env: { KUBECONFIG: cfg } });
    assert.match(s.kubectlOk(['get', 'cm', '-o', 'name'], { env: { KUBECONFIG: cfg } }), /configmap\/here/);
  });

  it('diffs against the live object', () => {
    const n = ns('diff');
    const f = join(work, 'diff.yaml');
    writeFileSync(f, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\n  namespace: ${n}\ndata:\n  k: one\n`);
    s.kubectlOk(['apply', '-f', f]);
    writeFileSync(f, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\n  namespace: ${n}\ndata:\n  k: two\n`);
    const r = s.kubectl(['diff', '-f', f]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /-\s+k: one/);
    assert.match(r.stdout, /\+\s+k: two/);
    assert.equal(s.kubectlOk(['get', 'cm', 'd', '-n', n, '-o', 'jsonpath={.data.k}']), 'one');
  });

  it('waits for a condition and describes with events', async () => {
    const n = ns('wait');
    s.kubectlOk(['create', 'cm', 'w', '-n', n]);
    const waiting = s.kubectl(['wait', '--for=jsonpath={.data.ready}=yes', 'cm/w', '-n', n, '--timeout=1s']);
    assert.notEqual(waiting.code, 0);
    s.kubectlOk(['patch', 'cm', 'w', '-n', n, '--type=merge', '-p', '{"data":{"ready":"yes"}}']);
    assert.match(s.kubectlOk(['wait', '--for=jsonpath={.data.ready}=yes', 'cm/w', '-n', n, '--timeout=10s']), /condition met/);
    const ev = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'w.1', namespace: n },
      involvedObject: { kind: 'ConfigMap', name: 'w', namespace: n, apiVersion: 'v1', uid: s.kubectlOk(['get', 'cm', 'w', '-n', n, '-o', 'jsonpath={.metadata.uid}']) },
      reason: 'Tested',
      message: 'hello from a test',
      type: 'Normal',
      count: 1,
      firstTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      lastTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      source: { component: 'test' },
    };
    s.kubectlOk(['create', '-f', '-'], { input: JSON.stringify(ev) });
    assert.match(s.kubectlOk(['get', 'events', '-n', n]), /Normal\s+Tested\s+configmap\/w\s+hello from a test/);
    assert.match(s.kubectlOk(['describe', 'cm', 'w', '-n', n]), /Normal\s+Tested\s+.*hello from a test/);
  });
});
