// SPDX-License-Identifier: Apache-2.0
/**
 * IPv4 CIDR arithmetic for ipBlock peers. `cidr` minus its `except` list
 * becomes a list of disjoint CIDRs, so each allowed range is one plain
 * iptables match: no marks and no extra chains on the packet path.
 */

interface Block {
  base: number;
  bits: number;
}

/** isIPv4CIDR is true for `a.b.c.d/n` (and a bare `a.b.c.d`, read as /32). */
export function isIPv4CIDR(s: string): boolean {
  return parseCIDR(s) !== undefined;
}

function parseCIDR(s: string): Block | undefined {
  const [addr, len] = s.split('/');
  const parts = addr.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  const bits = len === undefined ? 32 : Number(len);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) return undefined;
  const ip = parts.reduce((a, p) => a * 256 + Number(p), 0);
  return { base: ip - (ip % size(bits)), bits };
}

function size(bits: number): number {
  return 2 ** (32 - bits);
}

function format(b: Block): string {
  const v = b.base;
  return `${Math.floor(v / 2 ** 24) % 256}.${Math.floor(v / 2 ** 16) % 256}.${Math.floor(v / 256) % 256}.${v % 256}/${b.bits}`;
}

function contains(outer: Block, inner: Block): boolean {
  return outer.bits <= inner.bits && inner.base - (inner.base % size(outer.bits)) === outer.base;
}

/** remove cuts `hole` out of `block`: the halves not containing the hole, down to the hole's size. */
function remove(block: Block, hole: Block): Block[] {
  if (contains(hole, block)) return [];
  if (!contains(block, hole)) return [block];
  const out: Block[] = [];
  let cur = block;
  while (cur.bits < hole.bits) {
    const bits = cur.bits + 1;
    const low = { base: cur.base, bits };
    const high = { base: cur.base + size(bits), bits };
    const [keep, next] = contains(low, hole) ? [high, low] : [low, high];
    out.push(keep);
    cur = next;
  }
  return out.sort((a, b) => a.base - b.base);
}

/** subtractCIDRs returns `cidr` minus every `except` as sorted, disjoint CIDR strings; undefined when an input is not IPv4. */
export function subtractCIDRs(cidr: string, excepts: readonly string[]): string[] | undefined {
  const whole = parseCIDR(cidr);
  if (!whole) return undefined;
  let blocks = [whole];
  for (const e of excepts) {
    const hole = parseCIDR(e);
    if (!hole) return undefined;
    blocks = blocks.flatMap((b) => remove(b, hole));
  }
  return blocks.sort((a, b) => a.base - b.base).map(format);
}
