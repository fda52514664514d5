// SPDX-License-Identifier: Apache-2.0
/**
 * MemoryVolumes is the one tmpfs that holds every pod's memory-backed volumes
 * on this node: `<root>/<pod uid>/<plugin>/<volume name>`.
 *
 * Upstream's secret, projected and downwardAPI plugins wrap an emptyDir of
 * medium Memory, so their files never touch disk; the kubelet mounts one tmpfs
 * per volume. Every pod now has a projected kube-api-access volume, and a
 * mount(8) forked from the agent (which often shares its large process with
 * the API server) costs ~4.5 ms per pod start plus an umount(8) at teardown.
 * Here the tmpfs is mounted once, on first use, and a volume is a directory in
 * it: a container bind-mounts that directory and sees a tmpfs as before, with
 * the same files, modes and atomic-writer updates.
 *
 * The tmpfs outlives a kubelet that stops with pods still running (an agent
 * restart leaves pods running, as upstream's kubelet does): their containers'
 * bind mounts pin it, and the next kubelet adopts the mounted tmpfs, so token
 * refreshes land where the containers look. It is unmounted only when no pod
 * has a directory left in it.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isMountPoint, mountTmpfs, unmountAll } from './volume-host.js';

/** MemoryVolumes hands out volume directories inside the node's shared tmpfs. */
export class MemoryVolumes {
  /** root is the tmpfs mount point, under the kubelet's data dir (one per agent, so agents on one host never share it). */
  readonly root: string;
  #mounted?: Promise<void>;
  #closed = false;

  constructor(root: string) {
    this.root = root;
  }

  /** podDir is one pod's directory in the tmpfs. */
  podDir(uid: string): string {
    return join(this.root, uid);
  }

  /** volumeDir is where one memory-backed volume lives: `<root>/<uid>/<plugin>/<name>`. */
  volumeDir(uid: string, plugin: string, name: string): string {
    return join(this.root, uid, plugin, name);
  }

  /** podUIDs lists the pods that have a directory in the tmpfs. */
  podUIDs(): string[] {
    return existsSync(this.root) ? readdirSync(this.root) : [];
  }

  /**
   * make returns a volume's directory (mode 0777, as upstream's emptyDir),
   * mounting the tmpfs first if this kubelet has not yet. After close it
   * refuses: a directory made then could land on a tmpfs being unmounted, or
   * on disk below it.
   */
  async make(uid: string, plugin: string, name: string): Promise<string> {
    await this.#mount();
    if (this.#closed) throw new Error(`memory-backed volumes at ${this.root} are closed: the kubelet is stopping`);
    const dir = this.volumeDir(uid, plugin, name);
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777);
    return dir;
  }

  /** removePod removes a pod's volume directories (no unmount: they are plain directories). */
  removePod(uid: string): void {
    rmSync(this.podDir(uid), { recursive: true, force: true });
  }

  /**
   * close ends handing out directories and unmounts the tmpfs if no pod has a
   * directory left in it (kubelet stop, or after removing every pod). With
   * pods left, the tmpfs stays mounted for the containers that bind-mount it
   * and for the kubelet that starts next. Calling it again re-checks.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#mounted?.catch(() => undefined);
    if (this.podUIDs().length > 0) return;
    if (isMountPoint(this.root)) await unmountAll(this.root);
    if (!isMountPoint(this.root)) rmSync(this.root, { recursive: true, force: true });
  }

  // The first call mounts (or adopts the tmpfs an earlier run of the kubelet left mounted); a failed mount is retried by the next call.
  #mount(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#mounted ??= (async () => {
      mkdirSync(this.root, { recursive: true, mode: 0o700 });
      if (isMountPoint(this.root)) return;
      // Anything below an unmounted root is on disk, where secrets must not be; no container can be using it.
      this.#empty();
      // No mode option: a container's /proc/mounts then shows the options of upstream's per-volume tmpfs (none). The root is
      // the kubelet's alone (0700); each volume directory is 0777, and a container only sees the directory it bind-mounts.
      await mountTmpfs(this.root, 'rw');
      chmodSync(this.root, 0o700);
      // A fresh tmpfs is empty and world-writable (1777) until the chmod: whatever another user made in between goes.
      this.#empty();
    })().catch((err: unknown) => {
      this.#mounted = undefined;
      throw err;
    });
    return this.#mounted;
  }

  #empty(): void {
    for (const entry of readdirSync(this.root)) rmSync(join(this.root, entry), { recursive: true, force: true });
  }
}
