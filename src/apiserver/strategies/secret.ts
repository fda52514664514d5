// SPDX-License-Identifier: Apache-2.0
/**
 * The Secret strategy: type defaults to Opaque, stringData is merged into
 * data (as v1 conversion does), and ValidateSecret's per-type requirements
 * (dockercfg/dockerconfigjson JSON, basic-auth, ssh-auth, tls, SA tokens);
 * type is immutable and `immutable` freezes data.
 */
import { field, type FieldError } from '../../machinery/index.js';
import { isPlainObject, type KubeObject } from '../../api/index.js';
import { validateImmutableField } from '../../api/index.js';
import { isConfigMapKey } from '../../api/index.js';
import { tooLongError } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';
import { MAX_CONFIG_SIZE, validateImmutableData } from './config-map.js';

/** defaultSecret sets type Opaque and folds stringData into base64 data. */
export function defaultSecret(obj: KubeObject): void {
  obj.type ||= 'Opaque';
  if (isPlainObject(obj.stringData)) {
    const data = (isPlainObject(obj.data) ? obj.data : (obj.data = {})) as Record<string, unknown>;
    for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    delete obj.stringData;
  }
}

function decoded(data: Record<string, unknown>, key: string): Buffer | undefined {
  return key in data ? Buffer.from(String(data[key]), 'base64') : undefined;
}

/** goJSONMapError mimics encoding/json's complaint when a value is not a JSON object, or undefined when it is one. */
function goJSONMapError(bytes: Buffer): string | undefined {
  const text = bytes.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const first = text.trim()[0];
    return first === undefined ? 'unexpected end of JSON input' : `invalid character '${first}' looking for beginning of value`;
  }
  if (isPlainObject(parsed)) return undefined;
  const kind = Array.isArray(parsed) ? 'array' : parsed === null ? undefined : typeof parsed === 'number' ? 'number' : typeof parsed === 'boolean' ? 'bool' : 'string';
  return kind ? `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}` : undefined;
}

function validateJSONKey(data: Record<string, unknown>, key: string): FieldError[] {
  const bytes = decoded(data, key);
  if (!bytes) return [field.required(`data[${key}]`, '')];
  const err = goJSONMapError(bytes);
  return err ? [field.invalid(`data[${key}]`, '<secret contents redacted>', err)] : [];
}

function validateByType(obj: KubeObject, data: Record<string, unknown>): FieldError[] {
  switch (obj.type) {
    case 'kubernetes.io/service-account-token': {
      const ann = obj.metadata.annotations ?? {};
      return ann['kubernetes.io/service-account.name'] ? [] : [field.required('metadata.annotations[kubernetes.io/service-account.name]', '')];
    }
    case 'kubernetes.io/dockercfg':
      return validateJSONKey(data, '.dockercfg');
    case 'kubernetes.io/dockerconfigjson':
      return validateJSONKey(data, '.dockerconfigjson');
    case 'kubernetes.io/basic-auth':
      return 'username' in data || 'password' in data ? [] : [field.required('data[username]', ''), field.required('data[password]', '')];
    case 'kubernetes.io/ssh-auth':
      return decoded(data, 'ssh-privatekey')?.length ? [] : [field.required('data[ssh-privatekey]', '')];
    case 'kubernetes.io/tls':
      return [
        ...('tls.crt' in data ? [] : [field.required('data[tls.crt]', '')]),
        ...('tls.key' in data ? [] : [field.required('data[tls.key]', '')]),
      ];
    default:
      return [];
  }
}

/** validateSecret is upstream's ValidateSecret. */
export function validateSecret(obj: KubeObject): FieldError[] {
  const data = isPlainObject(obj.data) ? obj.data : {};
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    errs.push(...isConfigMapKey(k).map((m) => field.invalid(`data[${k}]`, k, m)));
    total += Buffer.from(String(v), 'base64').length;
  }
  if (total > MAX_CONFIG_SIZE) errs.push(tooLongError('data', MAX_CONFIG_SIZE));
  return [...errs, ...validateByType(obj, data)];
}

/** secretStrategy is the ResourceStrategy of core/v1 Secrets. */
export const secretStrategy: ResourceStrategy = {
  default: defaultSecret,
  validate: validateSecret,
  validateUpdate: (obj, old) => [...validateImmutableField(obj.type, old.type, 'type'), ...validateImmutableData(obj, old, ['data'])],
};
