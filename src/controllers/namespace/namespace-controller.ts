// SPDX-License-Identifier: Apache-2.0
/**
 * The namespace controller, after upstream pkg/controller/namespace
 * (deletion/namespaced_resources_deleter.go): once a namespace is
 * Terminating, delete every namespaced object in it, wait until they are
 * all gone, then remove the `kubernetes` finalizer through the `finalize`
 * subresource so the API server can delete the namespace.
 */
import type { KubeObject } from '../../api/index.js';
import { RESOURCES, type ResourceInfo } from '../../api/index.js';
import { R, type Client, type ResourceRef } from '../../client/index.js';
import type { InformerFactory, SharedInformer } from '../../client/index.js';
import type { Clock } from '../../client/index.js';
import { deepClone } from '../../api/index.js';
import { isNotFound } from '../../machinery/index.js';
import { Reconciler } from '../../client/index.js';

/** FINALIZER_KUBERNETES is the spec.finalizers entry this controller owns. */
export const FINALIZER_KUBERNETES = 'kubernetes';

/** RECHECK_MS is how soon a namespace with content left is looked at again (upstream estimates from grace periods). */
const RECHECK_MS = 1000;

/** NamespaceControllerOptions are the dependencies of a NamespaceController. */
export interface NamespaceControllerOptions {
  client: Client;
  factory: InformerFactory;
  clock?: Clock;
  log?: (msg: string) => void;
}

/** namespacedResources lists every namespaced resource once (by storage location) that can be listed and deleted. */
export function namespacedResources(served: readonly ResourceInfo[] = RESOURCES): ResourceInfo[] {
  return served.filter((r) => r.namespaced && r.verbs.includes('list') && r.verbs.includes('delete') && r.storage.group === r.group && r.storage.version === r.version);
}

function refOf(info: ResourceInfo): ResourceRef {
  return { group: info.group, version: info.version, resource: info.plural };
}

/** NamespaceController empties and finalizes Terminating namespaces. */
export class NamespaceController extends Reconciler {
  readonly #client: Client;
  readonly #namespaces: SharedInformer;

  constructor(opts: NamespaceControllerOptions) {
    super({ name: 'namespace-controller', clock: opts.clock, log: opts.log });
    this.#client = opts.client;
    this.#namespaces = opts.factory.informer(R.namespaces);
    this.#namespaces.addEventHandler({
      onAdd: (ns) => this.#maybeEnqueue(ns),
      onUpdate: (_old, ns) => this.#maybeEnqueue(ns),
    });
  }

  #maybeEnqueue(ns: KubeObject): void {
    if (ns.metadata.deletionTimestamp) this.enqueue(ns.metadata.name!);
  }

  /** sync deletes the content of a Terminating namespace, or finalizes it when empty. */
  async sync(name: string): Promise<void> {
    const ns = this.#namespaces.get(name);
    if (!ns?.metadata.deletionTimestamp) return;
    const finalizers = ((ns.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []);
    if (!finalizers.includes(FINALIZER_KUBERNETES)) return;
    let remaining = 0;
    // Custom resources come and go: ask the server what it serves now, as upstream's namespace deleter uses discovery.
    const served = (await this.#client.serverResources?.()) ?? RESOURCES;
    for (const info of namespacedResources(served)) remaining += await this.#deleteAll(info, name);
    if (remaining > 0) {
      this.queue.addAfter(name, RECHECK_MS);
      return;
    }
    const copy = deepClone(ns);
    copy.spec = { ...(copy.spec as object), finalizers: finalizers.filter((f) => f !== FINALIZER_KUBERNETES) };
    try {
      await this.#client.update(R.namespaces, copy, { subresource: 'finalize' });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** deleteAll deletes every object of one resource in the namespace and returns how many are still there. */
  async #deleteAll(info: ResourceInfo, namespace: string): Promise<number> {
    const ref = refOf(info);
    const list = await this.#client.list(ref, { namespace });
    const live = list.items.filter((o) => !o.metadata.deletionTimestamp);
    if (live.length > 0) {
      if (info.verbs.includes('deletecollection')) {
        await this.#client.deleteCollection(ref, { namespace, propagationPolicy: 'Background' });
      } else {
        for (const o of live) {
          try {
            await this.#client.delete(ref, o.metadata.name!, { namespace, propagationPolicy: 'Background' });
          } catch (err) {
            if (!isNotFound(err)) throw err;
          }
        }
      }
    }
    if (list.items.length === 0) return 0;
    return (await this.#client.list(ref, { namespace, limit: 1 })).items.length;
  }
}
