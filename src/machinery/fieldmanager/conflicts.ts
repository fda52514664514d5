// SPDX-License-Identifier: Apache-2.0
/**
 * Apply conflicts and their 409 answer, worded as upstream's
 * fieldmanager/internal/conflict.go: one conflict reads `Apply failed with 1
 * conflict: conflict with "kubectl-client-side-apply" using apps/v1:
 * .spec.replicas`; several are grouped by manager (sorted), one `- path` line
 * each. An Update manager is named with the version it used; an Apply
 * manager by name alone.
 */
import { StatusError, type StatusCause } from '../errors.js';
import { pathString } from './path-element.js';
import type { ManagerEntry } from './managed-fields.js';

/** Conflict is one field another manager owns with a different value. */
export interface Conflict {
  manager: ManagerEntry;
  path: string[];
}

/** ConflictsError carries the conflicts of an apply until the caller turns them into a Status (or forces). */
export class ConflictsError extends Error {
  readonly conflicts: Conflict[];
  constructor(conflicts: Conflict[]) {
    super(`${conflicts.length} apply conflicts`);
    this.name = 'ConflictsError';
    this.conflicts = conflicts;
  }
}

/** printManager names a manager as upstream's printManager does. */
export function printManager(m: ManagerEntry): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === 'Update') s += ` using ${m.apiVersion}`;
  return s;
}

/** newApplyConflict is the 409 Conflict for conflicts, with a FieldManagerConflict cause per field. */
export function newApplyConflict(conflicts: readonly Conflict[]): StatusError {
  const causes: StatusCause[] = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${printManager(c.manager)}`,
    field: pathString(c.path),
  }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].manager)}: ${pathString(conflicts[0].path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const name = printManager(c.manager);
      const list = byManager.get(name) ?? [];
      list.push(pathString(c.path));
      byManager.set(name, list);
    }
    const lines: string[] = [];
    for (const name of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${name}:`);
      for (const p of byManager.get(name)!) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, 'Conflict', message, { causes });
}
