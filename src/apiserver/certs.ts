// SPDX-License-Identifier: Apache-2.0
/**
 * The cluster's PKI, generated on first start and kept in `<data-dir>/tls`:
 * a CA, the API server's serving certificate (SANs for loopback, the
 * `kubernetes` Service names and address, and any extra names), and the
 * admin client certificate (CN=system:admin, O=system:masters) written into
 * the admin kubeconfig, as kubeadm and k3s do. ECDSA P-256 keeps generation
 * to milliseconds, which matters for time-to-ready.
 */
import { webcrypto, X509Certificate as NodeX509 } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG: EcKeyGenParams & EcdsaParams = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY = 24 * 3600 * 1000;

export interface PemPair {
  cert: string;
  key: string;
}

export interface ClusterPKI {
  ca: PemPair;
  serving: PemPair;
  admin: PemPair;
}

export interface PKIOptions {
  /** Extra DNS names and IP addresses for the serving certificate (--tls-san). */
  sans: string[];
}

async function newKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importKey(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pem);
  return webcrypto.subtle.importKey('pkcs8', der, ALG, true, ['sign']);
}

function serial(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1');
}

async function createCA(): Promise<PemPair> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=skiff-ca@${Math.floor(Date.now() / 1000)}`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3650 * DAY),
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

async function issue(ca: PemPair, subject: string, opts: { server?: boolean; client?: boolean; sans?: string[] }): Promise<PemPair> {
  const keys = await newKeys();
  const caCert = new x509.X509Certificate(ca.cert);
  const usages: string[] = [];
  if (opts.server) usages.push(x509.ExtendedKeyUsage.serverAuth);
  if (opts.client) usages.push(x509.ExtendedKeyUsage.clientAuth);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(usages),
    await x509.AuthorityKeyIdentifierExtension.create(caCert),
  ];
  if (opts.sans?.length) {
    const names = opts.sans.map((s) => (/^[\d.]+$/.test(s) || s.includes(':') ? { type: 'ip' as const, value: s } : { type: 'dns' as const, value: s }));
    extensions.push(new x509.SubjectAlternativeNameExtension(names));
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject,
    issuer: caCert.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 365 * DAY),
    publicKey: keys.publicKey,
    signingKey: await importKey(ca.key),
    signingAlgorithm: ALG,
    extensions,
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
}

function readPair(dir: string, name: string): PemPair | undefined {
  const c = join(dir, `${name}.crt`);
  const k = join(dir, `${name}.key`);
  if (!existsSync(c) || !existsSync(k)) return undefined;
  return { cert: readFileSync(c, 'utf8'), key: readFileSync(k, 'utf8') };
}

function writePair(dir: string, name: string, p: PemPair): void {
  writeFileSync(join(dir, `${name}.crt`), p.cert, { mode: 0o644 });
  writeFileSync(join(dir, `${name}.key`), p.key, { mode: 0o600 });
}

/** servingCertCovers is true when the certificate is valid for 30 more days and names every SAN. */
function servingCertCovers(pem: string, sans: string[]): boolean {
  const cert = new NodeX509(pem);
  if (new Date(cert.validTo).getTime() < Date.now() + 30 * DAY) return false;
  const have = (cert.subjectAltName ?? '').split(',').map((s) => s.trim().replace(/^(DNS|IP Address):/, ''));
  return sans.every((s) => have.includes(s));
}

/** ensurePKI loads the PKI from `dir`, creating whatever is missing (and a serving cert that lacks a requested SAN). */
export async function ensurePKI(dir: string, opts: PKIOptions): Promise<ClusterPKI> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let ca = readPair(dir, 'ca');
  let fresh = false;
  if (!ca) {
    ca = await createCA();
    writePair(dir, 'ca', ca);
    fresh = true;
  }
  const sans = [...new Set(['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', '127.0.0.1', ...opts.sans])];
  let serving = fresh ? undefined : readPair(dir, 'serving');
  if (!serving || !servingCertCovers(serving.cert, sans)) {
    serving = await issue(ca, 'CN=kube-apiserver', { server: true, sans });
    writePair(dir, 'serving', serving);
  }
  let admin = fresh ? undefined : readPair(dir, 'admin');
  if (!admin) {
    admin = await issue(ca, 'CN=system:admin, O=system:masters', { client: true });
    writePair(dir, 'admin', admin);
  }
  return { ca, serving, admin };
}

/** issueClientCert signs a client certificate for a user and groups (node agents, extra users). */
export async function issueClientCert(ca: PemPair, user: string, groups: string[]): Promise<PemPair> {
  const subject = [`CN=${user}`, ...groups.map((g) => `O=${g}`)].join(', ');
  return issue(ca, subject, { client: true });
}
