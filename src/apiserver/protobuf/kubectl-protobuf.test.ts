// SPDX-License-Identifier: Apache-2.0
// End-to-end proof against the real kubectl 1.32: its imperative commands
// send protobuf bodies, and decodeProtobufObject must turn each into the JSON
// object a JSON client would have sent.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startCaptureServer, type CaptureServer, type CapturedRequest } from './kubectl-capture-server.js';
import { PROTOBUF_MEDIA_TYPE } from './index.js';

const run = promisify(execFile);
const KUBECTL = '/usr/bin/kubectl';

describe('real kubectl sends protobuf that decodes to the expected JSON', { skip: !existsSync(KUBECTL) && 'kubectl not installed' }, () => {
  let server: CaptureServer;
  let dir: string;

  before(async () => {
    server = await startCaptureServer();
    dir = mkdtempSync(join(tmpdir(), 'skiff-pb-'));
    writeFileSync(
      join(dir, 'kubeconfig'),
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: c, cluster: {server: "${server.url}"}}]`,
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: c, context: {cluster: c, user: u}}]',
        'current-context: c',
        '',
      ].join('\n'),
    );
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** kubectl runs one command (global flags first, so they stay before any `--`) and returns the body it posted. */
  async function kubectl(...args: string[]): Promise<CapturedRequest> {
    const seen = server.requests.length;
    await run(KUBECTL, ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), ...args]);
    const posted = server.requests.slice(seen).filter((r) => r.method === 'POST');
    assert.equal(posted.length, 1, `expected one POST from kubectl ${args.join(' ')}`);
    const req = posted[0]!;
    assert.equal(req.contentType, PROTOBUF_MEDIA_TYPE, `kubectl ${args[0]} ${args[1]} should send protobuf`);
    assert.ok(req.decoded, req.decodeError);
    return req;
  }

  it('create namespace', async () => {
    const { decoded, path } = await kubectl('create', 'namespace', 'x');
    assert.equal(path, '/api/v1/namespaces');
    assert.deepEqual(decoded, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' }, spec: {}, status: {} });
  });

  it('create configmap', async () => {
    const { decoded } = await kubectl('create', 'configmap', 'c', '--from-literal=a=b', '-n', 'x');
    assert.deepEqual(decoded, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'x' }, data: { a: 'b' } });
  });

  it('create secret generic (bytes map as base64)', async () => {
    const { decoded } = await kubectl('create', 'secret', 'generic', 's', '--from-literal=PGPASSWORD=p', '-n', 'x');
    assert.deepEqual(decoded, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'x' }, data: { PGPASSWORD: Buffer.from('p').toString('base64') } });
  });

  it('create secret docker-registry', async () => {
    const { decoded } = await kubectl('create', 'secret', 'docker-registry', 'reg', '--docker-server=localhost:5000', '--docker-username=u', '--docker-password=p', '-n', 'x');
    assert.equal(decoded!.type, 'kubernetes.io/dockerconfigjson');
    const data = decoded!.data as Record<string, string>;
    const cfg = JSON.parse(Buffer.from(data['.dockerconfigjson']!, 'base64').toString('utf8'));
    assert.deepEqual(cfg.auths['localhost:5000'], { username: 'u', password: 'p', auth: Buffer.from('u:p').toString('base64') });
  });

  it('create deployment', async () => {
    const { decoded } = await kubectl('create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=2', '--port=80', '-n', 'x');
    assert.deepEqual(decoded, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'x', labels: { app: 'web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }], resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    });
  });

  it('create service clusterip (IntOrString targetPort)', async () => {
    const { decoded } = await kubectl('create', 'service', 'clusterip', 'web', '--tcp=80:8080', '-n', 'x');
    assert.deepEqual(decoded!.spec, { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }], selector: { app: 'web' }, type: 'ClusterIP' });
  });

  it('create service nodeport', async () => {
    const { decoded } = await kubectl('create', 'service', 'nodeport', 'np', '--tcp=80:8080', '--node-port=30080', '-n', 'x');
    assert.deepEqual((decoded!.spec as { ports: unknown[] }).ports, [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }]);
  });

  it('create job with a command', async () => {
    const { decoded } = await kubectl('create', 'job', 'j', '--image=busybox', '-n', 'x', '--', 'echo', 'hi');
    assert.deepEqual(decoded!.spec, {
      template: { metadata: {}, spec: { containers: [{ name: 'j', image: 'busybox', command: ['echo', 'hi'], resources: {} }], restartPolicy: 'Never' } },
    });
  });

  it('create cronjob', async () => {
    const { decoded } = await kubectl('create', 'cronjob', 'cj', '--image=busybox', '--schedule=*/5 * * * *', '-n', 'x');
    const spec = decoded!.spec as { schedule: string; jobTemplate: { metadata: unknown; spec: { template: { spec: { restartPolicy: string } } } } };
    assert.equal(spec.schedule, '*/5 * * * *');
    assert.deepEqual(spec.jobTemplate.metadata, { name: 'cj' });
    assert.equal(spec.jobTemplate.spec.template.spec.restartPolicy, 'OnFailure');
  });

  it('create ingress', async () => {
    const { decoded } = await kubectl('create', 'ingress', 'ing', '--rule=foo.com/bar=svc1:8080', '--rule=tls.com/*=svc2:http,tls=my-cert', '--class=nginx', '-n', 'x');
    assert.deepEqual(decoded!.spec, {
      ingressClassName: 'nginx',
      tls: [{ hosts: ['tls.com'], secretName: 'my-cert' }],
      rules: [
        { host: 'foo.com', http: { paths: [{ path: '/bar', pathType: 'Exact', backend: { service: { name: 'svc1', port: { number: 8080 } } } }] } },
        { host: 'tls.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'svc2', port: { name: 'http' } } } }] } },
      ],
    });
  });

  it('autoscale a deployment (autoscaling/v1 HPA)', async () => {
    const { decoded } = await kubectl('autoscale', 'deployment', 'web', '--min=1', '--max=3', '--cpu-percent=50', '-n', 'x');
    assert.equal(decoded!.apiVersion, 'autoscaling/v1');
    assert.deepEqual(decoded!.spec, { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 50 });
  });

  it('create quota (Quantity map)', async () => {
    const { decoded } = await kubectl('create', 'quota', 'q', '--hard=cpu=1,memory=1G,pods=2', '-n', 'x');
    assert.deepEqual(decoded!.spec, { hard: { cpu: '1', memory: '1G', pods: '2' } });
  });

  it('create priorityclass', async () => {
    const { decoded } = await kubectl('create', 'priorityclass', 'high', '--value=1000', '--description=hi', '--preemption-policy=Never');
    assert.deepEqual(decoded, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000, description: 'hi', preemptionPolicy: 'Never' });
  });

  it('create role and rolebinding', async () => {
    const role = await kubectl('create', 'role', 'r', '--verb=get,list', '--resource=pods,deployments.apps', '-n', 'x');
    assert.deepEqual(role.decoded!.rules, [
      { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] },
      { verbs: ['get', 'list'], apiGroups: ['apps'], resources: ['deployments'] },
    ]);
    const rb = await kubectl('create', 'rolebinding', 'rb', '--role=r', '--user=bob', '--serviceaccount=x:sa', '-n', 'x');
    assert.deepEqual(rb.decoded!.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' });
    assert.deepEqual(rb.decoded!.subjects, [
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bob' },
      { kind: 'ServiceAccount', name: 'sa', namespace: 'x' },
    ]);
  });

  it('create poddisruptionbudget (string IntOrString)', async () => {
    const { decoded } = await kubectl('create', 'poddisruptionbudget', 'pdb', '--selector=app=web', '--min-available=50%', '-n', 'x');
    assert.deepEqual(decoded!.spec, { minAvailable: '50%', selector: { matchLabels: { app: 'web' } } });
  });

  it('create token (TokenRequest subresource)', async () => {
    await kubectl('create', 'serviceaccount', 'sa', '-n', 'x');
    const { decoded, path } = await kubectl('create', 'token', 'sa', '--duration=1h', '-n', 'x');
    assert.equal(path, '/api/v1/namespaces/x/serviceaccounts/sa/token');
    assert.equal(decoded!.kind, 'TokenRequest');
    assert.deepEqual(decoded!.spec, { expirationSeconds: 3600 });
  });

  it('debug node (a full Pod: hostPath volume inlined, security context, tolerations)', async () => {
    server.objects.set('/api/v1/nodes/n1', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'n1' }, spec: {} });
    const { decoded } = await kubectl('debug', 'node/n1', '--image=busybox', '--profile=sysadmin', '-n', 'x');
    assert.equal(decoded!.kind, 'Pod');
    assert.deepEqual(decoded!.spec, {
      volumes: [{ name: 'host-root', hostPath: { path: '/' } }],
      containers: [
        {
          name: 'debugger',
          image: 'busybox',
          resources: {},
          volumeMounts: [{ name: 'host-root', mountPath: '/host' }],
          securityContext: { privileged: true },
          terminationMessagePolicy: 'File',
        },
      ],
      restartPolicy: 'Never',
      nodeName: 'n1',
      hostNetwork: true,
      hostPID: true,
      hostIPC: true,
      tolerations: [{ operator: 'Exists' }],
    });
  });

  it('auth can-i (SelfSubjectAccessReview)', async () => {
    const { decoded } = await kubectl('auth', 'can-i', 'get', 'pods', '-n', 'x');
    assert.deepEqual(decoded!.spec, { resourceAttributes: { namespace: 'x', verb: 'get', resource: 'pods' } });
  });
});
