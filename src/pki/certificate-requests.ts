// SPDX-License-Identifier: Apache-2.0
/**
 * PKCS#10 certificate requests: what a node makes to ask for a client or
 * serving certificate (as client-go's certificate manager does), how the
 * signer reads one, and how it turns one into a certificate signed by the
 * cluster CA (upstream's pkg/controller/certificates/signer with the
 * usages of certificates.k8s.io/v1 KeyUsage names). Also the CA public key
 * pin that join tokens carry (kubeadm's --discovery-token-ca-cert-hash).
 */
import { createHash, webcrypto, X509Certificate as NodeX509 } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as X509 from '@peculiar/x509';
import type { PemPair } from './certificates.js';

// The X.509 library (with its ASN.1 schemas, about 3 MB of heap) is loaded when a certificate request is first
// made or read, which an idle server with no joining node never does.
const requireLazily = createRequire(import.meta.url);
let loaded: typeof X509 | undefined;

function x509(): typeof X509 {
  if (!loaded) {
    // @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect metadata polyfill loaded first.
    requireLazily('reflect-metadata');
    loaded = requireLazily('@peculiar/x509') as typeof X509;
    loaded.cryptoProvider.set(webcrypto as unknown as Crypto);
  }
  return loaded;
}

const ALG: EcKeyGenParams & EcdsaParams = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

/** RequestSubject names who a certificate is for: CN is the user, O the groups (as the x509 authenticator reads them). */
export interface RequestSubject {
  commonName: string;
  organizations?: string[];
  /** DNS names and IP addresses (told apart by shape). */
  sans?: string[];
}

/** ParsedRequest is what a signer or approver reads from a CSR. */
export interface ParsedRequest {
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  /** otherNames counts SANs of other kinds (email, URI), which kubelet certificates must not carry. */
  otherNames: number;
}

/** CertificateRequestError is a CSR that does not parse or whose signature does not verify. */
export class CertificateRequestError extends Error {}

function isIP(s: string): boolean {
  return /^[\d.]+$/.test(s) || s.includes(':');
}

/** createCertificateRequest makes a new P-256 key and a CSR for it, both PEM. */
export async function createCertificateRequest(s: RequestSubject): Promise<{ request: string; key: string }> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const name = [`CN=${s.commonName}`, ...(s.organizations ?? []).map((o) => `O=${o}`)].join(', ');
  const x = x509();
  const extensions: X509.Extension[] = [];
  if (s.sans?.length) extensions.push(new x.SubjectAlternativeNameExtension(s.sans.map((v) => ({ type: isIP(v) ? ('ip' as const) : ('dns' as const), value: v }))));
  const csr = await x.Pkcs10CertificateRequestGenerator.create({ name, keys, signingAlgorithm: ALG, extensions });
  const key = x.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
  return { request: csr.toString('pem'), key };
}

async function loadRequest(pem: string): Promise<X509.Pkcs10CertificateRequest> {
  let csr: X509.Pkcs10CertificateRequest;
  try {
    csr = new (x509().Pkcs10CertificateRequest)(pem);
  } catch (err) {
    throw new CertificateRequestError(`the request is not a PEM CERTIFICATE REQUEST: ${(err as Error).message}`);
  }
  if (!(await csr.verify().catch(() => false))) throw new CertificateRequestError('the request signature does not verify');
  return csr;
}

/** certificateRequestError says why a PEM CSR does not parse (undefined when it does), without checking its signature, as upstream's ParseCSR. */
export function certificateRequestError(pem: string): string | undefined {
  if (!/-----BEGIN CERTIFICATE REQUEST-----/.test(pem)) return 'PEM block type must be CERTIFICATE REQUEST';
  try {
    new (x509().Pkcs10CertificateRequest)(pem);
    return undefined;
  } catch (err) {
    return `asn1: ${(err as Error).message}`;
  }
}

/** parseCertificateRequest reads a PEM CSR and checks its self-signature. */
export async function parseCertificateRequest(pem: string): Promise<ParsedRequest> {
  const csr = await loadRequest(pem);
  const out: ParsedRequest = {
    commonName: csr.subjectName.getField('CN')[0] ?? '',
    organizations: csr.subjectName.getField('O'),
    dnsNames: [],
    ipAddresses: [],
    otherNames: 0,
  };
  const san = csr.getExtension('2.5.29.17');
  if (san) {
    for (const n of new (x509().SubjectAlternativeNameExtension)(san.rawData).names.items) {
      if (n.type === 'dns') out.dnsNames.push(n.value);
      else if (n.type === 'ip') out.ipAddresses.push(n.value);
      else out.otherNames++;
    }
  }
  return out;
}

/** SigningOptions: the certificates.k8s.io usages granted and how long the certificate lives. */
export interface SigningOptions {
  usages: string[];
  /** notAfter is capped at the CA's own expiry, as upstream's signer does. */
  durationSeconds: number;
}

/** signCertificateRequest issues a certificate for the CSR's key, subject and SANs, signed by `ca`. */
export async function signCertificateRequest(ca: PemPair, requestPem: string, o: SigningOptions): Promise<string> {
  const x = x509();
  const csr = await loadRequest(requestPem);
  const caCert = new x.X509Certificate(ca.cert);
  let keyUsage = 0;
  if (o.usages.includes('digital signature')) keyUsage |= x.KeyUsageFlags.digitalSignature;
  if (o.usages.includes('key encipherment')) keyUsage |= x.KeyUsageFlags.keyEncipherment;
  const eku: string[] = [];
  if (o.usages.includes('client auth')) eku.push(x.ExtendedKeyUsage.clientAuth);
  if (o.usages.includes('server auth')) eku.push(x.ExtendedKeyUsage.serverAuth);
  const extensions: X509.Extension[] = [new x.BasicConstraintsExtension(false, undefined, true), new x.KeyUsagesExtension(keyUsage, true)];
  if (eku.length) extensions.push(new x.ExtendedKeyUsageExtension(eku));
  const san = csr.getExtension('2.5.29.17');
  if (san) extensions.push(new x.SubjectAlternativeNameExtension(san.rawData));
  extensions.push(await x.AuthorityKeyIdentifierExtension.create(caCert));
  const now = Date.now();
  const notAfter = new Date(Math.min(now + o.durationSeconds * 1000, caCert.notAfter.getTime()));
  const serial = Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[089a-f]/, '1');
  const cert = await x.X509CertificateGenerator.create({
    serialNumber: serial,
    subject: csr.subjectName,
    issuer: caCert.subject,
    // Backdated five minutes for clock skew, as upstream's signer does.
    notBefore: new Date(now - 5 * 60_000),
    notAfter,
    publicKey: csr.publicKey,
    signingKey: await webcrypto.subtle.importKey('pkcs8', x.PemConverter.decodeFirst(ca.key), ALG, false, ['sign']),
    signingAlgorithm: ALG,
    extensions,
  });
  return cert.toString('pem');
}

/**
 * caPublicKeyHash is `sha256:<hex>` of the certificate's DER
 * SubjectPublicKeyInfo, the form of kubeadm's --discovery-token-ca-cert-hash.
 */
export function caPublicKeyHash(certPem: string): string {
  const spki = new NodeX509(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}
