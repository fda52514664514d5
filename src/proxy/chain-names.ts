// SPDX-License-Identifier: Apache-2.0
/**
 * Names of the iptables chains one proxy owns. Every chain starts with a
 * configurable prefix (`SKIFF` in production; tests and several servers on
 * one machine pick their own) so that proxies never touch each other's rules
 * or anyone else's. Per-service and per-endpoint chains carry a hash, as
 * kube-proxy's `KUBE-SVC-<hash>` do, because iptables limits chain names to
 * 28 characters.
 */
import { createHash } from 'node:crypto';

/** MAX_PREFIX_LENGTH keeps `<prefix>-SVC-<hash>` within iptables' 28-character limit with a hash of at least 12. */
export const MAX_PREFIX_LENGTH = 11;
const IPTABLES_MAX_CHAIN = 28;

/** ChainNames hands out the fixed and hashed chain names of one prefix. */
export class ChainNames {
  readonly prefix: string;
  readonly services: string;
  readonly nodePorts: string;
  readonly postrouting: string;
  readonly markMasq: string;
  /** external is the filter chain rejecting NodePorts and external IPs without endpoints. */
  readonly external: string;
  readonly forward: string;
  readonly firewall: string;
  readonly #hashLength: number;
  readonly #owned: RegExp;

  constructor(prefix: string) {
    if (!/^[A-Z][A-Z0-9]*$/.test(prefix) || prefix.length > MAX_PREFIX_LENGTH) {
      throw new Error(`proxy chain prefix ${JSON.stringify(prefix)} must be 1-${MAX_PREFIX_LENGTH} upper-case letters or digits, starting with a letter`);
    }
    this.prefix = prefix;
    this.services = `${prefix}-SERVICES`;
    this.nodePorts = `${prefix}-NODEPORTS`;
    this.postrouting = `${prefix}-POSTROUTING`;
    this.markMasq = `${prefix}-MARK-MASQ`;
    this.external = `${prefix}-EXTERNAL`;
    this.forward = `${prefix}-FORWARD`;
    this.firewall = `${prefix}-FIREWALL`;
    this.#hashLength = Math.min(16, IPTABLES_MAX_CHAIN - prefix.length - 5);
    // Ownership is an exact pattern, not a prefix match: `SKIFF` must not claim `SKIFF2-SVC-...`.
    const fixed = ['SERVICES', 'NODEPORTS', 'POSTROUTING', 'MARK-MASQ', 'EXTERNAL', 'FORWARD', 'FIREWALL'].join('|');
    this.#owned = new RegExp(`^${prefix}-(?:(?:${fixed})|(?:SVC|SVL|EXT|SEP)-[A-Z2-7]{${this.#hashLength}})$`);
  }

  /** serviceChain is the chain spreading cluster traffic over all usable endpoints of a service port. */
  serviceChain(servicePortKey: string): string {
    return `${this.prefix}-SVC-${this.#hash(servicePortKey)}`;
  }

  /** localChain spreads traffic over the endpoints on this node only (traffic policy Local). */
  localChain(servicePortKey: string): string {
    return `${this.prefix}-SVL-${this.#hash(servicePortKey)}`;
  }

  /** externalChain handles NodePort, external IP and load-balancer traffic of a service port. */
  externalChain(servicePortKey: string): string {
    return `${this.prefix}-EXT-${this.#hash(servicePortKey)}`;
  }

  /** endpointChain DNATs to one endpoint of a service port. */
  endpointChain(servicePortKey: string, endpoint: string): string {
    return `${this.prefix}-SEP-${this.#hash(`${servicePortKey}|${endpoint}`)}`;
  }

  /** owns reports whether a chain name is one this prefix creates. */
  owns(chain: string): boolean {
    return this.#owned.test(chain);
  }

  /** hash is kube-proxy's scheme: base32 of a SHA-256, truncated. */
  #hash(s: string): string {
    return base32(createHash('sha256').update(s).digest()).slice(0, this.#hashLength);
  }
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(buf: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}
