// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signJWT, verifyJWT } from './jwt.js';
import { loadOrCreateSigningKey, signingKeyFrom } from './signing-key.js';

const key = signingKeyFrom(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);

test('a signed token verifies and gives its claims back', () => {
  const token = signJWT({ sub: 'x', n: 1 }, key);
  assert.equal(token.split('.').length, 3);
  const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
  assert.deepEqual(header, { alg: 'ES256', kid: key.keyId });
  assert.deepEqual(verifyJWT(token, key), { claims: { sub: 'x', n: 1 } });
});

test('a changed payload, another key, or alg none is refused', () => {
  const token = signJWT({ sub: 'x' }, key);
  const [h, , s] = token.split('.');
  const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'admin' })).toString('base64url')}.${s}`;
  assert.deepEqual(verifyJWT(forged, key), { error: 'invalid signature' });
  const other = signingKeyFrom(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
  assert.deepEqual(verifyJWT(token, other), { error: 'token signed by an unknown key' });
  const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${token.split('.')[1]}.AA`;
  assert.match((verifyJWT(none, key) as { error: string }).error, /unsupported signing algorithm/);
  assert.deepEqual(verifyJWT('not-a-jwt', key), { error: 'malformed token' });
});

test('the signing key is created once and reused from disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-sakey-'));
  try {
    const path = join(dir, 'tls', 'service-account.key');
    const a = loadOrCreateSigningKey(path);
    assert.match(readFileSync(path, 'utf8'), /BEGIN EC PRIVATE KEY/);
    const b = loadOrCreateSigningKey(path);
    assert.equal(a.keyId, b.keyId);
    assert.ok('claims' in verifyJWT(signJWT({}, a), b));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
