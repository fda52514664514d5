// SPDX-License-Identifier: Apache-2.0
/**
 * NamespaceLifecycle admission, the part about deletion (upstream
 * plugin/pkg/admission/namespace/lifecycle): the namespaces the system
 * itself lives in may never be deleted, so `kubectl delete ns --all` fails on
 * them with 403 Forbidden and removes the rest.
 */
import { newForbidden } from '../../machinery/index.js';
import type { AdmissionPlugin } from './admission.js';

/** IMMORTAL_NAMESPACES are upstream's immortalNamespaces: default, kube-system and kube-public. */
export const IMMORTAL_NAMESPACES: ReadonlySet<string> = new Set(['default', 'kube-system', 'kube-public']);

export function namespaceLifecycleAdmission(): AdmissionPlugin {
  return {
    name: 'NamespaceLifecycle',
    handles: (r, sub, op) => r.group === '' && r.kind === 'Namespace' && !sub && op === 'DELETE',
    validate({ object }) {
      const name = object.metadata.name ?? '';
      if (IMMORTAL_NAMESPACES.has(name)) throw newForbidden({ group: '', resource: 'namespaces' }, name, 'this namespace may not be deleted');
    },
  };
}
