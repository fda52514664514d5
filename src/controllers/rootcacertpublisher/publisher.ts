// SPDX-License-Identifier: Apache-2.0
/**
 * The root CA certificate publisher, after upstream
 * pkg/controller/certificates/rootcacertpublisher: every namespace holds a
 * `kube-root-ca.crt` ConfigMap whose `ca.crt` is the cluster CA bundle, so
 * the automatic kube-api-access volume of every pod can project it. A
 * deleted one is recreated, an edited one is put back, and the description
 * annotation is kept. Keys are namespace names.
 */
import type { KubeObject } from '../../api/index.js';
import { deepEqual, ROOT_CA_CONFIGMAP } from '../../api/index.js';
import { R, Reconciler, type Client, type Clock, type InformerFactory, type SharedInformer } from '../../client/index.js';
import { isNotFound } from '../../machinery/index.js';

/** DESCRIPTION_ANNOTATION says what the ConfigMap is for, as upstream. */
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
/** DESCRIPTION is upstream's text of that annotation, word for word (clients and tools may compare it). */
export const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. ' +
  'No other usage is guaranteed across distributions of Kubernetes clusters.';

/** RootCACertPublisherOptions are the dependencies of a RootCACertPublisher. */
export interface RootCACertPublisherOptions {
  client: Client;
  factory: InformerFactory;
  /** rootCA is the PEM bundle published as `ca.crt` (upstream: --root-ca-file, else the controller manager's own CA). */
  rootCA: string;
  clock?: Clock;
  log?: (msg: string) => void;
}

/** RootCACertPublisher keeps kube-root-ca.crt in every namespace. */
export class RootCACertPublisher extends Reconciler {
  readonly #o: RootCACertPublisherOptions;
  readonly #namespaces: SharedInformer;
  readonly #configMaps: SharedInformer;

  constructor(opts: RootCACertPublisherOptions) {
    super({ name: 'root-ca-cert-publisher', clock: opts.clock, log: opts.log });
    this.#o = opts;
    this.#namespaces = opts.factory.informer(R.namespaces);
    this.#configMaps = opts.factory.informer(R.configmaps);
    this.#namespaces.addEventHandler({
      onAdd: (ns) => this.enqueue(ns.metadata.name!),
      // Upstream queues an updated namespace only while it is Active.
      onUpdate: (_o, ns) => {
        if ((ns.status as { phase?: string } | undefined)?.phase === 'Active') this.enqueue(ns.metadata.name!);
      },
    });
    const onConfigMap = (cm: KubeObject) => {
      if (cm.metadata.name === ROOT_CA_CONFIGMAP) this.enqueue(cm.metadata.namespace!);
    };
    this.#configMaps.addEventHandler({ onUpdate: (_o, cm) => onConfigMap(cm), onDelete: onConfigMap });
  }

  /** sync creates the ConfigMap where it is missing and puts back its data and annotation where they differ. */
  async sync(namespace: string): Promise<void> {
    const ns = this.#namespaces.get(namespace);
    // A namespace that is gone or going gets nothing (creates there would be refused anyway).
    if (!ns || ns.metadata.deletionTimestamp) return;
    const data = { 'ca.crt': this.#o.rootCA };
    const cm = this.#configMaps.get(`${namespace}/${ROOT_CA_CONFIGMAP}`);
    if (!cm) {
      const fresh: KubeObject = {
        apiVersion: 'v1', kind: 'ConfigMap',
        metadata: { name: ROOT_CA_CONFIGMAP, namespace, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } },
        data,
      };
      try {
        await this.#o.client.create(R.configmaps, fresh, { namespace });
      } catch (err) {
        // Upstream does not retry a create into a namespace that is missing or terminating (refused with 403 here).
        if (isNotFound(err) || (err as { code?: number }).code === 403) return;
        throw err;
      }
      return;
    }
    if (deepEqual(cm.data, data) && cm.metadata.annotations?.[DESCRIPTION_ANNOTATION]) return;
    // The cache's object is shared: change a copy.
    const updated: KubeObject = {
      ...cm,
      metadata: { ...cm.metadata, annotations: { ...(cm.metadata.annotations ?? {}), [DESCRIPTION_ANNOTATION]: DESCRIPTION } },
      data,
    };
    await this.#o.client.update(R.configmaps, updated, { namespace });
  }
}
