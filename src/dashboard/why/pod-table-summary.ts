// SPDX-License-Identifier: Apache-2.0
/**
 * The overview's first paint of the pods, from the pods' Table read with
 * includeObject=None: about 100 bytes a pod instead of the 1.6 KB of the full
 * object, so it arrives, and parses, well before the full list. A Table row
 * has no phase, so the phase is estimated from what upstream's pod printer
 * (pkg/printers/internalversion printPod) puts in the row:
 * - a `Completed` row condition with reason `Succeeded` or `Failed` is set
 *   from the phase itself, so those two are exact;
 * - otherwise the STATUS cell is the phase, or a reason that replaced it:
 *   waiting reasons of a first start and init progress mean Pending, a
 *   container's state or `Terminating` of a started pod mean Running.
 * The full list, read next, gives the exact phases and the requests.
 */

/** PodTableRow is the part of a meta.k8s.io Table row this reads. */
export interface PodTableRow {
  cells: unknown[];
  conditions?: { type: string; status: string; reason?: string }[];
}

/** PodTableSummary is what the overview draws before the full list is in. */
export interface PodTableSummary {
  total: number;
  /** byPhase: estimated phase → pods (Succeeded and Failed exact). */
  byPhase: Map<string, number>;
  /** byNode: node name → pods bound to it (exact). */
  byNode: Map<string, number>;
}

/** Reasons printPod shows while a pod has not started its containers yet (phase Pending). */
const NOT_STARTED = new Set([
  'Pending', 'ContainerCreating', 'PodInitializing', 'SchedulingGated',
  'ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull',
  'CreateContainerConfigError', 'CreateContainerError',
]);

/** phaseOfRow estimates a pod's phase from its Table row's STATUS cell and row conditions. */
export function phaseOfRow(status: string, conditions: PodTableRow['conditions']): string {
  const completed = conditions?.find((c) => c.type === 'Completed' && c.status === 'True');
  if (completed?.reason === 'Succeeded' || completed?.reason === 'Failed') return completed.reason;
  if (status === 'Unknown') return 'Unknown';
  if (NOT_STARTED.has(status) || status.startsWith('Init:')) return 'Pending';
  return 'Running';
}

/** summarizePodTable counts a pods Table's rows by estimated phase and by node (columns found by name, as upstream names them). */
export function summarizePodTable(columns: { name: string }[], rows: PodTableRow[]): PodTableSummary {
  const statusAt = columns.findIndex((c) => c.name === 'Status');
  const nodeAt = columns.findIndex((c) => c.name === 'Node');
  const byPhase = new Map<string, number>();
  const byNode = new Map<string, number>();
  for (const row of rows) {
    const phase = phaseOfRow(String(row.cells[statusAt] ?? ''), row.conditions);
    byPhase.set(phase, (byPhase.get(phase) ?? 0) + 1);
    const node = nodeAt >= 0 ? String(row.cells[nodeAt] ?? '') : '';
    // `<none>` is the printer's empty cell: the pod is not bound yet.
    if (node && node !== '<none>') byNode.set(node, (byNode.get(node) ?? 0) + 1);
  }
  return { total: rows.length, byPhase, byNode };
}
