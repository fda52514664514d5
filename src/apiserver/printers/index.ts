// SPDX-License-Identifier: Apache-2.0
/**
 * Server-side printing (`kubectl get` tables). Each kind's printer is declared
 * with its definition (src/apiserver/definitions/builtin.ts), as upstream's
 * printers.go registers them;
 * toTable wraps rows into the meta.k8s.io Table the client asked for. Kinds
 * without a printer upstream (Role, ClusterRole, LimitRange, anything new)
 * get the default NAME / CREATED AT table.
 */
import type { TableConvertor } from './table.js';
import { builtinKind, builtinPrinter } from '../definitions/builtin.js';

export type { TableConvertor, TableColumnDefinition, TableCell } from './table.js';
export type { TableRowCondition, RowConditionsConvertor } from './row-conditions.js';
export { toTable, parseIncludeObject } from './to-table.js';
export type { Table, TableRow, PartialObjectMetadata, ToTableOptions, IncludeObject, TableApiVersion } from './to-table.js';
export { defaultTableConvertor } from './default-printer.js';
export { humanDuration } from './duration.js';

/** tableConvertorFor returns the printer of a built-in group ('' for core) and kind, or the default NAME / CREATED AT one. */
export function tableConvertorFor(group: string, kind: string): TableConvertor {
  return builtinPrinter(group, kind);
}

/** hasPrinter tells whether a kind has its own printer (false means the default table). */
export function hasPrinter(group: string, kind: string): boolean {
  return builtinKind(group, kind).printer !== undefined;
}
