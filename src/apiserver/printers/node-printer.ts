// SPDX-License-Identifier: Apache-2.0
/**
 * The Node table: NAME STATUS ROLES AGE VERSION, wide INTERNAL-IP
 * EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME, as upstream's
 * printNode.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import { age, ageColumn, column, nameColumn, printer } from './columns.js';

/** Node role labels: `node-role.kubernetes.io/<role>` (any value) and the older `kubernetes.io/role=<role>`. */
const ROLE_PREFIX = 'node-role.kubernetes.io/';
const ROLE_LABEL = 'kubernetes.io/role';

/** nodeTableConvertor prints nodes as upstream's printNode. */
export const nodeTableConvertor = printer<Node>(
  [
    nameColumn(),
    column('Status', 'string', 'Readiness of the node, and whether scheduling is disabled.'),
    column('Roles', 'string', 'Roles of the node, from its node-role labels.'),
    ageColumn(),
    column('Version', 'string', 'Kubelet version the node reports.'),
    column('Internal-IP', 'string', 'First InternalIP address of the node.', 1),
    column('External-IP', 'string', 'First ExternalIP address of the node.', 1),
    column('OS-Image', 'string', 'Operating system image the node reports.', 1),
    column('Kernel-Version', 'string', 'Kernel version the node reports.', 1),
    column('Container-Runtime', 'string', 'Container runtime name and version the node reports.', 1),
  ],
  (node, now) => {
    const info = node.status?.nodeInfo;
    const roles = nodeRoles(node).join(',');
    return [
      node.metadata?.name ?? '',
      nodeStatus(node),
      roles || '<none>',
      age(node, now),
      info?.kubeletVersion ?? '',
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      info?.osImage || '<unknown>',
      info?.kernelVersion || '<unknown>',
      info?.containerRuntimeVersion || '<unknown>',
    ];
  },
);

/** nodeStatus is `Ready`, `NotReady` or `Unknown` (no Ready condition), plus `,SchedulingDisabled` when cordoned. */
export function nodeStatus(node: Node): string {
  // The last condition of a type wins, as upstream builds a map by type.
  const ready = (node.status?.conditions ?? []).filter((c) => c.type === 'Ready').pop();
  const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

/** nodeRoles lists the node's roles, sorted and de-duplicated. */
export function nodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX)) {
      const role = k.slice(ROLE_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === ROLE_LABEL && v !== '') {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

function nodeAddress(node: Node, type: string): string {
  return node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';
}
