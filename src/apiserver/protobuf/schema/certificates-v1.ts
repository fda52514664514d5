// SPDX-License-Identifier: Apache-2.0
/**
 * Protobuf field table of certificates.k8s.io/v1 (Kubernetes 1.32): the
 * CertificateSigningRequest that `kubectl certificate approve|deny` sends
 * back through the approval subresource. Notation is described in ./field-spec.ts.
 */
import type { SchemaPackage } from './field-spec.js';

/** CERTIFICATES_V1 lists the certificates.k8s.io/v1 messages by name, in the notation of field-spec.ts. */
export const CERTIFICATES_V1: SchemaPackage = {
  pkg: 'certificates',
  apiVersion: 'certificates.k8s.io/v1',
  kinds: ['CertificateSigningRequest'],
  messages: {
    CertificateSigningRequest: 'metadata=1:meta.ObjectMeta spec=2:CertificateSigningRequestSpec! status=3:CertificateSigningRequestStatus',
    CertificateSigningRequestCondition:
      'type=1:string! status=6:string! reason=2:string message=3:string lastUpdateTime=4:time lastTransitionTime=5:time',
    CertificateSigningRequestSpec:
      'request=1:bytes! signerName=7:string! expirationSeconds=8:int32? usages=5:[]string username=2:string uid=3:string ' +
      'groups=4:[]string extra=6:{ExtraValue}',
    CertificateSigningRequestStatus: 'conditions=1:[]CertificateSigningRequestCondition certificate=2:bytes',
    ExtraValue: '@=1:[]string',
  },
};
