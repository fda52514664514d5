// SPDX-License-Identifier: Apache-2.0
/**
 * machinery: what k8s.io/apimachinery and small utilities provide to every
 * layer — API errors, label and field selectors, PATCH engines, durations,
 * atomic files, and the Component lifecycle. Imports nothing from src/.
 */
export { writeFileAtomic } from './atomic-file.js';
export { cloneJson } from './json-clone.js';
export { compareStrings } from './string-order.js';
export { rfc3339 } from './rfc3339.js';
export { logTail } from './log-tail.js';
export { asComponent, type Component, ComponentLifecycle } from './component.js';
export { parseDurationMs } from './duration.js';
export { conflictStaleMessage, field, type FieldError, fieldErrorMessage, type GroupResource, isAlreadyExists, isConflict, isNotFound, newAlreadyExists, newBadRequest, newConflict, newForbidden, newGone, newInternalError, newInvalid, newMethodNotSupported, newNotFound, newRequestEntityTooLarge, newServiceUnavailable, newUnauthorized, newUnsupportedMediaType, newStatus, type Status, StatusError, type StatusReason } from './errors.js';
export { QueryParameterError, parseGoBool, queryBool, queryInt, queryOptionalBool, queryString, wantsPretty } from './query/index.js';
export {
  PATCH_CONTENT_TYPES, applyJsonPatch, applyMergePatch, applyStrategicMergePatch, goJsonKind, isJsonObject, newServerSideApplyUnsupported, patchTypeFromContentType,
  type FieldPatchMeta, type GroupVersionKind, type PatchMeta, type PatchStrategy, type PatchType,
} from './patch/index.js';
export { buildPredicate, fromLabelSelector, labelSelectorString, matchesLabels, selectorMatches } from './selectors/index.js';
export { newRequirement, parseFieldSelector, parseLabelSelector, type FieldRequirement, type LabelOperator, type LabelRequirement } from './selectors/index.js';
export { BoundedFrequencyRunner, type BoundedFrequencyRunnerOptions } from './bounded-frequency-runner.js';
export {
  FieldManager, FieldSet, ConflictsError, newApplyConflict, applyWithMigration, managerFromUserAgent, validateFieldManager, LAST_APPLIED_ANNOTATION,
  type ManagedObject, type SchemaNode,
} from './fieldmanager/index.js';
