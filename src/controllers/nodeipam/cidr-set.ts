// SPDX-License-Identifier: Apache-2.0
/**
 * IPv4 CIDR arithmetic for the range allocator (upstream's cidrset, for the
 * one node mask Skiff uses: /24).
 */

function toInt(ip: string): number {
  return ip.split('.').reduce((a, o) => ((a << 8) >>> 0) + Number(o), 0) >>> 0;
}

function toIP(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function parse(cidr: string): { base: number; prefix: number } {
  const [addr, bits] = cidr.split('/');
  const prefix = Number(bits);
  return { base: toInt(addr) & (prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0), prefix };
}

/** subnets24 lists the /24 ranges of an IPv4 CIDR with a prefix of 24 or shorter. */
export function subnets24(cidr: string): string[] {
  const { base, prefix } = parse(cidr);
  if (!(prefix >= 8 && prefix <= 24)) throw new Error(`cluster CIDR ${cidr} must have a prefix between /8 and /24`);
  const count = 2 ** (24 - prefix);
  return Array.from({ length: Math.min(count, 65536) }, (_, i) => `${toIP((base + i * 256) >>> 0)}/24`);
}

/** cidrContains reports whether inner lies entirely within outer. */
export function cidrContains(outer: string, inner: string): boolean {
  const o = parse(outer);
  const i = parse(inner);
  if (i.prefix < o.prefix) return false;
  const mask = o.prefix === 0 ? 0 : (~0 << (32 - o.prefix)) >>> 0;
  return ((i.base & mask) >>> 0) === o.base;
}
