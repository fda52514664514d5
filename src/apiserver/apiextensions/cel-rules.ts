// SPDX-License-Identifier: Apache-2.0
/**
 * `x-kubernetes-validations` rules of a structural schema. No CEL evaluator
 * is wired in yet: rules are accepted in CRDs and published in OpenAPI, but
 * not enforced on custom resources.
 */
import type { KubeObject } from '../../api/object.js';
import type { FieldError } from '../../machinery/errors.js';
import type { JSONSchemaProps } from './types.js';

/** CELValidator checks an object (and its previous version on update) against every rule of a schema. */
export type CELValidator = (obj: KubeObject, old?: KubeObject) => FieldError[];

/** celValidator returns the validator of a schema's rules, or undefined when it has none. */
export function celValidator(_schema: JSONSchemaProps): CELValidator | undefined {
  return undefined;
}
