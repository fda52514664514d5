// SPDX-License-Identifier: Apache-2.0
import { MemoryStore } from './memory-store.js';
import { runStoreConformance } from '../store.suite.js';

const watchQueueLimit = 200;

runStoreConformance(
  'MemoryStore',
  async () => {
    const store = new MemoryStore({ progressIntervalMs: 50, maxQueuedEvents: watchQueueLimit });
    return { store, cleanup: () => store.close() };
  },
  { progressWithinMs: 1_000, watchQueueLimit },
);
