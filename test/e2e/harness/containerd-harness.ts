// SPDX-License-Identifier: Apache-2.0
/**
 * A private containerd for end-to-end tests: a ContainerdSupervisor in a fresh
 * temporary data dir with its own pod subnet and bridge, the pause and busybox
 * images imported, and a connected CriClient. `cleanup()` removes everything
 * the run made — pods through CRI, containerd and its shims, mounts, the
 * bridge, CNI iptables chains, pod cgroups, CNI cache files, the temp dir —
 * and `leftovers()` lists anything that survived, for tests to assert on.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ContainerdSupervisor } from '../../../src/kubelet/containerd/containerd-supervisor.js';
import { CriClient } from '../../../src/kubelet/cri/cri-client.js';
import type { PodSandboxConfig } from '../../../src/kubelet/cri/cri-types.js';
import { busyboxImage, BUSYBOX_IMAGE } from '../../../src/images/busybox-image.js';
import { pauseImage, PAUSE_IMAGE } from '../../../src/images/pause-image.js';
import { importImage } from '../../../src/images/image-import.js';
import {
  cgroupsLeft, cniChains, deleteLink, iptablesMentions, linkExists, mountsUnder, processesMentioning, removeCgroups,
  removeCniIptables, removeCniResultCache, removeEmptyDirs, runcDeleteAll, unmountAll,
} from './host-cleanup.js';

/** ContainerdHarness is a running private containerd for one test file. */
export interface ContainerdHarness {
  dataDir: string;
  supervisor: ContainerdSupervisor;
  client: CriClient;
  podCIDR: string;
  /** cgroupRoot is the v1 cgroup directory (relative) all harness pods live under. */
  cgroupRoot: string;
  images: { pause: string; busybox: string };
  /** sandboxConfig builds a pod sandbox config with a fresh uid, a log directory and the harness cgroup parent. */
  sandboxConfig(name: string, extra?: Partial<PodSandboxConfig>): PodSandboxConfig;
  /** importArchive writes an image archive into the data dir and imports it; returns the image names. */
  importArchive(archive: Buffer, fileName: string): Promise<string[]>;
  /** cleanup removes everything the harness made. Safe to call twice. */
  cleanup(): Promise<void>;
  /** leftovers lists what of this harness remains on the host (empty after a good cleanup). */
  leftovers(): string[];
}

/** ContainerdHarnessOptions tune the harness. */
export interface ContainerdHarnessOptions {
  /** podCIDR defaults to a free random 10.x.y.0/24. */
  podCIDR?: string;
  log?: (line: string) => void;
}

/** containerdUnavailableReason reports why end-to-end tests with containerd cannot run here, or '' if they can. */
export function containerdUnavailableReason(): string {
  if (process.getuid?.() !== 0) return 'needs root';
  for (const bin of ['/usr/bin/containerd', '/usr/bin/ctr', '/usr/sbin/runc', '/usr/lib/cni/bridge', '/bin/busybox']) {
    if (!existsSync(bin)) return `${bin} not installed`;
  }
  return '';
}

// A /24 in 10.128.0.0/9 that no existing route or address on the host overlaps.
function freePodCIDR(): string {
  const used = execFileSync('ip', ['-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' });
  for (let i = 0; i < 50; i++) {
    const [a, b] = randomBytes(2);
    const prefix = `10.${128 + (a % 120)}.${b}.`;
    if (!used.includes(prefix) && !used.includes(`10.${128 + (a % 120)}.0.0/`)) return `${prefix}0/24`;
  }
  throw new Error('no free /24 for the test pod network');
}

let archives: { pause: Buffer; busybox: Buffer } | undefined;

/** startContainerdHarness starts a private containerd with pause and busybox imported. */
export async function startContainerdHarness(options: ContainerdHarnessOptions = {}): Promise<ContainerdHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-ctd-'));
  const podCIDR = options.podCIDR ?? freePodCIDR();
  const chainsBefore = cniChains();
  const hostDirsBefore = ['/var/lib/cni/results', '/var/lib/cni', '/run/containerd/s', '/run/containerd'].filter(existsSync);
  const supervisor = new ContainerdSupervisor({ dataDir, podCIDR, log: options.log });
  const cgroupRoot = `skiff-e2e-${supervisor.networkName.slice('skiff-'.length)}`;
  let client: CriClient | undefined;
  const ids = new Set<string>();
  let cleaned = false;

  const cleanup = async (): Promise<void> => {
    if (cleaned) return;
    cleaned = true;
    if (client) await removeAllPods(client, ids).catch((err) => options.log?.(`pod removal failed: ${err}`));
    client?.close();
    await supervisor.stop();
    // Shims outlive containerd by design; any still running belong to pods CRI could not remove.
    for (const pid of processesMentioning(supervisor.socketPath)) process.kill(pid, 'SIGKILL');
    runcDeleteAll(supervisor.layout.runcRoot);
    unmountAll(dataDir);
    deleteLink(supervisor.bridgeName);
    removeCniIptables([supervisor.bridgeName, podCIDR, supervisor.networkName], chainsBefore);
    removeCgroups(cgroupRoot, ids);
    removeCniResultCache(supervisor.networkName);
    // Host dirs containerd or libcni created for us alone go too; rmdir only succeeds when empty.
    removeEmptyDirs(['/var/lib/cni/results', '/var/lib/cni', '/run/containerd/s', '/run/containerd'].filter((d) => !hostDirsBefore.includes(d)));
    if (mountsUnder(dataDir).length === 0) rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await supervisor.start();
    archives ??= { pause: pauseImage(), busybox: busyboxImage() };
    const importArchive = async (archive: Buffer, fileName: string) => {
      const path = join(dataDir, fileName);
      writeFileSync(path, archive);
      const names = await importImage(supervisor.socketPath, path);
      rmSync(path);
      return names;
    };
    await importArchive(archives.pause, 'pause.oci.tar');
    await importArchive(archives.busybox, 'busybox.oci.tar');
    client = await CriClient.connect(supervisor.socketPath);
    const podsDir = join(dataDir, 'pods');
    return {
      dataDir, supervisor, client, podCIDR, cgroupRoot,
      images: { pause: PAUSE_IMAGE, busybox: BUSYBOX_IMAGE },
      sandboxConfig: (name, extra = {}) => {
        const uid = randomBytes(8).toString('hex');
        const logDir = join(podsDir, `default_${name}_${uid}`);
        mkdirSync(logDir, { recursive: true });
        return {
          metadata: { name, uid, namespace: 'default', attempt: 0 },
          hostname: name,
          log_directory: logDir,
          linux: { cgroup_parent: `/${cgroupRoot}/pod${uid}` },
          ...extra,
        };
      },
      importArchive,
      cleanup,
      leftovers: () => leftovers({ dataDir, supervisor, podCIDR, cgroupRoot, chainsBefore }),
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

async function removeAllPods(client: CriClient, ids: Set<string>): Promise<void> {
  for (const c of (await client.listContainers()).containers) {
    ids.add(c.id);
    await client.stopContainer({ container_id: c.id, timeout: 0 }).catch(() => undefined);
    await client.removeContainer({ container_id: c.id });
  }
  for (const s of (await client.listPodSandbox()).items) {
    ids.add(s.id);
    await client.stopPodSandbox({ pod_sandbox_id: s.id });
    await client.removePodSandbox({ pod_sandbox_id: s.id });
  }
}

interface HarnessIdentity {
  dataDir: string;
  supervisor: ContainerdSupervisor;
  podCIDR: string;
  cgroupRoot: string;
  chainsBefore: Map<string, Set<string>>;
}

function leftovers(h: HarnessIdentity): string[] {
  const found: string[] = [];
  if (existsSync(h.dataDir)) found.push(`data dir ${h.dataDir}`);
  for (const m of mountsUnder(h.dataDir)) found.push(`mount ${m}`);
  for (const pid of processesMentioning(h.dataDir)) found.push(`process ${pid}`);
  if (linkExists(h.supervisor.bridgeName)) found.push(`link ${h.supervisor.bridgeName}`);
  for (const r of iptablesMentions([h.supervisor.bridgeName, h.podCIDR, h.supervisor.networkName])) found.push(`iptables ${r}`);
  for (const c of cgroupsLeft(h.cgroupRoot)) found.push(`cgroup ${c}`);
  for (const [table, chains] of cniChains()) {
    for (const c of chains) if (!h.chainsBefore.get(table)?.has(c)) found.push(`iptables chain ${table}/${c}`);
  }
  return found;
}
