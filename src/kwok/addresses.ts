// SPDX-License-Identifier: Apache-2.0
/**
 * Invented addresses for simulated nodes and their pods. Nothing ever
 * connects to them: node InternalIPs come from 10.64.0.0/10 and pod CIDRs
 * from 10.128.0.0/9 (one /24 per node), ranges chosen to stay clear of
 * Skiff's default cluster (10.42/16) and service (10.43/16) CIDRs.
 */

/** nodeIP is the invented InternalIP of the i-th simulated node. */
export function nodeIP(i: number): string {
  return `10.${64 + ((i >> 16) & 63)}.${(i >> 8) & 255}.${i & 255}`;
}

/** podCIDRFor is the invented /24 pod CIDR of the i-th simulated node. */
export function podCIDRFor(i: number): string {
  return `10.${128 + ((i >> 8) & 127)}.${i & 255}.0/24`;
}

/** PodIPPool hands out the host addresses of one IPv4 /24 (or smaller) CIDR. */
export class PodIPPool {
  readonly #prefix: number;
  readonly #size: number;
  readonly #used = new Map<string, number>();
  readonly #free: number[] = [];
  #next = 1;

  constructor(cidr: string) {
    const [addr, bits] = cidr.split('/');
    const p = addr.split('.').map(Number);
    this.#prefix = ((p[0] << 24) >>> 0) + (p[1] << 16) + (p[2] << 8) + p[3];
    this.#size = 2 ** (32 - Math.max(24, Number(bits) || 24));
  }

  /** allocate returns the address of a pod key (the same one on every call), or undefined when the range is full. */
  allocate(key: string): string | undefined {
    let off = this.#used.get(key);
    if (off === undefined) {
      off = this.#free.pop() ?? (this.#next < this.#size - 1 ? this.#next++ : undefined);
      if (off === undefined) return undefined;
      this.#used.set(key, off);
    }
    const v = this.#prefix + off;
    return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
  }

  /** release frees a pod's address. */
  release(key: string): void {
    const off = this.#used.get(key);
    if (off === undefined) return;
    this.#used.delete(key);
    this.#free.push(off);
  }
}
