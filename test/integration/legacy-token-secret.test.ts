// SPDX-License-Identifier: Apache-2.0
/**
 * The legacy service account token Secret with the real kubectl against a
 * real `skiff server --disable-agent`: a Secret of type
 * kubernetes.io/service-account-token annotated with a ServiceAccount's name
 * gets token, ca.crt and namespace from the token controller; the token
 * authenticates as the account (the dashboard login flow of
 * `kubectl get secret ... -o jsonpath='{.data.token}' | base64 -d`); the
 * Secret goes with its account, and its token stops working.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startServer, type ServerHandle } from '../harness/server-harness.js';

let s: ServerHandle;
const NS = 'legacy-token';

async function poll<T>(what: string, fn: () => T | undefined): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** tokenKubeconfig writes a kubeconfig that authenticates with the bearer token only. */
function tokenKubeconfig(token: string): string {
  const admin = parse(readFileSync(s.kubeconfig, 'utf8')) as { clusters: { cluster: Record<string, string> }[] };
  const path = join(s.dataDir, `token-${Date.now()}.kubeconfig`);
  writeFileSync(path, `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: ${s.url}
    certificate-authority-data: ${admin.clusters[0].cluster['certificate-authority-data']}
users:
- name: u
  user:
    token: ${token}
contexts:
- name: c
  context: {cluster: c, user: u, namespace: ${NS}}
current-context: c
`);
  return path;
}

describe('legacy service account token Secret', () => {
  before(async () => {
    s = await startServer();
    s.kubectlOk(['create', 'namespace', NS]);
  });
  after(async () => {
    await s?.stop();
  });

  it('fills token, ca.crt and namespace, and the token authenticates as the account', async () => {
    s.kubectlOk(['create', 'serviceaccount', 'dash', '-n', NS]);
    s.kubectlOk(['apply', '-n', NS, '-f', '-'], { input: `apiVersion: v1
kind: Secret
metadata:
  name: dash-token
  annotations:
    kubernetes.io/service-account.name: dash
type: kubernetes.io/service-account-token
` });
    const encoded = await poll('the token', () => s.kubectlOk(['get', 'secret', 'dash-token', '-n', NS, '-o', 'jsonpath={.data.token}']) || undefined);
    // The shell pipeline of the dashboard docs, verbatim.
    const token = execFileSync('sh', ['-c', `kubectl get secret dash-token -n ${NS} -o jsonpath='{.data.token}' | base64 -d`], { env: { ...process.env, KUBECONFIG: s.kubeconfig, HOME: s.dataDir }, encoding: 'utf8' });
    assert.equal(token, Buffer.from(encoded, 'base64').toString('utf8'));
    const secret = JSON.parse(s.kubectlOk(['get', 'secret', 'dash-token', '-n', NS, '-o', 'json']));
    const admin = parse(readFileSync(s.kubeconfig, 'utf8')) as { clusters: { cluster: Record<string, string> }[] };
    assert.equal(Buffer.from(secret.data['ca.crt'], 'base64').toString(), Buffer.from(admin.clusters[0].cluster['certificate-authority-data'], 'base64').toString());
    assert.equal(Buffer.from(secret.data.namespace, 'base64').toString(), NS);
    const sa = JSON.parse(s.kubectlOk(['get', 'serviceaccount', 'dash', '-n', NS, '-o', 'json']));
    assert.equal(secret.metadata.annotations['kubernetes.io/service-account.uid'], sa.metadata.uid);
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    assert.equal(claims.iss, 'kubernetes/serviceaccount');
    assert.equal(claims.sub, `system:serviceaccount:${NS}:dash`);
    assert.equal(claims['kubernetes.io/serviceaccount/secret.name'], 'dash-token');

    const kc = tokenKubeconfig(token);
    const env = { KUBECONFIG: kc };
    const denied = s.kubectl(['get', 'pods'], { env });
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, new RegExp(`User "system:serviceaccount:${NS}:dash" cannot list resource "pods"`));
    s.kubectlOk(['create', 'rolebinding', 'dash-view', '--clusterrole=view', `--serviceaccount=${NS}:dash`, '-n', NS]);
    await poll('the binding to take effect', () => (s.kubectl(['get', 'pods'], { env }).code === 0 ? true : undefined));
    const labels = JSON.parse(s.kubectlOk(['get', 'secret', 'dash-token', '-n', NS, '-o', 'json'])).metadata.labels;
    assert.equal(labels['kubernetes.io/legacy-token-last-used'], new Date().toISOString().slice(0, 10));
  });

  it('a token Secret goes with its ServiceAccount, and its token stops working', async () => {
    s.kubectlOk(['create', 'serviceaccount', 'temp', '-n', NS]);
    s.kubectlOk(['apply', '-n', NS, '-f', '-'], { input: `apiVersion: v1\nkind: Secret\nmetadata:\n  name: temp-token\n  annotations:\n    kubernetes.io/service-account.name: temp\ntype: kubernetes.io/service-account-token\n` });
    const encoded = await poll('the token', () => s.kubectlOk(['get', 'secret', 'temp-token', '-n', NS, '-o', 'jsonpath={.data.token}']) || undefined);
    const env = { KUBECONFIG: tokenKubeconfig(Buffer.from(encoded, 'base64').toString()) };
    assert.match(s.kubectl(['get', 'pods'], { env }).stderr, /system:serviceaccount:legacy-token:temp/);
    s.kubectlOk(['delete', 'serviceaccount', 'temp', '-n', NS]);
    await poll('the Secret to go', () => (s.kubectl(['get', 'secret', 'temp-token', '-n', NS]).code !== 0 ? true : undefined));
    const r = s.kubectl(['get', 'pods'], { env });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Unauthorized|must be logged in/);
  });

  it('a token Secret naming a missing ServiceAccount is deleted', async () => {
    s.kubectlOk(['apply', '-n', NS, '-f', '-'], { input: `apiVersion: v1\nkind: Secret\nmetadata:\n  name: orphan-token\n  annotations:\n    kubernetes.io/service-account.name: nobody\ntype: kubernetes.io/service-account-token\n` });
    await poll('the Secret to go', () => (s.kubectl(['get', 'secret', 'orphan-token', '-n', NS]).code !== 0 ? true : undefined));
  });

  it('a token Secret without the account annotation is refused as upstream', () => {
    const r = s.kubectl(['apply', '-n', NS, '-f', '-'], { input: `apiVersion: v1\nkind: Secret\nmetadata:\n  name: bare\ntype: kubernetes.io/service-account-token\n` });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /metadata\.annotations\[kubernetes\.io\/service-account\.name\]: Required value/);
  });
});
