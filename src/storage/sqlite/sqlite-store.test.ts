// SPDX-License-Identifier: Apache-2.0
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
import { runStoreConformance } from '../store.suite.js';

const watchQueueLimit = 200;

runStoreConformance(
  'SqliteStore',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-sqlite-'));
    const opts: SqliteStoreOptions = { path: join(dir, 'db', 'state.db'), progressIntervalMs: 50, maxQueuedEvents: watchQueueLimit, catchUpPageSize: 16 };
    let store = SqliteStore.open(opts);
    return {
      store,
      async reopen() {
        await store.close();
        store = SqliteStore.open(opts);
        return store;
      },
      async cleanup() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  { progressWithinMs: 1_000, watchQueueLimit },
);
