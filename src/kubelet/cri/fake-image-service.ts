// SPDX-License-Identifier: Apache-2.0
/**
 * FakeImageService is the image half of the in-memory CRI fake (FakeRuntime
 * extends it with sandboxes and containers): images present from the start or
 * "pulled" (there is no registry behind it), the call record every RPC
 * appends to, and the failures a test injects.
 */
import type { CallOptions, ImageService } from './runtime-service.js';
import type * as cri from './cri-types.js';
import type { CriError } from './errors.js';
import { nowNs, type FakeCall } from './fake-records.js';

/** FakeImageService implements ImageService in memory. */
export class FakeImageService implements ImageService {
  /** calls lists every call in order, for assertions. */
  readonly calls: FakeCall[] = [];

  protected readonly images = new Map<string, cri.Image>();
  readonly #failures = new Map<string, CriError[]>();
  #nextId = 1;

  // ---------------------------------------------------------------- test controls

  /** addImage makes an image present, as `skiff image import` would. Returns its ID. */
  addImage(ref: string, sizeBytes = 1024): string {
    const id = `sha256:${(this.nextSeq()).toString(16).padStart(64, '0')}`;
    this.images.set(ref, {
      id, repo_tags: [ref], repo_digests: [], size: String(sizeBytes), uid: null, username: '',
      spec: { image: id }, pinned: false,
    });
    return id;
  }

  /** failNext makes the next call of `method` (RPC name, e.g. 'StartContainer') fail with `error`. */
  failNext(method: string, error: CriError): void {
    const queue = this.#failures.get(method) ?? [];
    queue.push(error);
    this.#failures.set(method, queue);
  }


  /** nextSeq numbers IDs and URLs, shared by images, sandboxes and containers. */
  protected nextSeq(): number {
    return this.#nextId++;
  }

  /** record notes a call and throws the failure injected for it, if any. */
  protected record(method: string, request: unknown): void {
    this.calls.push({ method, request });
    const injected = this.#failures.get(method)?.shift();
    if (injected) throw injected;
  }

  // ---------------------------------------------------------------- ImageService

  protected findImage(ref: string): cri.Image | undefined {
    return this.images.get(ref) ?? [...this.images.values()].find((i) => i.id === ref);
  }

  async listImages(req: { filter?: { image?: cri.ImageSpec } } = {}, _opts?: CallOptions) {
    this.record('ListImages', req);
    const wanted = req.filter?.image?.image;
    const images = [...this.images.values()].filter((i) => !wanted || i === this.findImage(wanted));
    return { images };
  }

  async imageStatus(req: { image: cri.ImageSpec; verbose?: boolean }, _opts?: CallOptions) {
    this.record('ImageStatus', req);
    return { image: this.findImage(req.image.image) ?? null, info: {} };
  }

  async pullImage(req: { image: cri.ImageSpec; auth?: cri.AuthConfig; sandbox_config?: cri.PodSandboxConfig }, _opts?: CallOptions) {
    this.record('PullImage', req);
    // There is no registry behind the fake: a pull "succeeds" by making the image present.
    const existing = this.findImage(req.image.image);
    return { image_ref: existing?.id ?? this.addImage(req.image.image) };
  }

  async removeImage(req: { image: cri.ImageSpec }, _opts?: CallOptions): Promise<void> {
    this.record('RemoveImage', req);
    const image = this.findImage(req.image.image);
    if (!image) return;
    for (const [ref, i] of this.images) if (i === image) this.images.delete(ref);
  }

  async imageFsInfo(_opts?: CallOptions): Promise<cri.ImageFsInfoResponse> {
    this.record('ImageFsInfo', {});
    let used = 0n;
    for (const i of new Set(this.images.values())) used += BigInt(i.size);
    const fs: cri.FilesystemUsage = {
      timestamp: String(nowNs()), fs_id: { mountpoint: '/fake/images' }, used_bytes: { value: String(used) },
      inodes_used: { value: String(this.images.size) },
    };
    return { image_filesystems: [fs], container_filesystems: [] };
  }
}
