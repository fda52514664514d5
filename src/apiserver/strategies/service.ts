// SPDX-License-Identifier: Apache-2.0
/**
 * The Service strategy: core/v1 SetDefaults_Service, the registry's
 * clusterIP/clusterIPs normalization and carrying of allocated values over
 * updates (upstream patchAllocatedValues), ValidateService and the
 * clusterIP immutability of ValidateServiceUpdate. Allocation of cluster IPs
 * and node ports is the registry's job; validateNodePortRange gives it
 * upstream's range message.
 */
import type { Service, ServicePort, ServiceSpec } from 'kubernetes-types/core/v1.js';
import { field, type FieldError } from '../../machinery/index.js';
import { isPlainObject, type KubeObject } from '../../api/index.js';
import { isDNS1123Subdomain, isQualifiedName } from '../../api/index.js';
import { ipFamilyOf, isValidIP, isValidPortNum } from '../../api/index.js';
import { validateLabels } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';
import { validateDNS1123LabelField, validatePortNumOrName } from './container-validation.js';

/** NodePortRange is the inclusive range node ports are allocated from. */
export interface NodePortRange {
  base: number;
  size: number;
}

/** DEFAULT_NODE_PORT_RANGE is upstream's 30000-32767. */
export const DEFAULT_NODE_PORT_RANGE: NodePortRange = { base: 30000, size: 2768 };

/** validateNodePortRange rejects a requested nodePort outside the range, with the allocator's message upstream. */
export function validateNodePortRange(port: number, range: NodePortRange, path: string): FieldError[] {
  const last = range.base + range.size - 1;
  if (port >= range.base && port <= last) return [];
  return [field.invalid(path, port, `provided port is not in the valid range. The range of valid ports is ${range.base}-${last}`)];
}

function specOf(obj: KubeObject): ServiceSpec {
  if (!isPlainObject(obj.spec)) obj.spec = {};
  return obj.spec as ServiceSpec;
}

/** isHeadless is true for `clusterIP: None`. */
function isHeadless(spec: ServiceSpec): boolean {
  return spec.clusterIP === 'None' || spec.clusterIPs?.[0] === 'None';
}

/** externallyAccessible matches upstream's service.ExternallyAccessible. */
function externallyAccessible(spec: ServiceSpec): boolean {
  return spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && (spec.externalIPs ?? []).length > 0);
}

/** defaultService applies SetDefaults_Service, normalizes clusterIPs and fills single-stack IP family fields. */
export function defaultService(obj: KubeObject): void {
  const spec = specOf(obj);
  spec.sessionAffinity ||= 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && spec.sessionAffinityConfig?.clientIP?.timeoutSeconds === undefined) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  spec.type ||= 'ClusterIP';
  for (const p of spec.ports ?? []) {
    p.protocol ||= 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (externallyAccessible(spec)) spec.externalTrafficPolicy ||= 'Cluster';
  if (['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type)) spec.internalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  if (spec.clusterIP && !(spec.clusterIPs ?? []).length) spec.clusterIPs = [spec.clusterIP];
  if (spec.type !== 'ExternalName') {
    // Skiff serves a single-stack cluster: the family follows the requested IP, IPv4 otherwise.
    spec.ipFamilyPolicy ??= 'SingleStack';
    if (!(spec.ipFamilies ?? []).length) {
      const ip = spec.clusterIPs?.[0];
      spec.ipFamilies = [ip && ip !== 'None' ? (ipFamilyOf(ip) ?? 'IPv4') : 'IPv4'];
    }
  }
}

const needsNodePorts = (s: ServiceSpec) => s.type === 'NodePort' || (s.type === 'LoadBalancer' && s.allocateLoadBalancerNodePorts !== false);

const needsClusterIP = (s: ServiceSpec) => s.type !== 'ExternalName';
const needsExternalTrafficPolicy = (s: ServiceSpec) => s.type === 'NodePort' || s.type === 'LoadBalancer';
const sameJSON = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * dropTypeDependentFields clears values a type change made useless when the
 * client left them as they were (upstream's dropTypeDependentFields), so
 * switching NodePort to ClusterIP with `kubectl apply` does not trip over the
 * old node ports or traffic policy.
 */
function dropTypeDependentFields(spec: ServiceSpec, oldSpec: ServiceSpec): void {
  if (needsClusterIP(oldSpec) && !needsClusterIP(spec)) {
    if (spec.clusterIP === oldSpec.clusterIP && sameJSON(spec.clusterIPs, oldSpec.clusterIPs)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (sameJSON(spec.ipFamilies, oldSpec.ipFamilies)) delete spec.ipFamilies;
    if (spec.ipFamilyPolicy === oldSpec.ipFamilyPolicy) delete spec.ipFamilyPolicy;
  }
  const oldNodePorts = (oldSpec.ports ?? []).map((p) => p.nodePort ?? 0);
  const newNodePorts = (spec.ports ?? []).map((p) => p.nodePort ?? 0);
  if (needsNodePorts(oldSpec) && !needsNodePorts(spec) && sameJSON(oldNodePorts, newNodePorts)) {
    for (const p of spec.ports ?? []) delete p.nodePort;
  }
  if (oldSpec.type === 'LoadBalancer' && spec.type !== 'LoadBalancer') {
    if (spec.healthCheckNodePort === oldSpec.healthCheckNodePort) delete spec.healthCheckNodePort;
    if (spec.allocateLoadBalancerNodePorts === oldSpec.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts;
  }
  if (needsExternalTrafficPolicy(oldSpec) && !needsExternalTrafficPolicy(spec) && spec.externalTrafficPolicy === oldSpec.externalTrafficPolicy && !(spec.externalIPs ?? []).length) {
    delete spec.externalTrafficPolicy;
  }
}

/**
 * prepareServiceUpdate keeps allocated values a client left out (cluster IPs,
 * IP families, node ports by port name, health-check node port), as
 * upstream's patchAllocatedValues, and keeps clusterIPs in step with a
 * changed clusterIP so the immutability check reports it.
 */
export function prepareServiceUpdate(obj: KubeObject, old: KubeObject): void {
  const spec = specOf(obj);
  const oldSpec = (isPlainObject(old.spec) ? old.spec : {}) as ServiceSpec;
  dropTypeDependentFields(spec, oldSpec);
  const bothNeedIP = spec.type !== 'ExternalName' && oldSpec.type !== 'ExternalName';
  if (bothNeedIP) {
    if (!spec.clusterIP && !(spec.clusterIPs ?? []).length) {
      if (oldSpec.clusterIP) spec.clusterIP = oldSpec.clusterIP;
      if (oldSpec.clusterIPs?.length) spec.clusterIPs = [...oldSpec.clusterIPs];
    } else if (spec.clusterIP && spec.clusterIP !== oldSpec.clusterIP && JSON.stringify(spec.clusterIPs ?? []) === JSON.stringify(oldSpec.clusterIPs ?? [])) {
      spec.clusterIPs = [spec.clusterIP, ...(oldSpec.clusterIPs ?? []).slice(1)];
    }
    if (!spec.ipFamilies?.length && oldSpec.ipFamilies?.length) spec.ipFamilies = [...oldSpec.ipFamilies];
    spec.ipFamilyPolicy ??= oldSpec.ipFamilyPolicy;
  }
  if (needsNodePorts(oldSpec) && needsNodePorts(spec)) {
    const used = new Set((spec.ports ?? []).map((p) => p.nodePort).filter((n) => n));
    const byName = new Map((oldSpec.ports ?? []).map((p) => [p.name ?? '', p.nodePort]));
    for (const p of spec.ports ?? []) {
      const oldVal = byName.get(p.name ?? '');
      if (!p.nodePort && oldVal && !used.has(oldVal)) p.nodePort = oldVal;
    }
  }
  if (spec.type === 'LoadBalancer' && oldSpec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local' && !spec.healthCheckNodePort) {
    spec.healthCheckNodePort = oldSpec.healthCheckNodePort;
  }
}

function validatePorts(spec: ServiceSpec): FieldError[] {
  const errs: FieldError[] = [];
  const ports: ServicePort[] = spec.ports ?? [];
  const names = new Set<string>();
  const seen = new Set<string>();
  const seenNodePorts = new Set<string>();
  ports.forEach((p, i) => {
    const at = `spec.ports[${i}]`;
    if (ports.length > 1 && !p.name) errs.push(field.required(`${at}.name`, ''));
    else if (p.name) {
      errs.push(...validateDNS1123LabelField(p.name, `${at}.name`));
      if (names.has(p.name)) errs.push(field.duplicate(`${at}.name`, p.name));
      names.add(p.name);
    }
    errs.push(...isValidPortNum(p.port).map((m) => field.invalid(`${at}.port`, p.port, m)));
    if (!p.protocol) errs.push(field.required(`${at}.protocol`, ''));
    else if (!['SCTP', 'TCP', 'UDP'].includes(p.protocol)) errs.push(field.notSupported(`${at}.protocol`, p.protocol, ['SCTP', 'TCP', 'UDP']));
    errs.push(...validatePortNumOrName(p.targetPort, `${at}.targetPort`));
    if (p.appProtocol) errs.push(...isQualifiedName(p.appProtocol).map((m) => field.invalid(`${at}.appProtocol`, p.appProtocol, m)));
    if (spec.type === 'ClusterIP' && p.nodePort) errs.push(field.forbidden(`${at}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
    if (p.nodePort) {
      const npKey = `${p.protocol}/${p.nodePort}`;
      if (seenNodePorts.has(npKey)) errs.push(field.duplicate(`${at}.nodePort`, p.nodePort));
      seenNodePorts.add(npKey);
    }
    const key = `${p.protocol}/${p.port}`;
    // Upstream reports the internal ServicePort struct it used as the key.
    if (seen.has(key)) errs.push(field.duplicate(at, { Name: '', Protocol: p.protocol, AppProtocol: null, Port: p.port, TargetPort: 0, NodePort: 0 }));
    seen.add(key);
  });
  return errs;
}

function validateByType(spec: ServiceSpec): FieldError[] {
  const errs: FieldError[] = [];
  if ((spec.type === 'LoadBalancer' || spec.type === 'NodePort') && isHeadless(spec)) {
    errs.push(field.invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${spec.type} services`));
  }
  if (spec.type === 'LoadBalancer') {
    (spec.ports ?? []).forEach((p, i) => {
      if (p.port === 10250) errs.push(field.invalid(`spec.ports[${i}]`, p.port, 'may not expose port 10250 externally since it is used by kubelet'));
    });
  }
  if (spec.type === 'ExternalName') {
    if ((spec.clusterIPs ?? []).length) errs.push(field.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if ((spec.ipFamilies ?? []).length) errs.push(field.forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (spec.ipFamilyPolicy) errs.push(field.forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    const cname = (spec.externalName ?? '').replace(/\.$/, '');
    if (!cname) errs.push(field.required('spec.externalName', ''));
    else errs.push(...isDNS1123Subdomain(cname).map((m) => field.invalid('spec.externalName', cname, m)));
  }
  return errs;
}

function validateClusterIPs(spec: ServiceSpec): FieldError[] {
  const errs: FieldError[] = [];
  const ips = spec.clusterIPs ?? [];
  if (spec.clusterIP && ips.length && ips[0] !== spec.clusterIP) errs.push(field.invalid('spec.clusterIPs', ips, 'first value must match `clusterIP`'));
  ips.forEach((ip, i) => {
    if (ip === 'None' && i === 0) return;
    errs.push(...isValidIP(ip).map((m) => field.invalid(`spec.clusterIPs[${i}]`, ip, m)));
  });
  const policy = spec.ipFamilyPolicy;
  if (policy && !['SingleStack', 'PreferDualStack', 'RequireDualStack'].includes(policy)) {
    errs.push(field.notSupported('spec.ipFamilyPolicy', policy, ['PreferDualStack', 'RequireDualStack', 'SingleStack']));
  }
  (spec.ipFamilies ?? []).forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') errs.push(field.notSupported(`spec.ipFamilies[${i}]`, f, ['IPv4', 'IPv6']));
  });
  return errs;
}

function validateTrafficPolicies(spec: ServiceSpec): FieldError[] {
  const errs: FieldError[] = [];
  const etp = spec.externalTrafficPolicy;
  if (!externallyAccessible(spec)) {
    if (etp) errs.push(field.invalid('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'));
  } else if (!etp) {
    errs.push(field.required('spec.externalTrafficPolicy', ''));
  } else if (etp !== 'Cluster' && etp !== 'Local') {
    errs.push(field.notSupported('spec.externalTrafficPolicy', etp, ['Cluster', 'Local']));
  }
  const itp = spec.internalTrafficPolicy;
  if (itp !== undefined && itp !== 'Cluster' && itp !== 'Local') errs.push(field.notSupported('spec.internalTrafficPolicy', itp, ['Cluster', 'Local']));
  return errs;
}

/** validateServiceSpec is upstream's ValidateService for the spec. */
export function validateServiceSpec(spec: ServiceSpec): FieldError[] {
  const errs: FieldError[] = [];
  if (!(spec.ports ?? []).length && !isHeadless(spec) && spec.type !== 'ExternalName') errs.push(field.required('spec.ports', ''));
  errs.push(...validateByType(spec), ...validatePorts(spec));
  errs.push(...validateLabels(spec.selector, 'spec.selector'));
  const sa = spec.sessionAffinity;
  if (!sa) errs.push(field.required('spec.sessionAffinity', ''));
  else if (sa !== 'ClientIP' && sa !== 'None') errs.push(field.notSupported('spec.sessionAffinity', sa, ['ClientIP', 'None']));
  if (sa === 'None' && spec.sessionAffinityConfig) errs.push(field.forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (sa === 'ClientIP' && timeout !== undefined && (timeout <= 0 || timeout > 86400)) {
    errs.push(field.invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', timeout, 'must be greater than 0 and less than 86400'));
  }
  errs.push(...validateClusterIPs(spec));
  (spec.externalIPs ?? []).forEach((ip, i) => errs.push(...isValidIP(ip).map((m) => field.invalid(`spec.externalIPs[${i}]`, ip, m))));
  const types = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
  if (!spec.type) errs.push(field.required('spec.type', ''));
  else if (!types.includes(spec.type)) errs.push(field.notSupported('spec.type', spec.type, types));
  errs.push(...validateTrafficPolicies(spec));
  return errs;
}

/** validateClusterIPUpdate is upstream's validateUpgradeDowngradeClusterIPs for a single-stack cluster. */
export function validateClusterIPUpdate(spec: ServiceSpec, oldSpec: ServiceSpec): FieldError[] {
  if (spec.type === 'ExternalName' || oldSpec.type === 'ExternalName') return [];
  if (isHeadless(spec) && isHeadless(oldSpec)) return [];
  const oldIPs = oldSpec.clusterIPs ?? [];
  const newIPs = spec.clusterIPs ?? [];
  if (oldIPs.length > 0 && newIPs.length === 0) return [field.invalid('spec.clusterIPs[0]', newIPs, 'primary clusterIP can not be unset')];
  if (oldIPs.length > 0 && oldIPs[0] !== newIPs[0]) return [field.invalid('spec.clusterIPs[0]', newIPs, 'may not change once set')];
  if (oldIPs.length === newIPs.length && oldIPs.some((ip, i) => ip !== newIPs[i])) return [field.invalid('spec.clusterIPs[0]', newIPs, 'may not change once set')];
  return [];
}

/** serviceStrategy is the ResourceStrategy of core/v1 Services. */
export const serviceStrategy: ResourceStrategy = {
  default: defaultService,
  prepareForCreate(obj) {
    (obj as unknown as { status: Service['status'] }).status = { loadBalancer: {} };
  },
  prepareForUpdate: prepareServiceUpdate,
  validate: (obj) => validateServiceSpec(specOf(obj)),
  validateUpdate: (obj, old) => validateClusterIPUpdate(specOf(obj), (isPlainObject(old.spec) ? old.spec : {}) as ServiceSpec),
};
