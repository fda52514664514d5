// SPDX-License-Identifier: Apache-2.0
/**
 * Port, IP and CIDR checks, worded as apimachinery's
 * `pkg/util/validation/validation.go` and `ip.go`.
 */
import { isIP } from 'node:net';
import { maxLenError } from './names.js';

/** inclusiveRangeError is upstream's "must be between A and B, inclusive". */
export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

/** isValidPortNum checks a TCP/UDP port number (1-65535). */
export function isValidPortNum(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : [inclusiveRangeError(1, 65535)];
}

/** isInRange checks lo <= value <= hi. */
export function isInRange(value: number, lo: number, hi: number): string[] {
  return value >= lo && value <= hi ? [] : [inclusiveRangeError(lo, hi)];
}

/** isValidPortName checks an IANA_SVC_NAME (RFC 6335): container and service port names. */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (port.length > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) errs.push('must not begin or end with a hyphen');
  return errs;
}

/** isValidIP checks an IPv4 or IPv6 address. */
export function isValidIP(value: string): string[] {
  return isIP(value) ? [] : ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'];
}

/** ipFamilyOf returns 'IPv4', 'IPv6' or undefined for a non-address. */
export function ipFamilyOf(value: string): 'IPv4' | 'IPv6' | undefined {
  const v = isIP(value);
  return v === 4 ? 'IPv4' : v === 6 ? 'IPv6' : undefined;
}

/** isValidCIDR checks `address/prefix` with a prefix length fitting the family. */
export function isValidCIDR(value: string): string[] {
  const bad = ['must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'];
  const slash = value.indexOf('/');
  if (slash < 0) return bad;
  const family = isIP(value.slice(0, slash));
  const bitsText = value.slice(slash + 1);
  if (!family || !/^[0-9]{1,3}$/.test(bitsText)) return bad;
  const bits = Number(bitsText);
  return bits <= (family === 4 ? 32 : 128) ? [] : bad;
}

/** nthAddress returns the n-th IPv4 address of a CIDR (1: the kubernetes Service or a bridge gateway, 10: cluster DNS). */
export function nthAddress(cidr: string, n: number): string {
  const p = cidr.split('/')[0].split('.').map(Number);
  const v = (((p[0] << 24) >>> 0) + (p[1] << 16) + (p[2] << 8) + p[3] + n) >>> 0;
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}
