// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../object.js';
import { BootstrapTokenAuthenticator } from '../../apiserver/auth/bootstrap-token-authenticator.js';
import {
  bootstrapTokenSecret,
  formatJoinToken,
  generateBootstrapToken,
  parseBootstrapToken,
  parseJoinToken,
} from './token.js';

const HASH = `sha256:${'ab'.repeat(32)}`;

test('token forms: <id>.<secret>, K10<hash>::<id>.<secret>, and what is not a token', () => {
  assert.deepEqual(parseBootstrapToken('abcdef.0123456789abcdef'), { id: 'abcdef', secret: '0123456789abcdef' });
  for (const bad of ['abcdef.0123456789abcde', 'ABCDEF.0123456789abcdef', 'abcdef:0123456789abcdef', '', 'abcdef.0123456789abcdef0']) {
    assert.equal(parseBootstrapToken(bad), undefined, bad);
  }
  const t = generateBootstrapToken();
  assert.match(`${t.id}.${t.secret}`, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
  const join = formatJoinToken(HASH, t);
  assert.equal(join, `K10${'ab'.repeat(32)}::${t.id}.${t.secret}`);
  assert.deepEqual(parseJoinToken(join), { ...t, caHash: HASH });
  assert.deepEqual(parseJoinToken(`${t.id}.${t.secret}`), t);
  assert.equal(parseJoinToken(`K10abc::${t.id}.${t.secret}`), undefined);
});

test('the Secret is the one kubeadm writes', () => {
  const s = bootstrapTokenSecret({ id: 'abcdef', secret: '0123456789abcdef' }, { ttlSeconds: 3600, now: new Date('2026-01-01T00:00:00Z') });
  const data = Object.fromEntries(Object.entries(s.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
  assert.equal(s.metadata.name, 'bootstrap-token-abcdef');
  assert.equal(s.metadata.namespace, 'kube-system');
  assert.equal(s.type, 'bootstrap.kubernetes.io/token');
  assert.deepEqual(data, {
    'token-id': 'abcdef',
    'token-secret': '0123456789abcdef',
    expiration: '2026-01-01T01:00:00Z',
    'usage-bootstrap-authentication': 'true',
    'usage-bootstrap-signing': 'true',
    'auth-extra-groups': 'system:bootstrappers:skiff:default-node-token',
  });
});

function authenticator(secrets: KubeObject[], now = '2026-01-01T00:30:00Z') {
  const logs: string[] = [];
  const a = new BootstrapTokenAuthenticator({
    getSecret: async (name) => secrets.find((s) => s.metadata.name === name),
    log: (m) => logs.push(m),
    now: () => new Date(now),
  });
  return { a, logs };
}

const token = { id: 'abcdef', secret: '0123456789abcdef' };
const valid = () => bootstrapTokenSecret(token, { ttlSeconds: 3600, now: new Date('2026-01-01T00:00:00Z') });

test('a valid token is system:bootstrap:<id> in system:bootstrappers and its extra groups', async () => {
  const { a } = authenticator([valid()]);
  assert.deepEqual(await a.authenticate('abcdef.0123456789abcdef'), {
    name: 'system:bootstrap:abcdef',
    groups: ['system:bootstrappers', 'system:bootstrappers:skiff:default-node-token'],
  });
});

test('expired, unknown, wrong, deleted, mistyped or unusable tokens authenticate no one, and say why', async () => {
  const cases: [string, KubeObject[], string, RegExp][] = [
    ['unknown id', [], 'zzzzzz.0123456789abcdef', /No secret of name bootstrap-token-zzzzzz/],
    ['wrong secret', [valid()], 'abcdef.0123456789abcdee', /kube-system\/bootstrap-token-abcdef matching bearer token has invalid value for key token-secret/],
    ['deleted', [{ ...valid(), metadata: { ...valid().metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }], 'abcdef.0123456789abcdef', /is deleted and awaiting removal/],
    ['wrong type', [{ ...valid(), type: 'Opaque' }], 'abcdef.0123456789abcdef', /has invalid type, expected bootstrap.kubernetes.io\/token/],
    ['no authentication usage', [{ ...valid(), data: { ...(valid().data as object), 'usage-bootstrap-authentication': Buffer.from('false').toString('base64') } }], 'abcdef.0123456789abcdef', /not marked usage-bootstrap-authentication=true/],
    ['bad extra group', [{ ...valid(), data: { ...(valid().data as object), 'auth-extra-groups': Buffer.from('system:masters').toString('base64') } }], 'abcdef.0123456789abcdef', /invalid value for key auth-extra-groups/],
  ];
  for (const [what, secrets, tok, reason] of cases) {
    const { a, logs } = authenticator(secrets);
    assert.equal(await a.authenticate(tok), undefined, what);
    assert.match(logs.join('\n'), reason, what);
  }
  const { a, logs } = authenticator([valid()], '2026-01-01T02:00:00Z');
  assert.equal(await a.authenticate('abcdef.0123456789abcdef'), undefined);
  assert.match(logs[0], /Expired bootstrap token in kube-system\/bootstrap-token-abcdef Secret: 2026-01-01T01:00:00Z/);
  // Not of the form: another authenticator's token, nothing logged.
  const other = authenticator([valid()]);
  assert.equal(await other.a.authenticate('eyJhbGciOi.not-a-bootstrap-token'), undefined);
  assert.deepEqual(other.logs, []);
});
