// SPDX-License-Identifier: Apache-2.0
/**
 * A self-signed serving certificate for the kubelet's HTTPS port, what
 * upstream's kubelet makes for itself when no --tls-cert-file is given
 * (the API server then does not verify it unless told to, as upstream's
 * default --kubelet-certificate-authority is unset).
 */
import { webcrypto } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG: EcKeyGenParams & EcdsaParams = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

/** ServingCert is a PEM certificate and key. */
export interface ServingCert {
  cert: string;
  key: string;
}

/** selfSignedServingCert makes a one-year certificate for `hostName` and the given IP addresses. */
export async function selfSignedServingCert(hostName: string, ips: string[] = ['127.0.0.1']): Promise<ServingCert> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex').replace(/^[89a-f]/, '1'),
    name: `CN=${hostName}@${Math.floor(now / 1000)}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 365 * 24 * 3600 * 1000),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: hostName }, ...ips.map((ip) => ({ type: 'ip' as const, value: ip }))]),
    ],
  });
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { cert: cert.toString('pem'), key: x509.PemConverter.encode(der, 'PRIVATE KEY') };
}
