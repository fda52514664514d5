// SPDX-License-Identifier: Apache-2.0
import { runStoreConformance } from '../store.suite.js';
import { startEtcdCluster } from '../../../test/harness/etcd-cluster.js';
import { EtcdStore, type EtcdStoreOptions } from './etcd-store.js';

// Every test gets a new etcd (own data dir, free loopback ports), so each starts from an empty store at revision 1.
runStoreConformance(
  'EtcdStore',
  async () => {
    const etcd = await startEtcdCluster({ progressNotifyInterval: '200ms' });
    const opts: EtcdStoreOptions = { endpoints: [etcd.members[0]!.clientURL], requestTimeoutMs: 5_000, compactIntervalMs: 0 };
    let store = EtcdStore.open(opts);
    return {
      store,
      async reopen() {
        await store.close();
        store = EtcdStore.open(opts);
        return store;
      },
      async cleanup() {
        await store.close();
        await etcd.stop();
      },
    };
  },
  {
    progressWithinMs: 3_000,
    // No watchQueueLimit: a slow consumer pauses its gRPC stream and etcd serves it from history when it reads again
    // (etcd-failover.test.ts checks that), so it is never ended as too slow.
  },
);
