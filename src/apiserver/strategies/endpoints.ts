// SPDX-License-Identifier: Apache-2.0
/**
 * Endpoints (core/v1) and EndpointSlice (discovery.k8s.io/v1) strategies:
 * port protocols default to TCP; addresses must be IPs of the slice's family,
 * ports in range, names DNS labels (upstream ValidateEndpoints and
 * ValidateEndpointSlice).
 */
import { field, type FieldError } from '../../machinery/index.js';
import { isPlainObject } from '../../api/index.js';
import { isDNS1123Subdomain } from '../../api/index.js';
import { ipFamilyOf, isValidIP, isValidPortNum } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';
import { validateDNS1123LabelField } from './container-validation.js';

function list(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter(isPlainObject) : [];
}

function validatePorts(ports: Record<string, unknown>[], path: string, portRequired: boolean): FieldError[] {
  const errs: FieldError[] = [];
  ports.forEach((p, i) => {
    const at = `${path}[${i}]`;
    if (typeof p.name === 'string' && p.name) errs.push(...validateDNS1123LabelField(p.name, `${at}.name`));
    if (typeof p.port === 'number') errs.push(...isValidPortNum(p.port).map((m) => field.invalid(`${at}.port`, p.port, m)));
    else if (portRequired) errs.push(field.required(`${at}.port`, ''));
    if (p.protocol !== undefined && !['SCTP', 'TCP', 'UDP'].includes(p.protocol as string)) errs.push(field.notSupported(`${at}.protocol`, p.protocol, ['SCTP', 'TCP', 'UDP']));
  });
  return errs;
}

/** endpointsStrategy is the ResourceStrategy of core/v1 Endpoints. */
export const endpointsStrategy: ResourceStrategy = {
  default(obj) {
    for (const s of list(obj.subsets)) for (const p of list(s.ports)) p.protocol ||= 'TCP';
  },
  validate(obj) {
    const errs: FieldError[] = [];
    list(obj.subsets).forEach((s, i) => {
      const at = `subsets[${i}]`;
      if (list(s.addresses).length === 0 && list(s.notReadyAddresses).length === 0) {
        errs.push(field.required(at, 'must specify `addresses` or `notReadyAddresses`'));
      }
      for (const key of ['addresses', 'notReadyAddresses']) {
        list(s[key]).forEach((a, j) => {
          const ip = typeof a.ip === 'string' ? a.ip : '';
          errs.push(...isValidIP(ip).map((m) => field.invalid(`${at}.${key}[${j}].ip`, ip, m)));
        });
      }
      errs.push(...validatePorts(list(s.ports), `${at}.ports`, true));
    });
    return errs;
  },
};

const addressTypes = ['FQDN', 'IPv4', 'IPv6'];

/** endpointSliceStrategy is the ResourceStrategy of discovery.k8s.io/v1 EndpointSlices. */
export const endpointSliceStrategy: ResourceStrategy = {
  default(obj) {
    for (const p of list(obj.ports)) {
      p.protocol ||= 'TCP';
      p.name ??= '';
    }
  },
  validate(obj) {
    const errs: FieldError[] = [];
    const type = obj.addressType;
    if (!type) errs.push(field.required('addressType', ''));
    else if (!addressTypes.includes(type as string)) errs.push(field.notSupported('addressType', type, addressTypes));
    list(obj.endpoints).forEach((e, i) => {
      const addrs = Array.isArray(e.addresses) ? e.addresses.map(String) : [];
      if (addrs.length === 0 || addrs.length > 100) errs.push(field.invalid(`endpoints[${i}].addresses`, addrs.length, 'must have at least 1 address and at most 100'));
      addrs.forEach((a, j) => {
        const at = `endpoints[${i}].addresses[${j}]`;
        if (type === 'FQDN') errs.push(...isDNS1123Subdomain(a).map((m) => field.invalid(at, a, m)));
        else if (type === 'IPv4' || type === 'IPv6') {
          if (ipFamilyOf(a) !== type) errs.push(field.invalid(at, a, `must be a valid ${type} address`));
        }
      });
    });
    errs.push(...validatePorts(list(obj.ports), 'ports', false));
    return errs;
  },
};
