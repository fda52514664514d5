// SPDX-License-Identifier: Apache-2.0
/**
 * Validation of pod volumes, as upstream's ValidateVolumes: unique DNS-label
 * names, exactly one source, and the required fields of the sources people
 * use (emptyDir, hostPath, configMap, secret, PVC, projected, downwardAPI).
 */
import type { KeyToPath, Volume } from 'kubernetes-types/core/v1.js';
import { field, type FieldError } from '../../machinery/index.js';
import { isPlainObject } from '../../api/index.js';
import { tryParseQuantity } from '../../api/index.js';
import { IS_NEGATIVE_ERROR_MSG } from '../../api/index.js';
import { VOLUME_SOURCE_KEYS } from './pod-defaults.js';
import { validateDNS1123LabelField } from './container-validation.js';

const fileModeMsg = 'must be a number between 0 and 0777 (octal), both inclusive';

function validateMode(mode: unknown, path: string): FieldError[] {
  return typeof mode === 'number' && (mode < 0 || mode > 0o777) ? [field.invalid(path, mode, fileModeMsg)] : [];
}

function validateLocalDescendingPath(p: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (p.startsWith('/')) errs.push(field.invalid(path, p, 'must be a relative path'));
  if (p.split('/').includes('..')) errs.push(field.invalid(path, p, "must not contain '..'"));
  return errs;
}

function validateKeyToPaths(items: KeyToPath[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (items ?? []).forEach((it, i) => {
    const at = `${path}[${i}]`;
    if (!it.key) errs.push(field.required(`${at}.key`, ''));
    if (!it.path) errs.push(field.required(`${at}.path`, ''));
    else errs.push(...validateLocalDescendingPath(it.path, `${at}.path`));
    errs.push(...validateMode(it.mode, `${at}.mode`));
  });
  return errs;
}

function validateSource(v: Volume, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (v.hostPath && !v.hostPath.path) errs.push(field.required(`${path}.hostPath.path`, ''));
  if (v.configMap) {
    if (!v.configMap.name) errs.push(field.required(`${path}.configMap.name`, ''));
    errs.push(...validateMode(v.configMap.defaultMode, `${path}.configMap.defaultMode`));
    errs.push(...validateKeyToPaths(v.configMap.items, `${path}.configMap.items`));
  }
  if (v.secret) {
    if (!v.secret.secretName) errs.push(field.required(`${path}.secret.secretName`, ''));
    errs.push(...validateMode(v.secret.defaultMode, `${path}.secret.defaultMode`));
    errs.push(...validateKeyToPaths(v.secret.items, `${path}.secret.items`));
  }
  if (v.persistentVolumeClaim && !v.persistentVolumeClaim.claimName) errs.push(field.required(`${path}.persistentVolumeClaim.claimName`, ''));
  if (v.emptyDir?.sizeLimit !== undefined) {
    const q = tryParseQuantity(v.emptyDir.sizeLimit);
    if (typeof q === 'string') errs.push(field.invalid(`${path}.emptyDir.sizeLimit`, v.emptyDir.sizeLimit, q));
    else if (q.sign() < 0) errs.push(field.invalid(`${path}.emptyDir.sizeLimit`, q.toString(), IS_NEGATIVE_ERROR_MSG));
  }
  if (v.emptyDir?.medium && !['Memory', 'HugePages'].includes(v.emptyDir.medium) && !v.emptyDir.medium.startsWith('HugePages-')) {
    errs.push(field.notSupported(`${path}.emptyDir.medium`, v.emptyDir.medium, ['', 'Memory', 'HugePages']));
  }
  if (v.downwardAPI) {
    errs.push(...validateMode(v.downwardAPI.defaultMode, `${path}.downwardAPI.defaultMode`));
    (v.downwardAPI.items ?? []).forEach((it, i) => {
      if (!it.path) errs.push(field.required(`${path}.downwardAPI.items[${i}].path`, ''));
    });
  }
  if (v.projected) {
    errs.push(...validateMode(v.projected.defaultMode, `${path}.projected.defaultMode`));
    (v.projected.sources ?? []).forEach((s, i) => {
      const at = `${path}.projected.sources[${i}]`;
      const tok = s.serviceAccountToken;
      if (tok && !tok.path) errs.push(field.required(`${at}.serviceAccountToken.path`, ''));
      if (tok?.expirationSeconds !== undefined && tok.expirationSeconds < 600) {
        errs.push(field.invalid(`${at}.serviceAccountToken.expirationSeconds`, tok.expirationSeconds, 'may not specify a duration less than 10 minutes'));
      }
      errs.push(...validateKeyToPaths(s.configMap?.items, `${at}.configMap.items`));
      errs.push(...validateKeyToPaths(s.secret?.items, `${at}.secret.items`));
    });
  }
  return errs;
}

/** validateVolumes checks spec.volumes and returns the set of declared names for volume mount checks. */
export function validateVolumes(list: unknown, path: string): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  if (!Array.isArray(list)) return { errs, names };
  list.forEach((raw, i) => {
    const at = `${path}[${i}]`;
    const v = (isPlainObject(raw) ? raw : {}) as unknown as Volume;
    if (!v.name) errs.push(field.required(`${at}.name`, ''));
    else errs.push(...validateDNS1123LabelField(v.name, `${at}.name`));
    if (v.name && names.has(v.name)) errs.push(field.duplicate(`${at}.name`, v.name));
    else if (v.name) names.add(v.name);
    const rawV = v as unknown as Record<string, unknown>;
    const sources = VOLUME_SOURCE_KEYS.filter((k) => rawV[k] !== undefined && rawV[k] !== null);
    if (sources.length === 0) errs.push(field.required(at, 'must specify a volume type'));
    for (const k of sources.slice(1)) errs.push(field.forbidden(`${at}.${k}`, 'may not specify more than 1 volume type'));
    errs.push(...validateSource(v, at));
  });
  return { errs, names };
}
