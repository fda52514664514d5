// SPDX-License-Identifier: Apache-2.0
/**
 * The strategy of one custom resource version, as upstream's customresource
 * strategy: undeclared fields are pruned and schema defaults applied before
 * validation (upstream does both while decoding), then the object is
 * validated against its structural schema and `x-kubernetes-validations`
 * rules. Status writes get the same treatment for the status they carry.
 */
import type { KubeObject } from '../../api/index.js';
import type { FieldError } from '../../machinery/index.js';
import type { ResourceStrategy } from '../strategy.js';
import { applyDefaults } from './defaulting.js';
import { prune } from './pruning.js';
import { validateValue } from './schema-validation.js';
import { celValidator, type CELValidator } from './cel-rules.js';
import type { JSONSchemaProps } from './types.js';

/** customResourceStrategy builds the strategy of one version from its schema. */
export function customResourceStrategy(schema: JSONSchemaProps): ResourceStrategy {
  const cel: CELValidator | undefined = celValidator(schema);
  const check = (obj: KubeObject): FieldError[] => {
    const errs: FieldError[] = [];
    // metadata is checked generically; the schema checks everything else from the root.
    const { metadata: _metadata, ...rest } = obj;
    validateValue({ ...schema, properties: withoutMetadata(schema.properties) }, rest, '', errs);
    // Rules run on values of the right shape only (upstream skips CEL when the schema rejects the object).
    if (cel && errs.length === 0) errs.push(...cel(obj));
    return errs;
  };
  // Transition rules (oldSelf) see the stored object.
  const transitions = (obj: KubeObject, old: KubeObject): FieldError[] => (cel ? cel(obj, old) : []);
  return {
    default(obj: KubeObject): void {
      prune(schema, obj);
      applyDefaults(schema, obj);
    },
    // The rest of the object comes from storage, already pruned and defaulted: this treats the new status.
    prepareForStatusUpdate(obj: KubeObject): void {
      prune(schema, obj);
      applyDefaults(schema, obj);
    },
    validate: (obj) => check(obj),
    validateUpdate: transitions,
    validateStatusUpdate: (obj, old) => {
      const errs = check(obj);
      return errs.length ? errs : transitions(obj, old);
    },
  };
}

function withoutMetadata(props: Record<string, JSONSchemaProps> | undefined): Record<string, JSONSchemaProps> | undefined {
  if (!props?.metadata) return props;
  const { metadata: _m, ...rest } = props;
  return rest;
}
