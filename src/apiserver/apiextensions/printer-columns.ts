// SPDX-License-Identifier: Apache-2.0
/**
 * Server-side Tables of custom resources from additionalPrinterColumns, as
 * upstream's customresource tableconvertor: NAME, then each column's first
 * JSONPath match (strings printed as the path template prints them, other
 * types as typed cells, dates as ages). A version without columns shows Age,
 * as upstream serves default columns when none are declared.
 */
import type { KubeObject } from '../../api/index.js';
import type { TableCell, TableColumnDefinition, TableConvertor } from '../printers/table.js';
import { nameColumn } from '../printers/columns.js';
import { timeSince } from '../printers/duration.js';
import { evaluateJSONPath, parseJSONPath } from './jsonpath.js';
import type { CustomResourceColumnDefinition } from './types.js';

const DEFAULT_COLUMNS: CustomResourceColumnDefinition[] = [
  {
    name: 'Age',
    type: 'date',
    jsonPath: '.metadata.creationTimestamp',
    description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  },
];

/** printerColumnsConvertor builds the TableConvertor of one custom resource version. */
export function printerColumnsConvertor(columns: CustomResourceColumnDefinition[] | undefined): TableConvertor {
  const cols = columns?.length ? columns : DEFAULT_COLUMNS;
  const parsed = cols.map((c) => parseJSONPath(c.jsonPath));
  const definitions: TableColumnDefinition[] = [
    nameColumn(),
    ...cols.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 })),
  ];
  return {
    columns: definitions,
    row(obj: KubeObject, now: Date): TableCell[] {
      return [obj.metadata.name ?? '', ...cols.map((c, i) => cell(c.type, evaluateJSONPath(parsed[i]!, obj)[0], now))];
    },
  };
}

function cell(type: string, value: unknown, now: Date): TableCell {
  if (value === undefined) return null;
  switch (type) {
    case 'string':
      return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date':
      return typeof value === 'string' ? timeSince(value, now) : null;
    default:
      return null;
  }
}
