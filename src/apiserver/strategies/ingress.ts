// SPDX-License-Identifier: Apache-2.0
/**
 * Ingress and IngressClass strategies, as upstream's
 * `pkg/apis/networking/validation`: rules or a default backend, hosts as
 * (wildcard) DNS names, paths with a pathType, service backends with a name
 * and a port name or number; IngressClass controllers as domain-prefixed paths.
 */
import { field, type FieldError } from '../../machinery/index.js';
import { isPlainObject, type KubeObject } from '../../api/index.js';
import { isDNS1035Label, isDNS1123Subdomain, regexError } from '../../api/index.js';
import { ipFamilyOf, isValidPortName, isValidPortNum } from '../../api/index.js';
import { validateImmutableField } from '../../api/index.js';
import { tooLongError } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';
import { readSpec, specRecord } from './workload-common.js';

const wildcardFmt = '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';

/** isWildcardDNS1123Subdomain checks hosts like `*.example.com`. */
export function isWildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push('must be no more than 253 characters');
  if (!new RegExp(`^${wildcardFmt}$`).test(value)) {
    errs.push(regexError("a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character", wildcardFmt, '*.example.com'));
  }
  return errs;
}

function rec(v: unknown): Record<string, unknown> {
  return isPlainObject(v) ? v : {};
}

function validateBackend(b: Record<string, unknown>, path: string): FieldError[] {
  const hasResource = isPlainObject(b.resource);
  const svc = b.service;
  if (hasResource && isPlainObject(svc)) return [field.invalid(path, '', 'cannot set both resource and service backends')];
  if (hasResource) {
    const r = rec(b.resource);
    return [...(r.kind ? [] : [field.required(`${path}.resource.kind`, '')]), ...(r.name ? [] : [field.required(`${path}.resource.name`, '')])];
  }
  if (!isPlainObject(svc)) return [field.invalid(path, '', 'resource or service backend is required')];
  const errs: FieldError[] = [];
  const name = typeof svc.name === 'string' ? svc.name : '';
  if (!name) errs.push(field.required(`${path}.service.name`, ''));
  else errs.push(...isDNS1035Label(name).map((m) => field.invalid(`${path}.service.name`, name, m)));
  const port = rec(svc.port);
  const portName = typeof port.name === 'string' ? port.name : '';
  const portNumber = typeof port.number === 'number' ? port.number : 0;
  if (portName && portNumber) errs.push(field.invalid(path, '', 'cannot set both port name & port number'));
  else if (portName) errs.push(...isValidPortName(portName).map((m) => field.invalid(`${path}.service.port.name`, portName, m)));
  else if (portNumber) errs.push(...isValidPortNum(portNumber).map((m) => field.invalid(`${path}.service.port.number`, portNumber, m)));
  else errs.push(field.required(path, 'port name or number is required'));
  return errs;
}

const invalidPathSequences = ['//', '/./', '/../', '%2f', '%2F'];
const invalidPathSuffixes = ['/..', '/.'];

function validatePath(p: Record<string, unknown>, path: string): FieldError[] {
  if (!p.pathType) return [field.required(`${path}.pathType`, 'pathType must be specified')];
  const errs: FieldError[] = [];
  const value = typeof p.path === 'string' ? p.path : '';
  if (p.pathType === 'Exact' || p.pathType === 'Prefix') {
    if (!value.startsWith('/')) errs.push(field.invalid(`${path}.path`, value, 'must be an absolute path'));
    for (const seq of invalidPathSequences) if (value.includes(seq)) errs.push(field.invalid(`${path}.path`, value, `must not contain '${seq}'`));
    for (const suf of invalidPathSuffixes) if (value.endsWith(suf)) errs.push(field.invalid(`${path}.path`, value, `cannot end with '${suf}'`));
  } else if (p.pathType === 'ImplementationSpecific') {
    if (value && !value.startsWith('/')) errs.push(field.invalid(`${path}.path`, value, 'must be an absolute path'));
  } else {
    errs.push(field.notSupported(`${path}.pathType`, p.pathType, ['Exact', 'ImplementationSpecific', 'Prefix']));
  }
  return [...errs, ...validateBackend(rec(p.backend), `${path}.backend`)];
}

function validateHost(host: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (ipFamilyOf(host)) errs.push(field.invalid(path, host, 'must be a DNS name, not an IP address'));
  const msgs = host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
  return [...errs, ...msgs.map((m) => field.invalid(path, host, m))];
}

function validateRules(rules: unknown[]): FieldError[] {
  const errs: FieldError[] = [];
  rules.forEach((raw, i) => {
    const r = rec(raw);
    const at = `spec.rules[${i}]`;
    if (typeof r.host === 'string' && r.host) errs.push(...validateHost(r.host, `${at}.host`));
    if (isPlainObject(r.http)) {
      const paths = Array.isArray(r.http.paths) ? r.http.paths : [];
      if (paths.length === 0) errs.push(field.required(`${at}.http.paths`, ''));
      paths.forEach((p, j) => errs.push(...validatePath(rec(p), `${at}.http.paths[${j}]`)));
    }
  });
  return errs;
}

/** validateIngressSpec is upstream's ValidateIngressSpec. */
export function validateIngressSpec(spec: Record<string, unknown>): FieldError[] {
  const errs: FieldError[] = [];
  const rules = Array.isArray(spec.rules) ? spec.rules : [];
  if (rules.length === 0 && !isPlainObject(spec.defaultBackend)) errs.push(field.invalid('spec', spec.rules ?? null, 'either `defaultBackend` or `rules` must be specified'));
  if (isPlainObject(spec.defaultBackend)) errs.push(...validateBackend(spec.defaultBackend, 'spec.defaultBackend'));
  errs.push(...validateRules(rules));
  (Array.isArray(spec.tls) ? spec.tls : []).forEach((raw, i) => {
    const t = rec(raw);
    (Array.isArray(t.hosts) ? t.hosts : []).forEach((h, j) => {
      const host = String(h);
      errs.push(...isDNS1123Subdomain(host.replace(/^\*\./, '')).map((m) => field.invalid(`spec.tls[${i}].hosts[${j}]`, host, m)));
    });
    if (typeof t.secretName === 'string' && t.secretName) errs.push(...isDNS1123Subdomain(t.secretName).map((m) => field.invalid(`spec.tls[${i}].secretName`, t.secretName, m)));
  });
  const cls = spec.ingressClassName;
  if (typeof cls === 'string') errs.push(...isDNS1123Subdomain(cls).map((m) => field.invalid('spec.ingressClassName', cls, m)));
  return errs;
}

/** ingressStrategy is the ResourceStrategy of networking.k8s.io/v1 Ingresses. */
export const ingressStrategy: ResourceStrategy = {
  prepareForCreate(obj) {
    obj.status = {};
  },
  validate: (obj) => validateIngressSpec(readSpec(obj)),
};

/** validateIngressClassController checks a controller name: a domain-prefixed path of at most 250 characters. */
function validateIngressClassController(controller: unknown): FieldError[] {
  const path = 'spec.controller';
  if (typeof controller !== 'string' || !controller) return [field.required(path, '')];
  if (controller.length > 250) return [tooLongError(path, 250)];
  const slash = controller.indexOf('/');
  if (slash <= 0 || slash === controller.length - 1) return [field.invalid(path, controller, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const host = controller.slice(0, slash);
  const rest = controller.slice(slash + 1);
  const errs = isDNS1123Subdomain(host).map((m) => field.invalid(path, host, m));
  if (!/^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/.test(rest)) errs.push(field.invalid(path, rest, regexError('Invalid path', "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+")));
  return errs;
}

/** ingressClassStrategy is the ResourceStrategy of networking.k8s.io/v1 IngressClasses. */
export const ingressClassStrategy: ResourceStrategy = {
  default(obj: KubeObject) {
    const params = specRecord(obj).parameters;
    if (isPlainObject(params)) params.scope ??= 'Cluster';
  },
  validate: (obj) => validateIngressClassController(readSpec(obj).controller),
  validateUpdate: (obj, old) => validateImmutableField(readSpec(obj).controller, readSpec(old).controller, 'spec.controller'),
};
