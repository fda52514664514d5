// SPDX-License-Identifier: Apache-2.0
/**
 * Cluster IP and node port allocation for Services, as upstream's service
 * REST storage does it on create and update: a requested address or port is
 * honoured if it is inside the range and free, otherwise the Service is
 * rejected with upstream's 422 message; unset ones are picked at random.
 * The allocation maps are rebuilt from stored Services at start-up.
 */
import type { KubeObject } from '../../api/index.js';
import { newInvalid, field, type FieldError } from '../../machinery/index.js';
import type { RegistryHooks } from './resource-registry.js';

interface ServicePort {
  name?: string;
  port?: number;
  nodePort?: number;
  protocol?: string;
}
interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: ServicePort[];
  externalTrafficPolicy?: string;
  healthCheckNodePort?: number;
}

export interface ServiceAllocatorOptions {
  /** Service CIDR, IPv4 only for now (default 10.43.0.0/16). */
  serviceCIDR: string;
  nodePortRange: { min: number; max: number };
}

function ipToInt(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** ServiceAllocator hands out cluster IPs and node ports and frees them when Services go away. */
export class ServiceAllocator {
  readonly #base: number;
  readonly #size: number;
  readonly #cidr: string;
  readonly #ports: { min: number; max: number };
  readonly #ips = new Set<number>();
  readonly #nodePorts = new Set<number>();

  constructor(opts: ServiceAllocatorOptions) {
    const [addr, bitsText] = opts.serviceCIDR.split('/');
    const bits = Number(bitsText);
    const base = ipToInt(addr);
    if (base === undefined || !(bits >= 8 && bits <= 30)) throw new Error(`invalid service CIDR ${opts.serviceCIDR}`);
    this.#size = 2 ** (32 - bits);
    this.#base = (base & ~(this.#size - 1)) >>> 0;
    this.#cidr = opts.serviceCIDR;
    this.#ports = opts.nodePortRange;
  }

  /** ipAt returns the n-th address of the range (1 is the kubernetes Service, 10 cluster DNS). */
  ipAt(n: number): string {
    return intToIp(this.#base + n);
  }

  /** restore marks the addresses and ports of an existing Service as used (start-up). */
  restore(svc: KubeObject): void {
    const spec = (svc.spec ?? {}) as ServiceSpec;
    for (const ip of spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])) {
      const n = ipToInt(ip);
      if (n !== undefined) this.#ips.add(n);
    }
    for (const p of spec.ports ?? []) if (p.nodePort) this.#nodePorts.add(p.nodePort);
    if (spec.healthCheckNodePort) this.#nodePorts.add(spec.healthCheckNodePort);
  }

  /** hooks are the registry hooks that allocate on create/update and release on delete. */
  hooks(): RegistryHooks {
    return {
      beforeCreate: (obj) => this.#allocate(obj, undefined),
      afterFailedCreate: (obj) => this.release(obj),
      beforeUpdate: (obj, old) => this.#allocate(obj, old),
      afterDelete: (obj) => this.release(obj),
    };
  }

  release(svc: KubeObject): void {
    const spec = (svc.spec ?? {}) as ServiceSpec;
    for (const ip of spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])) {
      const n = ipToInt(ip);
      if (n !== undefined) this.#ips.delete(n);
    }
    for (const p of spec.ports ?? []) if (p.nodePort) this.#nodePorts.delete(p.nodePort);
    if (spec.healthCheckNodePort) this.#nodePorts.delete(spec.healthCheckNodePort);
  }

  #allocate(obj: KubeObject, old: KubeObject | undefined): void {
    const spec = (obj.spec ?? (obj.spec = {})) as ServiceSpec;
    const oldSpec = (old?.spec ?? {}) as ServiceSpec;
    const errs: FieldError[] = [];
    const newIPs: number[] = [];
    const newPorts: number[] = [];
    if (spec.type !== 'ExternalName') {
      const requested = spec.clusterIPs?.[0] ?? spec.clusterIP;
      const had = oldSpec.clusterIPs?.[0] ?? oldSpec.clusterIP;
      if (!requested || requested === '') {
        if (had && old) {
          spec.clusterIP = had;
          spec.clusterIPs = [had];
        } else {
          const ip = this.#pickIP();
          if (ip === undefined) errs.push(field.invalid('spec.clusterIPs', [], 'failed to allocate a serviceIP: range is full'));
          else {
            newIPs.push(ip);
            spec.clusterIP = intToIp(ip);
            spec.clusterIPs = [spec.clusterIP];
          }
        }
      } else if (requested !== 'None' && requested !== had) {
        const n = ipToInt(requested);
        if (n === undefined || n < this.#base || n >= this.#base + this.#size) {
          errs.push(field.invalid('spec.clusterIPs', [requested], `failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${this.#cidr}`));
        } else if (this.#ips.has(n)) {
          errs.push(field.invalid('spec.clusterIPs', [requested], `failed to allocate IP ${requested}: provided IP is already allocated`));
        } else {
          newIPs.push(n);
          spec.clusterIP = requested;
          spec.clusterIPs = [requested];
        }
      } else if (requested === 'None') {
        spec.clusterIP = 'None';
        spec.clusterIPs = ['None'];
      }
    }
    const wantsNodePorts = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
    const oldPorts = new Set((oldSpec.ports ?? []).map((p) => p.nodePort).filter((p): p is number => !!p));
    (spec.ports ?? []).forEach((p, i) => {
      if (!wantsNodePorts) {
        if (p.nodePort) errs.push(field.forbidden(`spec.ports[${i}].nodePort`, `may not be used when \`type\` is '${spec.type ?? 'ClusterIP'}'`));
        return;
      }
      if (!p.nodePort) {
        // Keep the port this Service already had for the same port number, as upstream does on update.
        const prev = (oldSpec.ports ?? []).find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'))?.nodePort;
        if (prev) {
          p.nodePort = prev;
          return;
        }
        const port = this.#pickPort(newPorts);
        if (port === undefined) errs.push(field.invalid(`spec.ports[${i}].nodePort`, 0, 'failed to allocate a nodePort: range is full'));
        else {
          newPorts.push(port);
          p.nodePort = port;
        }
        return;
      }
      if (oldPorts.has(p.nodePort)) return;
      if (p.nodePort < this.#ports.min || p.nodePort > this.#ports.max) {
        errs.push(field.invalid(`spec.ports[${i}].nodePort`, p.nodePort, `provided port is not in the valid range. The range of valid ports is ${this.#ports.min}-${this.#ports.max}`));
      } else if (this.#nodePorts.has(p.nodePort) || newPorts.includes(p.nodePort)) {
        errs.push(field.invalid(`spec.ports[${i}].nodePort`, p.nodePort, 'provided port is already allocated'));
      } else {
        newPorts.push(p.nodePort);
      }
    });
    if (errs.length) throw newInvalid('Service', '', obj.metadata.name ?? '', errs);
    for (const ip of newIPs) this.#ips.add(ip);
    for (const p of newPorts) this.#nodePorts.add(p);
    // Ports the update dropped are free again.
    if (old) {
      const keep = new Set((spec.ports ?? []).map((p) => p.nodePort));
      for (const p of oldPorts) if (!keep.has(p)) this.#nodePorts.delete(p);
    }
  }

  #pickIP(): number | undefined {
    // Skip the network address, .1 (kubernetes) and .10 (DNS) which are reserved for fixed Services.
    for (let tries = 0; tries < 64; tries++) {
      const n = this.#base + 11 + Math.floor(Math.random() * (this.#size - 12));
      if (!this.#ips.has(n)) return n;
    }
    for (let n = this.#base + 11; n < this.#base + this.#size - 1; n++) if (!this.#ips.has(n)) return n;
    return undefined;
  }

  #pickPort(taken: number[]): number | undefined {
    const span = this.#ports.max - this.#ports.min + 1;
    for (let tries = 0; tries < 64; tries++) {
      const p = this.#ports.min + Math.floor(Math.random() * span);
      if (!this.#nodePorts.has(p) && !taken.includes(p)) return p;
    }
    for (let p = this.#ports.min; p <= this.#ports.max; p++) if (!this.#nodePorts.has(p) && !taken.includes(p)) return p;
    return undefined;
  }

  /** claimIP marks a fixed address (kubernetes, DNS) as used without a Service write. */
  claimIP(ip: string): void {
    const n = ipToInt(ip);
    if (n !== undefined) this.#ips.add(n);
  }
}
