// SPDX-License-Identifier: Apache-2.0
/**
 * The ConfigMap strategy, as upstream's ValidateConfigMap(Update): keys must
 * be valid file names, data and binaryData may not share keys, the total is
 * capped at 1 MiB, and an `immutable` ConfigMap keeps its data.
 */
import { field, type FieldError } from '../../machinery/index.js';
import { isPlainObject, type KubeObject } from '../../api/index.js';
import { deepEqual } from '../../api/index.js';
import { isConfigMapKey } from '../../api/index.js';
import { tooLongError } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';

/** MAX_CONFIG_SIZE is upstream's MaxSecretSize (1 MiB), which also bounds ConfigMaps. */
export const MAX_CONFIG_SIZE = 1024 * 1024;
/** IMMUTABLE_WHEN_SET_MSG is upstream's message for changing an immutable ConfigMap or Secret. */
export const IMMUTABLE_WHEN_SET_MSG = 'field is immutable when `immutable` is set';

function mapOf(v: unknown): Record<string, unknown> {
  return isPlainObject(v) ? v : {};
}

/** validateConfigMap checks keys, key clashes between data and binaryData, and total size. */
export function validateConfigMap(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const data = mapOf(obj.data);
  const binary = mapOf(obj.binaryData);
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    errs.push(...isConfigMapKey(k).map((m) => field.invalid(`data[${k}]`, k, m)));
    if (k in binary) errs.push(field.invalid(`data[${k}]`, k, 'duplicate of key present in binaryData'));
    total += Buffer.byteLength(String(v));
  }
  for (const [k, v] of Object.entries(binary)) {
    errs.push(...isConfigMapKey(k).map((m) => field.invalid(`binaryData[${k}]`, k, m)));
    if (k in data) errs.push(field.invalid(`binaryData[${k}]`, k, 'duplicate of key present in data'));
    total += Buffer.from(String(v), 'base64').length;
  }
  if (total > MAX_CONFIG_SIZE) errs.push(tooLongError('', MAX_CONFIG_SIZE));
  return errs;
}

/** validateImmutableData enforces `immutable: true` on an update of a ConfigMap or Secret. */
export function validateImmutableData(obj: KubeObject, old: KubeObject, dataFields: string[]): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (obj.immutable !== true) errs.push(field.forbidden('immutable', IMMUTABLE_WHEN_SET_MSG));
  for (const f of dataFields) if (!deepEqual(obj[f] ?? {}, old[f] ?? {})) errs.push(field.forbidden(f, IMMUTABLE_WHEN_SET_MSG));
  return errs;
}

/** configMapStrategy is the ResourceStrategy of core/v1 ConfigMaps. */
export const configMapStrategy: ResourceStrategy = {
  validate: validateConfigMap,
  validateUpdate: (obj, old) => validateImmutableData(obj, old, ['data', 'binaryData']),
};
