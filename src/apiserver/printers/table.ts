// SPDX-License-Identifier: Apache-2.0
/**
 * Server-side printing: `kubectl get` asks for a meta.k8s.io/v1 Table and
 * prints the columns the server chooses. Each kind has a TableConvertor with
 * upstream's column definitions (pkg/printers/internalversion/printers.go);
 * columns with priority > 0 show only with `-o wide`.
 */
import type { KubeObject } from '../../api/index.js';

export interface TableColumnDefinition {
  name: string;
  /** OpenAPI type: string, integer, number, boolean. */
  type: string;
  /** OpenAPI format: 'name' marks the name column; 'date' and others are hints. */
  format: string;
  description: string;
  priority: number;
}

export type TableCell = string | number | boolean | null;

export interface TableConvertor {
  columns: TableColumnDefinition[];
  /**
   * row renders one object's cells, in column order. `now` is the time used
   * for ages so that a whole table (and tests) use one clock.
   */
  row(obj: KubeObject, now: Date): TableCell[];
}
