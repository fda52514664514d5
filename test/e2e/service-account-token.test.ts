// SPDX-License-Identifier: Apache-2.0
/**
 * The automatic service account volume end to end, on a real `skiff server`
 * with its node agent (containerd, runc, CNI): a busybox pod finds
 * /var/run/secrets/kubernetes.io/serviceaccount/{token,ca.crt,namespace} as
 * on any Kubernetes cluster, in its init container too; the token works from
 * the host with real kubectl (auth whoami) and with the Python client
 * (bearer token + ca.crt copied out of the pod); ca.crt is the cluster CA;
 * automountServiceAccountToken: false on the pod or on the account gives no
 * volume; a pod whose account does not exist yet waits in ContainerCreating
 * with a FailedMount event and starts once the account is made; and the
 * root CA publisher puts a deleted kube-root-ca.crt back.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentUnavailableReason, startAgentServer, type AgentServer } from './fixtures/agent-server.js';
import { waitFor as waitForShared } from '../harness/wait-for.js';

const skip = agentUnavailableReason();
const NS = 'saauto';
const DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const PYTHON = '/usr/bin/python3';
const waitFor = <T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 120_000): Promise<T> => waitForShared(what, fn, timeoutMs, 500);

interface PodJSON {
  metadata: { uid: string; name: string };
  spec: {
    volumes?: { name: string; projected?: unknown }[];
    containers: { name: string; volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[] }[];
    initContainers?: { name: string; volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[] }[];
  };
  status: { phase?: string; containerStatuses?: { state: { waiting?: { reason: string } } }[] };
}

function pod(name: string, spec: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox:1.35', command: ['sleep', '3600'] }], ...spec },
  });
}

describe('automatic service account token volume end to end', { skip: skip || undefined, timeout: 600_000 }, () => {
  let s: AgentServer | undefined;
  const tmp = mkdtempSync(join(tmpdir(), 'skiff-saauto-'));
  const podJSON = (name: string) => s!.json<PodJSON>(['pod', name, '-n', NS]);
  const running = (name: string) => waitFor(`${name} Running`, () => podJSON(name).status.phase === 'Running');
  const exec = (name: string, ...cmd: string[]) => s!.kubectlOk(['exec', name, '-n', NS, '--', ...cmd]);
  const kubeconfig = () => readFileSync(join(s!.dataDir, 'kubeconfig.yaml'), 'utf8');
  const server = () => /server: (\S+)/.exec(kubeconfig())![1];
  const clusterCA = () => Buffer.from(/certificate-authority-data: (\S+)/.exec(kubeconfig())![1], 'base64').toString();
  // kubectl from the host with nothing but the pod's token and CA: no kubeconfig, no client certificate.
  const asToken = (token: string, caFile: string, ...args: string[]) => spawnSync('kubectl', ['--server', server(), '--certificate-authority', caFile, '--token', token, ...args], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, KUBECONFIG: join(tmp, 'none') },
  });

  before(async () => {
    s = await startAgentServer();
    s.kubectlOk(['create', 'namespace', NS]);
    await waitFor('default account and kube-root-ca.crt', () => s!.kubectl(['get', 'serviceaccount/default', 'configmap/kube-root-ca.crt', '-n', NS]).code === 0);
  });

  after(async () => {
    await s?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('a busybox pod (and its init container) gets token, ca.crt and namespace; the token works with kubectl from the host', async () => {
    s!.kubectlOk(['apply', '-f', '-'], pod('reader', {
      volumes: [{ name: 'work', emptyDir: {} }],
      initContainers: [{ name: 'init', image: 'busybox:1.35', command: ['sh', '-c', `cat ${DIR}/namespace > /work/ns`], volumeMounts: [{ name: 'work', mountPath: '/work' }] }],
      containers: [{ name: 'c', image: 'busybox:1.35', command: ['sleep', '3600'], volumeMounts: [{ name: 'work', mountPath: '/work' }] }],
    }));
    await running('reader');
    const p = podJSON('reader');
    const vol = p.spec.volumes!.find((v) => v.name.startsWith('kube-api-access-'))!;
    assert.match(vol.name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    for (const c of [...p.spec.initContainers!, ...p.spec.containers]) {
      assert.deepEqual(c.volumeMounts!.find((m) => m.mountPath === DIR), { name: vol.name, mountPath: DIR, readOnly: true });
    }
    // kubectl describe shows it as on any cluster.
    const described = s!.kubectlOk(['describe', 'pod', 'reader', '-n', NS]);
    assert.match(described, new RegExp(`${DIR} from ${vol.name} \\(ro\\)`));
    assert.match(described, new RegExp(`${vol.name}:\\n\\s+Type:\\s+Projected \\(a volume that contains injected data from multiple sources\\)\\n\\s+TokenExpirationSeconds:\\s+3607\\n\\s+ConfigMapName:\\s+kube-root-ca.crt\\n[^]*?DownwardAPI:\\s+true`));
    assert.equal(exec('reader', 'cat', '/work/ns'), NS, 'the init container read the namespace file');
    assert.equal(exec('reader', 'cat', `${DIR}/namespace`), NS);
    assert.equal(exec('reader', 'cat', `${DIR}/ca.crt`), clusterCA());
    assert.equal(exec('reader', 'stat', '-L', '-c', '%a', `${DIR}/token`, `${DIR}/ca.crt`, `${DIR}/namespace`), '644\n644\n644\n');
    const write = s!.kubectl(['exec', 'reader', '-n', NS, '--', 'sh', '-c', `echo x > ${DIR}/token`]);
    assert.notEqual(write.code, 0);
    assert.match(write.stderr, /Read-only file system/);

    const token = exec('reader', 'cat', `${DIR}/token`);
    assert.match(token, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    const caFile = join(tmp, 'ca.crt');
    writeFileSync(caFile, exec('reader', 'cat', `${DIR}/ca.crt`));
    const who = asToken(token, caFile, 'auth', 'whoami', '-o', 'json');
    assert.equal(who.status, 0, who.stderr);
    const user = (JSON.parse(who.stdout) as { status: { userInfo: { username: string; groups: string[]; extra?: Record<string, string[]> } } }).status.userInfo;
    assert.equal(user.username, `system:serviceaccount:${NS}:default`);
    assert.ok(user.groups.includes(`system:serviceaccounts:${NS}`), user.groups.join(','));
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { exp: number; iat: number; jti: string; 'kubernetes.io': { pod?: { name: string; uid: string } } };
    assert.deepEqual(claims['kubernetes.io'].pod, { name: 'reader', uid: p.metadata.uid }, 'the token is bound to the pod');
    // The volume asks for 3607 s: the API server makes it a year with warnafter at 3607 s (--service-account-extend-token-expiration).
    assert.equal(claims.exp - claims.iat, 365 * 24 * 3600);
    assert.equal((claims['kubernetes.io'] as { warnafter?: number }).warnafter, claims.iat + 3607);
    // The user carries the pod, its node and the token's id, as upstream's service account authenticator gives them.
    const nodeName = s!.kubectlOk(['get', 'pod', 'reader', '-n', NS, '-o', 'jsonpath={.spec.nodeName}']);
    const nodeUID = s!.kubectlOk(['get', 'node', nodeName, '-o', 'jsonpath={.metadata.uid}']);
    assert.deepEqual(user.extra, {
      'authentication.kubernetes.io/credential-id': [`JTI=${claims.jti}`],
      'authentication.kubernetes.io/node-name': [nodeName],
      'authentication.kubernetes.io/node-uid': [nodeUID],
      'authentication.kubernetes.io/pod-name': ['reader'],
      'authentication.kubernetes.io/pod-uid': [p.metadata.uid],
    });
    assert.match(asToken(token, caFile, 'auth', 'whoami').stdout, /Extra: authentication\.kubernetes\.io\/pod-name\s+\[reader\]/);
    // The default account may not list pods until RBAC says so: the API's answer, not a client-side refusal.
    const denied = asToken(token, caFile, 'get', 'pods', '-n', NS);
    assert.notEqual(denied.status, 0);
    assert.match(denied.stderr, new RegExp(`User "system:serviceaccount:${NS}:default" cannot list resource "pods"`));
  });

  it('the Python client lists pods with the token and ca.crt copied out of the pod', { skip: existsSync(PYTHON) ? undefined : `${PYTHON} not installed` }, () => {
    s!.kubectlOk(['create', 'rolebinding', 'reader-view', '-n', NS, '--clusterrole=view', `--serviceaccount=${NS}:default`]);
    const tokenFile = join(tmp, 'token');
    const caFile = join(tmp, 'py-ca.crt');
    writeFileSync(tokenFile, exec('reader', 'cat', `${DIR}/token`));
    writeFileSync(caFile, exec('reader', 'cat', `${DIR}/ca.crt`));
    const script = [
      'import json, sys',
      'from kubernetes import client',
      'c = client.Configuration()',
      'c.host = sys.argv[1]',
      'c.ssl_ca_cert = sys.argv[2]',
      'c.verify_ssl = True',
      "c.api_key = {'authorization': 'Bearer ' + open(sys.argv[3]).read().strip()}",
      'api = client.CoreV1Api(client.ApiClient(c))',
      'print(json.dumps(sorted(p.metadata.name for p in api.list_namespaced_pod(sys.argv[4]).items)))',
    ].join('\n');
    const r = spawnSync(PYTHON, ['-c', script, server(), caFile, tokenFile, NS], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.ok((JSON.parse(r.stdout.trim().split('\n').pop()!) as string[]).includes('reader'), r.stdout);
    // A TokenReview (what Vault or OpenBao send to check a pod's token) answers with the pod in the user's extras.
    const review = [
      'import json, sys',
      'from kubernetes import client, config',
      'config.load_kube_config(config_file=sys.argv[1])',
      'body = client.V1TokenReview(spec=client.V1TokenReviewSpec(token=open(sys.argv[2]).read().strip()))',
      'st = client.AuthenticationV1Api().create_token_review(body).status',
      "print(json.dumps({'authenticated': st.authenticated, 'extra': st.user.extra}))",
    ].join('\n');
    const kc = join(tmp, 'admin-kubeconfig');
    writeFileSync(kc, kubeconfig());
    const tr = spawnSync(PYTHON, ['-c', review, kc, tokenFile], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(tr.status, 0, tr.stderr);
    const reviewed = JSON.parse(tr.stdout.trim().split('\n').pop()!) as { authenticated: boolean; extra: Record<string, string[]> };
    assert.equal(reviewed.authenticated, true);
    assert.deepEqual(reviewed.extra['authentication.kubernetes.io/pod-name'], ['reader']);
  });

  it('automountServiceAccountToken: false on the pod or on its account gives no volume', async () => {
    s!.kubectlOk(['apply', '-f', '-'], pod('pod-off', { automountServiceAccountToken: false }));
    s!.kubectlOk(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'quiet', namespace: NS }, automountServiceAccountToken: false }));
    s!.kubectlOk(['apply', '-f', '-'], pod('sa-off', { serviceAccountName: 'quiet' }));
    for (const name of ['pod-off', 'sa-off']) {
      await running(name);
      const p = podJSON(name);
      assert.equal(p.spec.volumes, undefined, `${name} has no volumes`);
      assert.equal(p.spec.containers[0].volumeMounts, undefined, `${name} has no mounts`);
      const ls = s!.kubectl(['exec', name, '-n', NS, '--', 'ls', DIR]);
      assert.notEqual(ls.code, 0, `${name}: ${ls.stdout}`);
    }
  });

  it('a pod whose account does not exist yet waits in ContainerCreating with FailedMount, then starts with that account\'s token', async () => {
    s!.kubectlOk(['apply', '-f', '-'], pod('late', { serviceAccountName: 'late' }));
    const event = await waitFor('FailedMount event', () => {
      const out = s!.kubectlOk(['get', 'events', '-n', NS, '--field-selector', 'involvedObject.name=late,reason=FailedMount', '-o', 'jsonpath={.items[*].message}']);
      return out.trim() || false;
    });
    assert.match(event, /^MountVolume\.SetUp failed for volume "kube-api-access-\w{5}" : failed to fetch token: serviceaccounts "late" not found/);
    const waiting = podJSON('late');
    assert.equal(waiting.status.phase, 'Pending');
    s!.kubectlOk(['create', 'serviceaccount', 'late', '-n', NS]);
    await running('late');
    const caFile = join(tmp, 'late-ca.crt');
    writeFileSync(caFile, exec('late', 'cat', `${DIR}/ca.crt`));
    const who = asToken(exec('late', 'cat', `${DIR}/token`), caFile, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}');
    assert.equal(who.status, 0, who.stderr);
    assert.equal(who.stdout, `system:serviceaccount:${NS}:late`);
    // Bound to the pod: once the pod is gone, so is the token.
    const token = exec('late', 'cat', `${DIR}/token`);
    s!.kubectlOk(['delete', 'pod', 'late', '-n', NS, '--timeout=60s']);
    const revoked = asToken(token, caFile, 'auth', 'whoami');
    assert.notEqual(revoked.status, 0);
    assert.match(revoked.stderr, /Unauthorized/);
  });

  it('kube-root-ca.crt carries upstream\'s description and comes back when deleted', async () => {
    const get = () => s!.json<{ metadata: { uid: string; annotations: Record<string, string> }; data: Record<string, string> }>(['configmap', 'kube-root-ca.crt', '-n', NS]);
    const before = get();
    assert.equal(before.data['ca.crt'], clusterCA());
    assert.match(before.metadata.annotations['kubernetes.io/description'], /^Contains a CA bundle that can be used to verify the kube-apiserver/);
    s!.kubectlOk(['delete', 'configmap', 'kube-root-ca.crt', '-n', NS]);
    const again = await waitFor('kube-root-ca.crt recreated', () => {
      const r = s!.kubectl(['get', 'configmap', 'kube-root-ca.crt', '-n', NS, '-o', 'json']);
      return r.code === 0 && (JSON.parse(r.stdout) as { metadata: { uid: string } }).metadata.uid !== before.metadata.uid && get();
    });
    assert.equal(again.data['ca.crt'], clusterCA());
  });
});
