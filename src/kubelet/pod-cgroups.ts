// SPDX-License-Identifier: Apache-2.0
/**
 * Pod-level cgroups on a cgroup v1 host. runc creates a pod's cgroup parent
 * on demand in every hierarchy, but nothing removes it afterwards (see
 * shared/reference/cri-notes.md §8), so the kubelet removes it once the
 * pod's sandbox is gone, as upstream's pod container manager does.
 */
import { existsSync, readdirSync, rmdirSync, statSync } from 'node:fs';
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
