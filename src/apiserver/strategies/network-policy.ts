// SPDX-License-Identifier: Apache-2.0
/**
 * The NetworkPolicy strategy: ports default to TCP, policyTypes default to
 * Ingress (plus Egress when egress rules exist), and upstream's
 * ValidateNetworkPolicySpec for selectors, ports, peers and ipBlocks.
 */
import { field, type FieldError } from '../../machinery/index.js';
import { isPlainObject } from '../../api/index.js';
import { validateLabelSelector } from '../../api/index.js';
import { isValidCIDR, isValidPortName, isValidPortNum } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';
import { readSpec, specRecord } from './workload-common.js';

function list(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter(isPlainObject) : [];
}

function validatePort(p: Record<string, unknown>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (p.protocol !== undefined && !['SCTP', 'TCP', 'UDP'].includes(p.protocol as string)) errs.push(field.notSupported(`${path}.protocol`, p.protocol, ['SCTP', 'TCP', 'UDP']));
  if (typeof p.port === 'number') errs.push(...isValidPortNum(p.port).map((m) => field.invalid(`${path}.port`, p.port, m)));
  if (typeof p.port === 'string') errs.push(...isValidPortName(p.port).map((m) => field.invalid(`${path}.port`, p.port, m)));
  if (typeof p.endPort === 'number') {
    if (typeof p.port !== 'number') errs.push(field.required(`${path}.port`, 'must be specified when endPort is specified'));
    else if (p.endPort < p.port) errs.push(field.invalid(`${path}.endPort`, p.endPort, 'must be greater than or equal to `port`'));
  }
  return errs;
}

function validatePeer(peer: Record<string, unknown>, path: string): FieldError[] {
  const selectors = ['podSelector', 'namespaceSelector'].filter((k) => isPlainObject(peer[k]));
  const block = peer.ipBlock;
  if (selectors.length === 0 && !isPlainObject(block)) return [field.required(path, 'must specify a peer')];
  if (selectors.length > 0 && isPlainObject(block)) return [field.forbidden(path, 'may not specify both ipBlock and another peer')];
  const errs: FieldError[] = [];
  for (const k of selectors) errs.push(...validateLabelSelector(peer[k], `${path}.${k}`));
  if (isPlainObject(block)) {
    const cidr = typeof block.cidr === 'string' ? block.cidr : '';
    if (!cidr) errs.push(field.required(`${path}.ipBlock.cidr`, ''));
    else errs.push(...isValidCIDR(cidr).map((m) => field.invalid(`${path}.ipBlock.cidr`, cidr, m)));
    (Array.isArray(block.except) ? block.except : []).forEach((e, i) => errs.push(...isValidCIDR(String(e)).map((m) => field.invalid(`${path}.ipBlock.except[${i}]`, e, m))));
  }
  return errs;
}

function validateRules(rules: Record<string, unknown>[], path: string, peersKey: 'from' | 'to'): FieldError[] {
  const errs: FieldError[] = [];
  rules.forEach((r, i) => {
    list(r.ports).forEach((p, j) => errs.push(...validatePort(p, `${path}[${i}].ports[${j}]`)));
    list(r[peersKey]).forEach((p, j) => errs.push(...validatePeer(p, `${path}[${i}].${peersKey}[${j}]`)));
  });
  return errs;
}

/** networkPolicyStrategy is the ResourceStrategy of networking.k8s.io/v1 NetworkPolicies. */
export const networkPolicyStrategy: ResourceStrategy = {
  default(obj) {
    const spec = specRecord(obj);
    for (const r of [...list(spec.ingress), ...list(spec.egress)]) for (const p of list(r.ports)) p.protocol ||= 'TCP';
    if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
      spec.policyTypes = list(spec.egress).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
    }
  },
  validate(obj) {
    const spec = readSpec(obj);
    const errs = isPlainObject(spec.podSelector) ? validateLabelSelector(spec.podSelector, 'spec.podSelector') : [field.required('spec.podSelector', '')];
    errs.push(...validateRules(list(spec.ingress), 'spec.ingress', 'from'), ...validateRules(list(spec.egress), 'spec.egress', 'to'));
    const types = Array.isArray(spec.policyTypes) ? spec.policyTypes : [];
    types.forEach((t, i) => {
      if (t !== 'Ingress' && t !== 'Egress') errs.push(field.notSupported(`spec.policyTypes[${i}]`, t, ['Ingress', 'Egress']));
    });
    if (types.length > 2) errs.push(field.invalid('spec.policyTypes', types, 'may not specify more than two policyTypes'));
    return errs;
  },
};
