// SPDX-License-Identifier: Apache-2.0
/**
 * The service account controller, after upstream pkg/controller/serviceaccount
 * (serviceaccounts_controller.go): every Active namespace has a `default`
 * ServiceAccount; deleting it brings it back.
 */
import type { KubeObject } from '../../api/index.js';
import { R, type Client } from '../../client/index.js';
import type { InformerFactory, SharedInformer } from '../../client/index.js';
import type { Clock } from '../../client/index.js';
import { isAlreadyExists } from '../../machinery/index.js';
import { Reconciler } from '../../client/index.js';

/** DEFAULT_SERVICE_ACCOUNT is the ServiceAccount every namespace gets. */
export const DEFAULT_SERVICE_ACCOUNT = 'default';

/** ServiceAccountControllerOptions are the dependencies of a ServiceAccountController. */
export interface ServiceAccountControllerOptions {
  client: Client;
  factory: InformerFactory;
  clock?: Clock;
  log?: (msg: string) => void;
}

/** ServiceAccountController keeps the default ServiceAccount in each namespace; keys are namespace names. */
export class ServiceAccountController extends Reconciler {
  readonly #client: Client;
  readonly #namespaces: SharedInformer;
  readonly #accounts: SharedInformer;

  constructor(opts: ServiceAccountControllerOptions) {
    super({ name: 'serviceaccount-controller', clock: opts.clock, log: opts.log });
    this.#client = opts.client;
    this.#namespaces = opts.factory.informer(R.namespaces);
    this.#accounts = opts.factory.informer(R.serviceaccounts);
    this.#namespaces.addEventHandler({
      onAdd: (ns) => this.enqueue(ns.metadata.name!),
      onUpdate: (_o, ns) => this.enqueue(ns.metadata.name!),
    });
    this.#accounts.addEventHandler({
      onDelete: (sa) => {
        if (sa.metadata.name === DEFAULT_SERVICE_ACCOUNT) this.enqueue(sa.metadata.namespace!);
      },
    });
  }

  /** sync creates the default ServiceAccount in an Active namespace that lacks it. */
  async sync(namespace: string): Promise<void> {
    const ns = this.#namespaces.get(namespace);
    if (!ns || ns.metadata.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') return;
    if (this.#accounts.get(`${namespace}/${DEFAULT_SERVICE_ACCOUNT}`)) return;
    const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace } };
    try {
      await this.#client.create(R.serviceaccounts, sa, { namespace });
    } catch (err) {
      // Already there (the cache was behind) is success; a namespace that began terminating refuses with Forbidden.
      if (isAlreadyExists(err) || (err as { code?: number }).code === 403) return;
      throw err;
    }
  }
}
