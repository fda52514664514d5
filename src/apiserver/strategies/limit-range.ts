// SPDX-License-Identifier: Apache-2.0
/**
 * The LimitRange strategy: container items get default limits from max and
 * default requests from default or min (SetDefaults_LimitRangeItem);
 * validation checks types, quantities and min <= max.
 */
import { field, type FieldError } from '../../machinery/index.js';
import { isPlainObject } from '../../api/index.js';
import { tryParseQuantity, type Quantity } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';
import { canonicalizeResourceList } from './pod-defaults.js';
import { readSpec, specRecord } from './workload-common.js';

const quantityKeys = ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'];

function items(spec: Record<string, unknown>): Record<string, unknown>[] {
  return Array.isArray(spec.limits) ? spec.limits.filter(isPlainObject) : [];
}

function fillFrom(target: Record<string, unknown>, source: unknown): void {
  if (isPlainObject(source)) for (const [k, v] of Object.entries(source)) if (!(k in target)) target[k] = v;
}

function parsedList(v: unknown, path: string, errs: FieldError[]): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  for (const [k, raw] of Object.entries(isPlainObject(v) ? v : {})) {
    const q = tryParseQuantity(raw);
    if (typeof q === 'string') errs.push(field.invalid(`${path}[${k}]`, raw, q));
    else out.set(k, q);
  }
  return out;
}

/** limitRangeStrategy is the ResourceStrategy of core/v1 LimitRanges. */
export const limitRangeStrategy: ResourceStrategy = {
  default(obj) {
    for (const item of items(specRecord(obj))) {
      for (const k of quantityKeys) canonicalizeResourceList(item[k]);
      if (item.type !== 'Container') continue;
      const def = (isPlainObject(item.default) ? item.default : (item.default = {})) as Record<string, unknown>;
      const defReq = (isPlainObject(item.defaultRequest) ? item.defaultRequest : (item.defaultRequest = {})) as Record<string, unknown>;
      fillFrom(def, item.max);
      fillFrom(defReq, def);
      fillFrom(defReq, item.min);
    }
  },
  validate(obj) {
    const errs: FieldError[] = [];
    items(readSpec(obj)).forEach((item, i) => {
      const at = `spec.limits[${i}]`;
      const types = ['Container', 'PersistentVolumeClaim', 'Pod'];
      if (!types.includes(item.type as string)) errs.push(field.notSupported(`${at}.type`, item.type ?? '', types));
      const lists = Object.fromEntries(quantityKeys.map((k) => [k, parsedList(item[k], `${at}.${k}`, errs)]));
      for (const [name, min] of lists.min) {
        const max = lists.max.get(name);
        if (max && min.cmp(max) > 0) errs.push(field.invalid(`${at}.min[${name}]`, min.toString(), `min value ${min.toString()} is greater than max value ${max.toString()}`));
      }
    });
    return errs;
  },
};
