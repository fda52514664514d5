// SPDX-License-Identifier: Apache-2.0
/**
 * Where the eviction manager's numbers come from, as upstream's
 * makeSignalObservations over the stats summary: memory.available is
 * capacity minus the root cgroup's working set (usage minus inactive file
 * pages, never /proc/meminfo's "free"); nodefs is the filesystem of the data
 * dir, imagefs the runtime's image filesystem; pid.available is the pid
 * limit minus the processes running. Per pod: memory working set and
 * writable layers from CRI, logs and local volumes from the disk, processes
 * from the pod's pids cgroup. Tests inject their own SignalSource.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageService, RuntimeService } from '../cri/runtime-service.js';
import { CONTAINER_NAME_LABEL, POD_UID_LABEL } from '../cri-labels.js';
import type { Observations } from './thresholds.js';

/** ContainerUsage is one container's share of a pod's usage. */
export interface ContainerUsage {
  memoryBytes: number;
  diskBytes: number;
}

/** PodUsage is what one pod uses of each evictable resource. */
export interface PodUsage {
  memoryBytes: number;
  /** diskBytes: writable layers, logs and local volumes (upstream's ephemeral-storage usage). */
  diskBytes: number;
  processes: number;
  containers: Map<string, ContainerUsage>;
}

/** SignalSource measures the node and its pods. */
export interface SignalSource {
  observe(): Promise<Observations>;
  /** podUsage maps pod uid to its usage. */
  podUsage(): Promise<Map<string, PodUsage>>;
}

/** NodeSignalSourceOptions say where this node keeps what. */
export interface NodeSignalSourceOptions {
  runtime: RuntimeService;
  images: ImageService;
  dataDir: string;
  /** podsDir holds pods/<uid>/volumes; logRoot holds <ns>_<name>_<uid>/ log dirs. */
  podsDir: string;
  logRoot: string;
  cgroupRoot: string;
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function statfsSignal(path: string): { bytes: { available: number; capacity: number }; inodes: { available: number; capacity: number } } | undefined {
  try {
    const s = statfsSync(path);
    return {
      bytes: { available: Number(s.bavail) * Number(s.bsize), capacity: Number(s.blocks) * Number(s.bsize) },
      inodes: { available: Number(s.ffree), capacity: Number(s.files) },
    };
  } catch {
    return undefined;
  }
}

/** diskUsage sums allocated bytes under a path (du), not following symlinks. */
export function diskUsage(path: string): number {
  let total = 0;
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return 0;
  }
  total += Number(st.blocks) * 512;
  if (!st.isDirectory()) return total;
  let entries: string[] = [];
  try {
    entries = readdirSync(path);
  } catch {
    return total;
  }
  for (const e of entries) total += diskUsage(join(path, e));
  return total;
}

/** NodeSignalSource reads the real node. */
export class NodeSignalSource implements SignalSource {
  readonly #o: NodeSignalSourceOptions;

  constructor(opts: NodeSignalSourceOptions) {
    this.#o = opts;
  }

  async observe(): Promise<Observations> {
    const out: Observations = new Map();
    const memKb = Number(/MemTotal:\s+(\d+)/.exec(readOr('/proc/meminfo'))?.[1] ?? 0);
    const capacity = memKb * 1024;
    const usage = Number(readOr('/sys/fs/cgroup/memory/memory.usage_in_bytes').trim());
    const inactive = Number(/^total_inactive_file (\d+)$/m.exec(readOr('/sys/fs/cgroup/memory/memory.stat'))?.[1] ?? NaN);
    if (capacity > 0 && Number.isFinite(usage) && usage > 0 && Number.isFinite(inactive)) {
      out.set('memory.available', { available: capacity - Math.max(0, usage - inactive), capacity });
    } else if (capacity > 0) {
      // No v1 root memory cgroup (cgroup v2 host): MemAvailable is the nearest figure.
      const availKb = Number(/MemAvailable:\s+(\d+)/.exec(readOr('/proc/meminfo'))?.[1] ?? 0);
      out.set('memory.available', { available: availKb * 1024, capacity });
    }
    const nodefs = statfsSignal(this.#o.dataDir);
    if (nodefs) {
      out.set('nodefs.available', nodefs.bytes);
      out.set('nodefs.inodesFree', nodefs.inodes);
    }
    const mount = await this.#o.images.imageFsInfo().then((r) => r.image_filesystems[0]?.fs_id?.mountpoint).catch(() => undefined);
    const imagefs = (mount && existsSync(mount) ? statfsSignal(mount) : undefined) ?? nodefs;
    if (imagefs) {
      out.set('imagefs.available', imagefs.bytes);
      out.set('imagefs.inodesFree', imagefs.inodes);
    }
    const pidMax = Math.min(Number(readOr('/proc/sys/kernel/pid_max').trim()) || Infinity, Number(readOr('/proc/sys/kernel/threads-max').trim()) || Infinity);
    const running = Number(/\d+\/(\d+)/.exec(readOr('/proc/loadavg'))?.[1] ?? NaN);
    if (Number.isFinite(pidMax) && Number.isFinite(running)) out.set('pid.available', { available: pidMax - running, capacity: pidMax });
    return out;
  }

  async podUsage(): Promise<Map<string, PodUsage>> {
    const out = new Map<string, PodUsage>();
    const usageOf = (uid: string) => {
      let u = out.get(uid);
      if (!u) out.set(uid, (u = { memoryBytes: 0, diskBytes: 0, processes: 0, containers: new Map() }));
      return u;
    };
    const { stats } = await this.#o.runtime.listContainerStats({});
    for (const s of stats) {
      const uid = s.attributes?.labels?.[POD_UID_LABEL];
      if (!uid) continue;
      const u = usageOf(uid);
      const name = s.attributes?.labels?.[CONTAINER_NAME_LABEL] ?? s.attributes?.metadata?.name ?? '';
      const c = u.containers.get(name) ?? { memoryBytes: 0, diskBytes: 0 };
      c.memoryBytes += Number(s.memory?.working_set_bytes?.value ?? 0);
      c.diskBytes += Number(s.writable_layer?.used_bytes?.value ?? 0);
      u.containers.set(name, c);
      u.memoryBytes += Number(s.memory?.working_set_bytes?.value ?? 0);
      u.diskBytes += Number(s.writable_layer?.used_bytes?.value ?? 0);
    }
    if (existsSync(this.#o.logRoot)) {
      for (const dir of readdirSync(this.#o.logRoot)) {
        const uid = dir.split('_').pop() ?? '';
        if (uid) usageOf(uid).diskBytes += diskUsage(join(this.#o.logRoot, dir));
      }
    }
    if (existsSync(this.#o.podsDir)) {
      for (const uid of readdirSync(this.#o.podsDir)) usageOf(uid).diskBytes += diskUsage(join(this.#o.podsDir, uid, 'volumes'));
    }
    for (const [uid, u] of out) {
      for (const qos of ['', '/burstable', '/besteffort']) {
        const n = Number(readOr(`/sys/fs/cgroup/pids${this.#o.cgroupRoot}/kubepods${qos}/pod${uid}/pids.current`).trim());
        if (n > 0) u.processes = n;
      }
    }
    return out;
  }
}
