// SPDX-License-Identifier: Apache-2.0
/**
 * The Namespace strategy: the `kubernetes.io/metadata.name` label, the
 * `kubernetes` finalizer and Active phase on create (upstream's
 * namespaceStrategy), spec.finalizers changeable only through /finalize.
 */
import { field, type FieldError } from '../../machinery/index.js';
import { isPlainObject, type KubeObject } from '../../api/index.js';
import { isQualifiedName } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';

/** NAMESPACE_NAME_LABEL is the label every namespace carries with its own name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

function finalizersOf(obj: KubeObject): string[] {
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  return Array.isArray(spec.finalizers) ? spec.finalizers.map(String) : [];
}

/** validateNamespaceFinalizers checks spec.finalizers names (standard `kubernetes` or domain-qualified). */
export function validateNamespaceFinalizers(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of finalizersOf(obj)) {
    errs.push(...isQualifiedName(f).map((m) => field.invalid('spec.finalizers', f, m)));
    if (!f.includes('/') && f !== 'kubernetes') errs.push(field.invalid('spec.finalizers', f, 'name is neither a standard finalizer name nor is it fully qualified'));
  }
  return errs;
}

/** namespaceStrategy is the ResourceStrategy of core/v1 Namespaces. */
export const namespaceStrategy: ResourceStrategy = {
  default(obj) {
    if (obj.metadata.name) obj.metadata.labels = { ...(obj.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: obj.metadata.name };
  },
  prepareForCreate(obj) {
    obj.status = { phase: 'Active' };
    const finalizers = finalizersOf(obj);
    if (!finalizers.includes('kubernetes')) finalizers.push('kubernetes');
    obj.spec = { ...(isPlainObject(obj.spec) ? obj.spec : {}), finalizers };
  },
  prepareForUpdate(obj, old) {
    // Finalizers of the spec change only through the finalize subresource.
    obj.spec = { ...(isPlainObject(obj.spec) ? obj.spec : {}), finalizers: finalizersOf(old) };
    if (finalizersOf(old).length === 0) delete (obj.spec as Record<string, unknown>).finalizers;
  },
  validate: validateNamespaceFinalizers,
  validateStatusUpdate(obj) {
    const status = isPlainObject(obj.status) ? obj.status : {};
    const phase = status.phase;
    return phase === undefined || phase === 'Active' || phase === 'Terminating' ? [] : [field.notSupported('status.phase', phase, ['Active', 'Terminating'])];
  },
};
