// SPDX-License-Identifier: Apache-2.0
/**
 * Building blocks shared by the per-kind printers: column definitions that
 * recur in upstream's printers.go (Name, Age, Containers, Images, Selector)
 * and the cells that go with them.
 */
import type { Container } from 'kubernetes-types/core/v1.js';
import type { TableColumnDefinition, TableConvertor, TableCell } from './table.js';
import { timeSince } from './duration.js';

/** column defines one column; priority 1 marks a column shown only with `-o wide`. */
export function column(name: string, type: string, description: string, priority = 0, format = ''): TableColumnDefinition {
  return { name, type, format, description, priority };
}

/** nameColumn is the `Name` column every printer starts with (format `name`, which kubectl prefixes with the kind). */
export function nameColumn(priority = 0): TableColumnDefinition {
  return column('Name', 'string', 'Name of the object, unique within its namespace.', priority, 'name');
}

/** ageColumn is the `Age` column: time since creationTimestamp. */
export function ageColumn(): TableColumnDefinition {
  return column('Age', 'string', 'Time since the object was created (metadata.creationTimestamp).');
}

/** containersColumn lists the container names of a pod template (wide). */
export function containersColumn(): TableColumnDefinition {
  return column('Containers', 'string', 'Names of the containers in the template.', 1);
}

/** imagesColumn lists the container images of a pod template (wide). */
export function imagesColumn(): TableColumnDefinition {
  return column('Images', 'string', 'Images of the containers in the template.', 1);
}

/** selectorColumn is the wide `Selector` column of controllers. */
export function selectorColumn(description = 'Label selector of the pods this object manages.'): TableColumnDefinition {
  return column('Selector', 'string', description, 1);
}

/** age renders the Age cell of an object. */
export function age(obj: { metadata?: { creationTimestamp?: string } }, now: Date): string {
  return timeSince(obj.metadata?.creationTimestamp, now);
}

/** containerCells joins container names and images with commas, as upstream's layoutContainerCells. */
export function containerCells(containers: Container[] | undefined): [names: string, images: string] {
  const list = containers ?? [];
  return [list.map((c) => c.name).join(','), list.map((c) => c.image ?? '').join(',')];
}

/**
 * printer builds a TableConvertor from columns and a typed row function; the
 * cast is the one place a generic API object becomes the kind's shape.
 */
export function printer<T>(columns: TableColumnDefinition[], row: (obj: T, now: Date) => TableCell[]): TableConvertor {
  return { columns, row: (obj, now) => row(obj as unknown as T, now) };
}

/** listWithMore joins up to `max` items and appends ` + N more...` as upstream's listWithMoreString does. */
export function listWithMore(items: string[], total: number, max: number, empty: string): string {
  const shown = items.slice(0, max).join(',');
  if (total > max) return `${shown} + ${total - max} more...`;
  return shown === '' ? empty : shown;
}
