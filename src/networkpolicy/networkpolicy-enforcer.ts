// SPDX-License-Identifier: Apache-2.0
/**
 * The NetworkPolicy enforcer of one node: watches NetworkPolicies, Pods and
 * Namespaces, renders the rules for the node's pods and applies them with
 * iptables-restore. Syncs are level-triggered and serialized: a change
 * during a sync causes one more sync after it, a failed sync is retried
 * with back-off, and re-applying the same state changes nothing. Rules that
 * render the same as the last applied ones are not applied again (most pod
 * events change no rule; each apply runs iptables three times and takes the
 * xtables lock CNI needs to start the very pod that triggered it), except
 * once every RESYNC_MS, which repairs rules someone else removed, as
 * kube-proxy's syncPeriod does. Chains are removed on stop.
 */
import type { Namespace, Pod } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { KubeObject } from '../api/index.js';
import { R, type Client } from '../client/index.js';
import { InformerFactory } from '../client/index.js';
import { applyRules, ensureBridgeNetfilter, removeRules } from './iptables.js';
import { execRunner, type Runner } from '../netfilter/index.js';
import { DEFAULT_CHAIN_PREFIX, renderPolicyRules } from './policy-rules.js';
import { BoundedFrequencyRunner, ComponentLifecycle } from '../machinery/index.js';

const DEBOUNCE_MS = 50;
const RETRY_MAX_MS = 30_000;
const RESYNC_MS = 30_000;

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
  readonly #syncRunner = new BoundedFrequencyRunner(() => this.#syncOnce(), { minIntervalMs: DEBOUNCE_MS, stopping: () => this.#lifecycle.stopping });
  #factory?: InformerFactory;
  #retryMs = 500;
  #syncs = 0;
  /** applied is the last rules applied successfully, serialised; a forced resync clears it. */
  #applied?: string;
  #resync?: NodeJS.Timeout;

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
    const kick = (): void => this.#syncRunner.run();
    for (const ref of [R.networkpolicies, R.pods, R.namespaces]) factory.informer(ref).addEventHandler({ onAdd: kick, onUpdate: kick, onDelete: kick });
    factory.start(run);
    if (!(await factory.waitForSync(run))) return;
    this.#syncRunner.cancelPending();
    await this.#syncRunner.runNow();
    const resync = (): void => {
      this.#applied = undefined;
      this.#syncRunner.run();
      this.#resync = setTimeout(resync, RESYNC_MS).unref();
    };
    this.#resync = setTimeout(resync, RESYNC_MS).unref();
  }

  /** stop ends the watches and removes every chain this enforcer owns. */
  async stop(): Promise<void> {
    this.#lifecycle.stop();
    clearTimeout(this.#resync);
    await this.#syncRunner.stop();
    await this.#factory?.stopped();
    await removeRules(this.#prefix, this.#runner).catch((err: Error) => this.#opts.log?.(`networkpolicy: cleanup failed: ${err.message}`));
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
    const serialised = JSON.stringify([rendered.main, [...rendered.chains]]);
    if (serialised === this.#applied) return;
    try {
      this.#applied = undefined;
      await applyRules(rendered, this.#prefix, this.#runner);
      this.#applied = serialised;
      this.#syncs++;
      this.#retryMs = 500;
    } catch (err) {
      this.#opts.log?.(`networkpolicy: applying rules failed (retry in ${this.#retryMs} ms): ${(err as Error).message}`);
      this.#syncRunner.run(this.#retryMs);
      this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
    }
  }
}

/** networkPolicyEnforcer builds the NetworkPolicy enforcer component for one node. */
export function networkPolicyEnforcer(client: Client, opts: NetworkPolicyEnforcerOptions): NetworkPolicyEnforcer {
  return new NetworkPolicyEnforcer(client, opts);
}
