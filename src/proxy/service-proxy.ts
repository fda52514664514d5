// SPDX-License-Identifier: Apache-2.0
/**
 * ServiceProxy is the node's Service data plane, as kube-proxy in iptables
 * mode: it watches Services and EndpointSlices, renders the whole rule set
 * and applies it in one iptables-restore transaction. Changes are coalesced
 * for a short moment (a Deployment rollout touches many slices at once) but
 * land well within a second. On start everything of ours is rebuilt (safe
 * after a crash); on stop every chain and jump of ours is removed.
 *
 * LoadBalancer Services answer at the addresses in their
 * status.loadBalancer (written by the server's ServiceLB controller, or by
 * any other load balancer implementation) through the same DNAT rules.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject } from '../api/index.js';
import { R, type Client } from '../client/index.js';
import { InformerFactory, type SharedInformer } from '../client/index.js';
import { ChainNames } from './chain-names.js';
import { restorePayload } from './iptables.js';
import { Iptables } from '../netfilter/index.js';
import { renderRules, type RuleSet } from './proxy-rules.js';
import { servicePorts } from './service-port.js';
import { BoundedFrequencyRunner, ComponentLifecycle } from '../machinery/index.js';

/** ServiceProxyOptions configure one node's proxy. */
export interface ServiceProxyOptions {
  nodeName: string;
  nodeIPs: string[];
  serviceCIDR: string;
  /** clusterCIDR: traffic to cluster IPs from outside it is masqueraded. */
  clusterCIDR?: string;
  mode?: 'iptables';
  /** chainPrefix names our chains (`SKIFF` unless set): upper-case, at most 11 characters. */
  chainPrefix?: string;
  /** localhostNodePorts: NodePorts answer on 127.0.0.1 too (default true; sets route_localnet=1 as kube-proxy). */
  localhostNodePorts?: boolean;
  /** masqueradeMark is the fwmark bit for SNAT (default 0x4000, kube-proxy's). */
  masqueradeMark?: number;
  /** minSyncMs coalesces bursts of changes (default 50). */
  minSyncMs?: number;
  /** resyncMs re-applies everything periodically to repair rules someone else removed (default 30 s, kube-proxy's syncPeriod). */
  resyncMs?: number;
  informers?: InformerFactory;
  /** onSync is told after every applied sync (tests and benchmarks). */
  onSync?: (info: { durationMs: number; servicePorts: number }) => void;
  log?: (msg: string) => void;
}

const DEFAULT_MIN_SYNC_MS = 50;
const DEFAULT_RESYNC_MS = 30_000;
const RETRY_MS = 1000;
const ROUTE_LOCALNET = '/proc/sys/net/ipv4/conf/all/route_localnet';

/** ServiceProxy programs Service rules for one node. */
export class ServiceProxy {
  readonly names: ChainNames;
  readonly #client: Client;
  readonly #opts: ServiceProxyOptions;
  readonly #iptables = new Iptables();
  readonly #lifecycle = new ComponentLifecycle();
  #services?: SharedInformer<KubeObject & Service>;
  #slices?: SharedInformer<KubeObject & EndpointSlice>;
  readonly #runner: BoundedFrequencyRunner;
  #resync?: NodeJS.Timeout;

  constructor(client: Client, opts: ServiceProxyOptions) {
    if (opts.mode && opts.mode !== 'iptables') throw new Error(`proxy mode ${opts.mode} is not supported (iptables only)`);
    this.#client = client;
    this.#opts = opts;
    this.names = new ChainNames(opts.chainPrefix ?? 'SKIFF');
    this.#runner = new BoundedFrequencyRunner(() => this.#sync(), {
      minIntervalMs: opts.minSyncMs ?? DEFAULT_MIN_SYNC_MS,
      stopping: () => this.#lifecycle.stopping,
      onError: (err) => {
        this.#opts.log?.(`proxy: sync failed (retry in ${RETRY_MS} ms): ${err.message}`);
        this.#runner.retryAfter(RETRY_MS);
      },
    });
  }

  /** start watches, waits for the caches, and applies the first full sync before returning. */
  async start(signal: AbortSignal): Promise<void> {
    const run = this.#lifecycle.begin(signal);
    const own = !this.#opts.informers;
    const informers = this.#opts.informers ?? new InformerFactory(this.#client, { log: this.#opts.log });
    this.#services = informers.informer<KubeObject & Service>(R.services);
    this.#slices = informers.informer<KubeObject & EndpointSlice>(R.endpointslices);
    const changed = (): void => this.requestSync();
    for (const inf of [this.#services, this.#slices] as SharedInformer[]) inf.addEventHandler({ onAdd: changed, onUpdate: changed, onDelete: changed });
    if (own) informers.start(run);
    if (this.#opts.localhostNodePorts ?? true) enableRouteLocalnet(this.#opts.log);
    await informers.waitForSync(run);
    await this.syncNow();
    const resync = (): void => {
      this.requestSync();
      this.#resync = setTimeout(resync, this.#opts.resyncMs ?? DEFAULT_RESYNC_MS).unref();
    };
    this.#resync = setTimeout(resync, this.#opts.resyncMs ?? DEFAULT_RESYNC_MS).unref();
  }

  /** stop ends the watches and removes every chain and jump of ours. */
  async stop(): Promise<void> {
    this.#lifecycle.stop();
    clearTimeout(this.#resync);
    await this.#runner.stop();
    await this.#iptables.restore(restorePayload(await this.#iptables.save(), this.names, undefined));
  }

  /** requestSync schedules a sync within minSyncMs, coalescing everything that arrives meanwhile. */
  requestSync(): void {
    this.#runner.run();
  }

  /** syncNow applies the current state at once (one sync at a time; a request during a sync runs another after it). */
  async syncNow(): Promise<void> {
    await this.#runner.runNow();
  }

  /** desired renders the rules for the cached state (exposed for tests). */
  desired(): RuleSet {
    const ports = servicePorts(this.#services?.list() ?? [], this.#slices?.list() ?? [], this.#opts.nodeName);
    return renderRules(ports, {
      names: this.names,
      clusterCIDR: this.#opts.clusterCIDR,
      masqueradeMark: this.#opts.masqueradeMark ?? 0x4000,
      localhostNodePorts: this.#opts.localhostNodePorts ?? true,
    });
  }

  async #sync(): Promise<void> {
    const started = performance.now();
    const services = this.#services?.list() ?? [];
    const ports = servicePorts(services, this.#slices?.list() ?? [], this.#opts.nodeName);
    const rules = this.desired();
    await this.#iptables.restore(restorePayload(await this.#iptables.save(), this.names, rules));
    this.#opts.onSync?.({ durationMs: performance.now() - started, servicePorts: ports.length });
  }
}

/**
 * enableRouteLocalnet sets net.ipv4.conf.all.route_localnet=1, as kube-proxy
 * does for localhost NodePorts: without it the kernel drops a packet whose
 * source is 127.0.0.1 once DNAT sends it to a pod over a real interface. The
 * martian-source risk this opens (CVE-2020-8558) is closed by the
 * <prefix>-FIREWALL rule dropping non-local traffic to 127.0.0.0/8.
 */
function enableRouteLocalnet(log?: (msg: string) => void): void {
  try {
    if (readFileSync(ROUTE_LOCALNET, 'utf8').trim() !== '1') writeFileSync(ROUTE_LOCALNET, '1');
  } catch (err) {
    log?.(`proxy: cannot enable route_localnet, NodePorts on 127.0.0.1 will not work: ${(err as Error).message}`);
  }
}
