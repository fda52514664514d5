// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { createCA, createCertificateRequest, issueCertificate, selfSignedCertificate, signCertificateRequest } from './index.js';

test('a CA and the leaves it issues verify, with the subject, SANs and usages asked for', async () => {
  const ca = await createCA('skiff-ca@1');
  const caCert = new X509Certificate(ca.cert);
  assert.equal(caCert.subject, 'CN=skiff-ca@1');
  assert.equal(caCert.ca, true);
  assert.ok(caCert.verify(caCert.publicKey), 'the CA is self-signed');
  assert.ok(createPublicKey(createPrivateKey(ca.key)).equals(caCert.publicKey), 'the key is the certificate\'s');

  const leaf = await issueCertificate(ca, { subject: 'CN=kube-apiserver, O=system:masters', server: true, client: true, sans: ['localhost', 'kubernetes.default.svc', '127.0.0.1', '::1', 'fd00::1:2'] });
  const cert = new X509Certificate(leaf.cert);
  assert.ok(cert.checkIssued(caCert), 'issuer names the CA');
  assert.ok(cert.verify(caCert.publicKey), 'signed by the CA');
  assert.equal(cert.ca, false);
  assert.deepEqual(cert.subject.split('\n').sort(), ['CN=kube-apiserver', 'O=system:masters']);
  assert.equal(cert.subjectAltName, 'DNS:localhost, DNS:kubernetes.default.svc, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:FD00:0:0:0:0:0:1:2');
  assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
  assert.ok(cert.checkHost('kubernetes.default.svc'));
  assert.ok(cert.checkIP('::1'));
  const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
  assert.ok(days > 364 && days <= 365, `a year by default, got ${days} days`);
  assert.ok(Date.parse(cert.validFrom) <= Date.now(), 'valid from now (backdated)');
});

test('certificates signed from a certificate request chain to a CA made here (the authority key matches)', async () => {
  const ca = await createCA('t');
  const { request } = await createCertificateRequest({ commonName: 'system:node:a', organizations: ['system:nodes'], sans: ['a', '198.51.100.7'] });
  const pem = await signCertificateRequest(ca, request, { usages: ['digital signature', 'key encipherment', 'server auth'], durationSeconds: 3600 });
  const cert = new X509Certificate(pem);
  assert.ok(cert.checkIssued(new X509Certificate(ca.cert)));
  assert.ok(cert.verify(new X509Certificate(ca.cert).publicKey));
  assert.equal(cert.subjectAltName, 'DNS:a, IP Address:198.51.100.7');
});

test('a self-signed certificate names itself as issuer and carries the asked SANs', async () => {
  const pair = await selfSignedCertificate({ subject: 'CN=foo, O=Acme Co', server: true, sans: ['*.example.com'], days: 2 });
  const cert = new X509Certificate(pair.cert);
  assert.equal(cert.issuer, cert.subject);
  assert.ok(cert.verify(cert.publicKey));
  assert.ok(cert.checkHost('x.example.com'));
  assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  await assert.rejects(selfSignedCertificate({ subject: 'CN=a, X=b' }), /unsupported name attribute/);
});
