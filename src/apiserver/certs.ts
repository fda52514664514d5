// SPDX-License-Identifier: Apache-2.0
/**
 * The cluster's PKI, generated on first start and kept in `<data-dir>/tls`:
 * a CA, the API server's serving certificate (SANs for loopback, the
 * `kubernetes` Service names and address, and any extra names), and the
 * admin client certificate (CN=system:admin, O=system:masters) written into
 * the admin kubeconfig, as kubeadm and k3s do. ECDSA P-256 keeps generation
 * to milliseconds, which matters for time-to-ready.
 */
import { X509Certificate as NodeX509 } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCA, issueCertificate, type PemPair } from '../pki/index.js';

export type { PemPair };

const DAY = 24 * 3600 * 1000;

export interface ClusterPKI {
  ca: PemPair;
  serving: PemPair;
  admin: PemPair;
  /**
   * frontProxyCA signs frontProxyClient, the certificate the aggregator
   * presents to extension API servers with the caller's identity in
   * X-Remote-* headers (kubeadm's front-proxy-ca and front-proxy-client).
   */
  frontProxyCA: PemPair;
  frontProxyClient: PemPair;
}

export interface PKIOptions {
  /** Extra DNS names and IP addresses for the serving certificate (--tls-san). */
  sans: string[];
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
    ca = await createCA(`skiff-ca@${Math.floor(Date.now() / 1000)}`);
    writePair(dir, 'ca', ca);
    fresh = true;
  }
  const sans = [...new Set(['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', '127.0.0.1', ...opts.sans])];
  let serving = fresh ? undefined : readPair(dir, 'serving');
  if (!serving || !servingCertCovers(serving.cert, sans)) {
    serving = await issueCertificate(ca, { subject: 'CN=kube-apiserver', server: true, sans });
    writePair(dir, 'serving', serving);
  }
  let admin = fresh ? undefined : readPair(dir, 'admin');
  if (!admin) {
    admin = await issueCertificate(ca, { subject: 'CN=system:admin, O=system:masters', client: true });
    writePair(dir, 'admin', admin);
  }
  let frontProxyCA = readPair(dir, 'front-proxy-ca');
  let frontProxyClient = frontProxyCA ? readPair(dir, 'front-proxy-client') : undefined;
  if (!frontProxyCA) {
    frontProxyCA = await createCA(`front-proxy-ca@${Math.floor(Date.now() / 1000)}`);
    writePair(dir, 'front-proxy-ca', frontProxyCA);
  }
  if (!frontProxyClient) {
    frontProxyClient = await issueCertificate(frontProxyCA, { subject: 'CN=front-proxy-client', client: true });
    writePair(dir, 'front-proxy-client', frontProxyClient);
  }
  return { ca, serving, admin, frontProxyCA, frontProxyClient };
}

/** issueClientCert signs a client certificate for a user and groups (node agents, extra users). */
export async function issueClientCert(ca: PemPair, user: string, groups: string[]): Promise<PemPair> {
  const subject = [`CN=${user}`, ...groups.map((g) => `O=${g}`)].join(', ');
  return issueCertificate(ca, { subject, client: true });
}
