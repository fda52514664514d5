// SPDX-License-Identifier: Apache-2.0
/**
 * NodeRestriction on TokenRequests (upstream admitServiceAccount) against a
 * real server with the real kubectl: a node identity (impersonated by the
 * admin, as `kubectl --as` does) gets a service account token only when it
 * binds the token to a pod of its own, named with that pod's uid; every
 * other shape is refused with upstream's 403 message, and an admin's
 * unbound request is unaffected.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type ServerHandle } from '../harness/server-harness.js';

const NS = 'toknode';
const asNode = (node: string) => [`--as=system:node:${node}`, '--as-group=system:nodes'];

describe('NodeRestriction for service account tokens', () => {
  let s: ServerHandle;
  const uids: Record<string, string> = {};

  /** requestToken posts a TokenRequest for the account `bot` with the real kubectl and returns its exit code and output. */
  const requestToken = (boundObjectRef: object | undefined, extra: string[] = []) => {
    const body = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { ...(boundObjectRef ? { boundObjectRef } : {}) } };
    return s.kubectl(['create', '--raw', `/api/v1/namespaces/${NS}/serviceaccounts/bot/token`, '-f', '-', ...extra], { input: JSON.stringify(body) });
  };
  const podRef = (name: string, uid?: string) => ({ apiVersion: 'v1', kind: 'Pod', name, ...(uid ? { uid } : {}) });
  const forbidden = (why: string) => new RegExp(`serviceaccounts "bot" is forbidden: ${why.replace(/[()[\].]/g, '\\$&')}`);

  before(async () => {
    s = await startServer();
    s.kubectlOk(['create', 'namespace', NS]);
    s.kubectlOk(['-n', NS, 'create', 'serviceaccount', 'bot']);
    // Two pods running as bot, bound straight to two nodes (no kubelet needs to run them for the node graph to count them).
    for (const [pod, node] of [['on-n1', 'tr-n1'], ['on-n2', 'tr-n2']]) {
      const spec = { nodeName: node, serviceAccountName: 'bot', automountServiceAccountToken: false, containers: [{ name: 'c', image: 'busybox:1.36' }] };
      s.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: pod, namespace: NS }, spec }) });
      uids[pod] = s.kubectlOk(['-n', NS, 'get', 'pod', pod, '-o', 'jsonpath={.metadata.uid}']);
    }
    // The Node authorizer follows pods through an informer: wait until tr-n1 may ask for bot's token at all.
    for (let i = 0; i < 100 && requestToken(podRef('on-n1', uids['on-n1']), asNode('tr-n1')).code !== 0; i++) await new Promise((r) => setTimeout(r, 200));
  });
  after(async () => {
    await s?.stop();
  });

  it('issues a node a token bound to its own pod', () => {
    const r = requestToken(podRef('on-n1', uids['on-n1']), asNode('tr-n1'));
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { spec: { boundObjectRef: { uid: string } }; status: { token: string } };
    assert.equal(out.spec.boundObjectRef.uid, uids['on-n1']);
    assert.match(out.status.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('refuses a node a token that is unbound, bound to something else, or bound without a uid', () => {
    let r = requestToken(undefined, asNode('tr-n1'));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, forbidden('node requested token not bound to a pod'));
    r = requestToken({ apiVersion: 'v1', kind: 'Secret', name: 'x', uid: 'u' }, asNode('tr-n1'));
    assert.match(r.stderr, forbidden('node requested token not bound to a pod'));
    r = requestToken(podRef('on-n1'), asNode('tr-n1'));
    assert.match(r.stderr, forbidden('node requested token with a pod binding without a uid'));
  });

  it('refuses a node a token for a recreated pod (stale uid) or for a pod on another node', () => {
    let r = requestToken(podRef('on-n1', 'not-the-uid'), asNode('tr-n1'));
    assert.match(r.stderr, forbidden('the UID in the bound object reference (not-the-uid) does not match the UID in record. The object might have been deleted and then recreated'));
    // tr-n1 may ask for bot's tokens (its own pod runs as bot), but not bound to tr-n2's pod.
    r = requestToken(podRef('on-n2', uids['on-n2']), asNode('tr-n1'));
    assert.match(r.stderr, forbidden('node requested token bound to a pod scheduled on a different node'));
    // A pod that does not exist answers the pod's NotFound, as upstream.
    r = requestToken(podRef('gone', 'u'), asNode('tr-n1'));
    assert.match(r.stderr, /pods "gone" not found/);
  });

  it('leaves anyone but a node alone: the admin gets an unbound token', () => {
    const r = requestToken(undefined);
    assert.equal(r.code, 0, r.stderr);
    assert.ok((JSON.parse(r.stdout) as { status: { token: string } }).status.token);
  });
});
