// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { KubeObject } from '../../api/object.js';
import { FakeClient } from '../../client/fake-client.js';
import { R } from '../../client/client.js';
import { StatusError } from '../../machinery/errors.js';
import { newContext, SYSTEM_USER } from '../registry/request-context.js';
import { checkClaims, DEFAULT_ISSUER } from './service-account-claims.js';
import { signingKeyFrom } from './signing-key.js';
import { TokenIssuer } from './service-account-tokens.js';

const key = signingKeyFrom(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'bot', namespace: 'ns', uid: 'sa-uid' } };
const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'pod-uid' }, spec: { serviceAccountName: 'bot' } };

function setup(now = Date.parse('2025-01-01T00:00:00Z')) {
  const client = new FakeClient([sa, pod]);
  const clock = { t: now };
  const issuer = new TokenIssuer({ key, issuer: DEFAULT_ISSUER, apiAudiences: [DEFAULT_ISSUER], client, now: () => clock.t });
  return { client, clock, issuer };
}

async function request(issuer: TokenIssuer, spec: object): Promise<KubeObject> {
  return issuer.createToken(newContext(SYSTEM_USER, 'ns'), 'bot', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {}, spec }, sa);
}

test('TokenRequest defaults audiences and lifetime and answers a token for the account', async () => {
  const { issuer } = setup();
  const out = await request(issuer, {});
  const status = out.status as { token: string; expirationTimestamp: string };
  assert.equal(status.expirationTimestamp, '2025-01-01T01:00:00Z');
  assert.deepEqual(out.spec, { audiences: [DEFAULT_ISSUER], expirationSeconds: 3600 });
  const claims = JSON.parse(Buffer.from(status.token.split('.')[1], 'base64url').toString());
  assert.equal(claims.sub, 'system:serviceaccount:ns:bot');
  assert.deepEqual(claims['kubernetes.io'], { namespace: 'ns', serviceaccount: { name: 'bot', uid: 'sa-uid' } });
  const user = await issuer.authenticate(status.token);
  assert.deepEqual(user, {
    name: 'system:serviceaccount:ns:bot', uid: 'sa-uid', groups: ['system:serviceaccounts', 'system:serviceaccounts:ns', 'system:authenticated'],
    extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${claims.jti}`] },
  });
});

test('a pod-bound token names the pod and its node, and the user carries them as extras in upstream order', async () => {
  const { issuer, client } = setup();
  const nodeUID = (await client.create<KubeObject>(R.nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } })).metadata.uid;
  await client.create(R.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'placed', namespace: 'ns' }, spec: { serviceAccountName: 'bot', nodeName: 'n1' } });
  const placed = await client.get(R.pods, 'placed', { namespace: 'ns' });
  const token = ((await request(issuer, { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'placed' } })).status as { token: string }).token;
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  assert.deepEqual(claims['kubernetes.io'].node, { name: 'n1', uid: nodeUID });
  const user = await issuer.authenticate(token);
  assert.deepEqual(Object.entries(user?.extra ?? {}), [
    ['authentication.kubernetes.io/credential-id', [`JTI=${claims.jti}`]],
    ['authentication.kubernetes.io/node-name', ['n1']],
    ['authentication.kubernetes.io/node-uid', [nodeUID]],
    ['authentication.kubernetes.io/pod-name', ['placed']],
    ['authentication.kubernetes.io/pod-uid', [placed.metadata.uid]],
  ]);
  // The pod's node is not checked: a node going away does not end its pods' tokens.
  await client.delete(R.nodes, 'n1');
  assert.ok(await issuer.authenticate(token));
  // An unscheduled pod's token names no node.
  const unplaced = ((await request(issuer, { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p' } })).status as { token: string }).token;
  assert.equal(JSON.parse(Buffer.from(unplaced.split('.')[1], 'base64url').toString())['kubernetes.io'].node, undefined);
});

test('a node-bound token holds while its Node exists with the same uid', async () => {
  const { issuer, client } = setup();
  const uid = (await client.create<KubeObject>(R.nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n2' } })).metadata.uid!;
  const out = await request(issuer, { boundObjectRef: { kind: 'Node', apiVersion: 'v1', name: 'n2' } });
  assert.deepEqual((out.spec as { boundObjectRef: object }).boundObjectRef, { kind: 'Node', apiVersion: 'v1', name: 'n2', uid });
  const token = (out.status as { token: string }).token;
  assert.deepEqual((await issuer.authenticate(token))?.extra?.['authentication.kubernetes.io/node-name'], ['n2']);
  await client.delete(R.nodes, 'n2');
  assert.deepEqual(await issuer.review(token, [DEFAULT_ISSUER]), { error: 'node n2 has been deleted' });
  await client.create(R.nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n2' } });
  assert.match((await issuer.review(token, [DEFAULT_ISSUER]) as { error: string }).error, new RegExp(`node UID \\(.+\\) does not match claim \\(${uid}\\)`));
});

test('TokenRequest refuses lifetimes under ten minutes and pods of another account', async () => {
  const { issuer, client } = setup();
  await assert.rejects(request(issuer, { expirationSeconds: 599 }), (e: StatusError) => e.code === 422 && /may not specify a duration less than 10 minutes/.test(e.message));
  await client.create(R.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'other', namespace: 'ns' }, spec: { serviceAccountName: 'x' } });
  await assert.rejects(request(issuer, { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'other' } }), /to pod running with different serviceaccount name/);
  await assert.rejects(request(issuer, { boundObjectRef: { kind: 'ConfigMap', apiVersion: 'v1', name: 'c' } }), /cannot bind token to object of type ConfigMap/);
});

test('a token stops working when it expires, its account is recreated, or its bound pod goes', async () => {
  const { issuer, clock, client } = setup();
  const plain = (await request(issuer, {})).status as { token: string };
  const bound = (await request(issuer, { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p' } })).status as { token: string };
  assert.ok(await issuer.authenticate(bound.token));
  await client.delete(R.pods, 'p', { namespace: 'ns' });
  assert.deepEqual(await issuer.review(bound.token, [DEFAULT_ISSUER]), { error: 'pod ns/p has been deleted' });
  assert.ok(await issuer.authenticate(plain.token));
  clock.t += 3600_000 + 61_000;
  assert.deepEqual(await issuer.review(plain.token, [DEFAULT_ISSUER]), { error: 'service account token has expired' });
  clock.t -= 3600_000;
  await client.delete(R.serviceaccounts, 'bot', { namespace: 'ns' });
  await client.create(R.serviceaccounts, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'bot', namespace: 'ns', uid: 'new-uid' } });
  assert.match((await issuer.review(plain.token, [DEFAULT_ISSUER]) as { error: string }).error, /does not match claim \(sa-uid\)/);
});

test('tokens for another audience are not API credentials', async () => {
  const { issuer } = setup();
  const t = ((await request(issuer, { audiences: ['vault'] })).status as { token: string }).token;
  assert.equal(await issuer.authenticate(t), undefined);
  assert.ok('user' in (await issuer.review(t, ['vault'])));
});

test('checkClaims wants the trusted issuer and a consistent subject', () => {
  const base = { iss: DEFAULT_ISSUER, sub: 'system:serviceaccount:ns:bot', aud: [DEFAULT_ISSUER], exp: 2000, nbf: 1000, 'kubernetes.io': { namespace: 'ns', serviceaccount: { name: 'bot', uid: 'u' } } };
  assert.ok(!('error' in checkClaims(base, DEFAULT_ISSUER, [DEFAULT_ISSUER], 1500)));
  assert.deepEqual(checkClaims({ ...base, iss: 'evil' }, DEFAULT_ISSUER, [DEFAULT_ISSUER], 1500), { error: 'token issuer is not trusted' });
  assert.match((checkClaims({ ...base, sub: 'system:serviceaccount:kube-system:x' }, DEFAULT_ISSUER, [DEFAULT_ISSUER], 1500) as { error: string }).error, /subject/);
  assert.deepEqual(checkClaims(base, DEFAULT_ISSUER, [DEFAULT_ISSUER], 800), { error: 'service account token is not valid yet' });
});

test('a pod-bound 3607 s token for the API is valid for a year with warnafter at 3607 s; the answer still says 3607 s', async () => {
  const { issuer, clock } = setup();
  const out = await request(issuer, { expirationSeconds: 3607, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p' } });
  const status = out.status as { token: string; expirationTimestamp: string };
  assert.equal(status.expirationTimestamp, '2025-01-01T01:00:07Z');
  const claims = JSON.parse(Buffer.from(status.token.split('.')[1], 'base64url').toString());
  const start = Date.parse('2025-01-01T00:00:00Z') / 1000;
  assert.equal(claims.exp, start + 365 * 24 * 3600);
  assert.equal(claims['kubernetes.io'].warnafter, start + 3607);
  clock.t += 30 * 24 * 3600_000;
  assert.ok(await issuer.authenticate(status.token), 'still valid after a month');
  // Not extended: another lifetime, no pod binding, or an audience other than the API's.
  for (const spec of [{ expirationSeconds: 3600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p' } }, { expirationSeconds: 3607 }, { expirationSeconds: 3607, audiences: ['vault'], boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p' } }]) {
    const t = ((await request(issuer, spec)).status as { token: string }).token;
    const c = JSON.parse(Buffer.from(t.split('.')[1], 'base64url').toString());
    assert.equal(c.exp - c.iat, spec.expirationSeconds, JSON.stringify(spec));
    assert.equal(c['kubernetes.io'].warnafter, undefined);
  }
});
