// SPDX-License-Identifier: Apache-2.0
/**
 * Pod-level cgroups on a cgroup v1 host. runc creates a pod's cgroup parent
 * on demand in every hierarchy, but nothing removes it afterwards (see
 * shared/reference/cri-notes.md §8), so the kubelet removes it once the
 * pod's sandbox is gone, as upstream's pod container manager does. Before
 * the sandbox starts the kubelet creates it with the pod's aggregate limits
 * (upstream cm/pod_container_manager EnsureExists with ResourceConfigForPod).
 */
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CGROUP_ROOT = '/sys/fs/cgroup';

function hierarchies(): string[] {
  try {
    return readdirSync(CGROUP_ROOT).filter((d) => {
      try {
        return statSync(join(CGROUP_ROOT, d)).isDirectory();
      } catch {
        return false;
      }
    });
  } catch {
    return [];
  }
}

// rmdir depth-first; cgroup directories hold only pseudo-files, so rmdir works once no tasks remain.
function removeTree(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeTree(join(dir, e.name));
  try {
    rmdirSync(dir);
  } catch {
    // still has tasks (a process that outlived its container); a later sync retries
  }
}

/** removeCgroup removes a cgroup path (e.g. "/skiff-x/kubepods/burstable/pod<uid>") from every v1 hierarchy. */
export function removeCgroup(path: string): void {
  for (const h of hierarchies()) removeTree(join(CGROUP_ROOT, h, path));
}

/** cgroupExists reports whether a cgroup path is present in any hierarchy. */
export function cgroupExists(path: string): boolean {
  return hierarchies().some((h) => existsSync(join(CGROUP_ROOT, h, path)));
}

/** PodCgroupConfig is what upstream's ResourceConfigForPod sets on a pod's cgroup (cgroup v1 values). */
export interface PodCgroupConfig {
  cpuShares: number;
  /** cpuQuotaUs with cpuPeriodUs 100000, when every container limits CPU. */
  cpuQuotaUs?: number;
  /** memoryLimitBytes, when every container limits memory. */
  memoryLimitBytes?: number;
}

/** writePodCgroup creates the pod cgroup in the cpu and memory hierarchies and writes its limits; it answers what could not be written. */
export function writePodCgroup(path: string, config: PodCgroupConfig): string[] {
  const problems: string[] = [];
  const write = (hierarchy: string, file: string, value: number) => {
    const dir = join(CGROUP_ROOT, hierarchy, path);
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, file), String(value));
    } catch (err) {
      problems.push(`${hierarchy}/${file}: ${(err as Error).message}`);
    }
  };
  write('cpu', 'cpu.shares', config.cpuShares);
  if (config.cpuQuotaUs !== undefined) {
    write('cpu', 'cpu.cfs_period_us', 100_000);
    write('cpu', 'cpu.cfs_quota_us', config.cpuQuotaUs);
  }
  if (config.memoryLimitBytes !== undefined) write('memory', 'memory.limit_in_bytes', config.memoryLimitBytes);
  return problems;
}
