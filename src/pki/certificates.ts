// SPDX-License-Identifier: Apache-2.0
/**
 * X.509 certificates for everything in Skiff that serves TLS: the cluster
 * CA and the certificates it signs (API server, clients, kubelets), and
 * self-signed ones (the kubelet's own serving certificate, the Ingress
 * default certificate). ECDSA P-256 keeps generation to milliseconds, which
 * matters for time-to-ready.
 */
import { webcrypto } from 'node:crypto';
// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG: EcKeyGenParams & EcdsaParams = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY = 24 * 3600 * 1000;

/** PemPair is a PEM certificate and its PKCS#8 private key. */
export interface PemPair {
  cert: string;
  key: string;
}

export interface CertificateRequest {
  /** Distinguished name, e.g. `CN=system:admin, O=system:masters`. */
  subject: string;
  /** DNS names and IP addresses (told apart by shape). */
  sans?: string[];
  server?: boolean;
  client?: boolean;
  days?: number;
}

async function newKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function keyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

async function importKey(pem: string): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(pem), ALG, true, ['sign']);
}

function serial(): string {
  // Positive, non-zero leading nibble: a serial must not read as negative in DER.
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[089a-f]/, '1');
}

function leafExtensions(r: CertificateRequest): x509.Extension[] {
  const usages: string[] = [];
  if (r.server) usages.push(x509.ExtendedKeyUsage.serverAuth);
  if (r.client) usages.push(x509.ExtendedKeyUsage.clientAuth);
  const ext: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(usages),
  ];
  if (r.sans?.length) {
    const names = r.sans.map((s) => (/^[\d.]+$/.test(s) || s.includes(':') ? { type: 'ip' as const, value: s } : { type: 'dns' as const, value: s }));
    ext.push(new x509.SubjectAlternativeNameExtension(names));
  }
  return ext;
}

function validity(days: number): { notBefore: Date; notAfter: Date } {
  // Backdated a minute so clocks slightly behind ours accept it at once.
  return { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + days * DAY) };
}

/** createCA makes a self-signed certificate authority (10 years). */
export async function createCA(commonName: string): Promise<PemPair> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}`,
    ...validity(3650),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
}

/** issueCertificate signs a leaf certificate with a CA (1 year unless `days`). */
export async function issueCertificate(ca: PemPair, r: CertificateRequest): Promise<PemPair> {
  const keys = await newKeys();
  const caCert = new x509.X509Certificate(ca.cert);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: r.subject,
    issuer: caCert.subject,
    ...validity(r.days ?? 365),
    publicKey: keys.publicKey,
    signingKey: await importKey(ca.key),
    signingAlgorithm: ALG,
    extensions: [...leafExtensions(r), await x509.AuthorityKeyIdentifierExtension.create(caCert)],
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
}

/** selfSignedCertificate makes a certificate signed by its own key (kubelet serving, Ingress default). */
export async function selfSignedCertificate(r: CertificateRequest): Promise<PemPair> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: r.subject,
    ...validity(r.days ?? 365),
    keys,
    signingAlgorithm: ALG,
    extensions: leafExtensions(r),
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
}
