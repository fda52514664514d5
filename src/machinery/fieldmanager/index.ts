// SPDX-License-Identifier: Apache-2.0
/**
 * Server-side apply and managedFields: the structured-merge part of
 * upstream's sigs.k8s.io/structured-merge-diff (field sets, comparison,
 * merge, conflicts) and of k8s.io/apiserver's fieldmanager (managedFields
 * encoding, Update and Apply bookkeeping, client-side apply upgrade),
 * written against OpenAPI schemas so built-in kinds and custom resources
 * share it.
 */
export { FieldManager, BEFORE_FIRST_APPLY, type FieldManagerOptions } from './field-manager.js';
export { FieldSet, type FieldsV1 } from './field-set.js';
export { ConflictsError, newApplyConflict, printManager, type Conflict } from './conflicts.js';
export { applyWithMigration, LAST_APPLIED_ANNOTATION } from './last-applied.js';
export { decodeManagedFields, encodeManagedFields, MAX_UPDATE_MANAGERS, type ManagedFieldsEntry, type ManagerEntry } from './managed-fields.js';
export { managerFromUserAgent, validateFieldManager, FIELD_MANAGER_MAX_LENGTH } from './manager-name.js';
export { pathString } from './path-element.js';
export type { ResolveRef, SchemaNode } from './type-shape.js';
export type { ManagedObject } from './managed-object.js';
