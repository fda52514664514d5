// SPDX-License-Identifier: Apache-2.0
/**
 * The errors of patch application, with the HTTP codes kube-apiserver gives
 * them (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go):
 * malformed patch documents are 400; a JSON patch that does not apply, and a
 * few strategic-merge format errors, are 422 with apimachinery's generic
 * "rejected our request" message (NewGenericServerResponse keeps no cause);
 * any other strategic-merge failure is a plain Go error, which the handler
 * turns into a 500 with an empty reason and the error text as message.
 */
import { StatusError, newBadRequest } from '../errors.js';

/** unprocessableMessage is NewGenericServerResponse's text for a 422. */
export const unprocessableMessage = 'the server rejected our request due to an error in our request';

/**
 * newPatchNotApplicable is the 422 of a patch that cannot be applied. Upstream
 * drops the underlying reason from the response; it is kept as `cause` so the
 * server can log it.
 */
export function newPatchNotApplicable(reason: string): StatusError {
  return new StatusError(422, 'Invalid', unprocessableMessage, {}, { cause: new Error(reason) });
}

/** newPatchFailure is the 500 an untyped Go error from strategic merge becomes. */
export function newPatchFailure(message: string): StatusError {
  return new StatusError(500, '', message);
}

/** Upstream mergepatch sentinel errors that the patch handler maps to 400 BadRequest. */
export const badPatchFormat = {
  primitiveList: () => newBadRequest('invalid patch format of primitive list'),
  retainKeys: () => newBadRequest('invalid patch format of retainKeys'),
  setElementOrder: () => newBadRequest('invalid patch format of setElementOrder list'),
  unsupported: () => newBadRequest('strategic merge patch format is not supported'),
};

/** errNoListOfLists is mergepatch.ErrNoListOfLists, a 422 upstream. */
export function errNoListOfLists(): StatusError {
  return newPatchNotApplicable('lists of lists are not supported');
}

/** errNoMergeKey is mergepatch.ErrNoMergeKey: an element of a merged list lacks its merge key. */
export function errNoMergeKey(m: unknown, key: string): StatusError {
  return newPatchFailure(`map: ${goValue(m)} does not contain declared merge key: ${key}`);
}

/** errBadArgType is mergepatch.ErrBadArgType, naming Go's types of the expected and actual values. */
export function errBadArgType(expected: 'map' | 'list', actual: unknown): StatusError {
  const want = expected === 'map' ? goTypeName({}) : goTypeName([]);
  return newPatchFailure(`expected a ${want}, but received a ${goTypeName(actual)}`);
}

/** errBadPatchType is mergepatch.ErrBadPatchType: an unknown `$patch` directive value. */
export function errBadPatchType(directive: unknown, m: unknown): StatusError {
  return newPatchFailure(`unknown patch type: ${goValue(directive)} in map: ${goValue(m)}`);
}

/** goJsonKind names a JSON value's kind as encoding/json's UnmarshalTypeError does (`object`, `array`, `bool`, ...). */
export function goJsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** goTypeName renders the Go type a decoded JSON value has, as reflect.TypeOf prints it. */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object') return 'map[string]interface {}';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (typeof v === 'boolean') return 'bool';
  return 'string';
}

/** goValue renders a decoded JSON value as Go's `%v` does (maps with sorted keys), for messages that quote values. */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([k, x]) => `${k}:${goValue(x)}`).join(' ')}]`;
  }
  return String(v);
}
