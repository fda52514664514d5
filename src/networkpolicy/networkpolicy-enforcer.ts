// SPDX-License-Identifier: Apache-2.0
/**
 * The NetworkPolicy enforcer of one node: watches NetworkPolicies, Pods and
 * Namespaces, renders the rules for the node's pods and applies them with
 * iptables-restore. Syncs are level-triggered and serialized: a change
 * during a sync causes one more sync after it, a failed sync is retried
 * with back-off, and re-applying the same state changes nothing. Chains are
 * removed on stop.
 */
import type { Namespace, Pod } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { KubeObject } from '../api/object.js';
import { R, type Client } from '../client/client.js';
import { InformerFactory } from '../client/informer.js';
import { applyRules, ensureBridgeNetfilter, execRunner, removeRules, type Runner } from './iptables.js';
import { DEFAULT_CHAIN_PREFIX, renderPolicyRules } from './policy-rules.js';
import { ComponentLifecycle } from '../machinery/component.js';

const DEBOUNCE_MS = 50;
const RETRY_MAX_MS = 30_000;

/** NetworkPolicyEnforcerOptions configures the enforcer. */
export interface NetworkPolicyEnforcerOptions {
  nodeName: string;
  /** chainPrefix prefixes every iptables chain (default SKIFF-NP); tests use their own. */
  chainPrefix?: string;
  log?: (msg: string) => void;
  /** runner executes iptables commands (tests inject a fake). */
  runner?: Runner;
}

/** NetworkPolicyEnforcer is the component; build it with networkPolicyEnforcer(). */
export class NetworkPolicyEnforcer {
  readonly name = 'networkpolicy-enforcer';
  readonly #client: Client;
  readonly #opts: NetworkPolicyEnforcerOptions;
  readonly #prefix: string;
  readonly #runner: Runner;
  readonly #lifecycle = new ComponentLifecycle();
  #factory?: InformerFactory;
  #timer?: NodeJS.Timeout;
  #syncing?: Promise<void>;
  #dirty = false;
  #retryMs = 500;
  #syncs = 0;

  constructor(client: Client, opts: NetworkPolicyEnforcerOptions) {
    this.#client = client;
    this.#opts = opts;
    this.#prefix = opts.chainPrefix ?? DEFAULT_CHAIN_PREFIX;
    this.#runner = opts.runner ?? execRunner;
  }

  /** syncs counts successful applies (tests wait on it). */
  get syncs(): number {
    return this.#syncs;
  }

  /** start syncs the caches and applies the first rules before returning. */
  async start(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const run = this.#lifecycle.begin(signal);
    this.#opts.log?.(`networkpolicy: ${await ensureBridgeNetfilter(this.#runner)}`);
    const factory = (this.#factory = new InformerFactory(this.#client, { log: this.#opts.log }));
    const kick = (): void => this.#schedule(DEBOUNCE_MS);
    for (const ref of [R.networkpolicies, R.pods, R.namespaces]) factory.informer(ref).addEventHandler({ onAdd: kick, onUpdate: kick, onDelete: kick });
    factory.start(run);
    if (!(await factory.waitForSync(run))) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#sync();
  }

  /** stop ends the watches and removes every chain this enforcer owns. */
  async stop(): Promise<void> {
    this.#lifecycle.stop();
    clearTimeout(this.#timer);
    await this.#syncing;
    await this.#factory?.stopped();
    await removeRules(this.#prefix, this.#runner).catch((err: Error) => this.#opts.log?.(`networkpolicy: cleanup failed: ${err.message}`));
  }

  #schedule(ms: number): void {
    if (this.#timer || this.#lifecycle.stopping) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#sync();
    }, ms);
  }

  async #sync(): Promise<void> {
    if (this.#syncing) {
      this.#dirty = true;
      return this.#syncing;
    }
    this.#syncing = this.#syncOnce().finally(() => {
      this.#syncing = undefined;
      if (this.#dirty) {
        this.#dirty = false;
        this.#schedule(0);
      }
    });
    return this.#syncing;
  }

  async #syncOnce(): Promise<void> {
    if (this.#lifecycle.stopping || !this.#factory) return;
    const list = <T>(ref: (typeof R)[keyof typeof R]): T[] => this.#factory!.informer<KubeObject>(ref).list() as unknown as T[];
    const rendered = renderPolicyRules({
      policies: list<NetworkPolicy>(R.networkpolicies),
      pods: list<Pod>(R.pods),
      namespaces: list<Namespace>(R.namespaces),
      nodeName: this.#opts.nodeName,
      chainPrefix: this.#prefix,
    });
    try {
      await applyRules(rendered, this.#prefix, this.#runner);
      this.#syncs++;
      this.#retryMs = 500;
    } catch (err) {
      this.#opts.log?.(`networkpolicy: applying rules failed (retry in ${this.#retryMs} ms): ${(err as Error).message}`);
      this.#schedule(this.#retryMs);
      this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
    }
  }
}

/** networkPolicyEnforcer builds the NetworkPolicy enforcer component for one node. */
export function networkPolicyEnforcer(client: Client, opts: NetworkPolicyEnforcerOptions): NetworkPolicyEnforcer {
  return new NetworkPolicyEnforcer(client, opts);
}
