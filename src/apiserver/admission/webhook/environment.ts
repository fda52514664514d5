// SPDX-License-Identifier: Apache-2.0
/**
 * What dynamic admission reads from the server it runs in: the stored
 * configurations, namespaces (selectors, CEL's namespaceObject), services and
 * their endpoints (to reach a webhook behind a Service, as upstream's
 * endpoint service resolver), equivalent resources (served versions sharing
 * one storage location, for matchPolicy Equivalent) and conversion between
 * them, and the kind's defaulting (re-applied after a webhook's patch, as
 * upstream's mutating dispatcher does).
 */
import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import { deepClone, apiVersionOf, type KubeObject, type ResourceInfo } from '../../../api/index.js';
import { isNotFound, newServiceUnavailable } from '../../../machinery/index.js';
import type { APIRegistry } from '../../registry/api-registry.js';
import { newContext, SYSTEM_USER } from '../../registry/request-context.js';
import type { ServiceResolver } from './client.js';

export const ADMISSION_GROUP = 'admissionregistration.k8s.io';

export interface AdmissionEnvironment {
  /** list returns the stored objects of an admissionregistration.k8s.io/v1 resource, ordered by name. */
  list(resource: string): Promise<KubeObject[]>;
  /** noneStored is true when it is known, without waiting, that `list(resource)` is empty (false: not known, list). */
  noneStored(resource: string): boolean;
  /** namespace returns a namespace object, or undefined when there is none. */
  namespace(name: string): Promise<KubeObject | undefined>;
  /** get reads any object (a policy's params), or undefined when absent. */
  get(info: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
  /** listOf lists a served resource (a policy's params by selector). */
  listOf(info: ResourceInfo, namespace: string | undefined): Promise<KubeObject[]>;
  /** lookupKind finds a served resource by apiVersion and kind. */
  lookupKind(apiVersion: string, kind: string): ResourceInfo | undefined;
  resolveService: ServiceResolver;
  /** equivalents are the served resources storing where info stores (info itself first). */
  equivalents(info: ResourceInfo): ResourceInfo[];
  /** convert turns an object of one served version into another version of the same storage. */
  convert(obj: KubeObject, from: ResourceInfo, to: ResourceInfo): Promise<KubeObject>;
  /** applyDefaults runs the kind's defaulting. */
  applyDefaults(obj: KubeObject, info: ResourceInfo): void;
}

/** registryEnvironment reads everything through the server's own registries as the system. */
export function registryEnvironment(api: APIRegistry): AdmissionEnvironment {
  const ctx = (namespace?: string) => newContext(SYSTEM_USER, namespace);
  const getOrUndefined = async (info: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject | undefined> => {
    try {
      return await api.require(info.group, info.version, info.plural).get(ctx(namespace), name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  };
  const core = (plural: string) => api.definitions.lookup('', 'v1', plural)!.info;
  return {
    list: (resource) => api.cachedList(ADMISSION_GROUP, 'v1', resource),
    noneStored: (resource) => api.cachedListIsEmpty(ADMISSION_GROUP, 'v1', resource),
    namespace: (name) => getOrUndefined(core('namespaces'), undefined, name),
    get: getOrUndefined,
    listOf: async (info, namespace) => (await api.require(info.group, info.version, info.plural).list(ctx(namespace), {})).items,
    lookupKind: (apiVersion, kind) => api.definitions.lookupKind(apiVersion, kind)?.info,
    async resolveService(namespace, name, port) {
      const svc = (await getOrUndefined(core('services'), namespace, name)) as Service | undefined;
      if (!svc) throw newServiceUnavailable(`service "${name}" not found`);
      const svcPort = (svc.spec?.ports ?? []).find((p) => p.port === port);
      if (!svcPort) throw newServiceUnavailable(`no service port ${port} found for service "${name}"`);
      const eps = (await getOrUndefined(core('endpoints'), namespace, name)) as Endpoints | undefined;
      // A random ready address of the named port, as upstream's ResolveEndpoint picks one.
      const candidates: { host: string; port: number }[] = [];
      for (const ss of eps?.subsets ?? []) {
        const p = (ss.ports ?? []).find((x) => (x.name ?? '') === (svcPort.name ?? ''));
        if (!p) continue;
        for (const a of ss.addresses ?? []) candidates.push({ host: a.ip, port: p.port });
      }
      if (!candidates.length) throw newServiceUnavailable(`no endpoints available for service "${name}"`);
      return candidates[Math.floor(Math.random() * candidates.length)]!;
    },
    equivalents(info) {
      const same = api.definitions
        .all()
        .map((d) => d.info)
        .filter((i) => i !== info && i.storage.group === info.storage.group && i.storage.resource === info.storage.resource);
      return [info, ...same];
    },
    async convert(obj, from, to) {
      if (from === to) return deepClone(obj);
      const fromDef = api.definitions.lookup(from.group, from.version, from.plural);
      const toDef = api.definitions.lookup(to.group, to.version, to.plural);
      let stored = deepClone(obj);
      stored = fromDef?.converter ? await fromDef.converter.toStorage(stored) : stored;
      stored.apiVersion = apiVersionOf({ group: from.storage.group, version: from.storage.version });
      const out = toDef?.converter ? await toDef.converter.fromStorage(deepClone(stored)) : deepClone(stored);
      out.apiVersion = apiVersionOf(to);
      out.kind = to.kind;
      return out;
    },
    applyDefaults(obj, info) {
      api.definitions.lookup(info.group, info.version, info.plural)?.strategy.default?.(obj);
    },
  };
}
