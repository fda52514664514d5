// SPDX-License-Identifier: Apache-2.0
/**
 * A self-signed serving certificate for the kubelet's HTTPS port, what
 * upstream's kubelet makes for itself when no --tls-cert-file is given
 * (the API server then does not verify it unless told to, as upstream's
 * default --kubelet-certificate-authority is unset).
 */
import { selfSignedCertificate, type PemPair } from '../../pki/index.js';

/** ServingCert is a PEM certificate and key. */
export type ServingCert = PemPair;

/** selfSignedServingCert makes a one-year certificate for `hostName` and the given IP addresses. */
export async function selfSignedServingCert(hostName: string, ips: string[] = ['127.0.0.1']): Promise<ServingCert> {
  return selfSignedCertificate({ subject: `CN=${hostName}@${Math.floor(Date.now() / 1000)}`, server: true, sans: [hostName, ...ips] });
}
