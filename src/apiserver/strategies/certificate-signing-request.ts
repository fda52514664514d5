// SPDX-License-Identifier: Apache-2.0
/**
 * The CertificateSigningRequest strategy (upstream pkg/registry/certificates
 * and pkg/apis/certificates/validation): the requester's identity is recorded
 * from the request on create; the spec never changes afterwards; `/status`
 * sets the certificate and conditions other than Approved/Denied, `/approval`
 * only those two, and a certificate is only ever issued once.
 */
import type { CertificateSigningRequest, CertificateSigningRequestCondition } from 'kubernetes-types/certificates/v1.js';
import { field, type FieldError } from '../../machinery/index.js';
import type { KubeObject } from '../../api/index.js';
import { isQualifiedName } from '../../api/index.js';
import { certificateRequestError } from '../../pki/index.js';
import type { ResourceStrategy } from '../strategy.js';

/** KEY_USAGES are certificates.k8s.io/v1's KeyUsage values. */
export const KEY_USAGES = [
  'signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement', 'data encipherment', 'cert sign', 'crl sign',
  'encipher only', 'decipher only', 'any', 'server auth', 'client auth', 'code signing', 'email protection', 's/mime', 'ipsec end system',
  'ipsec tunnel', 'ipsec user', 'timestamping', 'ocsp signing', 'microsoft sgc', 'netscape sgc',
];

/** The condition types only /approval may set. */
const APPROVAL_CONDITIONS = new Set(['Approved', 'Denied']);

function csrOf(obj: KubeObject): CertificateSigningRequest {
  return obj as unknown as CertificateSigningRequest;
}

function decode(b64: string | undefined): string {
  return b64 ? Buffer.from(b64, 'base64').toString('utf8') : '';
}

function validateSpec(csr: CertificateSigningRequest): FieldError[] {
  const errs: FieldError[] = [];
  const spec = csr.spec;
  if (!spec?.request) errs.push(field.required('spec.request', ''));
  else {
    const why = certificateRequestError(decode(spec.request));
    if (why) errs.push(field.invalid('spec.request', '<request>', why));
  }
  if (!spec?.signerName) errs.push(field.required('spec.signerName', ''));
  else {
    const parts = spec.signerName.split('/');
    if (parts.length < 2 || !parts[0].includes('.') || !parts[1]) errs.push(field.invalid('spec.signerName', spec.signerName, 'must be a fully qualified domain and path of the form \'example.com/signer-name\''));
    else errs.push(...isQualifiedName(parts[0]).map((m) => field.invalid('spec.signerName', spec.signerName, m)));
  }
  if (!spec?.usages?.length) errs.push(field.required('spec.usages', 'usages must be provided'));
  const seen = new Set<string>();
  (spec?.usages ?? []).forEach((u, i) => {
    if (!KEY_USAGES.includes(u)) errs.push(field.notSupported(`spec.usages[${i}]`, u, KEY_USAGES));
    if (seen.has(u)) errs.push(field.duplicate(`spec.usages[${i}]`, u));
    seen.add(u);
  });
  if (spec?.expirationSeconds !== undefined && spec.expirationSeconds < 600) {
    errs.push(field.invalid('spec.expirationSeconds', spec.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
  }
  return errs;
}

function validateStatus(csr: CertificateSigningRequest, old?: CertificateSigningRequest): FieldError[] {
  const errs: FieldError[] = [];
  const conditions = csr.status?.conditions ?? [];
  const types = new Set<string>();
  conditions.forEach((c, i) => {
    const at = `status.conditions[${i}]`;
    if (!c.type) errs.push(field.required(`${at}.type`, ''));
    if (!c.status) errs.push(field.required(`${at}.status`, ''));
    else if (!['True', 'False', 'Unknown'].includes(c.status)) errs.push(field.notSupported(`${at}.status`, c.status, ['False', 'True', 'Unknown']));
    if (['Approved', 'Denied', 'Failed'].includes(c.type) && types.has(c.type)) errs.push(field.duplicate(`${at}.type`, c.type));
    types.add(c.type);
  });
  const isTrue = (t: string) => conditions.some((c) => c.type === t && c.status === 'True');
  if (isTrue('Approved') && isTrue('Denied')) errs.push(field.invalid('status.conditions', conditions.map((c) => c.type), 'Approved and Denied conditions are mutually exclusive'));
  const cert = csr.status?.certificate;
  if (cert) {
    if (!/^-----BEGIN CERTIFICATE-----/.test(decode(cert).trimStart())) errs.push(field.invalid('status.certificate', '<certificate data>', 'must contain at least one CERTIFICATE PEM block'));
    if (!isTrue('Approved')) errs.push(field.invalid('status.certificate', '<certificate data>', 'certificate can only be set once the request is approved'));
  }
  if (old?.status?.certificate && cert !== old.status.certificate) errs.push(field.forbidden('status.certificate', 'updates may not modify existing certificate content'));
  return errs;
}

/** certificateSigningRequestStrategy is the ResourceStrategy of certificates.k8s.io/v1 CertificateSigningRequests. */
export const certificateSigningRequestStrategy: ResourceStrategy = {
  prepareForCreate(obj, ctx) {
    const spec = (csrOf(obj).spec ?? {}) as NonNullable<CertificateSigningRequest['spec']>;
    // Whatever the client sent, the requester is who made the request (upstream's PrepareForCreate).
    delete spec.username;
    delete spec.uid;
    delete spec.groups;
    delete spec.extra;
    if (ctx) {
      spec.username = ctx.user.name;
      if (ctx.user.uid) spec.uid = ctx.user.uid;
      spec.groups = [...ctx.user.groups];
      if (ctx.user.extra && Object.keys(ctx.user.extra).length) spec.extra = structuredClone(ctx.user.extra);
    }
    obj.spec = spec;
  },
  prepareForUpdate(obj, old) {
    // The main resource only changes metadata.
    obj.spec = old.spec;
  },
  prepareForStatusUpdate(obj, old, subresource = 'status') {
    const next = csrOf(obj);
    const prev = csrOf(old);
    const keep = (c: CertificateSigningRequestCondition) => (subresource === 'approval' ? !APPROVAL_CONDITIONS.has(c.type) : APPROVAL_CONDITIONS.has(c.type));
    const take = (c: CertificateSigningRequestCondition) => (subresource === 'approval' ? APPROVAL_CONDITIONS.has(c.type) : !APPROVAL_CONDITIONS.has(c.type));
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const taken = (next.status?.conditions ?? []).filter(take).map((c) => ({ ...c, lastUpdateTime: c.lastUpdateTime ?? now, lastTransitionTime: c.lastTransitionTime ?? now }));
    const conditions = [...(prev.status?.conditions ?? []).filter(keep), ...taken];
    next.status = { ...(subresource === 'approval' ? prev.status : next.status), conditions };
    if (!conditions.length) delete next.status.conditions;
  },
  validate(obj) {
    return validateSpec(csrOf(obj));
  },
  validateStatusUpdate(obj, old) {
    return validateStatus(csrOf(obj), csrOf(old));
  },
};
