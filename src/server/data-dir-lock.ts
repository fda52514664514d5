// SPDX-License-Identifier: Apache-2.0
/**
 * What a server keeps about itself in its data dir: the lock that refuses a
 * second server on the same directory, and the identity it uses in leader
 * election.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * serverIdentity names this server in leader election, as upstream's hostname_uuid;
 * the uuid is kept in the data dir, so a server restarted on its data dir
 * (only one process can hold it) renews its own lease at once instead of
 * waiting for it to expire.
 */
export function serverIdentity(dataDir: string): string {
  const path = join(dataDir, 'server-identity');
  if (!existsSync(path)) writeFileSync(path, `${randomUUID()}\n`, { mode: 0o600 });
  return `${hostname()}_${readFileSync(path, 'utf8').trim()}`;
}

/** DataDirLock refuses a second server on the same data dir, which would corrupt nothing but confuse everything. */
export class DataDirLock {
  #fd?: number;

  constructor(readonly dataDir: string) {}

  get #path(): string {
    return join(this.dataDir, 'server.pid');
  }

  lock(): void {
    const path = this.#path;
    if (existsSync(path)) {
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new Error(`another skiff server (pid ${pid}) is using data dir ${this.dataDir}`);
      }
      rmSync(path, { force: true });
    }
    this.#fd = openSync(path, 'wx', 0o644);
    writeSync(this.#fd, `${process.pid}\n`);
  }

  unlock(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
    rmSync(this.#path, { force: true });
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
