// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { authenticationData, escapeExtraKey, mergeBundles, withIdentityHeaders } from './front-proxy.js';

const CERT_A = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----';
const CERT_B = '-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----';

test('identity headers replace whatever the client sent, impersonation headers go', () => {
  const h: IncomingHttpHeaders = { 'x-remote-user': 'mallory', 'x-remote-group': 'system:masters', 'x-remote-extra-scopes': 'all', 'impersonate-user': 'root', accept: 'application/json' };
  withIdentityHeaders(h, { name: 'alice', groups: ['dev', 'system:authenticated'], extra: { 'example.org/scopes': ['a b'] } });
  assert.deepEqual(h, { accept: 'application/json', 'x-remote-user': 'alice', 'x-remote-group': ['dev', 'system:authenticated'], 'x-remote-extra-example.org%2fscopes': ['a b'] });
  assert.equal(escapeExtraKey('acme.com/Key%1'), 'acme.com%2FKey%251');
});

test('the authentication ConfigMap keeps other servers CAs and names', () => {
  const data = authenticationData({ 'requestheader-client-ca-file': `${CERT_A}\n`, 'requestheader-allowed-names': '["other-proxy"]' }, CERT_A, CERT_B);
  assert.equal(data['client-ca-file'], `${CERT_A}\n`);
  assert.equal(data['requestheader-client-ca-file'], `${CERT_A}\n${CERT_B}\n`);
  assert.equal(data['requestheader-allowed-names'], '["other-proxy","front-proxy-client"]');
  assert.equal(data['requestheader-username-headers'], '["X-Remote-User"]');
  assert.equal(data['requestheader-group-headers'], '["X-Remote-Group"]');
  assert.equal(data['requestheader-extra-headers-prefix'], '["X-Remote-Extra-"]');
  assert.equal(mergeBundles(`${CERT_B}\n${CERT_A}`, CERT_A), `${CERT_B}\n${CERT_A}\n`);
});
