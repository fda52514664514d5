// SPDX-License-Identifier: Apache-2.0
/**
 * X.509 certificates for everything in Skiff that serves TLS: the cluster
 * CA and the certificates it signs (API server, clients, kubelets), and
 * self-signed ones (the kubelet's own serving certificate, the Ingress
 * default certificate). ECDSA P-256 keeps generation to milliseconds, which
 * matters for time-to-ready. Keys and signatures come from node:crypto; the
 * certificate itself is encoded here (RFC 5280 profile, der.ts).
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import * as der from './der.js';

const DAY = 24 * 3600 * 1000;

const OID = {
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

/** Name attributes a subject may carry (`CN=..., O=...`). */
const NAME_ATTRIBUTES: Record<string, string> = { CN: '2.5.4.3', O: '2.5.4.10', OU: '2.5.4.11', C: '2.5.4.6', L: '2.5.4.7', ST: '2.5.4.8' };

/** KeyUsage bit numbers (RFC 5280 4.2.1.3). */
const KEY_USAGE = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 };

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

interface Keys {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

function newKeys(): Keys {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

/** encodeName encodes `CN=a, O=b` as an RDNSequence, one attribute per RDN, in the order written. */
function encodeName(dn: string): Buffer {
  const rdns = dn.split(/,\s*/).map((part) => {
    const eq = part.indexOf('=');
    const type = part.slice(0, eq).trim().toUpperCase();
    const oid = NAME_ATTRIBUTES[type];
    if (eq < 0 || !oid) throw new Error(`unsupported name attribute in ${JSON.stringify(dn)}`);
    const value = part.slice(eq + 1);
    // countryName is a PrintableString (RFC 5280 appendix A); the rest are UTF8String.
    return der.set(der.sequence(der.objectIdentifier(oid), type === 'C' ? der.printableString(value) : der.utf8String(value)));
  });
  return der.sequence(...rdns);
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return der.sequence(der.objectIdentifier(oid), ...(critical ? [der.booleanTrue()] : []), der.octetString(value));
}

/** keyIdentifier is the SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2, method 1). */
function keyIdentifier(spki: Buffer): Buffer {
  const [, subjectPublicKey] = der.elements(der.elements(spki)[0].content);
  return createHash('sha1').update(subjectPublicKey.content.subarray(1)).digest();
}

function leafExtensions(r: CertificateRequest): Buffer[] {
  const usages = [...(r.server ? [OID.serverAuth] : []), ...(r.client ? [OID.clientAuth] : [])];
  const ext = [
    extension(OID.basicConstraints, true, der.sequence()),
    extension(OID.keyUsage, true, der.namedBits([KEY_USAGE.digitalSignature, KEY_USAGE.keyEncipherment])),
  ];
  if (usages.length) ext.push(extension(OID.extKeyUsage, false, der.sequence(...usages.map(der.objectIdentifier))));
  if (r.sans?.length) {
    const names = r.sans.map((s) => (/^[\d.]+$/.test(s) || s.includes(':') ? der.implicit(7, ipAddressBytes(s)) : der.implicit(2, Buffer.from(s, 'ascii'))));
    ext.push(extension(OID.subjectAltName, false, der.sequence(...names)));
  }
  return ext;
}

/** ipAddressBytes is the 4 or 16 bytes of an iPAddress GeneralName. */
function ipAddressBytes(ip: string): Buffer {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  if (!isIPv6(ip)) throw new Error(`${JSON.stringify(ip)} is not an IP address`);
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups; '::' stands for as many zero groups as are missing.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  const text = v4 ? ip.slice(0, v4.index) + (((+v4[1] << 8) | +v4[2]).toString(16) + ':' + ((+v4[3] << 8) | +v4[4]).toString(16)) : ip;
  const [head, tail] = text.split('::');
  const groups = (s?: string) => (s ? s.split(':').filter(Boolean).map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

function serial(): Buffer {
  // Positive, with a non-zero leading nibble: a serial must not read as negative in DER.
  const b = randomBytes(16);
  b[0] = (b[0] & 0x7f) | 0x10;
  return b;
}

interface TBS {
  subject: Buffer;
  issuer: Buffer;
  days: number;
  publicKey: KeyObject;
  signingKey: KeyObject;
  extensions: Buffer[];
}

/** signed encodes and signs a v3 TBSCertificate and returns the PEM certificate. */
function signed(t: TBS): string {
  const algorithm = der.sequence(der.objectIdentifier(OID.ecdsaWithSHA256));
  // Backdated a minute so clocks slightly behind ours accept it at once.
  const notBefore = new Date(Date.now() - 60_000);
  const tbs = der.sequence(
    der.explicit(0, der.smallInteger(2)),
    der.unsignedInteger(serial()),
    algorithm,
    t.issuer,
    der.sequence(der.time(notBefore), der.time(new Date(Date.now() + t.days * DAY))),
    t.subject,
    t.publicKey.export({ type: 'spki', format: 'der' }),
    der.explicit(3, der.sequence(...t.extensions)),
  );
  const cert = der.sequence(tbs, algorithm, der.bitString(sign('sha256', tbs, t.signingKey)));
  const lines = cert.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

function keyPem(k: KeyObject): string {
  return k.export({ type: 'pkcs8', format: 'pem' }) as string;
}

/** issuerOf reads what a certificate signed by `caPem` names as its issuer and authority key: the CA's subject bytes and key identifier. */
function issuerOf(caPem: string): { subject: Buffer; keyId: Buffer } {
  const ca = new X509Certificate(caPem);
  const [tbs] = der.elements(der.elements(ca.raw)[0].content);
  const fields = der.elements(tbs.content);
  const at = fields[0].tag === 0xa0 ? 1 : 0; // [0] version, then serial, signature, issuer, validity, subject
  const subject = fields[at + 4].raw;
  // The CA's own subjectKeyIdentifier when it has one (whatever method made it), else the RFC 5280 method 1 value.
  const wanted = der.objectIdentifier(OID.subjectKeyIdentifier);
  const extensions = fields.find((f) => f.tag === 0xa3);
  for (const ext of extensions ? der.elements(der.elements(extensions.content)[0].content) : []) {
    const parts = der.elements(ext.content);
    if (parts[0].raw.equals(wanted)) return { subject, keyId: der.elements(parts[parts.length - 1].content)[0].content };
  }
  return { subject, keyId: keyIdentifier(ca.publicKey.export({ type: 'spki', format: 'der' })) };
}

/** createCA makes a self-signed certificate authority (10 years). */
export async function createCA(commonName: string): Promise<PemPair> {
  const keys = newKeys();
  const name = encodeName(`CN=${commonName}`);
  const cert = signed({
    subject: name,
    issuer: name,
    days: 3650,
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    extensions: [
      extension(OID.basicConstraints, true, der.sequence(der.booleanTrue())),
      extension(OID.keyUsage, true, der.namedBits([KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign, KEY_USAGE.digitalSignature])),
      extension(OID.subjectKeyIdentifier, false, der.octetString(keyIdentifier(keys.publicKey.export({ type: 'spki', format: 'der' })))),
    ],
  });
  return { cert, key: keyPem(keys.privateKey) };
}

/** issueCertificate signs a leaf certificate with a CA (1 year unless `days`). */
export async function issueCertificate(ca: PemPair, r: CertificateRequest): Promise<PemPair> {
  const keys = newKeys();
  const issuer = issuerOf(ca.cert);
  const cert = signed({
    subject: encodeName(r.subject),
    issuer: issuer.subject,
    days: r.days ?? 365,
    publicKey: keys.publicKey,
    signingKey: createPrivateKey(ca.key),
    extensions: [...leafExtensions(r), extension(OID.authorityKeyIdentifier, false, der.sequence(der.implicit(0, issuer.keyId)))],
  });
  return { cert, key: keyPem(keys.privateKey) };
}

/** selfSignedCertificate makes a certificate signed by its own key (kubelet serving, Ingress default). */
export async function selfSignedCertificate(r: CertificateRequest): Promise<PemPair> {
  const keys = newKeys();
  const name = encodeName(r.subject);
  const cert = signed({ subject: name, issuer: name, days: r.days ?? 365, publicKey: keys.publicKey, signingKey: keys.privateKey, extensions: leafExtensions(r) });
  return { cert, key: keyPem(keys.privateKey) };
}
