// SPDX-License-Identifier: Apache-2.0
/**
 * What start-up leaves committed. Start-up's survivors used to grow V8's
 * young generation to two 16 MB semi-spaces (32 MB committed, about 20 MB
 * of the idle RSS); `skiff server` now holds it at V8's initial size until
 * it has started (src/cli/young-generation.ts). The server reports its new
 * space in its resource log lines (SKIFF_RESOURCE_LOG_MS), one of them taken
 * as start-up ends, before the hold is released: a size, not a time, so
 * load on the machine does not move it. (Later samples are V8's own sizing:
 * work that follows the ready line on a busy machine may grow it, which the
 * memory benchmark's idle figures cover.)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type ServerHandle } from '../harness/server-harness.js';
import { waitFor } from '../harness/wait-for.js';

const PREFIX = 'resources: ';

describe('an idle server after start-up', () => {
  let server: ServerHandle;
  before(async () => {
    process.env.SKIFF_RESOURCE_LOG_MS = '300';
    try {
      server = await startServer();
    } finally {
      delete process.env.SKIFF_RESOURCE_LOG_MS;
    }
  });
  after(async () => {
    await server?.stop();
  });

  it('ends start-up with the young generation near V8\'s initial size, not the 32 MB start-up grew it to', async () => {
    // The first sample after the ready line is the one taken as start-up ends, before the young generation is released.
    const sample = await waitFor('the resource sample at the end of start-up', () => {
      const logs = server.logs();
      const line = logs.slice(logs.indexOf('skiff server ready at')).split('\n').find((l) => l.includes(PREFIX));
      return line ? (JSON.parse(line.slice(line.indexOf(PREFIX) + PREFIX.length)) as { newSpace: number }) : undefined;
    });
    assert.ok(sample.newSpace > 0, 'the sample reports the new space');
    assert.ok(sample.newSpace <= 8 * 2 ** 20, `new space committed ${(sample.newSpace / 2 ** 20).toFixed(1)} MiB (V8 grows it to 32 MiB when start-up runs unheld)`);
  });
});
