// SPDX-License-Identifier: Apache-2.0
/**
 * APIRegistry builds one ResourceRegistry per served resource and finds them
 * by group, version and resource. It is the single entry to cluster state
 * for both the HTTP handlers and the in-process client.
 */
import { RESOURCES, storageKey, storagePrefix, type ResourceInfo } from '../../api/index.js';
import { DefinitionRegistry, type ResourceDefinition } from '../definitions/index.js';
import type { KubeObject } from '../../api/index.js';
import type { Store } from '../../storage/index.js';
import { StatusError } from '../../machinery/index.js';
import { validateObjectMeta, nameRuleFor } from '../strategies/index.js';
import { decodeError, findUnknownFields } from '../openapi/index.js';
import { ResourceRegistry, type RegistryHooks } from './resource-registry.js';
import { ServiceAllocator } from './service-allocator.js';
import { decodeObject } from './object-codec.js';
import { AdmissionChain } from '../admission/admission.js';
import { newContext, SYSTEM_USER } from './request-context.js';

export interface APIRegistryOptions {
  store: Store;
  serviceCIDR: string;
  nodePortRange: { min: number; max: number };
  now?: () => Date;
  /** definitions to serve (default: the built-in ones); more may be added at run time. */
  definitions?: DefinitionRegistry;
}

const NAMESPACES = RESOURCES.find((r) => r.group === '' && r.plural === 'namespaces')!;

/** NamespaceState is what a create needs to know of its namespace. */
type NamespaceState = 'Active' | 'Terminating';

export class APIRegistry {
  readonly store: Store;
  readonly services: ServiceAllocator;
  /** admission is the plugin chain every create and update passes; components register plugins before serving. */
  readonly admission = new AdmissionChain();
  /** definitions is what this server serves; adding or removing one serves or stops serving its URLs. */
  readonly definitions: DefinitionRegistry;
  /**
   * Registries by group, version and resource, in nested maps: every request
   * looks one up (admission several times), and a joined key would be built
   * and hashed each time, where the parts are short or literal strings.
   */
  readonly #byGVR = new Map<string, Map<string, Map<string, ResourceRegistry>>>();
  readonly #opts: APIRegistryOptions;

  constructor(opts: APIRegistryOptions) {
    this.store = opts.store;
    this.#opts = opts;
    this.services = new ServiceAllocator({ serviceCIDR: opts.serviceCIDR, nodePortRange: opts.nodePortRange });
    this.definitions = opts.definitions ?? new DefinitionRegistry();
    for (const def of this.definitions.all()) this.#serve(def);
    this.definitions.onChange((c) => {
      const { group, version, plural } = c.definition.info;
      if (c.type === 'added') this.#serve(c.definition);
      else this.#byGVR.get(group)?.get(version)?.delete(plural);
    });
  }

  #serve(def: ResourceDefinition): void {
    const info = def.info;
    const reg = new ResourceRegistry({
      definition: def,
      store: this.store,
      hooks: this.#hooksFor(info),
      validateMeta: (obj, i) => validateObjectMeta(obj.metadata, { namespaced: i.namespaced, nameRule: nameRuleFor(i.group, i.kind) }),
      findUnknownFields,
      decodeError,
      admission: this.admission,
      onWritten: () => this.#bumpGeneration(info),
      namespaceState: (name) => this.#namespaceState(name),
      now: this.#opts.now,
    });
    let versions = this.#byGVR.get(info.group);
    if (!versions) this.#byGVR.set(info.group, (versions = new Map()));
    let resources = versions.get(info.version);
    if (!resources) versions.set(info.version, (resources = new Map()));
    resources.set(info.plural, reg);
  }

  /** Write generations per storage location: a cached list is valid while its generation is unchanged. */
  readonly #generations = new Map<string, number>();
  /** Cached lists by registry, then namespace ('' for all). */
  readonly #listCache = new WeakMap<ResourceRegistry, Map<string, { generation: number; items: KubeObject[] }>>();
  /** Storage location names by resource, made once: every write bumps its location's generation. */
  readonly #storageIds = new WeakMap<ResourceInfo, string>();

  #storageId(info: ResourceInfo): string {
    let id = this.#storageIds.get(info);
    if (id === undefined) this.#storageIds.set(info, (id = `${info.storage.group}/${info.storage.resource}`));
    return id;
  }

  #bumpGeneration(info: ResourceInfo): void {
    const k = this.#storageId(info);
    this.#generations.set(k, (this.#generations.get(k) ?? 0) + 1);
  }

  /** Storage locations whose writes are followed through the store's watch (see cachedList). */
  readonly #followed = new Set<string>();

  /**
   * cachedList lists a small policy kind (ResourceQuotas, LimitRanges,
   * PriorityClasses, webhook configurations) that admission reads on every
   * create, from memory until the next write of that kind. A write through
   * this process invalidates at once, so it is seen by the very next
   * request; a write through another server on the same etcd invalidates as
   * soon as the store's watch delivers it (upstream's admission plugins read
   * such kinds from informers, which are eventually consistent the same way).
   * Items are copies; callers may change them.
   */
  async cachedList(group: string, version: string, resource: string, namespace?: string): Promise<KubeObject[]> {
    const reg = this.require(group, version, resource);
    const k = this.#storageId(reg.info);
    if (!this.#followed.has(k)) {
      this.#followed.add(k);
      await this.#followWrites(k, storagePrefix(reg.info));
    }
    const generation = this.#generations.get(k) ?? 0;
    let byNamespace = this.#listCache.get(reg);
    if (!byNamespace) this.#listCache.set(reg, (byNamespace = new Map()));
    let entry = byNamespace.get(namespace ?? '');
    if (!entry || entry.generation !== generation) {
      const list = await reg.list(newContext(SYSTEM_USER, namespace), {});
      entry = { generation, items: list.items };
      // A write that raced with this list leaves the entry stale; it is then simply refreshed next time.
      if ((this.#generations.get(k) ?? 0) === generation) byNamespace.set(namespace ?? '', entry);
    }
    return entry.items.length ? structuredClone(entry.items) : [];
  }

  /**
   * cachedListIsEmpty answers, without waiting, what cachedList would: true
   * when the list is cached, current and empty. False means "not known now"
   * (never listed, or written since): the caller then lists. Admission asks
   * it on every write, and most clusters have no webhooks, policies or
   * quotas, so most writes need no turn of the event loop for them.
   */
  cachedListIsEmpty(group: string, version: string, resource: string, namespace?: string): boolean {
    const reg = this.lookup(group, version, resource);
    if (!reg) return false;
    const k = this.#storageId(reg.info);
    if (!this.#followed.has(k)) return false;
    const entry = this.#listCache.get(reg)?.get(namespace ?? '');
    return entry !== undefined && entry.generation === (this.#generations.get(k) ?? 0) && entry.items.length === 0;
  }

  /**
   * followWrites bumps a storage location's generation on every change the
   * store reports under prefix, from whichever server wrote it. It resolves
   * once the watch has its starting revision; a watch that fails (compaction,
   * a lagging watcher, etcd unavailable) invalidates and starts again, and
   * the loop ends when the store closes.
   */
  async #followWrites(k: string, prefix: string): Promise<void> {
    const bump = () => this.#generations.set(k, (this.#generations.get(k) ?? 0) + 1);
    let from = await this.store.currentRevision();
    const loop = async (): Promise<void> => {
      for (;;) {
        try {
          for await (const ev of this.store.watch({ prefix, afterRevision: from, signal: this.#stopFollowing.signal })) {
            if (ev.type === 'progress') continue;
            from = ev.kv.modRevision;
            bump();
          }
          return;
        } catch {
          if (this.#stopFollowing.signal.aborted) return;
          bump();
          await new Promise((r) => setTimeout(r, 1000).unref());
          from = await this.store.currentRevision().catch(() => from);
        }
      }
    };
    void loop();
  }

  readonly #stopFollowing = new AbortController();

  /** stop ends what start and cachedList began (the watches that keep cached lists current). */
  stop(): void {
    this.#stopFollowing.abort();
  }

  /** start restores allocator state from storage; call once before serving. */
  async start(): Promise<void> {
    const services = await this.store.list({ prefix: '/registry/services/' });
    for (const kv of services.items) this.services.restore(decodeObject(kv));
  }

  lookup(group: string, version: string, resource: string): ResourceRegistry | undefined {
    return this.#byGVR.get(group)?.get(version)?.get(resource);
  }

  /** require finds a registry or answers 404 as upstream does for an unknown resource. */
  require(group: string, version: string, resource: string): ResourceRegistry {
    const r = this.lookup(group, version, resource);
    if (!r) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', { group, kind: resource });
    return r;
  }

  #hooksFor(info: ResourceInfo): RegistryHooks | undefined {
    if (info.group === '' && info.plural === 'services') return this.services.hooks();
    return undefined;
  }

  /**
   * namespaceState reads the namespace from the store on every create (with
   * etcd, that read is what refuses a create while quorum is lost), but
   * decodes a namespace only when its revision changed since the last read.
   */
  async #namespaceState(name: string): Promise<NamespaceState | undefined> {
    const kv = await this.store.get(storageKey(NAMESPACES, undefined, name));
    if (!kv) {
      this.#namespaceStates.delete(name);
      return undefined;
    }
    const known = this.#namespaceStates.get(name);
    if (known?.modRevision === kv.modRevision) return known.state;
    const ns = JSON.parse(kv.value) as KubeObject;
    const state = ns.metadata.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating' ? 'Terminating' : 'Active';
    this.#namespaceStates.set(name, { modRevision: kv.modRevision, state });
    return state;
  }

  /** The decoded state of each namespace last read, by its revision; an entry goes when its namespace is read as gone. */
  readonly #namespaceStates = new Map<string, { modRevision: number; state: NamespaceState }>();
}
