// SPDX-License-Identifier: Apache-2.0
/** The CertificateSigningRequest table, as upstream's printers.go prints it (`kubectl get csr`). */
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import { age, ageColumn, column, nameColumn, printer } from './columns.js';
import { humanDuration } from './duration.js';

/** csrCondition is upstream's extractCSRStatus: Approved/Denied/Failed (or Pending), then Issued once a certificate is set. */
export function csrCondition(csr: CertificateSigningRequest): string {
  const out: string[] = [];
  for (const c of csr.status?.conditions ?? []) {
    if (c.type === 'Approved' || c.type === 'Denied' || c.type === 'Failed') out.push(c.type);
  }
  if (!out.length) out.push('Pending');
  if (csr.status?.certificate) out.push('Issued');
  return out.join(',');
}

/** certificateSigningRequestTableConvertor: NAME AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION. */
export const certificateSigningRequestTableConvertor = printer<CertificateSigningRequest>(
  [
    nameColumn(),
    ageColumn(),
    column('SignerName', 'string', 'Requested signer for the request.'),
    column('Requestor', 'string', 'Name of the user that created the request.'),
    column('RequestedDuration', 'string', 'Requested lifetime of the issued certificate.'),
    column('Condition', 'string', 'Approval state of the request.'),
  ],
  (csr, now) => [
    csr.metadata?.name ?? '',
    age(csr, now),
    csr.spec?.signerName ?? '',
    csr.spec?.username ?? '',
    csr.spec?.expirationSeconds === undefined ? '<none>' : humanDuration(csr.spec.expirationSeconds * 1000),
    csrCondition(csr),
  ],
);
