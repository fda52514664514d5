// SPDX-License-Identifier: Apache-2.0
/**
 * EtcdMemberController removes a server's etcd member when its Node is
 * deleted (`kubectl delete node`), as k3s's etcd member management does
 * with a finalizer: the Node of a server with a member (member names are
 * `<node name>-<8 hex>`) carries `etcd.skiff.dev/member`; once the Node is
 * being deleted, the member is removed through the Cluster API and the
 * finalizer dropped, so the Node goes only with its member. Every server
 * running its own etcd runs it (removal is idempotent); the last member of a
 * cluster is never removed (that would end the cluster, not shrink it).
 */
import type { KubeObject } from '../api/index.js';
import { InformerFactory, R, Reconciler, type Client, type SharedInformer } from '../client/index.js';
import { isConflict, isNotFound, type Component } from '../machinery/index.js';
import type { EtcdClient } from '../storage/index.js';

export const MEMBER_FINALIZER = 'etcd.skiff.dev/member';
const MEMBER_NAME = /^(.+)-[0-9a-f]{8}$/;

/** nodeOfMember is the node name a member name was made from (`<node>-<8 hex>`), or undefined. */
export function nodeOfMember(memberName: string): string | undefined {
  return MEMBER_NAME.exec(memberName)?.[1];
}

export interface EtcdMemberControllerOptions {
  client: Client;
  etcd: EtcdClient;
  log: (msg: string) => void;
  /** resyncMs re-reads every Node this often, to finalize Nodes of servers that joined since (default 30 s). */
  resyncMs?: number;
}

export class EtcdMemberController extends Reconciler implements Component {
  readonly #o: EtcdMemberControllerOptions;
  readonly #factory: InformerFactory;
  readonly #nodes: SharedInformer;

  constructor(o: EtcdMemberControllerOptions) {
    super({ name: 'etcd-member', log: o.log });
    this.#o = o;
    this.#factory = new InformerFactory(o.client, { log: o.log, resyncMs: o.resyncMs ?? 30_000 });
    this.#nodes = this.#factory.informer(R.nodes);
    const enqueue = (n: KubeObject) => this.enqueue(n.metadata.name!);
    this.#nodes.addEventHandler({ onAdd: enqueue, onUpdate: (_old, n) => enqueue(n) });
  }

  async start(signal: AbortSignal): Promise<void> {
    this.#factory.start(signal);
    void this.#factory.waitForSync(signal).then((ok) => (ok ? this.run(signal, 1) : undefined));
  }

  async sync(name: string): Promise<void> {
    const node = this.#nodes.get(name);
    if (!node) return;
    const finalizers = node.metadata.finalizers ?? [];
    const members = (await this.#o.etcd.memberList()).members;
    const mine = members.filter((m) => nodeOfMember(m.name) === name);
    if (!node.metadata.deletionTimestamp) {
      if (mine.length > 0 && !finalizers.includes(MEMBER_FINALIZER)) await this.#setFinalizers(node, [...finalizers, MEMBER_FINALIZER]);
      return;
    }
    if (!finalizers.includes(MEMBER_FINALIZER)) return;
    for (const m of mine) {
      if (members.length <= 1) {
        this.#o.log(`etcd: not removing member ${m.name} of deleted node ${name}: it is the cluster's only member`);
        break;
      }
      try {
        await this.#o.etcd.memberRemove(m.ID);
        this.#o.log(`etcd: removed member ${m.name} of deleted node ${name}; the cluster has ${members.length - 1} members`);
      } catch (err) {
        // Another server removed it first.
        if (!/member not found/i.test((err as Error).message)) throw err;
      }
    }
    await this.#setFinalizers(node, finalizers.filter((f) => f !== MEMBER_FINALIZER));
  }

  async #setFinalizers(node: KubeObject, finalizers: string[]): Promise<void> {
    try {
      await this.#o.client.update(R.nodes, { ...node, metadata: { ...node.metadata, finalizers } });
    } catch (err) {
      // A newer Node (or none) arrives through the informer and is synced again.
      if (!isConflict(err) && !isNotFound(err)) throw err;
    }
  }
}
