// SPDX-License-Identifier: Apache-2.0
/**
 * saveEtcdSnapshot streams one member's backend database through etcd's
 * Maintenance.Snapshot into a file, as `etcdctl snapshot save` does: the
 * bytes are etcd's own (its bbolt file followed by the SHA-256 etcd appends),
 * so `etcdctl snapshot restore` (or etcdutl) can restore it. The file
 * appears only once complete (written beside it, then renamed).
 */
import { createWriteStream, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';
import { EtcdClient, type EtcdClientOptions } from './etcd-client.js';

/** saveEtcdSnapshot writes a snapshot of the cluster to `file` and returns its size in bytes. */
export async function saveEtcdSnapshot(opts: EtcdClientOptions, file: string): Promise<number> {
  const client = new EtcdClient(opts);
  const partial = `${file}.part`;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const out = createWriteStream(partial, { mode: 0o600 });
  try {
    for await (const chunk of client.snapshot()) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    out.end();
    await finished(out);
    renameSync(partial, file);
    return statSync(file).size;
  } catch (err) {
    out.destroy();
    rmSync(partial, { force: true });
    throw err;
  } finally {
    client.close();
  }
}
