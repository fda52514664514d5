// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type SecureContext } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { Secret } from 'kubernetes-types/core/v1.js';
import { selfSignedCertificate, FAKE_CERTIFICATE_CN } from './default-certificate.js';
import { TLSStore } from './tls-store.js';
import type { TLSEntry } from './route-table.js';
import type { IngressObj } from './ingress-class.js';

const ingress = { metadata: { name: 'i', namespace: 'ns' } } as IngressObj;

function tlsSecret(name: string, pair: { cert: string; key: string }): Secret {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return { metadata: { name, namespace: 'ns', resourceVersion: '1' }, type: 'kubernetes.io/tls', data: { 'tls.crt': b64(pair.cert), 'tls.key': b64(pair.key) } };
}

/** servedCN connects with SNI through a TLS server using the store and returns the served certificate's CN. */
async function servedCN(store: TLSStore, servername: string): Promise<string> {
  const server = createServer({ SNICallback: (name: string, cb: (e: Error | null, c?: SecureContext) => void) => cb(null, store.contextFor(name)) });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    return await new Promise<string>((resolve, reject) => {
      const s = connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', servername, rejectUnauthorized: false }, () => {
        const cn = s.getPeerCertificate().subject.CN;
        s.destroy();
        resolve(String(Array.isArray(cn) ? cn[0] : cn));
      });
      s.on('error', reject);
    });
  } finally {
    server.close();
  }
}

test('SNI picks the Secret of the exact host, then the wildcard, else the fake default certificate', async () => {
  const [fallback, foo, wild] = await Promise.all([selfSignedCertificate(), selfSignedCertificate('foo.example.com', ['foo.example.com']), selfSignedCertificate('wildcard', ['*.example.com'])]);
  const secrets = new Map([['ns/foo', tlsSecret('foo', foo)], ['ns/wild', tlsSecret('wild', wild)], ['ns/broken', { metadata: { name: 'broken', namespace: 'ns' }, data: { 'tls.crt': 'eA==', 'tls.key': 'eA==' } } as Secret]]);
  const entries = new Map<string, TLSEntry>([
    ['foo.example.com', { namespace: 'ns', secretName: 'foo', ingress }],
    ['*.example.com', { namespace: 'ns', secretName: 'wild', ingress }],
    ['gone.test', { namespace: 'ns', secretName: 'missing', ingress }],
    ['broken.test', { namespace: 'ns', secretName: 'broken', ingress }],
  ]);
  const store = new TLSStore(fallback);
  const problems = store.update(entries, (ns, name) => secrets.get(`${ns}/${name}`));
  assert.deepEqual(problems.map((p) => p.reason), ['TLSSecretNotFound', 'InvalidTLSSecret']);
  assert.deepEqual(store.hosts().sort(), ['*.example.com', 'foo.example.com']);
  assert.equal(await servedCN(store, 'foo.example.com'), 'foo.example.com');
  assert.equal(await servedCN(store, 'bar.example.com'), 'wildcard');
  assert.equal(await servedCN(store, 'gone.test'), FAKE_CERTIFICATE_CN);
  assert.equal(await servedCN(store, 'x.y.example.com'), FAKE_CERTIFICATE_CN);
});
