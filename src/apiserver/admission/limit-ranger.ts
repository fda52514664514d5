// SPDX-License-Identifier: Apache-2.0
/**
 * LimitRanger admission (upstream plugin/pkg/admission/limitranger): on pod
 * creation, containers without requests or limits get the namespace's
 * LimitRange defaults (mutating phase, noted in the
 * `kubernetes.io/limit-ranger` annotation); then Container and Pod min, max
 * and maxLimitRequestRatio, and PersistentVolumeClaim storage min/max, are
 * enforced (validating phase) with upstream's messages.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { LimitRangeItem } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/index.js';
import { Quantity } from '../../api/index.js';
import { parseList, podResources, type ResourceList } from '../../api/index.js';
import { newForbidden } from '../../machinery/index.js';
import type { APIRegistry } from '../registry/api-registry.js';
import type { AdmissionPlugin } from './admission.js';

/** LIMIT_RANGER_ANNOTATION records which defaults were applied, as upstream. */
export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

/** limitRangerAdmission builds the LimitRanger plugin over the registry. */
export function limitRangerAdmission(api: APIRegistry): AdmissionPlugin {
  const items = async (ns: string): Promise<LimitRangeItem[]> => {
    const list = await api.cachedList('', 'v1', 'limitranges', ns);
    return list.flatMap((lr) => ((lr.spec as { limits?: LimitRangeItem[] } | undefined)?.limits ?? []).map(withDefaults));
  };
  return {
    name: 'LimitRanger',
    handles: (r, sub, op) => op === 'CREATE' && !sub && r.group === '' && (r.plural === 'pods' || r.plural === 'persistentvolumeclaims'),
    async admit({ object, resource }) {
      if (resource.plural !== 'pods') return;
      applyDefaults(object as Pod & KubeObject, await items(object.metadata.namespace ?? ''));
    },
    async validate({ object, resource }) {
      const limits = await items(object.metadata.namespace ?? '');
      const errs = resource.plural === 'pods' ? validatePod(object as Pod, limits) : validateClaim(object, limits);
      if (errs.length === 0) return;
      // Upstream aggregates: one error alone, several as "[a, b]".
      const why = errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
      throw newForbidden({ group: '', resource: resource.plural }, object.metadata.name ?? object.metadata.generateName ?? '', why);
    },
  };
}

/**
 * withDefaults applies the LimitRange API defaults (upstream
 * SetDefaults_LimitRangeItem) so objects stored without them behave alike:
 * a Container default limit falls back to max, a default request to the
 * default limit, then to min.
 */
export function withDefaults(item: LimitRangeItem): LimitRangeItem {
  if (item.type !== 'Container') return item;
  const def = { ...(item.max ?? {}), ...(item.default ?? {}) };
  const defReq = { ...(item.min ?? {}), ...def, ...(item.defaultRequest ?? {}) };
  return { ...item, default: def, defaultRequest: defReq };
}

/** applyDefaults fills missing container requests and limits (upstream mergeContainerResources). */
export function applyDefaults(pod: Pod & KubeObject, items: LimitRangeItem[]): void {
  const defLimits: Record<string, string> = {};
  const defRequests: Record<string, string> = {};
  for (const item of items) {
    if (item.type !== 'Container') continue;
    Object.assign(defLimits, item.default ?? {});
    Object.assign(defRequests, item.defaultRequest ?? {});
  }
  if (Object.keys(defLimits).length === 0 && Object.keys(defRequests).length === 0) return;
  const notes: string[] = [];
  const merge = (c: Container, what: string): void => {
    const res = (c.resources ??= {});
    const setReq = Object.keys(defRequests).filter((k) => res.requests?.[k] === undefined).sort();
    const setLim = Object.keys(defLimits).filter((k) => res.limits?.[k] === undefined).sort();
    if (setReq.length) res.requests = { ...(res.requests ?? {}), ...Object.fromEntries(setReq.map((k) => [k, defRequests[k]])) };
    if (setLim.length) res.limits = { ...(res.limits ?? {}), ...Object.fromEntries(setLim.map((k) => [k, defLimits[k]])) };
    if (setReq.length) notes.push(`${setReq.join(', ')} request for ${what} ${c.name}`);
    if (setLim.length) notes.push(`${setLim.join(', ')} limit for ${what} ${c.name}`);
  };
  for (const c of pod.spec?.containers ?? []) merge(c, 'container');
  for (const c of pod.spec?.initContainers ?? []) merge(c, 'init container');
  if (notes.length) pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}` };
}

/** validatePod checks Container items against each container and Pod items against the pod's totals. */
export function validatePod(pod: Pod, items: LimitRangeItem[]): string[] {
  const errs: string[] = [];
  for (const item of items) {
    if (item.type === 'Container') {
      for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
        errs.push(...checkItem('Container', item, parseList(c.resources?.requests), parseList(c.resources?.limits)));
      }
    } else if (item.type === 'Pod') {
      errs.push(...checkItem('Pod', item, podResources(pod, 'requests'), podResources(pod, 'limits')));
    }
  }
  return errs;
}

/** validateClaim checks PersistentVolumeClaim items against the claim's requests (limits are not user input there). */
export function validateClaim(claim: KubeObject, items: LimitRangeItem[]): string[] {
  const requests = parseList((claim.spec as { resources?: { requests?: Record<string, string> } } | undefined)?.resources?.requests);
  const errs: string[] = [];
  for (const item of items) {
    if (item.type !== 'PersistentVolumeClaim') continue;
    for (const [k, v] of Object.entries(parseList(item.min))) push(errs, minConstraint('PersistentVolumeClaim', k, v, requests, {}));
    for (const [k, v] of Object.entries(parseList(item.max))) {
      const req = requests[k];
      if (!req) errs.push(`maximum ${k} usage per PersistentVolumeClaim is ${v.toString()}.  No request is specified`);
      else if (req.cmp(v) > 0) errs.push(`maximum ${k} usage per PersistentVolumeClaim is ${v.toString()}, but request is ${req.toString()}`);
    }
  }
  return errs;
}

function checkItem(type: string, item: LimitRangeItem, requests: ResourceList, limits: ResourceList): string[] {
  const errs: string[] = [];
  for (const [k, v] of Object.entries(parseList(item.min))) push(errs, minConstraint(type, k, v, requests, limits));
  for (const [k, v] of Object.entries(parseList(item.max))) push(errs, maxConstraint(type, k, v, requests, limits));
  for (const [k, v] of Object.entries(parseList(item.maxLimitRequestRatio))) push(errs, ratioConstraint(type, k, v, requests, limits));
  return errs;
}

function push(errs: string[], e: string | undefined): void {
  if (e) errs.push(e);
}

/** minConstraint is upstream's: a request must exist and neither request nor limit may be under min. */
function minConstraint(type: string, r: string, min: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests[r];
  const lim = limits[r];
  if (!req) return `minimum ${r} usage per ${type} is ${min.toString()}.  No request is specified`;
  if (req.cmp(min) < 0) return `minimum ${r} usage per ${type} is ${min.toString()}, but request is ${req.toString()}`;
  if (lim && lim.cmp(min) < 0) return `minimum ${r} usage per ${type} is ${min.toString()}, but limit is ${lim.toString()}`;
  return undefined;
}

/** maxConstraint is upstream's: a limit must exist and neither limit nor request may be over max. */
function maxConstraint(type: string, r: string, max: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests[r];
  const lim = limits[r];
  if (!lim) return `maximum ${r} usage per ${type} is ${max.toString()}.  No limit is specified`;
  if (lim.cmp(max) > 0) return `maximum ${r} usage per ${type} is ${max.toString()}, but limit is ${lim.toString()}`;
  if (req && req.cmp(max) > 0) return `maximum ${r} usage per ${type} is ${max.toString()}, but request is ${req.toString()}`;
  return undefined;
}

/** ratioConstraint is upstream's limitRequestRatioConstraint (ratio printed with Go's %f). */
function ratioConstraint(type: string, r: string, ratio: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests[r];
  const lim = limits[r];
  if (!req || req.isZero()) return `${r} max limit to request ratio per ${type} is ${ratio.toString()}, but no request is specified or request is 0`;
  if (!lim || lim.isZero()) return `${r} max limit to request ratio per ${type} is ${ratio.toString()}, but no limit is specified or limit is 0`;
  const observed = lim.milliValue() / req.milliValue();
  if (observed > ratio.asApproximateFloat64()) return `${r} max limit to request ratio per ${type} is ${ratio.toString()}, but provided ratio is ${observed.toFixed(6)}`;
  return undefined;
}
