// SPDX-License-Identifier: Apache-2.0
/**
 * A stand-in for the generic registry pipeline, for strategy unit tests, in
 * the registry's order: create runs prepareForCreate → default → validate;
 * update runs prepareForUpdate → default → validate → validateUpdate. Messages come out as
 * fieldErrorMessage renders them, so tests compare upstream's exact text.
 */
import { fieldErrorMessage, type FieldError } from '../../machinery/index.js';
import { deepClone, type KubeObject } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';

/** HarnessResult is the object after the pipeline and its rendered error messages. */
export interface HarnessResult {
  obj: KubeObject;
  errors: FieldError[];
  messages: string[];
}

function result(obj: KubeObject, errors: FieldError[]): HarnessResult {
  return { obj, errors, messages: errors.map(fieldErrorMessage) };
}

/** runCreate passes a copy of obj through a strategy's create steps (uid set as the registry would). */
export function runCreate(s: ResourceStrategy, input: KubeObject): HarnessResult {
  const obj = deepClone(input);
  obj.metadata.uid ??= '00000000-0000-0000-0000-000000000001';
  s.prepareForCreate?.(obj);
  s.default?.(obj);
  return result(obj, s.validate?.(obj) ?? []);
}

/** runUpdate passes a copy of next through a strategy's update steps against old. */
export function runUpdate(s: ResourceStrategy, old: KubeObject, next: KubeObject): HarnessResult {
  const obj = deepClone(next);
  obj.metadata.resourceVersion ??= old.metadata.resourceVersion ?? '1';
  obj.metadata.uid ??= old.metadata.uid;
  s.prepareForUpdate?.(obj, old);
  s.default?.(obj);
  return result(obj, [...(s.validate?.(obj) ?? []), ...(s.validateUpdate?.(obj, old) ?? [])]);
}
