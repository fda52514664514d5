// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCA, issueCertificate } from '../../pki/index.js';
import { loadCertificate, rotationDeadline, storeCertificate } from './index.js';

test('renewal falls between 70% and 90% of the certificate lifetime, as upstream', () => {
  const c = { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2026-01-11T00:00:00Z') };
  assert.equal(rotationDeadline(c, () => 0).toISOString(), '2026-01-08T00:00:00.000Z');
  assert.equal(rotationDeadline(c, () => 0.5).toISOString(), '2026-01-09T00:00:00.000Z');
  assert.ok(rotationDeadline(c, () => 0.999999) < new Date('2026-01-10T00:00:00.001Z'));
});

test('a stored pair is reused until it expires', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-certs-'));
  try {
    const ca = await createCA('t');
    const pair = await issueCertificate(ca, { subject: 'CN=system:node:a, O=system:nodes', client: true, days: 2 });
    const path = join(dir, 'pki', 'kubelet-client-current.pem');
    assert.equal(loadCertificate(path), undefined);
    storeCertificate(path, pair);
    const got = loadCertificate(path)!;
    assert.equal(got.cert.trim(), pair.cert.trim());
    assert.equal(got.key.trim(), pair.key.trim());
    assert.equal(loadCertificate(path, new Date(Date.now() + 3 * 24 * 3600_000)), undefined, 'expired');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
