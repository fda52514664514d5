// SPDX-License-Identifier: Apache-2.0
/**
 * Building the meta.k8s.io Table a `kubectl get` receives, as upstream's
 * printers.TableGenerator plus the apiserver's asTable
 * (pkg/endpoints/handlers/response.go): column definitions, one row per
 * object with the object embedded as the client asked (includeObject), and
 * the list metadata.
 */
import type { KubeObject, ListMeta } from '../../api/index.js';
import { newBadRequest } from '../../machinery/index.js';
import type { TableCell, TableColumnDefinition, TableConvertor } from './table.js';
import { rowConditionsOf, type TableRowCondition } from './row-conditions.js';

/** IncludeObject is metav1.IncludeObjectPolicy: what each row embeds. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** TableApiVersion is the group version the client asked the Table in. */
export type TableApiVersion = 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1';

/** TableRow is metav1.TableRow on the wire. */
export interface TableRow {
  cells: TableCell[];
  conditions?: TableRowCondition[];
  /** The embedded object: null for includeObject=None (upstream writes null, not nothing). */
  object: KubeObject | PartialObjectMetadata | null;
}

/** PartialObjectMetadata is the metadata-only form of an object (includeObject=Metadata). */
export interface PartialObjectMetadata {
  kind: 'PartialObjectMetadata';
  apiVersion: TableApiVersion;
  metadata: KubeObject['metadata'];
}

/** Table is metav1.Table on the wire. */
export interface Table {
  kind: 'Table';
  apiVersion: TableApiVersion;
  metadata: ListMeta;
  /** null when headers are left out (watch events after the first), as upstream serializes a nil slice. */
  columnDefinitions: TableColumnDefinition[] | null;
  rows: TableRow[];
}

/** ToTableOptions says how to render one Table. */
export interface ToTableOptions {
  /** The clock for every age in the table. */
  now: Date;
  includeObject: IncludeObject;
  /**
   * The list's metadata (resourceVersion, continue, remainingItemCount).
   * Leave it out for a single object: the Table then carries that object's
   * resourceVersion, as upstream does for a get.
   */
  listMeta?: ListMeta;
  /** Leave out columnDefinitions: set for every watch event after the first. */
  noHeaders?: boolean;
  /** Defaults to meta.k8s.io/v1. */
  apiVersion?: TableApiVersion;
}

/**
 * toTable renders objects as a Table. Every column, wide ones included, is
 * sent: upstream's server always prints wide and kubectl hides columns with
 * priority > 0 unless `-o wide`.
 */
export function toTable(convertor: TableConvertor, objects: readonly KubeObject[], opts: ToTableOptions): Table {
  const apiVersion = opts.apiVersion ?? 'meta.k8s.io/v1';
  const rows = objects.map((obj) => {
    const row: TableRow = { cells: convertor.row(obj, opts.now), object: embedded(obj, opts.includeObject, apiVersion) };
    const conditions = rowConditionsOf(convertor, obj);
    if (conditions) row.conditions = conditions;
    return row;
  });
  return {
    kind: 'Table',
    apiVersion,
    metadata: tableMeta(objects, opts.listMeta),
    columnDefinitions: opts.noHeaders ? null : convertor.columns.map((c) => ({ ...c })),
    rows,
  };
}

function embedded(obj: KubeObject, include: IncludeObject, apiVersion: TableApiVersion): TableRow['object'] {
  switch (include) {
    case 'Object':
      return obj;
    case 'Metadata':
      return { kind: 'PartialObjectMetadata', apiVersion, metadata: obj.metadata };
    case 'None':
      return null;
  }
}

function tableMeta(objects: readonly KubeObject[], listMeta: ListMeta | undefined): ListMeta {
  const out: { resourceVersion?: string; continue?: string; remainingItemCount?: number } = {};
  const source = listMeta ?? { resourceVersion: objects.length === 1 ? objects[0]!.metadata.resourceVersion : undefined };
  // ListMeta fields are omitempty upstream.
  if (source.resourceVersion) out.resourceVersion = source.resourceVersion;
  if (source.continue) out.continue = source.continue;
  if (source.remainingItemCount !== undefined && source.remainingItemCount !== null) out.remainingItemCount = source.remainingItemCount;
  return out;
}

/**
 * parseIncludeObject reads the `includeObject` query parameter; absent or
 * empty means Metadata. Other values fail with a 400 as upstream's
 * optionsForTransform words it: ValidateTableOptions reports a
 * field.Invalid (not NotSupported) with its own message.
 */
export function parseIncludeObject(raw: string | null | undefined): IncludeObject {
  if (!raw || raw === 'Metadata') return 'Metadata';
  if (raw === 'None' || raw === 'Object') return raw;
  throw newBadRequest(
    `Unable to convert to Table as requested: includeObject: Invalid value: ${JSON.stringify(raw)}: must be 'Metadata', 'Object', 'None', or empty`,
  );
}
