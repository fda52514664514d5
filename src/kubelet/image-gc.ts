// SPDX-License-Identifier: Apache-2.0
/**
 * Image garbage collection, as upstream pkg/kubelet/images/image_gc_manager.go:
 * when the image filesystem is at or above HighThresholdPercent (85) used,
 * free enough to get down to LowThresholdPercent (80), removing images no
 * container (running or dead) uses, never pinned ones (the pause image),
 * and none younger than MinAge (2m since this kubelet first saw it), least
 * recently used first. Under disk pressure the eviction manager removes every
 * unused image old enough (DeleteUnusedImages).
 */
import { statfsSync } from 'node:fs';
import type { ImageService, RuntimeService } from './cri/runtime-service.js';
import type { Image } from './cri/cri-types.js';

/** ImageGCPolicy is upstream's ImageGCPolicy (--image-gc-high-threshold, --image-gc-low-threshold, --image-minimum-gc-age). */
export interface ImageGCPolicy {
  highThresholdPercent: number;
  lowThresholdPercent: number;
  minAgeMs: number;
}

/** DEFAULT_IMAGE_GC_POLICY is upstream's default: 85 %, 80 %, 2 minutes. */
export const DEFAULT_IMAGE_GC_POLICY: ImageGCPolicy = { highThresholdPercent: 85, lowThresholdPercent: 80, minAgeMs: 2 * 60_000 };

/** FsStats are the image filesystem's size and free bytes. */
export interface FsStats {
  capacityBytes: number;
  availableBytes: number;
}

/** ImageGCOptions wire the collector. */
export interface ImageGCOptions {
  runtime: RuntimeService;
  images: ImageService;
  policy?: ImageGCPolicy;
  /** pinned are image references never removed (the sandbox image), besides images the runtime pins. */
  pinned: string[];
  /** fsStats measures the image filesystem (default: statfs of the runtime's image filesystem mountpoint). */
  fsStats?: () => Promise<FsStats>;
  /** warn records a node event (ImageGCFailed) when GC cannot free enough. */
  warn?: (reason: string, message: string) => void;
  log(msg: string): void;
  now?: () => number;
}

interface ImageRecord {
  firstDetectedMs: number;
  lastUsedMs: number;
}

/** ImageGC tracks images' use and removes unused ones. */
export class ImageGC {
  readonly #o: ImageGCOptions;
  readonly #records = new Map<string, ImageRecord>();

  constructor(opts: ImageGCOptions) {
    this.#o = opts;
  }

  #now(): number {
    return (this.#o.now ?? Date.now)();
  }

  async #fsStats(): Promise<FsStats> {
    if (this.#o.fsStats) return this.#o.fsStats();
    const info = await this.#o.images.imageFsInfo();
    const s = statfsSync(info.image_filesystems[0]?.fs_id?.mountpoint ?? '/');
    return { capacityBytes: Number(s.blocks) * Number(s.bsize), availableBytes: Number(s.bavail) * Number(s.bsize) };
  }

  // Upstream detectImages: note first sight of each image and refresh lastUsed of those in use.
  async #detect(): Promise<{ images: Image[]; inUse: Set<string> }> {
    const now = this.#now();
    const [{ images }, { containers }] = await Promise.all([this.#o.images.listImages(), this.#o.runtime.listContainers()]);
    const inUse = new Set<string>();
    for (const c of containers) {
      if (c.image_ref) inUse.add(c.image_ref);
      if (c.image?.image) inUse.add(c.image.image);
    }
    const present = new Set<string>();
    for (const i of images) {
      present.add(i.id);
      const r = this.#records.get(i.id) ?? { firstDetectedMs: now, lastUsedMs: 0 };
      if (this.#used(i, inUse)) r.lastUsedMs = now;
      this.#records.set(i.id, r);
    }
    for (const id of this.#records.keys()) if (!present.has(id)) this.#records.delete(id);
    return { images, inUse };
  }

  #used(i: Image, inUse: Set<string>): boolean {
    return inUse.has(i.id) || i.repo_tags.some((t) => inUse.has(t)) || i.repo_digests.some((d) => inUse.has(d));
  }

  #pinned(i: Image): boolean {
    return i.pinned || i.repo_tags.some((t) => this.#o.pinned.includes(t)) || this.#o.pinned.includes(i.id);
  }

  /** garbageCollect frees space when the image filesystem is over the high threshold; answers bytes freed. */
  async garbageCollect(): Promise<number> {
    const policy = this.#o.policy ?? DEFAULT_IMAGE_GC_POLICY;
    const fs = await this.#fsStats();
    await this.#detect();
    if (fs.capacityBytes <= 0) return 0;
    const usagePercent = 100 - Math.floor((fs.availableBytes * 100) / fs.capacityBytes);
    if (usagePercent < policy.highThresholdPercent) return 0;
    const amountToFree = Math.floor((fs.capacityBytes * (100 - policy.lowThresholdPercent)) / 100) - fs.availableBytes;
    this.#o.log(`kubelet: image filesystem at ${usagePercent}% (high threshold ${policy.highThresholdPercent}%): freeing ${amountToFree} bytes down to ${policy.lowThresholdPercent}%`);
    const freed = await this.#freeSpace(amountToFree);
    if (freed < amountToFree) {
      const msg = `Failed to garbage collect required amount of images. Attempted to free ${amountToFree} bytes, but only found ${freed} bytes eligible to free.`;
      this.#o.warn?.('ImageGCFailed', msg);
      this.#o.log(`kubelet: ${msg}`);
    }
    return freed;
  }

  /** deleteUnusedImages removes every unused, unpinned image past the minimum age (upstream DeleteUnusedImages). */
  async deleteUnusedImages(): Promise<number> {
    return this.#freeSpace(Number.MAX_SAFE_INTEGER);
  }

  async #freeSpace(bytesToFree: number): Promise<number> {
    const policy = this.#o.policy ?? DEFAULT_IMAGE_GC_POLICY;
    const { images, inUse } = await this.#detect();
    const now = this.#now();
    const candidates = images
      .filter((i) => !this.#used(i, inUse) && !this.#pinned(i))
      .filter((i) => now - (this.#records.get(i.id)?.firstDetectedMs ?? now) >= policy.minAgeMs)
      .sort((a, b) => {
        const ra = this.#records.get(a.id)!;
        const rb = this.#records.get(b.id)!;
        return ra.lastUsedMs - rb.lastUsedMs || ra.firstDetectedMs - rb.firstDetectedMs;
      });
    let freed = 0;
    for (const i of candidates) {
      if (freed >= bytesToFree) break;
      try {
        await this.#o.images.removeImage({ image: { image: i.id } });
        this.#records.delete(i.id);
        freed += Number(i.size);
        this.#o.log(`kubelet: image GC removed ${i.repo_tags[0] ?? i.id} (${i.size} bytes)`);
      } catch (err) {
        this.#o.log(`kubelet: image GC ${i.id}: ${(err as Error).message}`);
      }
    }
    return freed;
  }
}
