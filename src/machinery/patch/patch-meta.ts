// SPDX-License-Identifier: Apache-2.0
/**
 * The shape of strategic-merge metadata (upstream's struct tags
 * `patchStrategy` and `patchMergeKey`); the tables for the served kinds live
 * with the kinds, in api/patch.
 */

/** PatchStrategy is the `patchStrategy` tag of a field, minus `retainKeys` (see FieldPatchMeta.retainKeys). */
export type PatchStrategy = 'merge' | 'replace';

/** FieldPatchMeta describes how a strategic merge patch treats one field. */
export interface FieldPatchMeta {
  /** `merge`: lists are merged (by mergeKey for lists of objects); `replace`: the value is replaced whole. */
  readonly strategy?: PatchStrategy;
  /** The field carries `retainKeys` (upstream `patchStrategy:"merge,retainKeys"` or `"retainKeys"`). */
  readonly retainKeys?: boolean;
  /** Key that identifies elements of a merged list of objects (`patchMergeKey`). */
  readonly mergeKey?: string;
  /** Metadata of the nested object; for a list, of each element. */
  readonly schema?: PatchMeta;
}

/** PatchMeta maps the JSON field names of one object type to their patch metadata. */
export interface PatchMeta {
  readonly [field: string]: FieldPatchMeta;
}
