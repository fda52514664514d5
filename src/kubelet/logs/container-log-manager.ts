// SPDX-License-Identifier: Apache-2.0
/**
 * Container log rotation, as upstream pkg/kubelet/logs/container_log_manager.go:
 * every monitoring period each running container's log file
 * (ContainerStatus.log_path) past containerLogMaxSize (10Mi) is renamed to
 * `<path>.<YYYYMMDD-hhmmss>` and the runtime told to reopen it
 * (ReopenContainerLog), so it keeps writing to a fresh file at the same
 * path, which `kubectl logs` reads. Older rotated files are gzip-compressed
 * and only containerLogMaxFiles (5) files are kept, the current one included.
 */
import { createReadStream, createWriteStream, existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { RuntimeService } from '../cri/runtime-service.js';

/** ContainerLogPolicy is upstream's --container-log-max-size and --container-log-max-files. */
export interface ContainerLogPolicy {
  maxSizeBytes: number;
  maxFiles: number;
}

/** DEFAULT_CONTAINER_LOG_POLICY is upstream's default: 10Mi and 5 files. */
export const DEFAULT_CONTAINER_LOG_POLICY: ContainerLogPolicy = { maxSizeBytes: 10 * 1024 * 1024, maxFiles: 5 };

const TMP_SUFFIX = '.tmp';
const GZ_SUFFIX = '.gz';

/** ContainerLogManagerOptions wire the manager. */
export interface ContainerLogManagerOptions {
  runtime: RuntimeService;
  policy?: ContainerLogPolicy;
  log(msg: string): void;
  now?: () => Date;
}

/** rotationStamp formats a time as upstream's timestampFormat "20060102-150405" (UTC). */
export function rotationStamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** ContainerLogManager rotates container logs. */
export class ContainerLogManager {
  readonly #o: ContainerLogManagerOptions;
  #running = false;

  constructor(opts: ContainerLogManagerOptions) {
    const policy = opts.policy ?? DEFAULT_CONTAINER_LOG_POLICY;
    // Upstream refuses fewer than 2 files (the current one and one rotated).
    if (policy.maxFiles < 2) throw new Error(`invalid MaxFiles ${policy.maxFiles}, must be > 1`);
    this.#o = { ...opts, policy };
  }

  get #policy(): ContainerLogPolicy {
    return this.#o.policy!;
  }

  /** rotateLogs makes one pass over the running containers. */
  async rotateLogs(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      const { containers } = await this.#o.runtime.listContainers({ filter: { state: { state: 'CONTAINER_RUNNING' } } });
      for (const c of containers) {
        const path = await this.#o.runtime.containerStatus({ container_id: c.id }).then((r) => r.status?.log_path ?? '').catch(() => '');
        if (!path || !existsSync(path)) continue;
        try {
          if (statSync(path).size < this.#policy.maxSizeBytes) continue;
          await this.rotate(c.id, path);
        } catch (err) {
          this.#o.log(`kubelet: rotating log of container ${c.id}: ${(err as Error).message}`);
        }
      }
    } finally {
      this.#running = false;
    }
  }

  /** rotate rotates one container's log now, as upstream rotateLog. */
  async rotate(containerId: string, path: string): Promise<void> {
    this.#cleanupUnusedLogs(path);
    this.#removeExcessLogs(path);
    await this.#compressLogs(path);
    const rotated = `${path}.${rotationStamp((this.#o.now ?? (() => new Date()))())}`;
    renameSync(path, rotated);
    try {
      await this.#o.runtime.reopenContainerLog({ container_id: containerId });
    } catch (err) {
      // Put the file back so the container keeps a log the runtime still writes to.
      renameSync(rotated, path);
      throw err;
    }
  }

  /** rotatedLogs lists a log's rotated files, oldest first (the stamps sort by time). */
  rotatedLogs(path: string): string[] {
    const dir = dirname(path);
    const prefix = `${basename(path)}.`;
    return readdirSync(dir).filter((f) => f.startsWith(prefix)).sort().map((f) => join(dir, f));
  }

  #cleanupUnusedLogs(path: string): void {
    for (const f of this.rotatedLogs(path)) if (f.endsWith(TMP_SUFFIX)) rmSync(f, { force: true });
    // An uncompressed file whose compressed twin exists was left by an interrupted compression.
    for (const f of this.rotatedLogs(path)) if (!f.endsWith(GZ_SUFFIX) && existsSync(`${f}${GZ_SUFFIX}`)) rmSync(f, { force: true });
  }

  // Keep maxFiles-2 rotated files: with the one about to be rotated and the current file, maxFiles in all.
  #removeExcessLogs(path: string): void {
    const rotated = this.rotatedLogs(path);
    const keep = this.#policy.maxFiles - 2;
    for (const f of rotated.slice(0, Math.max(0, rotated.length - keep))) rmSync(f, { force: true });
  }

  async #compressLogs(path: string): Promise<void> {
    for (const f of this.rotatedLogs(path)) {
      if (f.endsWith(GZ_SUFFIX)) continue;
      const tmp = `${f}${GZ_SUFFIX}${TMP_SUFFIX}`;
      await pipeline(createReadStream(f), createGzip(), createWriteStream(tmp));
      renameSync(tmp, `${f}${GZ_SUFFIX}`);
      rmSync(f, { force: true });
    }
  }
}
