// SPDX-License-Identifier: Apache-2.0
/**
 * ClusterDNS is Skiff's cluster DNS server (CoreDNS's role in k3s): it
 * answers the cluster zone from informer caches of Services, EndpointSlices
 * and Pods, forwards every other name to the node's resolvers, and keeps the
 * `kube-system/kube-dns` Service at the fixed cluster DNS IP with an
 * EndpointSlice naming the address it listens on, so the Service proxy
 * DNATs 10.43.0.10:53 here like any other Service.
 */
import { readFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject } from '../api/index.js';
import { R, type Client } from '../client/index.js';
import { InformerFactory, type SharedInformer } from '../client/index.js';
import { isAlreadyExists, isNotFound } from '../machinery/index.js';
import { buildReverseIndex, ClusterZone, type ClusterView, type LookupResult } from './cluster-records.js';
import { CLASS_IN, optRecord, RCODE, TYPE, type DnsMessage, type Question } from './dns-message.js';
import { decodeMessage } from './dns-decode.js';
import { encodeMessage } from './dns-encode.js';
import { Forwarder, parseUpstream, upstreamsFromResolvConf } from './dns-forwarder.js';
import { DnsServer, type ListenAddress, type Transport } from './dns-server.js';
import { ComponentLifecycle } from '../machinery/index.js';

/** KubeDNSServiceOptions: where the kube-dns Service points. */
export interface KubeDNSServiceOptions {
  /** clusterIP of kube-dns (default 10.43.0.10). */
  clusterIP?: string;
  /** endpointAddress is the node address pods reach this server on (the CNI bridge gateway, e.g. 10.42.0.1). */
  endpointAddress: string;
  /** endpointPort is the port this server listens on there (default: the first listen address's port). */
  endpointPort?: number;
  nodeName?: string;
}

/** ClusterDNSOptions configure the cluster DNS server. */
export interface ClusterDNSOptions {
  listenAddresses: ListenAddress[];
  clusterDomain?: string;
  /** upstreams (`ip` or `ip:port`); default: the nameservers of resolvConf. */
  upstreams?: string[];
  /** resolvConf is read for upstreams (default /etc/resolv.conf). */
  resolvConf?: string;
  /** kubeDNS: keep the kube-system/kube-dns Service and its EndpointSlice. */
  kubeDNS?: KubeDNSServiceOptions;
  /** watchPods enables hostname/subdomain records from Pods themselves (default true). */
  watchPods?: boolean;
  informers?: InformerFactory;
  log?: (msg: string) => void;
}

/** DEFAULT_CLUSTER_DNS_IP is the tenth address of the default service CIDR, as k3s. */
export const DEFAULT_CLUSTER_DNS_IP = '10.43.0.10';
const KUBE_DNS_SLICE = 'kube-dns-skiff';
const MANAGED_BY = 'cluster-dns.skiff.dev';
const OUR_UDP_SIZE = 1232;
const ENDPOINT_BIND_RETRY_MS = 1000;

/** ClusterDNS serves the cluster zone and forwards the rest. */
export class ClusterDNS {
  readonly zone: ClusterZone;
  readonly #client: Client;
  readonly #opts: ClusterDNSOptions;
  readonly #server: DnsServer;
  #forwarder = new Forwarder([]);
  readonly #lifecycle = new ComponentLifecycle();
  #services?: SharedInformer<KubeObject & Service>;
  #slices?: SharedInformer<KubeObject & EndpointSlice>;
  #pods?: SharedInformer<KubeObject & Pod>;
  #reverse?: Map<string, string[]>;
  /** addresses are the bound listen addresses once started. */
  addresses: ListenAddress[] = [];

  constructor(client: Client, opts: ClusterDNSOptions) {
    this.#client = client;
    this.#opts = opts;
    this.zone = new ClusterZone(opts.clusterDomain ?? 'cluster.local');
    this.#server = new DnsServer((q, t) => this.handle(q, t), opts.log);
  }

  /** start fills the caches, listens, and ensures the kube-dns Service. */
  async start(signal: AbortSignal): Promise<void> {
    const run = this.#lifecycle.begin(signal);
    const own = !this.#opts.informers;
    const informers = this.#opts.informers ?? new InformerFactory(this.#client, { log: this.#opts.log });
    this.#services = informers.informer<KubeObject & Service>(R.services);
    this.#slices = informers.informer<KubeObject & EndpointSlice>(R.endpointslices);
    this.#slices.addIndexer('service', (s) => {
      const svc = s.metadata.labels?.['kubernetes.io/service-name'];
      return svc ? [`${s.metadata.namespace}/${svc}`] : [];
    });
    const invalidate = (): void => void (this.#reverse = undefined);
    for (const inf of [this.#services, this.#slices] as SharedInformer[]) inf.addEventHandler({ onAdd: invalidate, onUpdate: invalidate, onDelete: invalidate });
    if (this.#opts.watchPods ?? true) {
      this.#pods = informers.informer<KubeObject & Pod>(R.pods);
      this.#pods.addIndexer('subdomain', (p) => (p.spec?.subdomain ? [`${p.metadata.namespace}/${p.spec.subdomain}`] : []));
    }
    if (own) informers.start(run);
    this.addresses = [];
    for (const a of this.#opts.listenAddresses) this.addresses.push(await this.#server.listen(a));
    this.#forwarder = new Forwarder(this.#upstreams());
    await informers.waitForSync(run);
    if (this.#opts.kubeDNS) {
      await this.#ensureKubeDNS(this.#opts.kubeDNS);
      this.#bindEndpointAddress(this.#opts.kubeDNS.endpointAddress, this.#opts.kubeDNS.endpointPort ?? this.addresses[0]?.port);
    }
  }

  /**
   * bindEndpointAddress adds a UDP socket on the kube-dns endpoint address
   * when we listen on a wildcard, so replies to queries DNATed there leave
   * from that address (see DnsServer.listenUdp): without it only clients
   * behind that address (pods on the bridge) get answers through the
   * ClusterIP, not the node itself or hostNetwork pods. The address (the
   * bridge gateway) may appear only with the first pod, so binding retries
   * until it exists.
   */
  #bindEndpointAddress(host: string, port: number | undefined): void {
    const wildcard = this.addresses.some((a) => (a.host === '0.0.0.0' || a.host === '::') && a.port === port);
    if (!wildcard || port === undefined || this.addresses.some((a) => a.host === host)) return;
    const attempt = (): void => {
      if (this.#lifecycle.stopping) return;
      this.#server.listenUdp({ host, port }).then(
        () => this.#opts.log?.(`dns: answering UDP on ${host}:${port} from that address`),
        (err: NodeJS.ErrnoException) => {
          if (err.code !== 'EADDRNOTAVAIL') this.#opts.log?.(`dns: udp ${host}:${port}: ${err.message}`);
          setTimeout(attempt, ENDPOINT_BIND_RETRY_MS).unref();
        },
      );
    };
    attempt();
  }

  /** stop closes the listeners and ends the watches. */
  async stop(): Promise<void> {
    this.#lifecycle.stop();
    await this.#server.close();
  }

  /** upstreams: configured ones, else resolv.conf's, never ourselves. */
  #upstreams(): ReturnType<typeof parseUpstream>[] {
    const self = this.addresses.map((a) => `${a.host}:${a.port}`);
    if (this.#opts.upstreams) return this.#opts.upstreams.map(parseUpstream).filter((u) => !self.includes(`${u.host}:${u.port}`));
    let text = '';
    try {
      text = readFileSync(this.#opts.resolvConf ?? '/etc/resolv.conf', 'utf8');
    } catch (err) {
      this.#opts.log?.(`dns: no upstream resolvers: ${(err as Error).message}`);
    }
    const exclude = [this.#opts.kubeDNS?.clusterIP ?? DEFAULT_CLUSTER_DNS_IP];
    return upstreamsFromResolvConf(text, exclude).filter((u) => !self.includes(`${u.host}:${u.port}`));
  }

  /** handle answers one raw query (exposed for tests and benchmarks). */
  async handle(raw: Buffer, transport: Transport): Promise<Buffer | undefined> {
    let query: DnsMessage;
    try {
      query = decodeMessage(raw);
    } catch {
      return raw.length >= 12 ? headerOnly(raw, RCODE.FORMERR) : undefined;
    }
    if (query.qr) return undefined;
    const opt = query.additionals.find((r) => r.type === TYPE.OPT);
    // RFC 6891: the client's advertised size, never below 512; TCP is bounded by the 16-bit length only.
    const limit = transport === 'udp' ? Math.min(Math.max(opt?.class ?? 512, 512), 4096) : 65535;
    const reply = this.#reply(query, !!opt);
    if (query.opcode !== 0) return encodeMessage({ ...reply, rcode: RCODE.NOTIMP }, limit);
    if (query.questions.length !== 1) return encodeMessage({ ...reply, rcode: RCODE.FORMERR }, limit);
    const q = query.questions[0];
    const res = q.class === CLASS_IN ? this.zone.lookup(this.#view, q) : undefined;
    if (!res) return this.#forward(raw, transport, reply, limit);
    if (res.chase) await this.#chase(res, q);
    return encodeMessage({ ...reply, aa: true, rcode: res.rcode, answers: res.answers, authorities: res.authorities, additionals: [...res.additionals, ...reply.additionals] }, limit);
  }

  #reply(query: DnsMessage, edns: boolean): DnsMessage {
    return { id: query.id, qr: true, opcode: query.opcode, aa: false, tc: false, rd: query.rd, ra: true, rcode: RCODE.NOERROR, questions: query.questions, answers: [], authorities: [], additionals: edns ? [optRecord(OUR_UDP_SIZE)] : [] };
  }

  async #forward(raw: Buffer, transport: Transport, reply: DnsMessage, limit: number): Promise<Buffer> {
    try {
      const res = await this.#forwarder.forward(raw, transport === 'tcp');
      if (res.length <= limit) return res;
      // The upstream answered over TCP after a TC; the client asked over UDP, so it gets TC and retries over TCP.
      return encodeMessage({ ...reply, tc: true }, limit);
    } catch (err) {
      this.#opts.log?.(`dns: forward failed: ${(err as Error).message}`);
      return encodeMessage({ ...reply, rcode: RCODE.SERVFAIL }, limit);
    }
  }

  /** chase resolves an ExternalName target outside the zone upstream and appends its records, as CoreDNS does. */
  async #chase(res: LookupResult, q: Question): Promise<void> {
    if (q.type !== TYPE.A && q.type !== TYPE.AAAA && q.type !== TYPE.ANY) return;
    const query = encodeMessage({ id: randomInt(0x10000), qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, rcode: 0, questions: [{ name: res.chase!, type: q.type, class: CLASS_IN }], answers: [], authorities: [], additionals: [] });
    try {
      const answer = decodeMessage(await this.#forwarder.forward(query, false));
      res.answers.push(...answer.answers);
    } catch {
      // The CNAME alone is still a valid answer; the client may resolve the target itself.
    }
  }

  readonly #view: ClusterView = {
    service: (ns, name) => this.#services?.get(`${ns}/${name}`),
    hasNamespace: (ns) => (this.#services?.listNamespace(ns).length ?? 0) > 0,
    endpointSlices: (ns, svc) => this.#slices?.byIndex('service', `${ns}/${svc}`) ?? [],
    podsWithSubdomain: (ns, sub) => this.#pods?.byIndex('subdomain', `${ns}/${sub}`) ?? [],
    namesForIP: (ip) => {
      this.#reverse ??= buildReverseIndex(this.#services?.list() ?? [], this.#slices?.list() ?? [], this.zone.zone);
      return this.#reverse.get(ip) ?? [];
    },
  };

  /** ensureKubeDNS creates kube-system/kube-dns at the cluster DNS IP and points its EndpointSlice at us. */
  async #ensureKubeDNS(o: KubeDNSServiceOptions): Promise<void> {
    const clusterIP = o.clusterIP ?? DEFAULT_CLUSTER_DNS_IP;
    const port = o.endpointPort ?? this.addresses[0]?.port ?? 53;
    const ns = 'kube-system';
    try {
      await this.#client.get(R.services, 'kube-dns', { namespace: ns });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      const svc = {
        metadata: { name: 'kube-dns', namespace: ns, labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'SkiffDNS' } },
        spec: {
          type: 'ClusterIP',
          clusterIP,
          clusterIPs: [clusterIP],
          ports: [
            { name: 'dns', port: 53, protocol: 'UDP', targetPort: port },
            { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: port },
          ],
        },
      };
      await this.#client.create(R.services, svc, { namespace: ns }).catch((e: unknown) => {
        if (!isAlreadyExists(e)) throw e;
      });
    }
    const slice: KubeObject = {
      metadata: { name: KUBE_DNS_SLICE, namespace: ns, labels: { 'kubernetes.io/service-name': 'kube-dns', 'endpointslice.kubernetes.io/managed-by': MANAGED_BY } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [o.endpointAddress], conditions: { ready: true, serving: true, terminating: false }, ...(o.nodeName ? { nodeName: o.nodeName } : {}) }],
      ports: [
        { name: 'dns', port, protocol: 'UDP' },
        { name: 'dns-tcp', port, protocol: 'TCP' },
      ],
    };
    try {
      const cur = await this.#client.get(R.endpointslices, KUBE_DNS_SLICE, { namespace: ns });
      if (JSON.stringify([cur.endpoints, cur.ports]) !== JSON.stringify([slice.endpoints, slice.ports])) {
        await this.#client.update(R.endpointslices, { ...cur, endpoints: slice.endpoints, ports: slice.ports }, { namespace: ns });
      }
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await this.#client.create(R.endpointslices, slice, { namespace: ns });
    }
  }
}

/** headerOnly answers an unparseable query with its ID and an error code. */
function headerOnly(raw: Buffer, rcode: number): Buffer {
  const out = Buffer.alloc(12);
  raw.copy(out, 0, 0, 2);
  out.writeUInt16BE(0x8000 | (raw.readUInt16BE(2) & 0x7900) | 0x0080 | rcode, 2);
  return out;
}
