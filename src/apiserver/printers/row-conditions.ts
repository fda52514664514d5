// SPDX-License-Identifier: Apache-2.0
/**
 * Row conditions: upstream marks some Table rows (pods that have finished)
 * with a `Completed` condition so clients can treat them differently. The
 * shared TableConvertor interface has no place for them, so convertors that
 * set them implement this extension and toTable looks for it.
 */
import type { KubeObject } from '../../api/index.js';
import type { TableConvertor } from './table.js';

/** TableRowCondition is metav1.TableRowCondition. */
export interface TableRowCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

/** RowConditionsConvertor is a TableConvertor that also reports conditions per row. */
export interface RowConditionsConvertor extends TableConvertor {
  rowConditions(obj: KubeObject): TableRowCondition[] | undefined;
}

/** rowConditionsOf returns the row conditions a convertor reports for an object, if it reports any. */
export function rowConditionsOf(convertor: TableConvertor, obj: KubeObject): TableRowCondition[] | undefined {
  const c = convertor as Partial<RowConditionsConvertor>;
  return typeof c.rowConditions === 'function' ? c.rowConditions(obj) : undefined;
}
