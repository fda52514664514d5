// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCA, caPublicKeyHash } from '../pki/index.js';
import { ensureServerToken, parseServerToken, secretMatches } from './server-token.js';

test('the server token pins the CA and keeps its secret in the data dir (0600)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-token-'));
  try {
    const ca = await createCA('test');
    const t = ensureServerToken(dir, ca.cert);
    assert.equal(t.caHash, caPublicKeyHash(ca.cert));
    const text = readFileSync(join(dir, 'token'), 'utf8').trim();
    assert.match(text, /^K10[0-9a-f]{64}::server:[0-9a-f]{32}$/);
    assert.equal(statSync(join(dir, 'token')).mode & 0o777, 0o600);
    assert.deepEqual(ensureServerToken(dir, ca.cert), t, 'stable across restarts');
    assert.ok(secretMatches(t, t.secret));
    assert.ok(!secretMatches(t, `${t.secret}x`));
    const other = await createCA('other');
    assert.throws(() => ensureServerToken(dir, other.cert), /pins CA/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('agent join tokens are not server tokens', () => {
  assert.equal(parseServerToken(`K10${'ab'.repeat(32)}::abcdef.0123456789abcdef`), undefined);
  assert.equal(parseServerToken('server:secret'), undefined);
  assert.deepEqual(parseServerToken(`K10${'ab'.repeat(32)}::server:0123456789abcdef`), { caHash: `sha256:${'ab'.repeat(32)}`, secret: '0123456789abcdef' });
});
