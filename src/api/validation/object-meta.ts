// SPDX-License-Identifier: Apache-2.0
/**
 * Generic metadata validation, as apimachinery's
 * `pkg/api/validation/objectmeta.go` and `pkg/apis/meta/v1/validation`:
 * name and generateName under the kind's naming rule, namespace presence,
 * labels, annotations (256 KiB in total), finalizers and ownerReferences.
 * The generic registry calls validateObjectMeta for every kind.
 */
import { field, type FieldError } from '../../machinery/index.js';
import { isPlainObject } from '../object.js';
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPathSegmentName,
  isValidPathSegmentPrefix,
  maskTrailingDash,
} from './names.js';

/** NameRule is how a kind's metadata.name is checked. */
export type NameRule = 'subdomain' | 'label' | 'dns1035-label' | 'path-segment';

/** nameRuleFor returns the naming rule of a kind, as each upstream ValidateXName. */
export function nameRuleFor(group: string, kind: string): NameRule {
  if (group === '' && kind === 'Namespace') return 'label';
  // Service names become DNS labels that must not start with a digit.
  if (group === '' && kind === 'Service') return 'dns1035-label';
  if (group === 'rbac.authorization.k8s.io') return 'path-segment';
  if (group === '' && kind === 'PersistentVolume') return 'path-segment';
  // Upstream's ValidateCertificateRequestName checks nothing beyond a path segment: kubelets name theirs node-csr-<base64url digest>.
  if (group === 'certificates.k8s.io' && kind === 'CertificateSigningRequest') return 'path-segment';
  // kube-aggregator checks a path segment, then that the name is `<version>.<group>` (`v1.` for the core group).
  if (group === 'apiregistration.k8s.io' && kind === 'APIService') return 'path-segment';
  return 'subdomain';
}

/** validateNameByRule returns the messages for a name (or, with prefix, a generateName) under a rule. */
export function validateNameByRule(name: string, rule: NameRule, prefix = false): string[] {
  if (rule === 'path-segment') return prefix ? isValidPathSegmentPrefix(name) : isValidPathSegmentName(name);
  const n = prefix ? maskTrailingDash(name) : name;
  if (rule === 'label') return isDNS1123Label(n);
  if (rule === 'dns1035-label') return isDNS1035Label(n);
  return isDNS1123Subdomain(n);
}

/** ValidateObjectMetaOptions says how the generic metadata check treats one kind. */
export interface ValidateObjectMetaOptions {
  namespaced: boolean;
  nameRule: NameRule;
}

/** TOTAL_ANNOTATION_SIZE_LIMIT is upstream's 256 KiB cap on all annotation keys and values together. */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** tooLongError is field.TooLong as of Kubernetes 1.32: the value is omitted. */
export function tooLongError(path: string, max: number): FieldError {
  return { type: 'FieldValueTooLong', field: path, detail: `may not be more than ${max} ${max === 1 ? 'byte' : 'bytes'}` };
}

/** validateLabels checks label keys and values; errors name the map path, not the key, as upstream. */
export function validateLabels(labels: unknown, path: string): FieldError[] {
  if (labels === undefined || labels === null) return [];
  if (!isPlainObject(labels)) return [field.invalid(path, labels, 'must be a map of string keys to string values')];
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels)) {
    for (const m of isQualifiedName(k)) errs.push(field.invalid(path, k, m));
    const value = typeof v === 'string' ? v : String(v);
    for (const m of isValidLabelValue(value)) errs.push(field.invalid(path, value, m));
  }
  return errs;
}

/** validateAnnotations checks annotation keys (case-insensitively qualified) and the 256 KiB total. */
export function validateAnnotations(annotations: unknown, path: string): FieldError[] {
  if (annotations === undefined || annotations === null) return [];
  if (!isPlainObject(annotations)) return [field.invalid(path, annotations, 'must be a map of string keys to string values')];
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(field.invalid(path, k, m));
    total += Buffer.byteLength(k) + Buffer.byteLength(typeof v === 'string' ? v : String(v));
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLongError(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

function validateFinalizers(finalizers: unknown, path: string): FieldError[] {
  if (finalizers === undefined || finalizers === null) return [];
  if (!Array.isArray(finalizers)) return [field.invalid(path, finalizers, 'must be a list of strings')];
  const errs: FieldError[] = [];
  for (const f of finalizers) {
    const s = String(f);
    for (const m of isQualifiedName(s)) errs.push(field.invalid(path, s, m));
  }
  return errs;
}

function validateOwnerReferences(refs: unknown, path: string): FieldError[] {
  if (refs === undefined || refs === null) return [];
  if (!Array.isArray(refs)) return [field.invalid(path, refs, 'must be a list of owner references')];
  const errs: FieldError[] = [];
  let controllerName: string | undefined;
  for (const raw of refs) {
    const ref = isPlainObject(raw) ? raw : {};
    const apiVersion = typeof ref.apiVersion === 'string' ? ref.apiVersion : '';
    const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
    if (!version) errs.push(field.invalid(`${path}.apiVersion`, apiVersion, 'version must not be empty'));
    if (!ref.kind) errs.push(field.invalid(`${path}.kind`, ref.kind ?? '', 'kind must not be empty'));
    if (!ref.name) errs.push(field.invalid(`${path}.name`, ref.name ?? '', 'name must not be empty'));
    if (!ref.uid) errs.push(field.invalid(`${path}.uid`, ref.uid ?? '', 'uid must not be empty'));
    if (ref.controller === true) {
      if (controllerName !== undefined) {
        errs.push(field.invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${controllerName} and ${String(ref.name)}`));
      } else {
        controllerName = String(ref.name);
      }
    }
  }
  return errs;
}

function validateNameFields(meta: Record<string, unknown>, rule: NameRule, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const generateName = typeof meta.generateName === 'string' ? meta.generateName : '';
  if (generateName) {
    for (const m of validateNameByRule(generateName, rule, true)) errs.push(field.invalid(`${path}.generateName`, generateName, m));
  }
  const name = typeof meta.name === 'string' ? meta.name : '';
  if (!name) {
    if (!generateName) errs.push(field.required(`${path}.name`, 'name or generateName is required'));
  } else {
    for (const m of validateNameByRule(name, rule)) errs.push(field.invalid(`${path}.name`, name, m));
  }
  return errs;
}

function validateNamespaceField(meta: Record<string, unknown>, namespaced: boolean, path: string): FieldError[] {
  const ns = typeof meta.namespace === 'string' ? meta.namespace : '';
  if (!namespaced) return ns ? [field.forbidden(`${path}.namespace`, 'not allowed on this type')] : [];
  if (!ns) return [field.required(`${path}.namespace`, '')];
  return isDNS1123Label(ns).map((m) => field.invalid(`${path}.namespace`, ns, m));
}

/**
 * validateObjectMeta checks an object's metadata as upstream's
 * ValidateObjectMeta: name/generateName by the kind's rule, namespace present
 * exactly when the kind is namespaced, labels, annotations, finalizers and
 * ownerReferences.
 */
export function validateObjectMeta(meta: unknown, opts: ValidateObjectMetaOptions, path = 'metadata'): FieldError[] {
  const m = isPlainObject(meta) ? meta : {};
  return [
    ...validateNameFields(m, opts.nameRule, path),
    ...validateNamespaceField(m, opts.namespaced, path),
    ...validateLabels(m.labels, `${path}.labels`),
    ...validateAnnotations(m.annotations, `${path}.annotations`),
    ...validateOwnerReferences(m.ownerReferences, `${path}.ownerReferences`),
    ...validateFinalizers(m.finalizers, `${path}.finalizers`),
  ];
}
