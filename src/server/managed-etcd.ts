// SPDX-License-Identifier: Apache-2.0
/**
 * ManagedEtcd is the part of a server that runs its own etcd member, as
 * k3s's embedded etcd: `--cluster-init` starts a new one-member cluster;
 * `--server URL --token TOKEN` fetches the cluster's secrets from a server
 * (cluster-secrets.ts), adds a member through the etcd Cluster API and starts
 * it with --initial-cluster-state=existing. A data dir that already holds a
 * member just starts it again (and so rejoins). The server then uses its
 * member on loopback as its datastore, and serves the secrets to the next
 * server that joins (the server wires that: cluster-secrets.ts).
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { EtcdClient, type DatastoreOptions } from '../storage/index.js';
import type { PemPair } from '../pki/index.js';
import type { Client } from '../client/index.js';
import type { Component } from '../machinery/index.js';
import { addMember, clientTLS, ensureMemberCertificates, EtcdMemberController, EtcdSupervisor, hasManagedEtcd, loadOrCreateMember, quorumNote, watchQuorum, type Bootstrap, type MemberLayout } from '../etcd/index.js';
import { fetchClusterSecrets, hasClusterSecrets } from './cluster-secrets.js';
import { serverTokenPath } from './server-token.js';

export interface ManagedEtcdOptions {
  /** clusterInit starts a new cluster with this server's member as its first (--cluster-init). */
  clusterInit?: boolean;
  /** join names a server of the cluster to join and the server token (--server, --token). */
  join?: { server: string; token: string };
  /** clientPort and peerPort default to etcd's 2379 and 2380. */
  clientPort?: number;
  peerPort?: number;
}

/** wantsManagedEtcd says this server runs its own member: asked to, or its data dir already has one. */
export function wantsManagedEtcd(dataDir: string, o?: ManagedEtcdOptions): boolean {
  return !!o?.clusterInit || !!o?.join || hasManagedEtcd(dataDir);
}

export class ManagedEtcd {
  #member?: MemberLayout;
  #supervisor?: EtcdSupervisor;
  #joinEndpoints: string[] = [];
  readonly #clients: EtcdClient[] = [];
  readonly #abort = new AbortController();

  constructor(readonly dataDir: string, readonly o: ManagedEtcdOptions, readonly log: (m: string) => void) {}

  /** prepareSecrets fetches the cluster's shared secrets when joining for the first time; it runs before the PKI is loaded. */
  async prepareSecrets(): Promise<void> {
    const join = this.o.join;
    if (!join) return;
    if (hasClusterSecrets(this.dataDir)) {
      this.#joinEndpoints = [`https://${new URL(join.server).hostname}:${this.o.clientPort ?? 2379}`];
      return;
    }
    this.#joinEndpoints = (await fetchClusterSecrets(join.server, join.token, this.dataDir, this.log)).etcdEndpoints;
  }

  /** start runs the member and waits until it serves; the result is the datastore the server opens. */
  async start(ca: PemPair, nodeName: string | undefined, nodeIP: string, apiPort: number): Promise<{ endpoint: string; datastore: Pick<DatastoreOptions, 'caFile' | 'certFile' | 'keyFile'> }> {
    const member = loadOrCreateMember(this.dataDir, { nodeName: nodeName ?? hostname().toLowerCase(), nodeIP, clientPort: this.o.clientPort, peerPort: this.o.peerPort });
    this.#member = member;
    await ensureMemberCertificates(member, ca);
    let bootstrap: Bootstrap = { state: 'new' };
    const fresh = !existsSync(join(member.etcdDataDir, 'member'));
    if (fresh && this.o.join) {
      const client = new EtcdClient({ endpoints: this.#joinEndpoints, tls: clientTLS(member) });
      try {
        bootstrap = { state: 'existing', initialCluster: await addMember(client, member, this.log) };
      } finally {
        client.close();
      }
    } else if (fresh && !this.o.clusterInit) {
      // The member's data is gone (moved away after a restore elsewhere, say): starting a new cluster here would split it.
      throw new Error(`${member.etcdDataDir} holds no etcd data: join the cluster with --server URL --token TOKEN, or start a new one with --cluster-init`);
    } else if (fresh) {
      this.log(`etcd: starting a new cluster with member ${member.name}`);
    }
    this.#supervisor = new EtcdSupervisor({ member, bootstrap, log: this.log });
    await this.#supervisor.start();
    await this.#supervisor.waitServing(this.#abort.signal);
    this.log(quorumNote((await this.#members()).length));
    watchQuorum(member, this.#abort.signal, this.log);
    if (fresh && !this.o.join) {
      this.log(`etcd: to add a server, run on it: skiff server --server https://${nodeIP}:${apiPort} --token "$(cat ${serverTokenPath(this.dataDir)})" (the token file of this server; keep it secret: it opens the cluster's CA key)`);
    }
    return {
      endpoint: member.localClientURL,
      datastore: { caFile: member.files.ca, certFile: member.files.clientCert, keyFile: member.files.clientKey },
    };
  }

  /** memberController removes the etcd member of a server whose Node is deleted (it runs on every server with a member). */
  memberController(client: Client): Component {
    const etcd = new EtcdClient({ endpoints: [this.#member!.localClientURL], tls: clientTLS(this.#member!) });
    this.#clients.push(etcd);
    return new EtcdMemberController({ client, etcd, log: this.log });
  }

  /** memberClientURLs are the client URLs of the cluster's started members (what a joining server adds itself through). */
  async memberClientURLs(): Promise<string[]> {
    return (await this.#members()).flatMap((m) => m.clientURLs.slice(0, 1));
  }

  async #members(): Promise<{ name: string; clientURLs: string[] }[]> {
    const client = new EtcdClient({ endpoints: [this.#member!.localClientURL], tls: clientTLS(this.#member!) });
    try {
      return (await client.memberList()).members;
    } finally {
      client.close();
    }
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    for (const c of this.#clients) c.close();
    await this.#supervisor?.stop();
  }
}
