// SPDX-License-Identifier: Apache-2.0
/**
 * AdmissionReview objects, as upstream's webhook/request package: the request
 * sent in the first admissionReviewVersion the webhook accepts (v1 or
 * v1beta1), and the checks on the answer (VerifyAdmissionResponse: response
 * present, uid echoed, v1's apiVersion/kind, patch and patchType together
 * only from mutating webhooks) with upstream's messages.
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../../api/index.js';
import type { UserInfo } from '../../registry/request-context.js';

/** Invocation is one webhook call's subject: the resource and kind the webhook sees (an equivalent one under matchPolicy Equivalent). */
export interface ReviewSubject {
  group: string;
  version: string;
  kind: string;
  resource: string;
  subresource: string;
  requestGroup: string;
  requestVersion: string;
  requestKind: string;
  requestResource: string;
  name: string;
  namespace: string;
  operation: string;
  user: UserInfo;
  dryRun: boolean;
  object?: KubeObject;
  oldObject?: KubeObject;
  options?: Record<string, unknown>;
}

/** AdmissionResult is the verified answer. */
export interface AdmissionResult {
  allowed: boolean;
  /** patch is the base64 text of the answer's patch. */
  patch?: string;
  patchType?: string;
  status?: { code?: number; reason?: string; message?: string; details?: unknown };
  warnings: string[];
  auditAnnotations: Record<string, string>;
}

/** admissionRequest is the `request` of an AdmissionReview (also CEL's `request` variable). */
export function admissionRequest(uid: string, s: ReviewSubject): Record<string, unknown> {
  const req: Record<string, unknown> = {
    uid,
    kind: { group: s.group, version: s.version, kind: s.kind },
    resource: { group: s.group, version: s.version, resource: s.resource },
  };
  if (s.subresource) req.subResource = s.subresource;
  req.requestKind = { group: s.requestGroup, version: s.requestVersion, kind: s.requestKind };
  req.requestResource = { group: s.requestGroup, version: s.requestVersion, resource: s.requestResource };
  if (s.subresource) req.requestSubResource = s.subresource;
  if (s.name) req.name = s.name;
  if (s.namespace) req.namespace = s.namespace;
  req.operation = s.operation;
  const user: Record<string, unknown> = { username: s.user.name };
  if (s.user.uid) user.uid = s.user.uid;
  if (s.user.groups.length) user.groups = s.user.groups;
  if (s.user.extra && Object.keys(s.user.extra).length) user.extra = s.user.extra;
  req.userInfo = user;
  req.object = s.object ?? null;
  req.oldObject = s.oldObject ?? null;
  req.dryRun = s.dryRun;
  req.options = s.options ?? null;
  return req;
}

/** newReview picks the first known version the webhook accepts; undefined when none (upstream's error then). */
export function newReview(versions: string[], s: ReviewSubject): { uid: string; version: string; body: unknown } | undefined {
  const version = versions.find((v) => v === 'v1' || v === 'v1beta1');
  if (!version) return undefined;
  const uid = randomUUID();
  return { uid, version, body: { kind: 'AdmissionReview', apiVersion: `admission.k8s.io/${version}`, request: admissionRequest(uid, s) } };
}

/** NO_KNOWN_VERSION is upstream's error when admissionReviewVersions lists none it can send. */
export const NO_KNOWN_VERSION = 'webhook does not accept known AdmissionReview versions (v1, v1beta1)';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** verifyResponse checks an answer as VerifyAdmissionResponse; a string is the reason it is invalid. */
export function verifyResponse(uid: string, version: string, mutating: boolean, answer: unknown): AdmissionResult | string {
  const a = isObject(answer) ? answer : {};
  const r = a.response;
  if (!isObject(r)) return 'webhook response was absent';
  let patchRaw = typeof r.patch === 'string' && r.patch !== '' ? r.patch : undefined;
  let patchType = typeof r.patchType === 'string' ? r.patchType : undefined;
  if (version === 'v1') {
    if (r.uid !== uid) return `expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(typeof r.uid === 'string' ? r.uid : '')}`;
    if (a.apiVersion !== 'admission.k8s.io/v1' || a.kind !== 'AdmissionReview') {
      const api = typeof a.apiVersion === 'string' ? a.apiVersion : '';
      const slash = api.indexOf('/');
      const gv = slash < 0 ? `/${api}` : api;
      return `expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${gv}, Kind=${typeof a.kind === 'string' ? a.kind : ''}`;
    }
    if (mutating) {
      if (patchRaw && r.patchType === undefined) return 'webhook returned response.patch but not response.patchType';
      if (!patchRaw && r.patchType !== undefined && r.patchType !== null) return 'webhook returned response.patchType but not response.patch';
      if (r.patchType !== undefined && r.patchType !== null && !patchType) return `webhook returned invalid response.patchType of ${JSON.stringify(patchType ?? '')}`;
    } else {
      if (patchRaw) return 'validating webhook may not return response.patch';
      if (r.patchType !== undefined && r.patchType !== null) return 'validating webhook may not return response.patchType';
    }
  } else if (mutating) {
    // v1beta1 answers were never checked for patchType; a patch is a JSON patch.
    patchType = patchRaw ? 'JSONPatch' : undefined;
  } else {
    patchRaw = undefined;
    patchType = undefined;
  }
  const warnings = Array.isArray(r.warnings) ? r.warnings.filter((w): w is string => typeof w === 'string') : [];
  const auditAnnotations: Record<string, string> = {};
  if (isObject(r.auditAnnotations)) for (const [k, v] of Object.entries(r.auditAnnotations)) if (typeof v === 'string') auditAnnotations[k] = v;
  return {
    allowed: r.allowed === true,
    patch: patchRaw,
    patchType,
    status: isObject(r.status) ? (r.status as AdmissionResult['status']) : undefined,
    warnings,
    auditAnnotations,
  };
}

/** decodePatch reads a base64 JSON patch; a string is upstream's `received undecodable patch` reason. */
export function decodePatch(raw: string): unknown[] | string {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
    if (!Array.isArray(decoded)) return `received undecodable patch in webhook response: json: cannot unmarshal ${decoded === null ? 'null' : typeof decoded} into Go value of type jsonpatch.Patch`;
    return decoded;
  } catch (err) {
    return `received undecodable patch in webhook response: ${(err as Error).message}`;
  }
}
