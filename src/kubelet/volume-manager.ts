// SPDX-License-Identifier: Apache-2.0
/**
 * VolumeManager sets up a pod's volumes under `<podsDir>/<uid>/volumes/<plugin>/<name>`
 * (plugin directories named as upstream's, e.g. `kubernetes.io~configmap`)
 * and tears them down when the pod goes. ConfigMap, Secret, downwardAPI and
 * projected volumes are rewritten in place through the atomic `..data`
 * symlink swap whenever their source changes; emptyDir with medium Memory is
 * a tmpfs of its own (it has a sizeLimit), while Secret, downwardAPI and
 * projected volumes are directories in the node's one shared tmpfs
 * (memory-volumes.ts), so a pod start forks no mount(8); hostPath checks its
 * type; a PVC resolves to its bound hostPath or local PV; projected serviceAccountToken sources hold a pod-bound token from
 * TokenRequest (token-manager.ts), renewed before it expires, and each sync
 * rewrites the files whose content changed (a renewed token, a new CA). A missing non-optional source fails with upstream's FailedMount
 * message and the pod stays in ContainerCreating until a later sync succeeds.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type {
  DownwardAPIVolumeFile, PersistentVolume, PersistentVolumeClaim, Pod, Volume,
} from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/index.js';
import { R, type Client } from '../client/index.js';
import { isNotFound } from '../machinery/index.js';
import { parseQuantity } from '../api/index.js';
import type { PayloadFile } from './atomic-writer.js';
import type { PodObjects } from './container-env.js';
import { fieldRefValue, resourceFieldRefValue, type NodeAllocatable, type PodRuntimeFields } from './downward-api.js';
import { VolumeError, hostPathSetUp, isMountPoint, mountTmpfs, unmountAll } from './volume-host.js';
import { MemoryVolumes } from './memory-volumes.js';
import { DEFAULT_MODE, cmEntries, keyPayload, optional, published, secretEntries } from './volume-payload.js';
import { TokenManager } from './token-manager.js';

/** VolumeManagerOptions configure where pod directories live. */
export interface VolumeManagerOptions {
  client: Client;
  /** podsDir is `<dataDir>/pods`. */
  podsDir: string;
  /** memoryVolumesDir is `<dataDir>/memory-volumes`, where the shared tmpfs of Secret, downwardAPI and projected volumes is mounted. */
  memoryVolumesDir: string;
  node: NodeAllocatable;
}

/** VolumeManager prepares and removes pod volumes on this node. */
export class VolumeManager {
  readonly #o: VolumeManagerOptions;
  readonly #tokens: TokenManager;
  readonly #memory: MemoryVolumes;

  constructor(opts: VolumeManagerOptions) {
    this.#o = opts;
    this.#tokens = new TokenManager(opts.client);
    this.#memory = new MemoryVolumes(opts.memoryVolumesDir);
  }

  /** podDir is the directory of one pod's files. */
  podDir(uid: string): string {
    return join(this.#o.podsDir, uid);
  }

  /** podUIDs lists pods that have a directory on this node (on disk or in the memory-backed volumes' tmpfs). */
  podUIDs(): string[] {
    const onDisk = existsSync(this.#o.podsDir) ? readdirSync(this.#o.podsDir) : [];
    return [...new Set([...onDisk, ...this.#memory.podUIDs()])];
  }

  /** setUp makes every volume of pod ready and returns volume name → host path. */
  async setUp(pod: Pod, objects: PodObjects, rt: PodRuntimeFields): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const v of pod.spec?.volumes ?? []) {
      try {
        out.set(v.name, await this.#setUpOne(pod, v, objects, rt));
      } catch (err) {
        const msg = err instanceof VolumeError ? err.message : (err as Error).message;
        throw new VolumeError(`MountVolume.SetUp failed for volume "${v.name}" : ${msg}`);
      }
    }
    return out;
  }

  async #setUpOne(pod: Pod, v: Volume, objects: PodObjects, rt: PodRuntimeFields): Promise<string> {
    const uid = pod.metadata?.uid ?? '';
    const ns = pod.metadata?.namespace ?? 'default';
    const dir = (plugin: string) => join(this.podDir(uid), 'volumes', plugin, v.name);
    // Upstream's secret, projected and downwardAPI plugins wrap a Memory-medium emptyDir: their data lives on tmpfs, never on disk.
    // The payload is read before the directory is made and written right after it: a kubelet that stops in between finds the
    // pod's directory in the tmpfs and leaves it mounted, so no volume is ever written below an unmounted root (on disk).
    const memoryBacked = (plugin: string) => this.#memory.make(uid, plugin, v.name);
    if (v.hostPath) return hostPathSetUp(v.hostPath.path, v.hostPath.type ?? '');
    if (v.emptyDir) return await this.#emptyDir(dir('kubernetes.io~empty-dir'), v.emptyDir.medium, v.emptyDir.sizeLimit as string | undefined);
    if (v.configMap) {
      const cm = await optional(objects.configMap(ns, v.configMap.name ?? ''), v.configMap.optional, `configmap "${v.configMap.name}" not found`);
      const payload = keyPayload(cmEntries(cm), v.configMap.items, v.configMap.defaultMode, v.configMap.optional, 'configmap');
      return published(dir('kubernetes.io~configmap'), payload);
    }
    if (v.secret) {
      const s = await optional(objects.secret(ns, v.secret.secretName ?? ''), v.secret.optional, `secret "${v.secret.secretName}" not found`);
      const payload = keyPayload(secretEntries(s), v.secret.items, v.secret.defaultMode, v.secret.optional, 'secret');
      return published(await memoryBacked('kubernetes.io~secret'), payload);
    }
    if (v.downwardAPI) {
      const payload = this.#downward(pod, v.downwardAPI.items ?? [], v.downwardAPI.defaultMode, rt);
      return published(await memoryBacked('kubernetes.io~downward-api'), payload);
    }
    if (v.projected) {
      const payload = await this.#projected(pod, v, objects, rt);
      return published(await memoryBacked('kubernetes.io~projected'), payload);
    }
    if (v.persistentVolumeClaim) return this.#pvc(ns, v.persistentVolumeClaim.claimName);
    throw new VolumeError('volume type is not supported by skiff');
  }

  async #emptyDir(path: string, medium: string | undefined, sizeLimit: string | undefined): Promise<string> {
    mkdirSync(path, { recursive: true });
    if (medium === 'Memory' && !isMountPoint(path)) {
      const opts = ['mode=0777'];
      if (sizeLimit) opts.push(`size=${parseQuantity(sizeLimit).value()}`);
      await mountTmpfs(path, opts.join(','));
    }
    chmodSync(path, 0o777);
    return path;
  }

  #downward(pod: Pod, items: DownwardAPIVolumeFile[], defaultMode: number | undefined, rt: PodRuntimeFields): Map<string, PayloadFile> {
    const out = new Map<string, PayloadFile>();
    for (const it of items) {
      const value = it.fieldRef
        ? fieldRefValue(pod, it.fieldRef, rt)
        : it.resourceFieldRef ? resourceFieldRefValue(pod, it.resourceFieldRef, undefined, this.#o.node) : '';
      out.set(it.path, { data: Buffer.from(value), mode: it.mode ?? defaultMode ?? DEFAULT_MODE });
    }
    return out;
  }

  async #projected(pod: Pod, v: Volume, objects: PodObjects, rt: PodRuntimeFields): Promise<Map<string, PayloadFile>> {
    const ns = pod.metadata?.namespace ?? 'default';
    const mode = v.projected?.defaultMode;
    const out = new Map<string, PayloadFile>();
    for (const src of v.projected?.sources ?? []) {
      let part = new Map<string, PayloadFile>();
      if (src.configMap) {
        const cm = await optional(objects.configMap(ns, src.configMap.name ?? ''), src.configMap.optional, `configmap "${src.configMap.name}" not found`);
        part = keyPayload(cmEntries(cm), src.configMap.items, mode, src.configMap.optional, 'configmap');
      } else if (src.secret) {
        const s = await optional(objects.secret(ns, src.secret.name ?? ''), src.secret.optional, `secret "${src.secret.name}" not found`);
        part = keyPayload(secretEntries(s), src.secret.items, mode, src.secret.optional, 'secret');
      } else if (src.downwardAPI) {
        part = this.#downward(pod, src.downwardAPI.items ?? [], mode, rt);
      }
      else if (src.serviceAccountToken) {
        const token = await this.#tokens.token(pod, src.serviceAccountToken).catch((err: Error) => {
          throw new VolumeError(err.message);
        });
        part.set(src.serviceAccountToken.path, { data: Buffer.from(token), mode: mode ?? DEFAULT_MODE });
      }
      for (const [k, f] of part) out.set(k, f);
    }
    return out;
  }

  async #pvc(ns: string, claimName: string): Promise<string> {
    let pvc: PersistentVolumeClaim;
    try {
      pvc = await this.#o.client.get<KubeObject & PersistentVolumeClaim>(R.persistentvolumeclaims, claimName, { namespace: ns });
    } catch (err) {
      if (isNotFound(err)) throw new VolumeError(`persistentvolumeclaim "${claimName}" not found`);
      throw err;
    }
    const pvName = pvc.spec?.volumeName;
    if (!pvName || pvc.status?.phase !== 'Bound') throw new VolumeError(`PVC ${ns}/${claimName} is not bound`);
    const pv = await this.#o.client.get<KubeObject & PersistentVolume>(R.persistentvolumes, pvName);
    if (pv.spec?.hostPath) return hostPathSetUp(pv.spec.hostPath.path, pv.spec.hostPath.type ?? 'DirectoryOrCreate');
    if (pv.spec?.local) return hostPathSetUp(pv.spec.local.path, 'Directory');
    throw new VolumeError(`persistent volume ${pvName} is neither hostPath nor local`);
  }

  /**
   * tearDownVolumes unmounts and removes a finished pod's volumes and keeps
   * its directory, as upstream's volume manager does once a pod is
   * terminated (syncTerminatedPod waits for the unmount; emptyDir's TearDown
   * removes its contents); the pod directory goes with the pod object.
   */
  async tearDownVolumes(uid: string): Promise<void> {
    this.#memory.removePod(uid);
    this.#tokens.forget(uid);
    const dir = join(this.podDir(uid), 'volumes');
    if (!existsSync(dir)) return;
    await unmountAll(dir);
    rmSync(dir, { recursive: true, force: true });
  }

  /** tearDown unmounts and removes a pod's directory. */
  async tearDown(uid: string): Promise<void> {
    this.#memory.removePod(uid);
    this.#tokens.forget(uid);
    const dir = this.podDir(uid);
    if (!existsSync(dir)) return;
    await unmountAll(dir);
    rmSync(dir, { recursive: true, force: true });
  }

  /** close stops setting up memory-backed volumes and unmounts their tmpfs once no pod has one (memory-volumes.ts). */
  close(): Promise<void> {
    return this.#memory.close();
  }
}
