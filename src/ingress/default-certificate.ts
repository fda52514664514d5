// SPDX-License-Identifier: Apache-2.0
/**
 * The certificate served when no Ingress TLS entry matches the SNI name. As
 * ingress-nginx, it is a self-signed "Kubernetes Ingress Controller Fake
 * Certificate", generated in memory at start (ECDSA P-256 takes a few
 * milliseconds) and never written to disk.
 */
import { selfSignedCertificate as selfSigned } from '../pki/index.js';

/** FAKE_CERTIFICATE_CN is the subject common name ingress-nginx gives its default certificate. */
export const FAKE_CERTIFICATE_CN = 'Kubernetes Ingress Controller Fake Certificate';

/** selfSignedCertificate makes a PEM certificate and PKCS#8 key for the given DNS names, valid for a year. */
export async function selfSignedCertificate(cn: string = FAKE_CERTIFICATE_CN, dnsNames: string[] = ['ingress.local']): Promise<{ cert: string; key: string }> {
  return selfSigned({ subject: `CN=${cn}, O=Acme Co`, server: true, sans: dnsNames });
}
