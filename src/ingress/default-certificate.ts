// SPDX-License-Identifier: Apache-2.0
/**
 * The certificate served when no Ingress TLS entry matches the SNI name. As
 * ingress-nginx, it is a self-signed "Kubernetes Ingress Controller Fake
 * Certificate", generated in memory at start (ECDSA P-256 takes a few
 * milliseconds) and never written to disk.
 */
import { webcrypto } from 'node:crypto';
// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG: EcKeyGenParams & EcdsaParams = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY = 24 * 3600 * 1000;

/** FAKE_CERTIFICATE_CN is the subject common name ingress-nginx gives its default certificate. */
export const FAKE_CERTIFICATE_CN = 'Kubernetes Ingress Controller Fake Certificate';

/** selfSignedCertificate makes a PEM certificate and PKCS#8 key for the given DNS names, valid for a year. */
export async function selfSignedCertificate(cn: string = FAKE_CERTIFICATE_CN, dnsNames: string[] = ['ingress.local']): Promise<{ cert: string; key: string }> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const serial = Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1');
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial,
    name: `CN=${cn}, O=Acme Co`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 365 * DAY),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(dnsNames.map((value) => ({ type: 'dns' as const, value }))),
    ],
  });
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { cert: cert.toString('pem'), key: x509.PemConverter.encode(der, 'PRIVATE KEY') };
}
