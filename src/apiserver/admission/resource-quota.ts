// SPDX-License-Identifier: Apache-2.0
/**
 * ResourceQuota admission (upstream plugin/pkg/admission/resourcequota):
 * a creation in a namespace with quotas is refused when its cost would
 * take a quota's usage above hard (403 `exceeded quota: ...`) or when a
 * quota tracks cpu/memory and a container does not state it (`must
 * specify ...`). An admitted creation is charged at once by a conditional
 * write of the quota's status.used, so concurrent creations cannot both
 * take the last unit; the quota controller later corrects the charge to
 * what exists (a creation that failed after admission is given back then).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/index.js';
import { Quantity, parseQuantity } from '../../api/index.js';
import { kindsFor, matchesScopes, parseList, podConstraints, prettyList, usageOf, type QuotaSpec, type ResourceList } from '../../api/index.js';
import { newForbidden } from '../../machinery/index.js';
import type { APIRegistry } from '../registry/api-registry.js';
import { newContext, SYSTEM_USER } from '../registry/request-context.js';
import type { AdmissionAttributes, AdmissionPlugin } from './admission.js';

interface Quota extends KubeObject {
  spec?: QuotaSpec;
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

/** resourceQuotaAdmission builds the ResourceQuota admission plugin over the registry. */
export function resourceQuotaAdmission(api: APIRegistry): AdmissionPlugin {
  return {
    name: 'ResourceQuota',
    handles: (r, sub, op) => op === 'CREATE' && !sub && r.namespaced,
    validate(a) {
      if (a.resource.kind === 'ResourceQuota' && a.resource.group === '') return;
      // A namespace known (without waiting) to have no quotas has nothing to charge: no promise to await.
      if (api.cachedListIsEmpty('', 'v1', 'resourcequotas', a.object.metadata.namespace ?? '')) return;
      return admitAgainstQuotas(api, a);
    },
  };
}

/** admitAgainstQuotas refuses a creation over a quota of its namespace, or charges it to them. */
async function admitAgainstQuotas(api: APIRegistry, { object, resource, ctx }: AdmissionAttributes): Promise<void> {
  const ns = object.metadata.namespace ?? '';
  const all = (await api.cachedList('', 'v1', 'resourcequotas', ns)) as Quota[];
  if (all.length === 0) return;
  const kind = { group: resource.group, plural: resource.plural };
  const cost = usageOf(kind, object);
  const name = object.metadata.name ?? object.metadata.generateName ?? '';
  const deny = (why: string): Error => newForbidden({ group: resource.group, resource: resource.plural }, name, why);
  const charges: { quota: Quota; delta: ResourceList }[] = [];
  for (const q of all) {
    const spec = q.spec ?? {};
    if (!matchesScopes(spec, kind, object)) continue;
    const hardNames = Object.keys(spec.hard ?? {});
    if (resource.group === '' && resource.plural === 'pods') {
      const missing = podConstraints(object as Pod, hardNames);
      if (missing) throw deny(`failed quota: ${q.metadata.name}: ${missing}`);
    }
    const delta: ResourceList = {};
    for (const n of hardNames) if (cost[n]) delta[n] = cost[n];
    if (Object.keys(delta).length === 0) continue;
    const used = await currentUsed(api, q, Object.keys(delta), ns);
    const why = exceeded(q, delta, used);
    if (why) throw deny(why);
    charges.push({ quota: q, delta });
  }
  if (ctx.dryRun) return;
  for (const c of charges) await charge(api, ns, c.quota, c.delta, deny);
}

/** exceeded says why usage + delta goes over hard, in upstream's words, or undefined. */
function exceeded(q: Quota, delta: ResourceList, used: ResourceList): string | undefined {
  const hard = parseList(q.spec?.hard);
  const over = Object.keys(delta).filter((n) => hard[n] && (used[n] ?? Quantity.fromValue(0)).add(delta[n]).cmp(hard[n]) > 0);
  if (over.length === 0) return undefined;
  const pick = (l: ResourceList): ResourceList => Object.fromEntries(over.map((n) => [n, l[n] ?? Quantity.fromValue(0)]));
  return `exceeded quota: ${q.metadata.name}, requested: ${prettyList(pick(delta))}, used: ${prettyList(pick(used))}, limited: ${prettyList(pick(hard))}`;
}

/**
 * currentUsed reads usage from the quota's status; a resource the
 * controller has not reported yet is summed from storage (upstream refuses
 * with "status unknown for quota" instead).
 */
async function currentUsed(api: APIRegistry, q: Quota, names: string[], ns: string): Promise<ResourceList> {
  const recorded = q.status?.used ?? {};
  const used: ResourceList = {};
  const unknown: string[] = [];
  for (const n of names) {
    if (recorded[n] !== undefined) used[n] = parseQuantity(recorded[n]);
    else unknown.push(n);
  }
  if (unknown.length === 0) return used;
  const sys = newContext(SYSTEM_USER, ns);
  for (const ref of kindsFor(unknown)) {
    const items = (await api.require(ref.group, ref.version, ref.resource).list(sys, {})).items;
    const kind = { group: ref.group, plural: ref.resource };
    for (const o of items) {
      if (!matchesScopes(q.spec ?? {}, kind, o)) continue;
      const cost = usageOf(kind, o);
      for (const n of unknown) if (cost[n]) used[n] = used[n] ? used[n].add(cost[n]) : cost[n];
    }
  }
  return used;
}

/** charge adds delta to the quota's status.used with a conditional write, re-checking the limit against the fresh quota. */
async function charge(api: APIRegistry, ns: string, q: Quota, delta: ResourceList, deny: (why: string) => Error): Promise<void> {
  const quotas = api.require('', 'v1', 'resourcequotas');
  const sys = newContext(SYSTEM_USER, ns);
  await quotas.patchWith(sys, q.metadata.name!, (cur) => {
    const fresh = cur as Quota;
    const names = Object.keys(delta);
    const recorded = fresh.status?.used ?? {};
    const used: ResourceList = {};
    for (const n of names) used[n] = recorded[n] !== undefined ? parseQuantity(recorded[n]) : Quantity.fromValue(0);
    // Only a resource the status already reports can be re-checked; others were checked against storage.
    const known = Object.fromEntries(names.filter((n) => recorded[n] !== undefined).map((n) => [n, delta[n]]));
    const why = exceeded(fresh, known, used);
    if (why) throw deny(why);
    const status = { hard: fresh.status?.hard ?? fresh.spec?.hard ?? {}, used: { ...recorded } };
    for (const n of names) if (recorded[n] !== undefined) status.used[n] = used[n].add(delta[n]).toString();
    fresh.status = status;
    return fresh;
  }, 'status');
}
