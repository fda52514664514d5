// SPDX-License-Identifier: Apache-2.0
/**
 * String formats a structural schema may name, checked as upstream's
 * kube-openapi format registry checks them (the formats apiextensions
 * supports; unknown formats are not checked, as upstream ignores them).
 */
import { isIP } from 'node:net';

const CHECKS: Record<string, (v: string) => boolean> = {
  int32: (v) => /^-?\d+$/.test(v),
  int64: (v) => /^-?\d+$/.test(v),
  uuid: (v) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(v),
  email: (v) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v),
  hostname: (v) => v.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/i.test(v),
  ipv4: (v) => isIP(v) === 4,
  ipv6: (v) => isIP(v) === 6,
  cidr: (v) => {
    const [ip, bits, extra] = v.split('/');
    if (extra !== undefined || bits === undefined || !/^\d+$/.test(bits)) return false;
    const family = isIP(ip ?? '');
    return family !== 0 && Number(bits) <= (family === 4 ? 32 : 128);
  },
  mac: (v) => /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i.test(v),
  date: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)),
  'date-time': (v) => /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$/.test(v),
  duration: (v) => /^(-?\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d|w))+$/.test(v),
  byte: (v) => /^[A-Za-z0-9+/]*={0,2}$/.test(v) && v.length % 4 === 0,
  uri: (v) => {
    try {
      return new URL(v).protocol !== '';
    } catch {
      return false;
    }
  },
};

/** formatError is true when `v` is not of `format` (unknown formats always pass). */
export function formatError(format: string, v: string): boolean {
  const check = CHECKS[format];
  return check ? !check(v) : false;
}

/** KNOWN_FORMATS lists the formats that are checked. */
export const KNOWN_FORMATS = Object.keys(CHECKS);
