// SPDX-License-Identifier: Apache-2.0
/**
 * Which served resources feed which quota resource names ("pods",
 * "requests.cpu", "count/deployments.apps"), as upstream's quota registry
 * maps names to evaluators. Shared by the quota controller and admission.
 */
import { lookupResource } from '../resources.js';

/** QuotaResourceRef names a served resource (the Client's ResourceRef shape). */
export interface QuotaResourceRef {
  group: string;
  version: string;
  resource: string;
}

const PODS: QuotaResourceRef = { group: '', version: 'v1', resource: 'pods' };
const SERVICES: QuotaResourceRef = { group: '', version: 'v1', resource: 'services' };
const PVCS: QuotaResourceRef = { group: '', version: 'v1', resource: 'persistentvolumeclaims' };

/** kindsFor lists the resources whose objects can contribute to the named quota resources. */
export function kindsFor(names: string[]): QuotaResourceRef[] {
  const out = new Map<string, QuotaResourceRef>();
  const add = (ref: QuotaResourceRef | undefined): void => {
    if (ref) out.set(`${ref.group}/${ref.resource}`, ref);
  };
  for (const n of names) {
    if (n.startsWith('count/')) add(resolveCountName(n.slice('count/'.length)));
    else if (/^(requests|limits)\.(cpu|memory|ephemeral-storage)$|^(cpu|memory|ephemeral-storage|pods)$/.test(n)) add(PODS);
    else if (n.startsWith('services')) add(SERVICES);
    else if (n === 'requests.storage' || n === 'persistentvolumeclaims' || n.includes('.storageclass.storage.k8s.io/')) add(PVCS);
    else add(resolveCountName(n));
  }
  return [...out.values()];
}

/** resolveCountName finds the served resource of `<plural>` or `<plural>.<group>`. */
function resolveCountName(name: string): QuotaResourceRef | undefined {
  const dot = name.indexOf('.');
  const plural = dot < 0 ? name : name.slice(0, dot);
  const group = dot < 0 ? '' : name.slice(dot + 1);
  for (const v of ['v1', 'v2', 'v1beta1', 'v1beta2', 'v1alpha1']) {
    const info = lookupResource(group, v, plural);
    if (info) return { group, version: v, resource: plural };
  }
  return undefined;
}
