// SPDX-License-Identifier: Apache-2.0
/**
 * Tables of configuration and policy kinds: ConfigMap, Secret,
 * ServiceAccount, Namespace, Lease, ResourceQuota, PriorityClass and
 * PodDisruptionBudget, as upstream's printers.go prints them.
 */
import type { ConfigMap, Namespace, ResourceQuota, Secret, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import { age, ageColumn, column, nameColumn, printer } from './columns.js';

/** configMapTableConvertor: NAME DATA AGE (DATA counts data and binaryData keys). */
export const configMapTableConvertor = printer<ConfigMap>(
  [nameColumn(), column('Data', 'string', 'Number of keys in data and binaryData.'), ageColumn()],
  (cm, now) => [cm.metadata?.name ?? '', keyCount(cm.data) + keyCount(cm.binaryData), age(cm, now)],
);

/** secretTableConvertor: NAME TYPE DATA AGE. */
export const secretTableConvertor = printer<Secret>(
  [nameColumn(), column('Type', 'string', 'Type of the secret.'), column('Data', 'string', 'Number of keys in data.'), ageColumn()],
  (s, now) => [s.metadata?.name ?? '', s.type ?? 'Opaque', keyCount(s.data), age(s, now)],
);

/** serviceAccountTableConvertor: NAME SECRETS AGE. */
export const serviceAccountTableConvertor = printer<ServiceAccount>(
  [nameColumn(), column('Secrets', 'string', 'Number of secrets listed on the service account.'), ageColumn()],
  (sa, now) => [sa.metadata?.name ?? '', sa.secrets?.length ?? 0, age(sa, now)],
);

/** namespaceTableConvertor: NAME STATUS AGE. */
export const namespaceTableConvertor = printer<Namespace>(
  [nameColumn(), column('Status', 'string', 'Phase of the namespace: Active or Terminating.'), ageColumn()],
  (ns, now) => [ns.metadata?.name ?? '', ns.status?.phase ?? '', age(ns, now)],
);

/** leaseTableConvertor: NAME HOLDER AGE. */
export const leaseTableConvertor = printer<Lease>(
  [nameColumn(), column('Holder', 'string', 'Identity of the current holder of the lease.'), ageColumn()],
  (l, now) => [l.metadata?.name ?? '', l.spec?.holderIdentity ?? '', age(l, now)],
);

/** resourceQuotaTableConvertor: NAME REQUEST LIMIT AGE, each `resource: used/hard` sorted by resource name. */
export const resourceQuotaTableConvertor = printer<ResourceQuota>(
  [
    nameColumn(),
    column('Request', 'string', 'Used and hard amounts of the quota resources other than limits.*.'),
    column('Limit', 'string', 'Used and hard amounts of the limits.* quota resources.'),
    ageColumn(),
  ],
  (q, now) => {
    const hard = q.status?.hard ?? {};
    const used = q.status?.used ?? {};
    const requests: string[] = [];
    const limits: string[] = [];
    for (const name of Object.keys(hard).sort()) {
      const pieces = name.split('.');
      const target = pieces.length > 1 && pieces[0] === 'limits' ? limits : requests;
      // A resource with no usage yet prints as a zero quantity.
      target.push(`${name}: ${used[name] ?? '0'}/${hard[name]}`);
    }
    return [q.metadata?.name ?? '', requests.join(', '), limits.join(', '), age(q, now)];
  },
);

/** priorityClassTableConvertor: NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY. */
export const priorityClassTableConvertor = printer<PriorityClass>(
  [
    nameColumn(),
    column('Value', 'integer', 'Priority given to pods of this class.'),
    column('Global-Default', 'boolean', 'Whether pods without a class get this one.'),
    ageColumn(),
    column('PreemptionPolicy', 'string', 'Whether pods of this class may preempt lower-priority pods.'),
  ],
  (pc, now) => [pc.metadata?.name ?? '', pc.value ?? 0, pc.globalDefault ?? false, age(pc, now), pc.preemptionPolicy ?? ''],
);

/** podDisruptionBudgetTableConvertor: NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE. */
export const podDisruptionBudgetTableConvertor = printer<PodDisruptionBudget>(
  [
    nameColumn(),
    column('Min Available', 'string', 'Pods that must stay available during voluntary disruptions.'),
    column('Max Unavailable', 'string', 'Pods that may be unavailable during voluntary disruptions.'),
    column('Allowed Disruptions', 'integer', 'Pods that may be disrupted right now.'),
    ageColumn(),
  ],
  (pdb, now) => [
    pdb.metadata?.name ?? '',
    intOrString(pdb.spec?.minAvailable),
    intOrString(pdb.spec?.maxUnavailable),
    pdb.status?.disruptionsAllowed ?? 0,
    age(pdb, now),
  ],
);

function intOrString(v: number | string | undefined | null): string {
  return v === undefined || v === null ? 'N/A' : String(v);
}

function keyCount(m: Record<string, unknown> | undefined | null): number {
  return m ? Object.keys(m).length : 0;
}
